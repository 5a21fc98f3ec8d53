//! Stacked attributes apply outside-in as written: the outermost one fuses
//! the stack, so each layer sees what the layers outside it let through.

use opguard::{GuardError, breaker, circuit_breaker, monitor, monitor_performance};

#[derive(Debug)]
struct Down(#[allow(dead_code)] Option<GuardError>);

impl From<GuardError> for Down {
    fn from(error: GuardError) -> Self {
        Down(Some(error))
    }
}

#[monitor_performance(name = "stack.timer_outside")]
#[circuit_breaker(name = "stack.breaker_inside", failure_threshold = 1)]
fn timer_outside() -> Result<(), Down> {
    Err(Down(None))
}

#[circuit_breaker(name = "stack.breaker_outside", failure_threshold = 1)]
#[opguard::monitor_performance(name = "stack.timer_inside")]
async fn timer_inside() -> Result<(), Down> {
    Err(Down(None))
}

#[test]
fn a_timer_outside_the_breaker_sees_rejected_calls() {
    for _ in 0..3 {
        assert!(timer_outside().is_err());
    }
    let timer = monitor::get("stack.timer_outside").unwrap().snapshot();
    let breaker = breaker::get("stack.breaker_inside").unwrap().snapshot();
    assert_eq!((breaker.failures, breaker.rejected), (1, 2));
    assert_eq!(
        (timer.calls, timer.errors),
        (3, 3),
        "the timer saw the failure and both rejections"
    );
}

#[tokio::test]
async fn a_timer_inside_the_breaker_sees_only_calls_that_ran() {
    for _ in 0..3 {
        assert!(timer_inside().await.is_err());
    }
    let timer = monitor::get("stack.timer_inside").unwrap().snapshot();
    let breaker = breaker::get("stack.breaker_outside").unwrap().snapshot();
    assert_eq!((breaker.failures, breaker.rejected), (1, 2));
    assert_eq!(
        (timer.calls, timer.errors),
        (1, 1),
        "rejected calls never reached the timer"
    );
}

struct Repo;

impl Repo {
    #[monitor_performance]
    #[circuit_breaker(failure_threshold = 2)]
    async fn load(&self, id: u64) -> Result<u64, Down> {
        if id == 0 { Err(Down(None)) } else { Ok(id) }
    }
}

#[tokio::test]
async fn stacked_attributes_share_the_default_name() {
    assert_eq!(Repo.load(1).await.unwrap(), 1);
    assert!(monitor::get("stacking::Repo::load").is_some());
    assert!(breaker::get("stacking::Repo::load").is_some());
}

static DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[opguard::cacheable(name = "stack.cache_outside")]
#[circuit_breaker(name = "stack.breaker_below_cache", failure_threshold = 1)]
fn cached_then_guarded(key: u32) -> Result<u32, Down> {
    if DOWN.load(std::sync::atomic::Ordering::SeqCst) {
        Err(Down(None))
    } else {
        Ok(key)
    }
}

#[circuit_breaker(name = "stack.breaker_above_cache", failure_threshold = 1)]
#[opguard::cacheable(name = "stack.cache_inside")]
fn guarded_then_cached(key: u32) -> Result<u32, Down> {
    if key == 0 { Err(Down(None)) } else { Ok(key) }
}

#[test]
fn a_cache_above_the_breaker_serves_hits_while_it_is_open_and_below_it_does_not() {
    assert_eq!(cached_then_guarded(1).unwrap(), 1);
    DOWN.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(
        cached_then_guarded(2).is_err(),
        "a miss reaches the failing dependency"
    );
    assert_eq!(
        breaker::get("stack.breaker_below_cache").unwrap().state(),
        breaker::BreakerState::Open
    );
    assert_eq!(
        cached_then_guarded(1).unwrap(),
        1,
        "a hit is served while the breaker is open"
    );

    assert_eq!(guarded_then_cached(1).unwrap(), 1);
    assert!(guarded_then_cached(0).is_err());
    assert!(
        guarded_then_cached(1).is_err(),
        "the open breaker rejects before the cache is asked"
    );
}
