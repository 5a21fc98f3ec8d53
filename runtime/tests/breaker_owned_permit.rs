//! The owned call API: an `OwnedPermit` and an `Arc<OwnedCallPolicy>` move
//! into spawned (`'static`) futures, and a success, a failure, a cancelled
//! (dropped) call, a panic and a timeout are recorded exactly as through the
//! borrowed `Permit` and `CallPolicy`.
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, BreakerSnapshot, BreakerState, OwnedCallPolicy};
use tokio::time::sleep;

use support::{AppError, ms};

/// Keeps a future as a `tower` response future must be: `Send + 'static`.
fn response_future<F: Future + Send + 'static>(future: F) -> F {
    future
}

/// What a snapshot says about the calls, without the name and the times.
fn figures(s: &BreakerSnapshot) -> (BreakerState, [u64; 9], Vec<String>) {
    let counts = [
        s.calls,
        s.successes,
        s.failures,
        s.rejected,
        s.timeouts,
        s.cancelled,
        s.slow,
        s.window_failures,
        s.consecutive_failures,
    ];
    let errors = s.last_failures.iter().map(|f| f.error.clone()).collect();
    (s.state, counts, errors)
}

fn breaker(name: &str) -> Breaker {
    Breaker::builder(name)
        .failure_threshold(100)
        .timeout(ms(50))
        .build()
}

fn panics() -> Result<u32, AppError> {
    panic!("boom")
}

#[tokio::test(start_paused = true)]
async fn owned_permits_in_spawned_tasks_record_what_borrowed_permits_record() {
    let borrowed = breaker("breaker_owned_permit.borrowed");
    let owned = breaker("breaker_owned_permit.owned");
    let policy = Arc::new(OwnedCallPolicy::<AppError>::every_error());

    // Borrowed: the permit lives in this frame (or in a task that holds a
    // clone of the breaker, for the panic).
    let p = policy.policy();
    assert_eq!(
        borrowed.acquire().unwrap().run(&p, async { Ok(1) }).await,
        Ok(1)
    );
    let down = borrowed
        .acquire()
        .unwrap()
        .run(&p, async { Err::<u32, _>(AppError::Down(2)) })
        .await;
    assert_eq!(down, Err(AppError::Down(2)));
    drop(borrowed.acquire().unwrap());
    let late = borrowed
        .acquire()
        .unwrap()
        .run(&p, async {
            sleep(Duration::from_secs(1)).await;
            Ok(3)
        })
        .await;
    assert!(matches!(
        late,
        Err(AppError::Guard(GuardError::Timeout { .. }))
    ));
    let task = tokio::spawn({
        let (breaker, policy) = (borrowed.clone(), Arc::clone(&policy));
        async move {
            let permit = breaker.acquire().unwrap();
            permit.run(&policy.policy(), async { panics() }).await
        }
    });
    assert!(task.await.unwrap_err().is_panic());

    // Owned: each permit is taken here and moved into a spawned task.
    let spawn = |future: std::pin::Pin<Box<dyn Future<Output = Result<u32, AppError>> + Send>>| {
        let permit = owned.acquire_owned().expect("closed");
        let policy = Arc::clone(&policy);
        tokio::spawn(response_future(async move {
            permit.run(&policy.policy(), future).await
        }))
    };
    assert_eq!(spawn(Box::pin(async { Ok(1) })).await.unwrap(), Ok(1));
    let down = spawn(Box::pin(async { Err(AppError::Down(2)) })).await;
    assert_eq!(down.unwrap(), Err(AppError::Down(2)));
    let cancelled = spawn(Box::pin(std::future::pending()));
    tokio::task::yield_now().await;
    cancelled.abort();
    assert!(cancelled.await.unwrap_err().is_cancelled());
    let late = spawn(Box::pin(async {
        sleep(Duration::from_secs(1)).await;
        Ok(3)
    }));
    let late = late.await.unwrap();
    assert!(matches!(
        late,
        Err(AppError::Guard(GuardError::Timeout { .. }))
    ));
    let panicked = spawn(Box::pin(async { panics() })).await;
    assert!(panicked.unwrap_err().is_panic());

    let expected = (
        BreakerState::Closed,
        [4, 1, 3, 0, 1, 1, 0, 3, 3],
        vec![
            "down (2)".to_owned(),
            "timed out after 50ms".to_owned(),
            "panicked".to_owned(),
        ],
    );
    assert_eq!(figures(&borrowed.snapshot()), expected);
    assert_eq!(figures(&owned.snapshot()), expected);
}

#[tokio::test(start_paused = true)]
async fn an_owned_probe_dropped_in_a_task_frees_its_slot_and_a_success_closes() {
    let breaker = Breaker::builder("breaker_owned_permit.probe")
        .failure_threshold(1)
        .recovery_timeout(ms(100))
        .build();
    breaker.acquire_owned().unwrap().failure("down");
    assert_eq!(breaker.state(), BreakerState::Open);
    assert!(matches!(
        breaker.acquire_owned(),
        Err(GuardError::CircuitOpen { .. })
    ));
    tokio::time::advance(ms(100)).await;

    let probe = breaker.acquire_owned().expect("a probe");
    assert!(probe.is_probe());
    assert!(breaker.acquire_owned().is_err(), "the only slot is taken");
    tokio::spawn(async move { drop(probe) }).await.unwrap();

    let probe = breaker
        .acquire_owned()
        .expect("the dropped probe freed its slot");
    tokio::spawn(async move { probe.success() }).await.unwrap();
    assert_eq!(breaker.state(), BreakerState::Closed);
    let s = breaker.snapshot();
    assert_eq!(
        (s.successes, s.failures, s.cancelled, s.rejected),
        (1, 1, 1, 2)
    );
}
