//! The `tracing` event for a slow call.
//!
//! Events use the target `opguard::monitor`, so `RUST_LOG=opguard::monitor=warn`
//! (or any `EnvFilter` directive) selects them. The level is set per timer.

use std::time::Duration;

use tracing::Level;

use crate::Outcome;
use crate::level::at_level;

/// The `tracing` target of slow-call events.
pub const TARGET: &str = "opguard::monitor";

/// Whether a slow-call event at `level` would be recorded by the current
/// subscriber; arguments are only formatted when it would.
pub(crate) fn enabled(level: Level) -> bool {
    at_level!(
        level,
        |LEVEL| tracing::event_enabled!(target: TARGET, LEVEL)
    )
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
        at_level!(self.level, |LEVEL| tracing::event!(
            target: TARGET,
            LEVEL,
            operation = self.operation,
            elapsed = ?self.elapsed,
            threshold = ?self.threshold,
            outcome = self.outcome.as_str(),
            args = self.args,
            result = self.result,
            "slow call",
        ))
    }
}
