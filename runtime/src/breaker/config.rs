//! A breaker's settings and their limits.

use std::time::Duration;

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
    };

    /// Whether successes must be counted in the window (a clock read per
    /// call); only rate-based triggers need it.
    pub(crate) fn counts_calls(&self) -> bool {
        self.failure_rate.is_some() || self.slow_call.is_some()
    }

    /// What is wrong with these settings, if anything.
    pub fn validate(&self) -> Result<(), String> {
        let rate_ok = |r: f64| r > 0.0 && r <= 1.0;
        if !(1..=MAX_WINDOW_COUNT).contains(&self.failure_threshold) {
            return Err(format!(
                "failure_threshold must be between 1 and {MAX_WINDOW_COUNT}"
            ));
        }
        if self.window < Duration::from_millis(10) {
            return Err("window must be at least 10ms".into());
        }
        if self.failure_rate.is_some_and(|r| !rate_ok(r)) {
            return Err("failure_rate must be in (0, 1]".into());
        }
        if !(1..=MAX_WINDOW_COUNT).contains(&self.minimum_calls) {
            return Err(format!(
                "minimum_calls must be between 1 and {MAX_WINDOW_COUNT}"
            ));
        }
        if self.consecutive_failures == Some(0) {
            return Err("consecutive_failures must be at least 1".into());
        }
        if let Some((duration, rate)) = self.slow_call
            && (duration.is_zero() || !rate_ok(rate))
        {
            return Err("slow calls need a duration above zero and a rate in (0, 1]".into());
        }
        // Probe counts share one atomic word, 12 bits each.
        if !(1..=MAX_PROBES).contains(&self.half_open_max_calls)
            || !(1..=MAX_PROBES).contains(&self.success_threshold)
        {
            return Err(format!(
                "half_open_max_calls and success_threshold must be between 1 and {MAX_PROBES}"
            ));
        }
        if self.half_open_max_duration.is_zero() {
            return Err("half_open_max_duration must be longer than zero".into());
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err("timeout must be longer than zero".into());
        }
        Ok(())
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::{BreakerConfig, MAX_PROBES, MAX_WINDOW_COUNT};
    use std::time::Duration;

    #[test]
    fn validate_refuses_what_the_attribute_refuses() {
        assert!(BreakerConfig::DEFAULT.validate().is_ok());
        let with = |change: fn(&mut BreakerConfig)| {
            let mut config = BreakerConfig::DEFAULT;
            change(&mut config);
            config.validate()
        };
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
        assert!(with(|c| c.timeout = Some(Duration::ZERO)).is_err());
        // Probe counts have 12 bits each in the half-open word.
        assert!(with(|c| c.half_open_max_calls = MAX_PROBES).is_ok());
        assert!(with(|c| c.half_open_max_calls = MAX_PROBES + 1).is_err());
        assert!(with(|c| c.success_threshold = MAX_PROBES + 1).is_err());
        assert!(with(|c| c.success_threshold = 0).is_err());
    }
}
