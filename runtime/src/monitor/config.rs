//! A timer's settings and their rules.

use std::time::Duration;

use tracing::Level;

use crate::config_error::{ConfigError, rules};

/// What a timer is configured with. `const`, so that generated code keeps it
/// in a `static`; build one from [`TimerConfig::DEFAULT`] with struct update
/// syntax, or use [`Timer::builder`](super::Timer::builder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Calls slower than this are counted slow and logged (above zero).
    pub threshold: Duration,
    /// The level of the slow-call event.
    pub level: Level,
}

impl TimerConfig {
    /// One second, logged at `WARN`.
    pub const DEFAULT: Self = Self {
        threshold: Duration::from_secs(1),
        level: Level::WARN,
    };

    /// What is wrong with these settings, if anything: the first broken
    /// rule. The builder and the attribute (at compile time) use these rules.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opguard_runtime::monitor::TimerConfig;
    ///
    /// assert!(TimerConfig::DEFAULT.validate().is_ok());
    /// let zero = TimerConfig { threshold: Duration::ZERO, ..TimerConfig::DEFAULT };
    /// assert_eq!(zero.validate().unwrap_err().option, "threshold");
    /// ```
    pub const fn validate(&self) -> Result<(), ConfigError> {
        self.check(None)
    }

    /// The first broken rule that involves `option` (every rule for `None`).
    pub(crate) const fn check(&self, option: Option<&str>) -> Result<(), ConfigError> {
        rules! { option;
            ["threshold"] !self.threshold.is_zero() => "`threshold` must be longer than zero";
        }
    }
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}
