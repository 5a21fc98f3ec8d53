//! Point-in-time figures of a timer.

use std::time::Duration;

use hdrhistogram::Histogram;
#[cfg(feature = "serde")]
use serde::Serialize;

/// What a [`Timer`](super::Timer) has recorded, read at one moment.
///
/// Serialises with durations as floating-point seconds (`threshold_seconds`,
/// `latency.p99_seconds`, …), the unit Prometheus uses.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct TimerSnapshot {
    /// The operation name.
    pub name: String,
    /// The `function` label: the name without its module.
    pub function: String,
    /// The `module` label.
    pub module: String,
    /// Finished calls, whatever their outcome (`ok + errors + cancelled + panicked`).
    pub calls: u64,
    /// Calls that returned a value that is not an `Err`.
    pub ok: u64,
    /// Calls that returned `Err(..)`.
    pub errors: u64,
    /// Finished calls (ok or error) slower than the threshold.
    pub slow: u64,
    /// Calls whose future was dropped before completing.
    pub cancelled: u64,
    /// Calls whose body panicked.
    pub panicked: u64,
    /// Calls running now.
    pub in_flight: u64,
    /// The slow-call threshold.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "threshold_seconds", serialize_with = "crate::units::seconds")
    )]
    pub threshold: Duration,
    /// Latency of the calls that returned (ok or error).
    pub latency: LatencySummary,
}

impl TimerSnapshot {
    /// Share of finished calls that failed (errors and panics), `0.0` when
    /// there were none.
    pub fn error_rate(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            (self.errors + self.panicked) as f64 / self.calls as f64
        }
    }
}

/// Latency distribution of returned calls. Quantiles come from an HdrHistogram
/// with two significant digits: each is within 1% of the exact value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct LatencySummary {
    /// Calls in the distribution.
    pub count: u64,
    /// Mean latency.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "mean_seconds", serialize_with = "crate::units::seconds")
    )]
    pub mean: Duration,
    /// Largest latency.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "max_seconds", serialize_with = "crate::units::seconds")
    )]
    pub max: Duration,
    /// Median.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "p50_seconds", serialize_with = "crate::units::seconds")
    )]
    pub p50: Duration,
    /// 90th percentile.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "p90_seconds", serialize_with = "crate::units::seconds")
    )]
    pub p90: Duration,
    /// 99th percentile.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "p99_seconds", serialize_with = "crate::units::seconds")
    )]
    pub p99: Duration,
    /// 99.9th percentile.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "p999_seconds", serialize_with = "crate::units::seconds")
    )]
    pub p999: Duration,
}

impl LatencySummary {
    pub(crate) fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        let at = |q: f64| Duration::from_nanos(h.value_at_quantile(q));
        Self {
            count: h.len(),
            mean: Duration::from_nanos(h.mean().round() as u64),
            max: Duration::from_nanos(h.max()),
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            p999: at(0.999),
        }
    }
}
