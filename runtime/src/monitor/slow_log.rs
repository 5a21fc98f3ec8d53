//! The `tracing` event for a slow call.
//!
//! Events use the target `opguard::monitor`, so `RUST_LOG=opguard::monitor=warn`
//! (or any `EnvFilter` directive) selects them. The level is set per timer.

use std::time::Duration;

use tracing::Level;

use crate::Outcome;

/// The `tracing` target of slow-call events.
pub const TARGET: &str = "opguard::monitor";

/// Whether a slow-call event at `level` would be recorded by the current
/// subscriber; arguments are only formatted when it would.
pub(crate) fn enabled(level: Level) -> bool {
    match level {
        Level::ERROR => tracing::event_enabled!(target: TARGET, Level::ERROR),
        Level::WARN => tracing::event_enabled!(target: TARGET, Level::WARN),
        Level::INFO => tracing::event_enabled!(target: TARGET, Level::INFO),
        Level::DEBUG => tracing::event_enabled!(target: TARGET, Level::DEBUG),
        _ => tracing::event_enabled!(target: TARGET, Level::TRACE),
    }
}

pub(crate) struct SlowCall<'a> {
    pub(crate) level: Level,
    pub(crate) operation: &'a str,
    pub(crate) outcome: Outcome,
    pub(crate) elapsed: Duration,
    pub(crate) threshold: Duration,
    pub(crate) args: Option<&'a str>,
    pub(crate) result: Option<&'a str>,
}

impl SlowCall<'_> {
    pub(crate) fn emit(&self) {
        macro_rules! slow_event {
            ($level:expr) => {
                tracing::event!(
                    target: TARGET,
                    $level,
                    operation = self.operation,
                    elapsed = ?self.elapsed,
                    threshold = ?self.threshold,
                    outcome = self.outcome.as_str(),
                    args = self.args,
                    result = self.result,
                    "slow call",
                )
            };
        }
        match self.level {
            Level::ERROR => slow_event!(Level::ERROR),
            Level::WARN => slow_event!(Level::WARN),
            Level::INFO => slow_event!(Level::INFO),
            Level::DEBUG => slow_event!(Level::DEBUG),
            _ => slow_event!(Level::TRACE),
        }
    }
}
