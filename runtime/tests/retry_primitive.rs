//! The `retry` primitive on its own: retryable errors are retried until the
//! retries run out, others end the call at once, and the waits stay within
//! the backoff's ceiling.
//!
//! Time only moves on tokio's paused clock.

use std::time::Duration;

use opguard_runtime::retry::{self, Backoff, RetryPolicy};
use tokio::time::Instant;

fn policy(retries: u32) -> RetryPolicy {
    RetryPolicy {
        retries,
        backoff: Backoff::Linear,
        retry_delay: Duration::from_millis(10),
        max_retry_delay: Duration::from_millis(15),
    }
}

#[tokio::test(start_paused = true)]
async fn retryable_errors_are_retried_until_the_retries_run_out() {
    let mut started = Vec::new();
    let result: Result<(), u32> = retry::run(
        &policy(3),
        |_| true,
        || {
            started.push(Instant::now());
            let n = started.len() as u32;
            async move { Err(n) }
        },
    )
    .await;
    assert_eq!(result, Err(4), "the last attempt's error");
    assert_eq!(started.len(), 4, "the first attempt and three retries");
    let ceilings = [10, 15, 15].map(Duration::from_millis);
    for (n, pair) in started.windows(2).enumerate() {
        assert!(pair[1] - pair[0] <= ceilings[n], "retry {}", n + 1);
    }
}

#[tokio::test(start_paused = true)]
async fn an_error_that_is_not_retryable_ends_the_call_at_once() {
    let mut attempts = 0;
    let start = Instant::now();
    let result: Result<(), &str> = retry::run(
        &policy(5),
        |error| *error != "not found",
        || {
            attempts += 1;
            async { Err("not found") }
        },
    )
    .await;
    assert_eq!(result, Err("not found"));
    assert_eq!(attempts, 1);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[test]
fn sync_calls_are_retried_until_they_succeed() {
    let mut attempts = 0;
    let quick = RetryPolicy {
        retry_delay: Duration::from_micros(10),
        max_retry_delay: Duration::from_micros(10),
        ..policy(5)
    };
    let result = retry::run_sync(
        &quick,
        |_: &&str| true,
        || {
            attempts += 1;
            if attempts < 3 {
                Err("busy")
            } else {
                Ok(attempts)
            }
        },
    );
    assert_eq!(result, Ok(3));
    assert_eq!(
        retry::run_sync(&RetryPolicy::NONE, |_| true, || Err::<(), _>(1)),
        Err(1)
    );
}
