//! Configuration of a timer, for use without the attribute.

use std::sync::Arc;
use std::time::Duration;

use tracing::Level;

use super::{Timer, TimerConfig, registry};

/// Builds (or finds) a [`Timer`]; from [`Timer::builder`].
///
/// The first registration of a name wins: building a name that exists returns
/// the registered timer, and if the settings differ a `warn` event says so.
#[derive(Debug, Clone)]
pub struct TimerBuilder {
    pub(super) name: String,
    pub(super) function: String,
    pub(super) module: String,
    pub(super) threshold: Duration,
    pub(super) level: Level,
}

impl TimerBuilder {
    /// The default slow-call threshold, one second ([`TimerConfig::DEFAULT`]).
    pub const DEFAULT_THRESHOLD: Duration = TimerConfig::DEFAULT.threshold;

    /// The default level of the slow-call log, `WARN` ([`TimerConfig::DEFAULT`]).
    pub const DEFAULT_LEVEL: Level = TimerConfig::DEFAULT.level;

    pub(super) fn new(name: String) -> Self {
        Self {
            function: name.clone(),
            name,
            module: String::new(),
            threshold: Self::DEFAULT_THRESHOLD,
            level: Self::DEFAULT_LEVEL,
        }
    }

    /// Calls slower than this are counted slow and logged (default 1 s).
    pub fn threshold(mut self, threshold: Duration) -> Self {
        self.threshold = threshold;
        self
    }

    /// Level of the slow-call event (default `WARN`).
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// The `function` and `module` labels of the `metrics` facade (by default
    /// the name and an empty module).
    pub fn labels(mut self, function: impl Into<String>, module: impl Into<String>) -> Self {
        self.function = function.into();
        self.module = module.into();
        self
    }

    /// Starts from these settings.
    pub fn config(mut self, config: TimerConfig) -> Self {
        self.threshold = config.threshold;
        self.level = config.level;
        self
    }

    /// Registers the timer, or returns the one registered under this name.
    ///
    /// # Panics
    ///
    /// When the settings are invalid (see [`TimerConfig::validate`]); the
    /// attribute checks the same rules at compile time.
    pub fn build(self) -> Arc<Timer> {
        let config = TimerConfig {
            threshold: self.threshold,
            level: self.level,
        };
        if let Err(problem) = config.validate() {
            panic!("invalid settings for timer `{}`: {problem}", self.name);
        }
        let (timer, created) = registry().get_or_register(&self.name, || Timer::new(&self));
        if !created && (timer.threshold != self.threshold || timer.level != self.level) {
            tracing::warn!(
                target: super::slow_log::TARGET,
                timer = %self.name,
                "timer `{}` is already registered with other settings (threshold {:?}, level {}); the first registration wins",
                self.name,
                timer.threshold,
                timer.level,
            );
        }
        timer
    }
}
