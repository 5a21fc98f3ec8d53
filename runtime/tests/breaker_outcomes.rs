//! What a call through the breaker records when it does not simply return:
//! a timeout (the future abandoned, a failure counted) and a panic (a
//! failure, and the panic keeps unwinding).
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, BreakerState};
use tokio::time::{Instant, sleep};

use support::{AppError, DropFlag, ms};

// ---------------------------------------------------------------- timeout

#[tokio::test(start_paused = true)]
async fn timeout_abandons_a_slow_call_and_counts_a_failure() {
    let breaker = Breaker::builder("breaker_runtime.timeout")
        .timeout(ms(50))
        .build();
    let dropped = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let body_finished = finished.clone();

    let start = Instant::now();
    let result: Result<(), AppError> = breaker
        .call(async move {
            let _flag = flag;
            sleep(Duration::from_secs(10)).await;
            body_finished.store(true, Ordering::SeqCst);
            Ok(())
        })
        .await;
    assert_eq!(start.elapsed(), ms(50));
    assert_eq!(
        result,
        Err(AppError::Guard(GuardError::Timeout {
            name: "breaker_runtime.timeout".into(),
            after: ms(50),
        }))
    );
    assert!(dropped.load(Ordering::SeqCst), "the future was dropped");
    assert!(!finished.load(Ordering::SeqCst), "and never finished");
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.timeouts), (0, 1, 1));
    assert_eq!(s.last_failures[0].error, "timed out after 50ms");

    // A call that makes it in time is untouched.
    let quick: Result<u32, AppError> = breaker
        .call(async {
            sleep(ms(49)).await;
            Ok(7)
        })
        .await;
    assert_eq!(quick, Ok(7));
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.timeouts), (1, 1, 1));
}

// ---------------------------------------------------------------- panics

fn boom() -> Result<(), AppError> {
    panic!("boom")
}

#[tokio::test(start_paused = true)]
async fn a_panic_inside_call_counts_as_a_failure_and_keeps_unwinding() {
    let breaker = Breaker::builder("breaker_runtime.panic.async")
        .failure_threshold(1)
        .build();
    let joined = tokio::spawn({
        let breaker = breaker.clone();
        async move { breaker.call(async { boom() }).await }
    })
    .await;
    let error = joined.unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        error.into_panic().downcast_ref::<&str>(),
        Some(&"boom"),
        "the panic's own payload reaches the task's owner"
    );
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (0, 1));
    assert_eq!(s.last_failures[0].error, "panicked");
    assert_eq!(
        s.state,
        BreakerState::Open,
        "and it counted towards opening"
    );
}

#[test]
fn a_panic_inside_call_sync_counts_as_a_failure_and_keeps_unwinding() {
    let breaker = Breaker::builder("breaker_runtime.panic.sync").build();
    let unwound =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| breaker.call_sync(boom)));
    assert!(unwound.is_err());
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (0, 1));
    assert_eq!(s.last_failures[0].error, "panicked");
}
