//! Latency and outcome metrics of operations: the runtime of
//! `#[monitor_performance]`.
//!
//! A [`Timer`] counts calls by outcome (ok, error, cancelled, panicked), slow
//! calls, calls in flight, and keeps a latency histogram; a slow call is also a
//! `tracing` event (target [`TARGET`]). The same figures go to the `metrics`
//! facade as `function_calls_total{function,module,result}`,
//! `function_calls_duration_seconds{function,module}` and
//! `function_calls_concurrent{function,module}` (feature `metrics`, on by
//! default).
//!
//! Time is read from [`tokio::time::Instant`], so tests drive it with
//! `tokio::time::pause()` and `advance()`.

mod builder;
mod callsite;
mod config;
#[cfg(feature = "metrics")]
mod facade;
#[cfg(not(feature = "metrics"))]
#[path = "facade_off.rs"]
mod facade;
mod guard;
mod histogram;
mod slow_log;
mod snapshot;
mod timer;

pub use crate::watch::Watched;
pub use builder::TimerBuilder;
pub use callsite::{Callsite, CallsiteMeta};
pub use config::TimerConfig;
pub use guard::{CallGuard, OwnedCallGuard};
pub use slow_log::TARGET;
pub use snapshot::{LatencySummary, TimerSnapshot};
pub use timer::Timer;

use std::sync::Arc;

use crate::registry::Registry;

fn registry() -> &'static Registry<Timer> {
    static TIMERS: Registry<Timer> = Registry::new();
    &TIMERS
}

/// The timer registered under `name`.
///
/// ```
/// use opguard_runtime::monitor;
/// monitor::Timer::builder("docs::get").build();
/// assert_eq!(monitor::get("docs::get").unwrap().name(), "docs::get");
/// assert!(monitor::get("docs::unknown").is_none());
/// ```
pub fn get(name: &str) -> Option<Arc<Timer>> {
    registry().get(name)
}

/// Forgets the timer registered under `name`, for timers made at run time
/// that are no longer needed (the registry would otherwise keep each for
/// good, about 6 KB with its histogram). It leaves every export; an `Arc`
/// still held keeps recording, and building the name again registers a new
/// timer. True if one was there. A function's `#[monitor_performance]`
/// keeps using its timer after this, out of the exports.
///
/// ```
/// use opguard_runtime::monitor;
/// monitor::Timer::builder("docs::remove").build();
/// assert!(monitor::remove("docs::remove"));
/// assert!(monitor::get("docs::remove").is_none());
/// ```
pub fn remove(name: &str) -> bool {
    registry().remove(name).is_some()
}

/// Snapshots of every registered timer, sorted by name.
pub fn all() -> Vec<TimerSnapshot> {
    registry().all().iter().map(|t| t.snapshot()).collect()
}
