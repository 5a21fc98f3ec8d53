//! How snapshots serialise their units: durations as floating-point
//! seconds, the unit Prometheus uses.

use std::time::Duration;

use serde::Serializer;

/// `d` as seconds (an `f64`), for `#[serde(serialize_with = ..)]`.
pub(crate) fn seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}
