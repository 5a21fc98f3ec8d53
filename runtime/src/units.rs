//! How snapshots serialise their units: durations as floating-point
//! seconds, the unit Prometheus uses.

use std::time::Duration;

use serde::Serializer;

/// `d` as seconds (an `f64`), for `#[serde(serialize_with = ..)]`.
pub(crate) fn seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// An optional duration as seconds, or `null`.
#[cfg(feature = "redis")]
pub(crate) fn opt_seconds<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// An optional wall-clock time as Unix seconds, or `null`.
#[cfg(feature = "redis")]
pub(crate) fn opt_unix_seconds<S: Serializer>(
    at: &Option<std::time::SystemTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at.and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok()) {
        Some(since) => s.serialize_some(&since.as_secs_f64()),
        None => s.serialize_none(),
    }
}
