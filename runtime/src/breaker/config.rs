//! A breaker's settings and their limits.

use std::time::Duration;

use super::RetryPolicy;
use crate::config_error::{ConfigError, rules};

/// Everything a breaker is configured with. `const`, so that generated code
/// keeps it in a `static`; build one from [`BreakerConfig::DEFAULT`] with
/// struct update syntax, or use [`Breaker::builder`](super::Breaker::builder).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    /// Open after this many failures within `window` (≥ 1).
    pub failure_threshold: u32,
    /// The rolling window failures are counted in (≥ 10 ms), kept as ten buckets.
    pub window: Duration,
    /// Also open when the failure share of calls in `window` reaches this
    /// (in (0, 1]) once `minimum_calls` calls were made.
    pub failure_rate: Option<f64>,
    /// Calls in `window` before `failure_rate` and `slow_call` apply (≥ 1).
    pub minimum_calls: u32,
    /// Also open after this many failures in a row (≥ 1).
    pub consecutive_failures: Option<u32>,
    /// Also open when this share (in (0, 1]) of calls in `window` is slower
    /// than this duration, once `minimum_calls` calls were made.
    pub slow_call: Option<(Duration, f64)>,
    /// Time open before a probe is let through.
    pub recovery_timeout: Duration,
    /// Probes allowed at once while half-open (1 to [`MAX_PROBES`]).
    pub half_open_max_calls: u32,
    /// Probe successes that close the breaker (1 to [`MAX_PROBES`]).
    pub success_threshold: u32,
    /// The longest the breaker stays half-open with every probe slot taken:
    /// past it, the next call reopens the breaker (a probe that never
    /// finishes cannot hold it half-open), and the late probes' results
    /// count for nothing. Above zero.
    pub half_open_max_duration: Duration,
    /// Async calls taking longer are abandoned and count as failures.
    pub timeout: Option<Duration>,
    /// Every instance using this breaker's name and Redis sees one state
    /// (feature `redis`, after `opguard::shared::connect`).
    pub shared: bool,
    /// How stale a shared breaker's view of the fleet may be: it syncs with
    /// Redis at least this often (above zero).
    pub sync_interval: Duration,
}

/// The largest `half_open_max_calls` and `success_threshold`.
pub const MAX_PROBES: u32 = 4095;

/// The largest `failure_threshold` and `minimum_calls`: each tenth of the
/// window counts up to this many calls, failures and slow calls (2^24 - 1),
/// so any threshold up to it can be reached within one tenth.
pub const MAX_WINDOW_COUNT: u32 = (1 << 24) - 1;

impl BreakerConfig {
    /// The defaults: 5 failures in 60 s open it for 30 s; one probe closes it.
    pub const DEFAULT: Self = Self {
        failure_threshold: 5,
        window: Duration::from_secs(60),
        failure_rate: None,
        minimum_calls: 20,
        consecutive_failures: None,
        slow_call: None,
        recovery_timeout: Duration::from_secs(30),
        half_open_max_calls: 1,
        success_threshold: 1,
        half_open_max_duration: Duration::from_secs(60),
        timeout: None,
        shared: false,
        sync_interval: Duration::from_millis(100),
    };

    /// Whether successes must be counted in the window (a clock read per
    /// call); only rate-based triggers need it.
    pub(crate) fn counts_calls(&self) -> bool {
        self.failure_rate.is_some() || self.slow_call.is_some()
    }

    /// What is wrong with these settings, if anything: the first broken
    /// rule. The builder and the attribute (at compile time) use these rules.
    pub const fn validate(&self) -> Result<(), ConfigError> {
        self.check(None)
    }

    /// The first broken rule that involves `option` (every rule for `None`).
    pub(crate) const fn check(&self, option: Option<&str>) -> Result<(), ConfigError> {
        let (slow_duration, slow_rate) = match self.slow_call {
            Some((duration, rate)) => (duration, rate),
            None => (Duration::MAX, 1.0),
        };
        rules! { option;
            ["failure_threshold"] self.failure_threshold >= 1
                => "`failure_threshold` must be at least 1";
            ["failure_threshold"] self.failure_threshold <= MAX_WINDOW_COUNT
                => "`failure_threshold` must be at most 16777215";
            ["window"] !self.window.is_zero() => "`window` must be longer than zero";
            ["window"] self.window.as_nanos() >= MIN_WINDOW.as_nanos()
                => "`window` must be at least \"10ms\" (it is kept as ten buckets)";
            ["failure_rate"] match self.failure_rate { Some(rate) => rate_ok(rate), None => true }
                => "`failure_rate` must be in (0.0, 1.0]";
            ["minimum_calls"] self.minimum_calls >= 1 => "`minimum_calls` must be at least 1";
            ["minimum_calls"] self.minimum_calls <= MAX_WINDOW_COUNT
                => "`minimum_calls` must be at most 16777215";
            ["consecutive_failures"] !matches!(self.consecutive_failures, Some(0))
                => "`consecutive_failures` must be at least 1";
            ["slow_call_duration"] !slow_duration.is_zero()
                => "`slow_call_duration` must be longer than zero";
            ["slow_call_rate"] rate_ok(slow_rate) => "`slow_call_rate` must be in (0.0, 1.0]";
            ["recovery_timeout"] !self.recovery_timeout.is_zero()
                => "`recovery_timeout` must be longer than zero";
            // Probe counts share one atomic word, 12 bits each.
            ["half_open_max_calls"] self.half_open_max_calls >= 1
                => "`half_open_max_calls` must be at least 1";
            ["half_open_max_calls"] self.half_open_max_calls <= MAX_PROBES
                => "`half_open_max_calls` must be at most 4095";
            ["success_threshold"] self.success_threshold >= 1
                => "`success_threshold` must be at least 1";
            ["success_threshold"] self.success_threshold <= MAX_PROBES
                => "`success_threshold` must be at most 4095";
            ["half_open_max_duration"] !self.half_open_max_duration.is_zero()
                => "`half_open_max_duration` must be longer than zero";
            ["timeout"] match self.timeout { Some(timeout) => !timeout.is_zero(), None => true }
                => "`timeout` must be longer than zero";
            ["shared"] !self.shared || cfg!(feature = "redis")
                => "`shared` needs opguard's `redis` feature: `opguard = { version = \"0.1\", features = [\"redis\"] }`";
            ["sync_interval"] !self.sync_interval.is_zero()
                => "`sync_interval` must be longer than zero";
        }
    }
}

/// A share of calls: in (0, 1].
const fn rate_ok(rate: f64) -> bool {
    rate > 0.0 && rate <= 1.0
}

/// The shortest `window`: ten buckets of a millisecond.
pub const MIN_WINDOW: Duration = Duration::from_millis(10);

impl RetryPolicy {
    /// The most `retries`.
    pub const MAX_RETRIES: u32 = 100;

    /// What is wrong with these settings, if anything: the first broken rule.
    pub const fn validate(&self) -> Result<(), ConfigError> {
        self.check(None)
    }

    /// The first broken rule that involves `option` (every rule for `None`).
    pub(crate) const fn check(&self, option: Option<&str>) -> Result<(), ConfigError> {
        rules! { option;
            ["retries"] self.retries <= Self::MAX_RETRIES => "`retries` must be at most 100";
            ["retry_delay", "max_retry_delay"]
                self.retry_delay.as_nanos() <= self.max_retry_delay.as_nanos()
                => "`retry_delay` is longer than `max_retry_delay`";
        }
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::{BreakerConfig, MAX_PROBES, MAX_WINDOW_COUNT, RetryPolicy};
    use crate::config_error::number_in;
    use std::time::Duration;

    fn with(change: fn(&mut BreakerConfig)) -> Result<(), &'static str> {
        let mut config = BreakerConfig::DEFAULT;
        change(&mut config);
        config.validate().map_err(|e| e.message)
    }

    #[test]
    fn validate_refuses_what_the_attribute_refuses() {
        assert!(BreakerConfig::DEFAULT.validate().is_ok());
        assert!(with(|c| c.failure_threshold = 0).is_err());
        // Window buckets count to 2^24 - 1.
        assert!(with(|c| c.failure_threshold = MAX_WINDOW_COUNT).is_ok());
        assert!(with(|c| c.failure_threshold = MAX_WINDOW_COUNT + 1).is_err());
        assert!(with(|c| c.minimum_calls = MAX_WINDOW_COUNT + 1).is_err());
        assert!(with(|c| c.half_open_max_duration = Duration::ZERO).is_err());
        assert!(with(|c| c.window = Duration::from_millis(9)).is_err());
        assert!(with(|c| c.failure_rate = Some(1.5)).is_err());
        assert!(with(|c| c.failure_rate = Some(0.0)).is_err());
        assert!(with(|c| c.consecutive_failures = Some(0)).is_err());
        assert!(with(|c| c.slow_call = Some((Duration::ZERO, 0.5))).is_err());
        assert!(with(|c| c.slow_call = Some((Duration::from_secs(1), 0.0))).is_err());
        assert!(with(|c| c.timeout = Some(Duration::ZERO)).is_err());
        assert!(with(|c| c.recovery_timeout = Duration::ZERO).is_err());
        // Probe counts have 12 bits each in the half-open word.
        assert!(with(|c| c.half_open_max_calls = MAX_PROBES).is_ok());
        assert!(with(|c| c.half_open_max_calls = MAX_PROBES + 1).is_err());
        assert!(with(|c| c.success_threshold = MAX_PROBES + 1).is_err());
        assert!(with(|c| c.success_threshold = 0).is_err());
    }

    #[test]
    fn limits_named_in_messages_are_the_limits() {
        let max = u64::from(MAX_WINDOW_COUNT);
        let probes = u64::from(MAX_PROBES);
        assert_eq!(
            number_in(with(|c| c.failure_threshold = MAX_WINDOW_COUNT + 1).unwrap_err()),
            max
        );
        assert_eq!(
            number_in(with(|c| c.minimum_calls = MAX_WINDOW_COUNT + 1).unwrap_err()),
            max
        );
        assert_eq!(
            number_in(with(|c| c.half_open_max_calls = MAX_PROBES + 1).unwrap_err()),
            probes
        );
        assert_eq!(
            number_in(with(|c| c.success_threshold = MAX_PROBES + 1).unwrap_err()),
            probes
        );
        let retries = RetryPolicy {
            retries: RetryPolicy::MAX_RETRIES + 1,
            ..RetryPolicy::NONE
        };
        assert_eq!(
            number_in(retries.validate().unwrap_err().message),
            u64::from(RetryPolicy::MAX_RETRIES)
        );
        assert_eq!(
            number_in(with(|c| c.window = Duration::from_millis(9)).unwrap_err()),
            10
        );
        assert_eq!(super::MIN_WINDOW, Duration::from_millis(10));
    }

    #[test]
    fn a_rule_is_found_by_each_option_it_involves() {
        let config = BreakerConfig {
            failure_threshold: 0,
            failure_rate: Some(2.0),
            ..BreakerConfig::DEFAULT
        };
        assert_eq!(
            config.check(Some("failure_rate")).unwrap_err().option,
            "failure_rate"
        );
        assert_eq!(
            config.check(Some("failure_threshold")).unwrap_err().option,
            "failure_threshold"
        );
        assert!(config.check(Some("window")).is_ok());
        let policy = RetryPolicy {
            retry_delay: Duration::from_secs(20),
            ..RetryPolicy::NONE
        };
        assert!(policy.check(Some("retry_delay")).is_err());
        assert!(policy.check(Some("max_retry_delay")).is_err());
        assert!(policy.check(Some("retries")).is_ok());
        assert!(RetryPolicy::NONE.validate().is_ok());
    }
}
