//! Everything the runtime holds, as Prometheus text or JSON.
//!
//! Both read the same snapshots: every timer ([`monitor::all`]), breaker
//! ([`breaker::all`]), cache ([`cache::all`]) and rate limiter
//! ([`rate_limit::all`]) registered in the process.

mod prometheus;

#[cfg(feature = "serde")]
use serde::Serialize;

use crate::breaker::{self, BreakerSnapshot};
use crate::cache::{self, CacheStats};
use crate::health::{self, HealthReport};
use crate::monitor::{self, TimerSnapshot};
use crate::rate_limit::{self, RateLimitSnapshot};

/// The Prometheus text exposition format, with `# HELP` and `# TYPE` for
/// every family: calls by outcome, slow calls, calls in flight and latency
/// quantiles per operation; state, calls by outcome, timeouts and window
/// failures, scope and (shared breakers) the fleet's window per breaker;
/// hits, misses, loads, evictions and entries per cache (and Redis hits,
/// misses and errors per shared cache); calls allowed and limited, and keys
/// tracked, per rate limiter; with feature `redis`, `opguard_shared_up` and
/// `opguard_shared_errors_total` once connected.
/// Label values are escaped.
///
/// ```
/// let text = opguard_runtime::export::prometheus();
/// assert!(text.contains("# TYPE opguard_breaker_state gauge"));
/// ```
pub fn prometheus() -> String {
    #[allow(unused_mut)]
    let mut text = prometheus::render(
        &monitor::all(),
        &breaker::all(),
        &cache::all(),
        &rate_limit::all(),
    );
    #[cfg(feature = "redis")]
    prometheus::shared_families(&mut text, &crate::shared::status());
    text
}

/// Every snapshot at one moment, as [`json`] serialises it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Report {
    /// The health report.
    pub health: HealthReport,
    /// Every timer.
    pub timers: Vec<TimerSnapshot>,
    /// Every breaker.
    pub breakers: Vec<BreakerSnapshot>,
    /// Every cache.
    pub caches: Vec<CacheStats>,
    /// Every rate limiter.
    pub rate_limits: Vec<RateLimitSnapshot>,
    /// The shared tier (feature `redis`).
    #[cfg(feature = "redis")]
    pub shared: crate::shared::SharedStatus,
}

/// All snapshots, read now.
pub fn report() -> Report {
    let breakers = breaker::all();
    Report {
        health: health::from_snapshots(&breakers),
        timers: monitor::all(),
        breakers,
        caches: cache::all(),
        rate_limits: rate_limit::all(),
        #[cfg(feature = "redis")]
        shared: crate::shared::status(),
    }
}

/// The same figures as [`prometheus`], and the health report, as one JSON
/// document: `{"health": .., "timers": [..], "breakers": [..], "caches": [..],
/// "rate_limits": [..]}`.
/// Feature `json` (on by default).
///
/// ```
/// let json: serde_json::Value = serde_json::from_str(&opguard_runtime::export::json()).unwrap();
/// assert!(json["breakers"].is_array());
/// ```
#[cfg(feature = "json")]
pub fn json() -> String {
    serde_json::to_string_pretty(&report())
        .unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"))
}
