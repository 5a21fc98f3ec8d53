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
