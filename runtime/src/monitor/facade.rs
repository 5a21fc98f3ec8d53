//! The `metrics` facade side of a timer: the names autometrics dashboards use.
//!
//! Handles are registered when the timer is created, so a call costs a few
//! atomic operations in the installed recorder and a branch with none. Install
//! the recorder before the first annotated call, as with any cached `metrics`
//! handle.

use std::sync::Once;

use metrics::{Counter, Gauge, Histogram, Unit};

use crate::Outcome;

/// `function_calls_total{function,module,result}`.
pub(crate) const CALLS_TOTAL: &str = "function_calls_total";
/// `function_calls_duration_seconds{function,module}`.
pub(crate) const DURATION_SECONDS: &str = "function_calls_duration_seconds";
/// `function_calls_concurrent{function,module}`.
pub(crate) const CONCURRENT: &str = "function_calls_concurrent";

pub(crate) struct FacadeHandles {
    ok: Counter,
    error: Counter,
    cancelled: Counter,
    duration: Histogram,
    concurrent: Gauge,
}

impl FacadeHandles {
    pub(crate) fn register(function: &str, module: &str) -> Self {
        describe_once();
        let (f, m) = (function.to_owned(), module.to_owned());
        let calls = |result: &'static str| metrics::counter!(CALLS_TOTAL, "function" => f.clone(), "module" => m.clone(), "result" => result);
        Self {
            ok: calls("ok"),
            error: calls("error"),
            cancelled: calls("cancelled"),
            duration: metrics::histogram!(DURATION_SECONDS, "function" => f.clone(), "module" => m.clone()),
            concurrent: metrics::gauge!(CONCURRENT, "function" => f.clone(), "module" => m.clone()),
        }
    }

    #[inline]
    pub(crate) fn started(&self) {
        self.concurrent.increment(1.0);
    }

    /// A panic counts as `result="error"`: dashboards built for autometrics
    /// compute error rates from that label alone.
    #[inline]
    pub(crate) fn finished(&self, outcome: Outcome, seconds: f64) {
        self.concurrent.decrement(1.0);
        match outcome {
            Outcome::Ok => self.ok.increment(1),
            Outcome::Error | Outcome::Panicked => self.error.increment(1),
            Outcome::Cancelled => self.cancelled.increment(1),
        }
        if matches!(outcome, Outcome::Ok | Outcome::Error) {
            self.duration.record(seconds);
        }
    }
}

fn describe_once() {
    static DESCRIBED: Once = Once::new();
    DESCRIBED.call_once(|| {
        metrics::describe_counter!(CALLS_TOTAL, "Calls of monitored functions, by result.");
        metrics::describe_histogram!(
            DURATION_SECONDS,
            Unit::Seconds,
            "Latency of monitored functions that returned."
        );
        metrics::describe_gauge!(CONCURRENT, "Calls of monitored functions in flight.");
    });
}
