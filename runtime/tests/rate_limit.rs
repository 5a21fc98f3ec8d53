//! The rate limiter through its public API: GCRA on tokio's paused clock,
//! waiting turns and their cancellation, threads, keys, registry and export.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant as StdInstant};

use opguard_runtime::GuardError;
use opguard_runtime::rate_limit::{self, Rate, RateLimitError, RateLimiter};
use tokio::time::{advance, pause};

fn retry_after(result: Result<(), GuardError>) -> Duration {
    match result {
        Err(GuardError::RateLimited { retry_after, .. }) => retry_after,
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn steady_rate_burst_after_idle_and_exact_retry_after() {
    pause();
    // 10 per second: one every 100 ms, 3 at once after idle.
    let limiter = RateLimiter::builder("rl.steady")
        .rate(Rate::per_second(10))
        .burst(3)
        .build()
        .unwrap();
    for _ in 0..3 {
        limiter.check().unwrap();
    }
    assert_eq!(retry_after(limiter.check()), Duration::from_millis(100));
    advance(Duration::from_millis(40)).await;
    assert_eq!(retry_after(limiter.check()), Duration::from_millis(60));
    advance(Duration::from_millis(60)).await;
    limiter.check().unwrap();
    assert_eq!(retry_after(limiter.check()), Duration::from_millis(100));
    // Steady: one call per 100 ms for a while, never two.
    for _ in 0..20 {
        advance(Duration::from_millis(100)).await;
        limiter.check().unwrap();
        assert!(limiter.check().is_err());
    }
    // Idle for long: the burst is back, and no more than it.
    advance(Duration::from_secs(60)).await;
    for _ in 0..3 {
        limiter.check().unwrap();
    }
    assert!(limiter.check().is_err());
    let snapshot = limiter.snapshot();
    assert_eq!((snapshot.allowed, snapshot.limited), (27, 24));
}

#[tokio::test(flavor = "current_thread")]
async fn a_waiting_call_is_admitted_within_its_bound_and_refused_beyond_it() {
    pause();
    let limiter = RateLimiter::builder("rl.wait")
        .rate(Rate::per_second(10))
        .burst(1)
        .build()
        .unwrap();
    limiter.check().unwrap();
    let start = tokio::time::Instant::now();
    limiter
        .wait_at_most(Duration::from_millis(100))
        .await
        .unwrap();
    // Never before the turn, and at most tokio's timer tick (1 ms: a
    // deadline is rounded up to the next tick) after it.
    let tick = Duration::from_millis(1);
    let waited = start.elapsed();
    assert!(
        (Duration::from_millis(100)..=Duration::from_millis(100) + tick).contains(&waited),
        "{waited:?}"
    );
    // The next turn is 100 ms away: a 50 ms bound is refused at once.
    let start = tokio::time::Instant::now();
    let after = retry_after(limiter.wait_at_most(Duration::from_millis(50)).await);
    assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
    assert!(
        (Duration::from_millis(100) - tick..=Duration::from_millis(100)).contains(&after),
        "{after:?}"
    );
    // Two waiters reserve consecutive turns: neither overtakes the other.
    let (a, b) = tokio::join!(
        limiter.wait_at_most(Duration::from_millis(300)),
        limiter.wait_at_most(Duration::from_millis(300)),
    );
    a.unwrap();
    b.unwrap();
    let waited = start.elapsed();
    assert!(
        (Duration::from_millis(200) - tick..=Duration::from_millis(200) + tick).contains(&waited),
        "{waited:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_wait_takes_nothing_from_the_budget() {
    pause();
    let limiter = RateLimiter::builder("rl.cancel")
        .rate(Rate::per_second(10))
        .burst(1)
        .build()
        .unwrap();
    limiter.check().unwrap();
    // Reserve the turn 100 ms away, then give up after 10 ms.
    let waited = tokio::time::timeout(
        Duration::from_millis(10),
        limiter.wait_at_most(Duration::from_secs(1)),
    )
    .await;
    assert!(waited.is_err(), "the wait was cancelled");
    // The turn was given back: at 100 ms one call is admitted at once.
    advance(Duration::from_millis(90)).await;
    limiter.check().unwrap();
    let snapshot = limiter.snapshot();
    assert_eq!((snapshot.allowed, snapshot.limited), (2, 0));
}

#[test]
fn threads_never_get_more_than_the_rate_allows_in_any_window() {
    // One call every 20 µs, 5 at once; 4 threads hammer for 60 ms.
    let interval = Duration::from_micros(20);
    let burst = 5u32;
    let limiter = RateLimiter::builder("rl.threads")
        .rate(Rate::new(50, Duration::from_millis(1)))
        .burst(burst)
        .build()
        .unwrap();
    let barrier = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (limiter, barrier) = (Arc::clone(&limiter), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                let end = StdInstant::now() + Duration::from_millis(60);
                let mut admitted = Vec::new();
                loop {
                    let before = StdInstant::now();
                    if before > end {
                        return admitted;
                    }
                    if limiter.check().is_ok() {
                        admitted.push((before, StdInstant::now()));
                    }
                }
            })
        })
        .collect();
    let mut admitted: Vec<(StdInstant, StdInstant)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    admitted.sort();
    assert!(
        admitted.len() > 100,
        "the limiter admitted {}",
        admitted.len()
    );
    // Calls decided within [t, t + len] (stamped before and after the
    // decision) are at most burst + len / interval, for windows of several
    // lengths starting at every admission.
    for len in [
        Duration::from_micros(100),
        Duration::from_millis(1),
        Duration::from_millis(10),
        Duration::from_millis(100),
    ] {
        let bound = u64::from(burst) + (len.as_nanos() / interval.as_nanos()) as u64;
        for (i, &(start, _)) in admitted.iter().enumerate() {
            let end = start + len;
            let inside = admitted[i..]
                .iter()
                .take_while(|(before, _)| *before <= end)
                .filter(|(_, after)| *after <= end)
                .count() as u64;
            assert!(
                inside <= bound,
                "{inside} calls within {len:?} (bound {bound})"
            );
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_million_keys_leave_bounded_state_that_goes_when_they_recover() {
    pause();
    let per_user = RateLimiter::builder("rl.keys")
        .rate(Rate::per_second(1))
        .burst(2)
        .max_keys(50_000)
        .build_keyed::<u64>()
        .unwrap();
    for key in 0..1_000_000u64 {
        per_user.check(&key).unwrap();
    }
    let tracked = per_user.snapshot().tracked_keys;
    assert!(
        (37_500..=50_016).contains(&tracked),
        "{tracked} keys tracked"
    );
    // A key that was forgotten early still gets no more than a fresh burst.
    assert!(per_user.check(&999_999).is_ok());
    assert!(per_user.check(&999_999).is_err());
    // Every limit recovers after 2 s: the state goes.
    advance(Duration::from_secs(3)).await;
    per_user.sweep();
    assert_eq!(per_user.snapshot().tracked_keys, 0);
    assert_eq!(per_user.snapshot().allowed, 1_000_001);
}

#[test]
fn limiters_are_registered_exported_and_removed_by_name() {
    let limiter = RateLimiter::builder("rl.registry")
        .rate(Rate::per_minute(1))
        .build()
        .unwrap();
    limiter.check().unwrap();
    assert!(limiter.check().is_err());
    // The same name is the same limit.
    let again = RateLimiter::builder("rl.registry")
        .rate(Rate::per_second(100))
        .build()
        .unwrap();
    assert!(Arc::ptr_eq(&limiter, &again));
    let snapshot = rate_limit::get("rl.registry").unwrap().snapshot();
    assert_eq!(
        (snapshot.allowed, snapshot.limited, snapshot.count),
        (1, 1, 1)
    );
    assert!(rate_limit::all().iter().any(|s| s.name == "rl.registry"));

    let text = opguard_runtime::export::prometheus();
    for line in [
        r#"opguard_rate_limit_calls_total{limiter="rl.registry",outcome="allowed"} 1"#,
        r#"opguard_rate_limit_calls_total{limiter="rl.registry",outcome="limited"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line} missing from\n{text}"
        );
    }
    #[cfg(feature = "json")]
    assert!(opguard_runtime::export::json().contains("\"rl.registry\""));

    // A keyed limiter cannot take the name of one without keys.
    let taken = RateLimiter::builder("rl.registry")
        .rate(Rate::per_minute(1))
        .build_keyed::<String>()
        .unwrap_err();
    assert!(matches!(taken, RateLimitError::Taken { .. }), "{taken}");
    assert!(rate_limit::remove("rl.registry"));
    assert!(rate_limit::get("rl.registry").is_none());
    let fresh = RateLimiter::builder("rl.registry")
        .rate(Rate::per_minute(1))
        .build_keyed::<String>()
        .unwrap();
    assert!(fresh.check(&"a".to_owned()).is_ok());
}

#[test]
fn bad_settings_are_errors_that_say_which() {
    let none = RateLimiter::builder("rl.bad").build().unwrap_err();
    assert!(none.to_string().contains("has no rate"), "{none}");
    let zero = RateLimiter::builder("rl.bad")
        .rate(Rate::per_second(0))
        .build()
        .unwrap_err();
    assert_eq!(
        zero.to_string(),
        "`rate` must allow at least 1 call per period, like `rate = \"100/1m\"`"
    );
    let burst = RateLimiter::builder("rl.bad")
        .rate(Rate::per_second(1))
        .burst(0)
        .build()
        .unwrap_err();
    assert!(burst.to_string().starts_with("`burst` must be"), "{burst}");
    assert!(rate_limit::get("rl.bad").is_none());
}
