//! Half-open is bounded and judged: probes that never finish cannot hold
//! the breaker half-open for ever (`half_open_max_duration`), a rejection
//! there says how long to wait, a late probe result counts for nothing, and
//! slow probes reopen the breaker under the slow-call rule.
//!
//! Time only moves on tokio's paused clock.

use std::time::Duration;

use opguard::{GuardError, circuit_breaker};
use opguard_runtime::breaker::{Breaker, BreakerState};
use tokio::time::advance;

mod support;
use support::Down;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn retry_after(result: Result<impl Sized, GuardError>) -> Duration {
    match result {
        Err(GuardError::CircuitOpen { retry_after, .. }) => retry_after,
        Err(other) => panic!("not a rejection: {other}"),
        Ok(_) => panic!("not a rejection: a permit"),
    }
}

/// A breaker opened by one failure, its recovery timeout just over: the
/// next call is a probe.
async fn ready_to_probe(name: &str, recovery: u64, half_open_max: u64) -> Breaker {
    let breaker = Breaker::builder(name)
        .failure_threshold(1)
        .recovery_timeout(secs(recovery))
        .half_open_max_duration(secs(half_open_max))
        .build();
    breaker.acquire().unwrap().failure("down");
    advance(secs(recovery)).await;
    breaker
}

#[tokio::test(start_paused = true)]
async fn a_probe_that_never_finishes_holds_half_open_only_for_the_bound() {
    let breaker = ready_to_probe("breaker_half_open.stuck", 30, 10).await;
    let stuck = breaker.acquire().expect("the probe");
    assert!(stuck.is_probe());

    advance(secs(4)).await;
    assert_eq!(
        retry_after(breaker.acquire()),
        secs(6),
        "a real estimate: the rest of the bound"
    );

    // Past the bound, the next call reopens the breaker.
    advance(secs(6)).await;
    assert_eq!(retry_after(breaker.acquire()), secs(30));
    assert_eq!(breaker.state(), BreakerState::Open);

    // The stuck probe's late success changes nothing.
    stuck.success();
    assert_eq!(breaker.state(), BreakerState::Open);

    // One hour of calls, one a second, with every probe stuck: the breaker
    // keeps letting a probe through after each recovery timeout.
    let mut probes = Vec::new();
    let mut rejected = 0;
    for _ in 0..3_600 {
        advance(secs(1)).await;
        match breaker.acquire() {
            Ok(probe) => probes.push(probe),
            Err(GuardError::CircuitOpen { retry_after, .. }) => {
                assert!(retry_after > Duration::ZERO);
                rejected += 1;
            }
            Err(other) => panic!("{other}"),
        }
    }
    // A cycle is 30 s open then 10 s half-open: 90 probes in the hour.
    assert_eq!(probes.len(), 90, "{rejected} rejected");
    drop(probes);
}

#[tokio::test(start_paused = true)]
async fn a_late_probe_failure_does_not_reopen_a_new_half_open_state() {
    let breaker = ready_to_probe("breaker_half_open.late_failure", 1, 1).await;
    let late = breaker.acquire().unwrap();
    advance(secs(1)).await;
    assert!(breaker.acquire().is_err(), "reopened by the bound");
    advance(secs(1)).await;
    let fresh = breaker.acquire().expect("a new probe");
    late.failure("too late");
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    fresh.success();
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[circuit_breaker(
    name = "breaker_half_open.slow",
    failure_threshold = 1,
    slow_call_duration = "1s",
    slow_call_rate = 0.5,
    minimum_calls = 2,
    recovery_timeout = "5s",
    success_threshold = 2
)]
async fn answer(delay: Duration, fail: bool) -> Result<u32, Down> {
    tokio::time::sleep(delay).await;
    if fail { Err(Down) } else { Ok(1) }
}

#[tokio::test(start_paused = true)]
async fn probes_that_succeed_slowly_reopen_the_breaker() {
    assert!(answer(Duration::ZERO, true).await.is_err());
    let breaker = opguard::breaker::get("breaker_half_open.slow").unwrap();
    assert_eq!(breaker.state(), BreakerState::Open);
    advance(secs(5)).await;
    // Two probes: both succeed, one in 3 s. Half of them are slow.
    assert!(answer(secs(3), false).await.is_ok());
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    assert!(answer(Duration::ZERO, false).await.is_ok());
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "slow share 0.5 >= slow_call_rate"
    );

    // Fast probes close it.
    advance(secs(5)).await;
    assert!(answer(Duration::ZERO, false).await.is_ok());
    assert!(answer(Duration::from_millis(10), false).await.is_ok());
    assert_eq!(breaker.state(), BreakerState::Closed);
}
