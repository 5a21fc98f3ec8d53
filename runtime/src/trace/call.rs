//! One traced call: its span (or none), the sampling decision, and the
//! fields recorded when it ends, also when it is dropped or panics.
//!
//! A call whose span level is disabled has no `TraceCall` at all: generated
//! code checks the level and runs the work bare ([`run`], and the `if` the
//! async expansion writes around [`instrument`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::time::Instant;
use tracing::field::Value;
use tracing::{Metadata, Span};

use super::Callsite;
use crate::Outcome;
use crate::level::at_level;

mod instrumented;
mod sync;

pub use instrumented::{Instrumented, instrument, with_end};
pub use sync::{disabled_end, run, untraced};

/// The `tracing` target of the error event an `Err` logs.
pub const TARGET: &str = "opguard::trace";

thread_local! {
    /// Set while the work of a call that was sampled out runs: calls inside
    /// it are not traced either.
    static SUPPRESSED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the work of a call that sampling left out is running on this
/// thread (`otel::inject` then propagates "not sampled").
#[cfg(feature = "otel")]
pub(crate) fn suppressed() -> bool {
    SUPPRESSED.with(Cell::get)
}

/// The sampled flag of the current OpenTelemetry parent, if any (feature
/// `otel`; without it, there is none and this is nothing).
#[inline(always)]
fn parent_sampled() -> Option<bool> {
    #[cfg(feature = "otel")]
    {
        crate::otel::current_sampled()
    }
    #[cfg(not(feature = "otel"))]
    {
        None
    }
}

/// Sets [`SUPPRESSED`] for its lifetime.
struct Suppress(bool);

impl Suppress {
    fn enter() -> Self {
        Self(SUPPRESSED.with(|s| s.replace(true)))
    }
}

impl Drop for Suppress {
    fn drop(&mut self) {
        let previous = self.0;
        SUPPRESSED.with(|s| s.set(previous));
    }
}

/// One call of a `#[trace_operation]` function whose span level is enabled,
/// from [`Callsite::start`](super::Callsite::start): traced, sampled out or
/// of no interest to the subscriber. A call whose level is disabled has
/// none, so that path carries no state at all.
#[must_use = "a call dropped at once records a cancelled call"]
pub struct TraceCall {
    callsite: &'static Callsite,
    state: State,
}

impl std::fmt::Debug for TraceCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCall")
            .field("traced", &matches!(self.state, State::Traced(_)))
            .finish_non_exhaustive()
    }
}

/// Whether a call is traced. Small, as an async call carries it in its
/// future.
enum State {
    /// No subscriber wants the span, or the call is inside a sampled-out
    /// one; also the call a disabled level builds to log an `Err`.
    Untraced,
    /// The call was sampled out: calls inside it are not traced.
    SampledOut,
    /// The call has a span.
    Traced(Active),
}

/// A traced call's span (always enabled: `Span::new` makes it), start time
/// (read only with `include_elapsed`) and panic flag.
struct Active {
    span: Span,
    started: Option<Instant>,
    panicked: AtomicBool,
}

impl TraceCall {
    /// Decides whether a call is traced and, if so, makes its span with
    /// `make` (given the span's metadata; it records the arguments).
    ///
    /// Asked only when a subscriber wants the span (`metadata`). A call
    /// inside a sampled-out call is not traced: `None`, and the work runs
    /// bare, as on a disabled level. A call under an OpenTelemetry parent
    /// (feature `otel`) follows its sampled flag; a root call (no current
    /// span) is traced with the callsite's sample rate; a call inside a
    /// span follows it. Out of line: a call gets here only when a
    /// subscriber wants its span.
    #[inline(never)]
    pub(super) fn start(
        callsite: &'static Callsite,
        metadata: &'static Metadata<'static>,
        make: impl FnOnce(&'static Metadata<'static>) -> Span,
    ) -> Option<Self> {
        if SUPPRESSED.with(Cell::get) {
            return None;
        }
        let rate = callsite.meta.sample_rate;
        let sampled_out = match parent_sampled() {
            // Under an OpenTelemetry parent (a caller's, or the span the
            // layer activated): its decision.
            Some(sampled) => !sampled,
            // A root call: no current span (asked without cloning one).
            None => {
                rate < 1.0
                    && tracing::dispatcher::get_default(|d| d.current_span().id().is_none())
                    && fastrand::f64() >= rate
            }
        };
        // Built in place: no state to overwrite (and drop) afterwards.
        let state = if sampled_out {
            State::SampledOut
        } else {
            State::Traced(Active {
                span: make(metadata),
                started: callsite.meta.include_elapsed.then(Instant::now),
                panicked: AtomicBool::new(false),
            })
        };
        Some(Self { callsite, state })
    }

    /// The span and its bookkeeping, when the call is traced.
    fn active(&self) -> Option<&Active> {
        match &self.state {
            State::Traced(active) => Some(active),
            State::Untraced | State::SampledOut => None,
        }
    }

    /// Runs `body` (the work, or one poll of it) inside the span, noticing
    /// a panic; inside a sampled-out call, with tracing suppressed.
    #[inline]
    pub(crate) fn in_scope<R>(&self, body: impl FnOnce() -> R) -> R {
        match &self.state {
            State::Untraced => body(),
            State::Traced(active) => {
                let _entered = active.span.enter();
                let _unwinding = crate::watch::OnUnwind::new(&active.panicked);
                body()
            }
            State::SampledOut => {
                let _suppress = Suppress::enter();
                body()
            }
        }
    }

    /// Records how the call ended. `error` (the error's text) is asked for
    /// only for an `Err` that is recorded or logged; `result` only when the
    /// span is traced.
    #[inline]
    pub fn finish(
        &mut self,
        is_error: bool,
        error: impl FnOnce() -> String,
        result: impl FnOnce() -> Option<String>,
    ) {
        if is_error {
            Self::failed(self.callsite, self.active(), error);
        }
        // Taken out, so that dropping the call records nothing more.
        if let State::Traced(active) = std::mem::replace(&mut self.state, State::Untraced) {
            if let Some(result) = result() {
                active.span.record("result", result.as_str());
                if let Some(level) = self.callsite.meta.result_level {
                    let operation = self.callsite.name();
                    at_level!(level, |LEVEL| {
                        tracing::event!(target: TARGET, parent: &active.span, LEVEL, result = %result, operation, "operation returned")
                    });
                }
            }
            active.close(
                self.callsite,
                if is_error {
                    Outcome::Error
                } else {
                    Outcome::Ok
                },
            );
        }
    }

    /// Records and logs an `Err`. Takes the call's parts, not the call, so
    /// an untraced call need not be in memory on the path that has no error.
    #[cold]
    fn failed(
        callsite: &'static Callsite,
        active: Option<&Active>,
        error: impl FnOnce() -> String,
    ) {
        let level = callsite.meta.error_level;
        let logged = at_level!(
            level,
            |LEVEL| tracing::event_enabled!(target: TARGET, LEVEL)
        );
        if !logged && active.is_none() {
            return;
        }
        let text = error();
        if let Some(active) = active {
            active.mark_failed(&text);
        }
        if logged {
            let operation = callsite.name();
            match active {
                Some(active) => at_level!(level, |LEVEL| {
                    tracing::event!(target: TARGET, parent: &active.span, LEVEL, error = %text, operation, "operation failed")
                }),
                // No span of its own: the event goes in the current one.
                None => at_level!(level, |LEVEL| {
                    tracing::event!(target: TARGET, LEVEL, error = %text, operation, "operation failed")
                }),
            }
        }
    }
}

impl Active {
    /// The error fields, and the OpenTelemetry status `tracing-opentelemetry`
    /// reads from them.
    fn mark_failed(&self, text: &str) {
        self.span.record("error", text);
        self.span.record("otel.status_code", "ERROR");
        self.span.record("otel.status_description", text);
    }

    /// `outcome` (a `str`) when the call did not succeed, and with
    /// `include_elapsed` on every call, with `elapsed_ms` (an `f64`, so
    /// OpenTelemetry gets a number, to the microsecond, so it prints short),
    /// in one record. A call that succeeds without `include_elapsed` records
    /// nothing: a formatting subscriber spends most of a recorded span's
    /// time on these two fields.
    #[inline]
    fn close(&self, callsite: &'static Callsite, outcome: Outcome) {
        if self.started.is_some() || outcome != Outcome::Ok {
            self.record_end(callsite, outcome);
        }
    }

    /// [`close`](Self::close)'s record.
    #[inline(never)]
    fn record_end(&self, callsite: &'static Callsite, outcome: Outcome) {
        let elapsed_ms = self.started.map(|started| elapsed_ms(started.elapsed()));
        let Some((outcome_field, elapsed_field)) = callsite.closing_fields() else {
            return;
        };
        if let Some(metadata) = self.span.metadata() {
            let outcome = outcome.as_str();
            let values: [(&_, Option<&dyn Value>); 2] = [
                (outcome_field, Some(&outcome)),
                (
                    elapsed_field,
                    elapsed_ms.as_ref().map(|ms| ms as &dyn Value),
                ),
            ];
            self.span.record_all(&metadata.fields().value_set(&values));
        }
    }
}

/// Milliseconds to the microsecond: `1.234`, not `1.2345678900000001`.
fn elapsed_ms(elapsed: std::time::Duration) -> f64 {
    // Exact below 2^53 µs (285 years).
    elapsed.as_micros() as f64 / 1e3
}

impl Drop for TraceCall {
    fn drop(&mut self) {
        let State::Traced(active) = &self.state else {
            return;
        };
        let outcome = if active.panicked.load(Ordering::Relaxed) || std::thread::panicking() {
            // A panic fails the span; a cancellation does not.
            active.mark_failed("panicked");
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        };
        active.close(self.callsite, outcome);
    }
}
