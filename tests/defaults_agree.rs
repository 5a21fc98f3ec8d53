//! An attribute with no options builds exactly what the runtime's builder
//! builds with none: the defaults written in the macro crate and in the
//! runtime have not drifted apart.

use opguard::{cacheable, circuit_breaker, monitor_performance};
use opguard_runtime::breaker::BreakerConfig;
use opguard_runtime::cache::CacheConfig;
use opguard_runtime::monitor::TimerBuilder;

mod support;
use support::Down;

#[circuit_breaker]
fn guarded() -> Result<u8, Down> {
    Ok(1)
}

#[cacheable]
fn cached(n: u8) -> u8 {
    n
}

#[monitor_performance]
fn timed() -> u8 {
    1
}

#[test]
fn breaker_defaults_agree() {
    guarded().unwrap();
    let breaker = opguard::breaker::get("defaults_agree::guarded").unwrap();
    assert_eq!(*breaker.config(), BreakerConfig::DEFAULT);
}

#[test]
fn cache_defaults_agree() {
    cached(1);
    let cache = opguard::cache::get("defaults_agree::cached").unwrap();
    assert_eq!(cache.config(), CacheConfig::DEFAULT);
}

#[test]
fn monitor_defaults_agree() {
    timed();
    let timer = opguard::monitor::get("defaults_agree::timed").unwrap();
    assert_eq!(timer.threshold(), TimerBuilder::DEFAULT_THRESHOLD);
    assert_eq!(timer.level(), TimerBuilder::DEFAULT_LEVEL);
}

#[opguard::rate_limit(rate = "5/1s")]
fn limited() -> Result<u8, opguard::GuardError> {
    Ok(1)
}

#[test]
fn rate_limit_defaults_agree() {
    use opguard::rate_limit::{Rate, RateLimitConfig, RateLimiter};
    limited().unwrap();
    // The attribute's limiter is registered with the runtime's defaults for
    // every option not given: building the same name returns it, and a
    // fresh builder with only the rate has the same settings.
    let built = RateLimiter::builder("defaults_agree::limited")
        .rate(Rate::per_second(5))
        .build()
        .unwrap();
    assert_eq!(
        *built.config(),
        RateLimitConfig {
            rate: Rate::per_second(5),
            ..RateLimitConfig::DEFAULT
        }
    );
    assert_eq!(built.snapshot().allowed, 1, "the attribute's limiter");
}
