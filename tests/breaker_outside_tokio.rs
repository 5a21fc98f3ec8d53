//! An async breaker call with `timeout` (or waits between `retries`) polled
//! by another executor fails with a message that names opguard, the option
//! and the fix, instead of tokio's "there is no reactor running"; without
//! those options it runs on any executor.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use opguard::circuit_breaker;

mod support;
use support::Down;

/// A minimal executor that is not tokio: polls until ready.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    for _ in 0..1_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("not ready after 1000 polls");
}

#[circuit_breaker(timeout = "1s")]
async fn with_timeout() -> Result<u32, Down> {
    Ok(1)
}

#[circuit_breaker(retries = 2, retry_delay = "1ms")]
async fn with_retries(fail: bool) -> Result<u32, Down> {
    if fail { Err(Down) } else { Ok(2) }
}

#[circuit_breaker]
async fn plain() -> Result<u32, Down> {
    Ok(3)
}

fn panic_text(run: impl FnOnce() + std::panic::UnwindSafe) -> String {
    support::panic_text(std::panic::catch_unwind(run).expect_err("it must panic"))
}

#[test]
fn timeout_outside_tokio_names_opguard_the_option_and_the_fix() {
    let message = panic_text(|| {
        block_on(with_timeout()).ok();
    });
    assert!(message.starts_with("opguard: breaker `"), "{message}");
    assert!(message.contains("`timeout`"), "{message}");
    assert!(message.contains("tokio runtime"), "{message}");
    assert!(message.contains("#[tokio::main]"), "{message}");
}

#[test]
fn retry_waits_outside_tokio_name_the_option() {
    // A success needs no wait, so it runs anywhere.
    assert_eq!(block_on(with_retries(false)).unwrap(), 2);
    let message = panic_text(|| {
        block_on(with_retries(true)).ok();
    });
    assert!(message.contains("`retries`"), "{message}");
}

#[test]
fn a_breaker_without_timer_options_runs_on_any_executor() {
    assert_eq!(block_on(plain()).unwrap(), 3);
}
