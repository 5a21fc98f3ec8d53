//! Point-in-time figures of a limiter.

use std::time::Duration;

#[cfg(feature = "serde")]
use serde::Serialize;

/// What a limiter has decided, read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct RateLimitSnapshot {
    /// The limiter's name.
    pub name: String,
    /// Calls per `period` at the steady rate.
    pub count: u32,
    /// The rate's period.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "period_seconds", serialize_with = "crate::units::seconds")
    )]
    pub period: Duration,
    /// Calls allowed at once after an idle period.
    pub burst: u32,
    /// Whether it keeps a limit per key.
    pub keyed: bool,
    /// Calls admitted (after their wait, for calls that waited).
    pub allowed: u64,
    /// Calls refused.
    pub limited: u64,
    /// Keys with state now (keyed limiters; zero otherwise).
    pub tracked_keys: u64,
}
