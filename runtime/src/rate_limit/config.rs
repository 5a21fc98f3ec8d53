//! A limiter's settings: the rate, the burst, the bound on tracked keys and
//! how long a call may wait for its turn.

use std::time::Duration;

use crate::config_error::{ConfigError, rules};

/// At most `count` calls per `period`, spread evenly: one call every
/// `period / count` (the emission interval of GCRA).
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::rate_limit::Rate;
///
/// let rate = Rate::per_minute(100);
/// assert_eq!(rate.interval(), Duration::from_millis(600));
/// assert_eq!(rate.to_string(), "100/60s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    count: u32,
    period: Duration,
}

impl Rate {
    /// `count` calls per `period`. Checked by [`RateLimitConfig::validate`]:
    /// `count` ≥ 1 and `period / count` at least one nanosecond.
    pub const fn new(count: u32, period: Duration) -> Self {
        Self { count, period }
    }

    /// `count` calls per second.
    pub const fn per_second(count: u32) -> Self {
        Self::new(count, Duration::from_secs(1))
    }

    /// `count` calls per minute.
    pub const fn per_minute(count: u32) -> Self {
        Self::new(count, Duration::from_secs(60))
    }

    /// `count` calls per hour.
    pub const fn per_hour(count: u32) -> Self {
        Self::new(count, Duration::from_secs(3600))
    }

    /// The number of calls per period.
    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The period.
    pub const fn period(&self) -> Duration {
        self.period
    }

    /// The time between two calls at the steady rate (`period / count`).
    pub const fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_nanos())
    }

    pub(crate) const fn interval_nanos(&self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let nanos = self.period.as_nanos() / self.count as u128;
        if nanos > u64::MAX as u128 {
            u64::MAX
        } else {
            nanos as u64
        }
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{:?}", self.count, self.period)
    }
}

/// Everything a limiter is configured with. Build one with
/// [`RateLimitConfig::new`] and struct update syntax, or use
/// [`RateLimiter::builder`](super::RateLimiter::builder).
///
/// ```
/// use opguard_runtime::rate_limit::{Rate, RateLimitConfig};
///
/// let config = RateLimitConfig { burst: Some(20), ..RateLimitConfig::new(Rate::per_minute(100)) };
/// assert_eq!(config.burst(), 20);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// The steady rate.
    pub rate: Rate,
    /// Calls allowed at once after an idle period (≥ 1); `None` is the
    /// rate's count.
    pub burst: Option<u32>,
    /// The most keys a keyed limiter tracks (≥ 1). A key whose limit has
    /// fully recovered holds no state and does not count. When this many
    /// keys are all still recovering, the ones closest to recovery are
    /// forgotten first: each regains its full burst a little early. Memory
    /// stays bounded whatever the keys.
    pub max_keys: usize,
    /// One limit for every instance using this name and Redis (feature
    /// `redis`): each call is decided by one script on Redis' clock; while
    /// Redis is unavailable, by this instance alone at the same rate.
    pub shared: bool,
}

/// The largest burst: `burst × interval` must stay far inside the clock's
/// range (nanoseconds in a `u64`).
pub const MAX_BURST: u32 = 1 << 30;

/// The longest a full burst may take to recover: 100 years.
const MAX_RECOVERY_NANOS: u128 = 100 * 365 * 24 * 3600 * 1_000_000_000;

impl RateLimitConfig {
    /// The default of [`max_keys`](Self::max_keys).
    pub const DEFAULT_MAX_KEYS: usize = 100_000;

    /// The defaults of everything but the rate, which every limiter sets
    /// (`#[rate_limit]` requires it): one call per second, burst 1.
    pub const DEFAULT: Self = Self::new(Rate::per_second(1));

    /// `rate`, with a burst of its count and the default `max_keys`.
    pub const fn new(rate: Rate) -> Self {
        Self {
            rate,
            burst: None,
            max_keys: Self::DEFAULT_MAX_KEYS,
            shared: false,
        }
    }

    /// The burst in force.
    pub const fn burst(&self) -> u32 {
        match self.burst {
            Some(burst) => burst,
            None => self.rate.count,
        }
    }

    /// What is wrong with these settings, if anything: the first broken
    /// rule. The builder and `#[rate_limit]` (at compile time) use these
    /// rules.
    pub const fn validate(&self) -> Result<(), ConfigError> {
        self.check(None)
    }

    /// The first broken rule that involves `option` (every rule for `None`).
    pub(crate) const fn check(&self, option: Option<&str>) -> Result<(), ConfigError> {
        let interval = self.rate.interval_nanos();
        let burst = self.burst();
        rules! { option;
            ["rate"] self.rate.count > 0 => "`rate` must allow at least 1 call per period, like `rate = \"100/1m\"`";
            ["rate"] interval > 0 => "`rate`'s period must be at least one nanosecond per call, like `rate = \"1000/1s\"`";
            ["burst"] burst > 0 && burst <= MAX_BURST => "`burst` must be between 1 and 1073741824";
            ["shared"] !self.shared || cfg!(feature = "redis")
                => "`shared` needs opguard's `redis` feature: `opguard = { version = \"0.1\", features = [\"redis\"] }`";
            ["rate", "burst"] interval as u128 * burst as u128 <= MAX_RECOVERY_NANOS => "a full `burst` must recover within 100 years (period × burst ÷ count)";
            ["max_keys"] self.max_keys > 0 => "`max_keys` must be at least 1";
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_BURST, Rate, RateLimitConfig};
    use std::time::Duration;

    fn option_of(config: RateLimitConfig) -> Option<&'static str> {
        config.validate().err().map(|e| e.option)
    }

    #[test]
    fn refuses_what_cannot_be_a_limit() {
        let ok = RateLimitConfig::new(Rate::per_second(5));
        assert_eq!(option_of(ok), None);
        assert_eq!(
            option_of(RateLimitConfig::new(Rate::per_second(0))),
            Some("rate")
        );
        assert_eq!(
            option_of(RateLimitConfig::new(Rate::new(1, Duration::ZERO))),
            Some("rate")
        );
        assert_eq!(
            option_of(RateLimitConfig::new(Rate::new(10, Duration::from_nanos(5)))),
            Some("rate")
        );
        assert_eq!(
            option_of(RateLimitConfig {
                burst: Some(0),
                ..ok
            }),
            Some("burst")
        );
        assert_eq!(
            option_of(RateLimitConfig {
                burst: Some(MAX_BURST + 1),
                ..ok
            }),
            Some("burst")
        );
        assert_eq!(
            option_of(RateLimitConfig { max_keys: 0, ..ok }),
            Some("max_keys")
        );
        let slow = RateLimitConfig::new(Rate::new(1, Duration::from_secs(200 * 365 * 24 * 3600)));
        assert_eq!(option_of(slow), Some("rate"));
    }

    #[test]
    fn burst_defaults_to_the_count() {
        assert_eq!(RateLimitConfig::new(Rate::per_minute(100)).burst(), 100);
    }
}
