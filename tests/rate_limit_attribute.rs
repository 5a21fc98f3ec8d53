//! `#[rate_limit]` on sync and async functions, per key, waiting, stacked,
//! and sharing its limiter by name; time on tokio's paused clock.

use std::time::Duration;

use opguard::{GuardError, cacheable, monitor_performance, rate_limit};

#[derive(Debug, PartialEq)]
enum ApiError {
    Limited(Duration),
    Other(GuardError),
}

impl From<GuardError> for ApiError {
    fn from(error: GuardError) -> Self {
        match error {
            GuardError::RateLimited { retry_after, .. } => ApiError::Limited(retry_after),
            other => ApiError::Other(other),
        }
    }
}

static BODY_RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[rate_limit(rate = "2/1s")]
fn sync_search(q: u32) -> Result<u32, ApiError> {
    BODY_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Ok(q)
}

#[tokio::test(flavor = "current_thread")]
async fn a_refused_call_does_not_run_the_body_and_says_when_to_retry() {
    tokio::time::pause();
    assert_eq!(sync_search(1), Ok(1));
    assert_eq!(sync_search(2), Ok(2));
    assert_eq!(
        sync_search(3),
        Err(ApiError::Limited(Duration::from_millis(500)))
    );
    assert_eq!(BODY_RUNS.load(std::sync::atomic::Ordering::SeqCst), 2);
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(sync_search(4), Ok(4));
    let snapshot = opguard::rate_limit::get("rate_limit_attribute::sync_search")
        .unwrap()
        .snapshot();
    assert_eq!(
        (snapshot.allowed, snapshot.limited, snapshot.burst),
        (3, 1, 2)
    );
}

#[rate_limit(rate = "1/1s", burst = 1, key = user)]
async fn per_user(user: u64) -> Result<u64, ApiError> {
    Ok(user)
}

#[tokio::test(flavor = "current_thread")]
async fn each_key_has_its_own_limit() {
    tokio::time::pause();
    assert_eq!(per_user(1).await, Ok(1));
    assert_eq!(per_user(2).await, Ok(2));
    assert!(matches!(per_user(1).await, Err(ApiError::Limited(_))));
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(per_user(1).await, Ok(1));
    let snapshot = opguard::rate_limit::get("rate_limit_attribute::per_user")
        .unwrap()
        .snapshot();
    assert!(snapshot.keyed);
    assert_eq!((snapshot.allowed, snapshot.limited), (3, 1));
}

#[rate_limit(rate = "10/1s", burst = 1, wait = "150ms", name = "partner-api")]
async fn partner(n: u32) -> Result<u32, ApiError> {
    Ok(n)
}

#[tokio::test(flavor = "current_thread")]
async fn wait_admits_within_its_bound_and_refuses_beyond_it() {
    tokio::time::pause();
    let start = tokio::time::Instant::now();
    // Turns at 0, 100 ms; the third would be at 200 ms, past 150 ms of wait
    // for a call made at 0 while the second is still waiting.
    let (a, b, c) = tokio::join!(partner(1), partner(2), partner(3));
    assert_eq!((a, b), (Ok(1), Ok(2)));
    assert!(matches!(c, Err(ApiError::Limited(_))), "{c:?}");
    let waited = start.elapsed();
    assert!(
        (Duration::from_millis(100)..=Duration::from_millis(101)).contains(&waited),
        "{waited:?}"
    );
    let snapshot = opguard::rate_limit::get("partner-api").unwrap().snapshot();
    assert_eq!((snapshot.allowed, snapshot.limited), (2, 1));
}

/// Outermost: hits count against the limit too.
#[rate_limit(rate = "3/1s", burst = 3)]
#[monitor_performance]
#[cacheable]
async fn stacked(sku: u32) -> Result<u32, ApiError> {
    Ok(sku * 2)
}

#[tokio::test(flavor = "current_thread")]
async fn stacked_outermost_limits_cache_hits_too() {
    tokio::time::pause();
    for _ in 0..3 {
        assert_eq!(stacked(1).await, Ok(2));
    }
    assert!(matches!(stacked(1).await, Err(ApiError::Limited(_))));
    let timer = opguard::monitor::get("rate_limit_attribute::stacked")
        .unwrap()
        .snapshot();
    assert_eq!(timer.calls, 3, "the refused call never reached the timer");
    let cache = opguard::cache::get("rate_limit_attribute::stacked")
        .unwrap()
        .stats();
    assert_eq!((cache.hits, cache.misses), (2, 1));
}

#[rate_limit(rate = "1/1m", name = "shared-by-name")]
fn first_user() -> Result<(), ApiError> {
    Ok(())
}

#[rate_limit(rate = "1/1m", name = "shared-by-name")]
fn second_user() -> Result<(), ApiError> {
    Ok(())
}

#[test]
fn functions_of_one_name_share_one_limit() {
    assert_eq!(first_user(), Ok(()));
    assert!(matches!(second_user(), Err(ApiError::Limited(_))));
}
