//! Concurrent misses on one key whose load caches nothing: the callers that
//! waited get the outcome at once (a clone of a `Clone` error, `None`, a
//! value `condition` refused), so the body runs once and the slowest caller
//! waits one body run; an error that cannot be cloned makes every waiter
//! run its own body, all at once, so the slowest waits about two.
//!
//! Time only moves on tokio's paused clock.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use opguard::cacheable;
use tokio::time::Instant;

const CALLERS: usize = 50;
const BODY: Duration = Duration::from_millis(20);

/// Runs `CALLERS` concurrent calls and returns their results and the
/// longest any of them took.
async fn storm<R, F>(call: impl Fn() -> F) -> (Vec<R>, Duration)
where
    F: std::future::Future<Output = R>,
{
    let started = Instant::now();
    let calls = (0..CALLERS).map(|_| {
        let call = call();
        async move {
            let result = call.await;
            (result, started.elapsed())
        }
    });
    let done = futures_util::future::join_all(calls).await;
    let slowest = done.iter().map(|(_, took)| *took).max().unwrap();
    (done.into_iter().map(|(r, _)| r).collect(), slowest)
}

#[derive(Debug, Clone, PartialEq)]
struct Unavailable(u32);

static CLONE_ERR_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
async fn clone_error(id: u32) -> Result<String, Unavailable> {
    CLONE_ERR_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(BODY).await;
    Err(Unavailable(id))
}

#[tokio::test(start_paused = true)]
async fn a_clone_error_is_handed_to_every_waiter() {
    let (results, slowest) = storm(|| clone_error(7)).await;
    assert!(results.iter().all(|r| *r == Err(Unavailable(7))));
    assert_eq!(CLONE_ERR_RUNS.load(SeqCst), 1, "one body run for the group");
    assert_eq!(slowest, BODY, "nobody waits longer than one body run");
    // Errors are never cached: the next call runs the body again.
    assert!(clone_error(7).await.is_err());
    assert_eq!(CLONE_ERR_RUNS.load(SeqCst), 2);
}

static NONE_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
async fn maybe(id: u32) -> Option<u32> {
    NONE_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(BODY).await;
    if id > 1_000 { Some(id) } else { None }
}

#[tokio::test(start_paused = true)]
async fn an_uncached_none_is_handed_to_every_waiter() {
    let (results, slowest) = storm(|| maybe(3)).await;
    assert!(results.iter().all(Option::is_none));
    assert_eq!(NONE_RUNS.load(SeqCst), 1);
    assert_eq!(slowest, BODY);
}

static REFUSED_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable(condition = |v: &u32| *v > 100)]
async fn small(id: u32) -> u32 {
    REFUSED_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(BODY).await;
    id
}

#[tokio::test(start_paused = true)]
async fn a_value_the_condition_refuses_is_handed_to_every_waiter() {
    let (results, slowest) = storm(|| small(5)).await;
    assert!(results.iter().all(|v| *v == 5));
    assert_eq!(REFUSED_RUNS.load(SeqCst), 1);
    assert_eq!(slowest, BODY);
}

/// An error that cannot be cloned.
#[derive(Debug)]
struct Fatal;

static FATAL_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
async fn fatal(id: u32) -> Result<u32, Fatal> {
    FATAL_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(BODY).await;
    if id > 0 { Err(Fatal) } else { Ok(0) }
}

#[tokio::test(start_paused = true)]
async fn waiters_for_an_error_that_cannot_be_cloned_run_their_bodies_at_once() {
    let (results, slowest) = storm(|| fatal(1)).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(FATAL_RUNS.load(SeqCst) as usize, CALLERS);
    assert_eq!(
        slowest,
        2 * BODY,
        "one wait, then their own run, not 50 in a row"
    );
}

static SYNC_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn sync_clone_error(id: u32) -> Result<u32, Unavailable> {
    SYNC_RUNS.fetch_add(1, SeqCst);
    Err(Unavailable(id))
}

#[test]
fn a_sync_call_gets_its_own_error_and_nothing_is_cached() {
    assert_eq!(sync_clone_error(4), Err(Unavailable(4)));
    assert_eq!(sync_clone_error(4), Err(Unavailable(4)));
    assert_eq!(SYNC_RUNS.load(SeqCst), 2);
}
