//! Point-in-time figures of a breaker.

use std::time::SystemTime;

#[cfg(feature = "serde")]
use serde::{Serialize, Serializer};

use super::state::BreakerState;

/// What a [`Breaker`](super::Breaker) has seen, read at one moment.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct BreakerSnapshot {
    /// The breaker's name.
    pub name: String,
    /// Its state now.
    pub state: BreakerState,
    /// Calls that ran (`successes + failures`).
    pub calls: u64,
    /// Calls that returned `Ok`, or an error that does not count as a failure.
    pub successes: u64,
    /// Calls that failed: counted errors, timeouts and panics.
    pub failures: u64,
    /// Calls rejected without running.
    pub rejected: u64,
    /// Failures that were timeouts.
    pub timeouts: u64,
    /// Calls dropped before they finished (the caller stopped waiting):
    /// neither successes nor failures, so not in `calls`.
    pub cancelled: u64,
    /// Calls slower than `slow_call_duration` (counted only when that is set).
    pub slow: u64,
    /// Failures in the rolling window now.
    pub window_failures: u64,
    /// Share of calls that failed: within the window when a rate trigger is
    /// set (calls are then counted in the window), otherwise since the last
    /// transition.
    pub failure_rate: f64,
    /// Failures in a row, since the last success or transition.
    pub consecutive_failures: u64,
    /// The last (up to) 10 failures, oldest first.
    pub last_failures: Vec<FailureRecord>,
    /// Whose state this is: this process's, the fleet's, or this process's
    /// while a shared breaker cannot reach the fleet.
    pub scope: BreakerScope,
    /// For a shared breaker, the fleet's window as of the last sync.
    pub fleet: Option<FleetCounts>,
}

/// Whose state a breaker follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum BreakerScope {
    /// A breaker of this process only.
    Local,
    /// A shared breaker following the fleet through Redis.
    Fleet,
    /// A shared breaker protecting with its local window, because Redis is
    /// unavailable (or `opguard::shared::connect` was not called); it
    /// reconciles with the fleet when Redis is back.
    LocalFallback,
}

impl BreakerScope {
    /// The lower-case name used in exports.
    pub const fn as_str(self) -> &'static str {
        match self {
            BreakerScope::Local => "local",
            BreakerScope::Fleet => "fleet",
            BreakerScope::LocalFallback => "local_fallback",
        }
    }
}

/// A shared breaker's fleet-wide window, as of its last sync with Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct FleetCounts {
    /// Calls in the fleet's window.
    pub window_calls: u64,
    /// Failures in the fleet's window.
    pub window_failures: u64,
    /// Slow calls in the fleet's window.
    pub window_slow: u64,
    /// Instances that synced within the window.
    pub instances: u64,
}

/// One failure, for [`BreakerSnapshot::last_failures`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct FailureRecord {
    /// The error's text (`Display`, else `Debug`), or `timed out after ..` or `panicked`.
    pub error: String,
    /// When, on the wall clock; serialised as `at_unix_seconds`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "at_unix_seconds", serialize_with = "unix_seconds")
    )]
    pub at: SystemTime,
}

#[cfg(feature = "serde")]
fn unix_seconds<S: Serializer>(at: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(
        at.duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
    )
}
