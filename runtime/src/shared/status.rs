//! What the shared tier has seen: [`SharedStatus`].

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

#[cfg(feature = "serde")]
use serde::Serialize;

use super::conn::{lock, tier};

/// The shared tier's condition, read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct SharedStatus {
    /// Whether `connect` succeeded in this process.
    pub configured: bool,
    /// Whether the last command to Redis succeeded.
    pub connected: bool,
    /// The URL(s), passwords replaced by `***` (empty before `connect`).
    pub url: String,
    /// The key prefix.
    pub prefix: String,
    /// This instance's name in the fleet.
    pub instance: String,
    /// The last error, if any (no password in it).
    pub last_error: Option<String>,
    /// Since when Redis has been unavailable, while it is.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::units::opt_unix_seconds")
    )]
    pub unavailable_since: Option<SystemTime>,
    /// The last successful command's round trip.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::units::opt_seconds"))]
    pub round_trip: Option<Duration>,
    /// Commands that failed or passed their deadline.
    pub errors: u64,
    /// Commands sent.
    pub commands: u64,
}

/// The shared tier's condition now (all empty before `connect`).
pub fn status() -> SharedStatus {
    let Some(tier) = tier() else {
        return SharedStatus {
            configured: false,
            connected: false,
            url: String::new(),
            prefix: String::new(),
            instance: String::new(),
            last_error: None,
            unavailable_since: None,
            round_trip: None,
            errors: 0,
            commands: 0,
        };
    };
    let seen = &tier.seen;
    let round_trip = seen.round_trip.load(Ordering::Relaxed);
    SharedStatus {
        configured: true,
        connected: tier.up(),
        url: tier.shown.clone(),
        prefix: tier.config.prefix.clone(),
        instance: tier.config.instance.to_string(),
        last_error: lock(&seen.last_error).clone(),
        unavailable_since: *lock(&seen.unavailable_since),
        round_trip: (round_trip != 0).then(|| Duration::from_nanos(round_trip)),
        errors: seen.errors.load(Ordering::Relaxed),
        commands: seen.commands.load(Ordering::Relaxed),
    }
}
