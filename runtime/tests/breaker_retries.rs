//! Retries through the breaker: every attempt counted, only failures (and
//! timeouts) retried, jittered waits within the backoff's ceiling, and no
//! attempt once the breaker rejects.
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Backoff, Breaker, BreakerState, CallPolicy, RetryPolicy};
use tokio::time::{Instant, advance, sleep};

use support::{AppError, always, describe, fail, ms};

// ---------------------------------------------------------------- retries

fn fixed(retries: u32, delay: Duration) -> RetryPolicy {
    RetryPolicy {
        retries,
        backoff: Backoff::Fixed,
        retry_delay: delay,
        max_retry_delay: delay,
    }
}

#[tokio::test(start_paused = true)]
async fn retries_count_every_attempt() {
    let breaker = Breaker::builder("breaker_runtime.retry.count")
        .failure_threshold(100)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);

    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { Err::<(), _>(AppError::Down(n)) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::Down(4))), "the last failure");
    assert_eq!(attempts, 4, "the first attempt and three retries");
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.window_failures), (0, 4, 4));

    // Failing twice, then succeeding: three attempts, the success returned.
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(5, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { if n < 3 { Err(AppError::Down(n)) } else { Ok(n) } }
        })
        .await;
    assert_eq!(result, Ok(Ok(3)));
    assert_eq!(attempts, 3);
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (1, 6));
    assert_eq!(s.state, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn errors_that_are_not_failures_are_not_retried() {
    let breaker = Breaker::builder("breaker_runtime.retry.not_failure").build();
    let counted = |error: &AppError| !matches!(error, AppError::NotFound);
    let policy = CallPolicy::new(&counted, &describe, &AppError::Guard);
    let mut attempts = 0;
    let start = Instant::now();
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            async { Err::<(), _>(AppError::NotFound) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::NotFound)));
    assert_eq!(attempts, 1);
    assert_eq!(start.elapsed(), Duration::ZERO, "no wait either");
    let s = breaker.snapshot();
    assert_eq!(
        (s.successes, s.failures),
        (1, 0),
        "a non-counted error is a success"
    );
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried() {
    let breaker = Breaker::builder("breaker_runtime.retry.timeout")
        .timeout(ms(20))
        .failure_threshold(100)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(2, ms(5)), || {
            attempts += 1;
            async {
                sleep(Duration::from_secs(1)).await;
                Ok::<_, AppError>(())
            }
        })
        .await;
    assert_eq!(
        result,
        Ok(Err(AppError::Guard(GuardError::Timeout {
            name: "breaker_runtime.retry.timeout".into(),
            after: ms(20),
        })))
    );
    assert_eq!(attempts, 3);
    let s = breaker.snapshot();
    assert_eq!((s.failures, s.timeouts), (3, 3));
}

#[tokio::test(start_paused = true)]
async fn retry_delays_stay_within_the_backoff_ceiling() {
    const RUNS: usize = 60;
    let breaker = Breaker::builder("breaker_runtime.retry.delays")
        .failure_threshold(opguard_runtime::breaker::MAX_WINDOW_COUNT)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let retry = RetryPolicy {
        retries: 5,
        backoff: Backoff::Exponential,
        retry_delay: ms(10),
        max_retry_delay: ms(40),
    };
    let ceilings: Vec<Duration> = (1..=5).map(|n| retry.ceiling(n)).collect();
    assert_eq!(ceilings, [ms(10), ms(20), ms(40), ms(40), ms(40)]);

    // waits[n - 1]: every wait observed before retry n.
    let mut waits: Vec<Vec<Duration>> = vec![Vec::new(); 5];
    for _ in 0..RUNS {
        let mut started = Vec::new();
        let result = breaker
            .call_with_retries(&policy, &retry, || {
                started.push(Instant::now());
                async { Err::<(), _>(AppError::Down(0)) }
            })
            .await;
        let end = Instant::now();
        assert_eq!(result, Ok(Err(AppError::Down(0))));
        assert_eq!(started.len(), 6);
        assert_eq!(end, started[5], "no wait after the last attempt");
        for (n, pair) in started.windows(2).enumerate() {
            // The paused clock auto-advances by exactly the sleep, rounded up
            // to tokio's 1 ms timer tick.
            let wait = pair[1] - pair[0];
            assert!(
                wait <= ceilings[n],
                "retry {}: waited {wait:?} > {:?}",
                n + 1,
                ceilings[n]
            );
            waits[n].push(wait);
        }
    }
    assert_eq!(breaker.snapshot().failures, 6 * RUNS as u64);
    // Jittered from zero up to the ceiling, which grows and then is capped
    // (each check fails by chance with probability 2^-60).
    for (retry, observed) in (3..).zip(&waits[2..]) {
        let most = *observed.iter().max().unwrap();
        let least = *observed.iter().min().unwrap();
        assert!(most > ms(20), "retry {retry} never waited past 20ms");
        assert!(least < ms(20), "retry {retry} always waited 20ms or more");
    }
    let distinct: std::collections::BTreeSet<_> = waits.concat().into_iter().collect();
    assert!(distinct.len() > 10, "jittered: {distinct:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rejected_first_attempt_never_runs_the_call() {
    let breaker = Breaker::builder("breaker_runtime.retry.rejected")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(30))
        .build();
    fail(&breaker);
    advance(Duration::from_secs(10)).await;
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            async { Ok::<_, AppError>(()) }
        })
        .await;
    assert_eq!(
        result,
        Err(GuardError::CircuitOpen {
            name: "breaker_runtime.retry.rejected".into(),
            retry_after: Duration::from_secs(20),
        })
    );
    assert_eq!(attempts, 0);
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.rejected), (0, 1, 1));
}

#[tokio::test(start_paused = true)]
async fn retrying_stops_when_the_breaker_opens_between_attempts() {
    let breaker = Breaker::builder("breaker_runtime.retry.opens")
        .failure_threshold(2)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let started = tokio::time::Instant::now();
    let result = breaker
        .call_with_retries(&policy, &fixed(5, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { Err::<(), _>(AppError::Down(n)) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::Down(2))), "the last failure");
    assert_eq!(attempts, 2);
    assert!(
        started.elapsed() <= ms(10),
        "one (jittered) wait of at most 10 ms, between the two attempts; none \
         after the failure that opened it: {:?}",
        started.elapsed()
    );
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Open);
    assert_eq!(
        (s.failures, s.rejected),
        (2, 0),
        "no attempt after it opened"
    );
}
