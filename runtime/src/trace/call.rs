//! One traced call: its span (or none), the sampling decision, and the
//! fields recorded when it ends, also when it is dropped or panics.
//!
//! A call that is not traced carries no state beyond its callsite and the
//! sampling flag, so the disabled path costs a level check and two words.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::time::Instant;
use tracing::field::Value;
use tracing::{Level, Metadata, Span};

use super::Callsite;
use crate::Outcome;

/// The `tracing` target of the error event an `Err` logs.
pub const TARGET: &str = "opguard::trace";

thread_local! {
    /// Set while the work of a call that was sampled out runs: calls inside
    /// it are not traced either.
    static SUPPRESSED: Cell<bool> = const { Cell::new(false) };
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

/// One call of a `#[trace_operation]` function.
#[must_use = "a call dropped at once records a cancelled call"]
pub struct TraceCall {
    callsite: &'static Callsite,
    /// The span and its bookkeeping, when the call is traced.
    active: Option<Box<Active>>,
    /// The call was sampled out: calls inside it are not traced.
    suppress: bool,
}

/// A traced call's span, start time and panic flag.
struct Active {
    callsite: &'static Callsite,
    span: Span,
    started: Instant,
    panicked: AtomicBool,
    finished: bool,
}

impl TraceCall {
    /// Decides whether the call is traced and, if so, makes its span with
    /// `make` (given the span's metadata; it records the arguments).
    ///
    /// With no subscriber interested this costs what a disabled `tracing`
    /// callsite costs. A root call (no current span) is traced with the
    /// callsite's sample rate; a call inside a span follows it; a call inside
    /// a sampled-out call is not traced.
    #[inline]
    pub fn start(
        callsite: &'static Callsite,
        make: impl FnOnce(&'static Metadata<'static>) -> Span,
    ) -> Self {
        let mut call = Self {
            callsite,
            active: None,
            suppress: false,
        };
        if let Some(metadata) = callsite.enabled() {
            call.start_enabled(metadata, make);
        }
        call
    }

    fn start_enabled(
        &mut self,
        metadata: &'static Metadata<'static>,
        make: impl FnOnce(&'static Metadata<'static>) -> Span,
    ) {
        if SUPPRESSED.with(Cell::get) {
            return;
        }
        let rate = self.callsite.meta.sample_rate;
        if rate < 1.0 && Span::current().is_none() && fastrand::f64() >= rate {
            self.suppress = true;
            return;
        }
        self.active = Some(Box::new(Active {
            callsite: self.callsite,
            span: make(metadata),
            started: Instant::now(),
            panicked: AtomicBool::new(false),
            finished: false,
        }));
    }

    /// Whether the call has a span a subscriber records.
    pub fn is_traced(&self) -> bool {
        self.active.as_ref().is_some_and(|a| !a.span.is_disabled())
    }

    /// The call's span (disabled when it is not traced).
    pub fn span(&self) -> Span {
        self.active
            .as_ref()
            .map_or_else(Span::none, |a| a.span.clone())
    }

    /// Runs a synchronous body inside the span.
    #[inline]
    pub fn in_scope<R>(&self, body: impl FnOnce() -> R) -> R {
        match (&self.active, self.suppress) {
            (None, false) => body(),
            (Some(active), _) => active.span.in_scope(body),
            (None, true) => {
                let _suppress = Suppress::enter();
                body()
            }
        }
    }

    /// Wraps an async body: the span is entered on every poll (never held
    /// across an `.await`), and a panic inside is noticed.
    #[inline]
    pub fn instrument<F: Future>(&self, future: F) -> Traced<'_, F> {
        Traced { future, call: self }
    }

    /// Records how the call ended. `error` (the error's text) is asked for
    /// only for an `Err` that is recorded or logged; `result` only when the
    /// span is traced.
    #[inline]
    pub fn finish(
        mut self,
        is_error: bool,
        error: impl FnOnce() -> String,
        result: impl FnOnce() -> Option<String>,
    ) {
        if is_error {
            self.failed(error);
        }
        if let Some(active) = &mut self.active {
            active.finished = true;
            if let Some(result) = result() {
                active.span.record("result", result);
            }
            active.close(if is_error {
                Outcome::Error
            } else {
                Outcome::Ok
            });
        }
    }

    #[cold]
    fn failed(&self, error: impl FnOnce() -> String) {
        let logged = tracing::enabled!(target: TARGET, Level::ERROR);
        if !logged && !self.is_traced() {
            return;
        }
        let text = error();
        if let Some(active) = &self.active {
            active.mark_failed(&text);
        }
        if logged {
            let span = self.span();
            let operation = self.callsite.name();
            tracing::error!(target: TARGET, parent: &span, error = %text, operation, "operation failed");
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

    /// `outcome` (a `str`) and `elapsed_ms` (an `f64`, so OpenTelemetry gets
    /// a number), in one record.
    fn close(&self, outcome: Outcome) {
        let elapsed_ms = self.started.elapsed().as_secs_f64() * 1e3;
        let Some((outcome_field, elapsed_field)) = self.callsite.closing_fields() else {
            return;
        };
        if let Some(metadata) = self.span.metadata() {
            let outcome = outcome.as_str();
            let values: [(&_, Option<&dyn Value>); 2] = [
                (outcome_field, Some(&outcome)),
                (elapsed_field, Some(&elapsed_ms)),
            ];
            self.span.record_all(&metadata.fields().value_set(&values));
        }
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if self.finished || self.span.is_disabled() {
            return;
        }
        let outcome = if self.panicked.load(Ordering::Relaxed) || std::thread::panicking() {
            // A panic fails the span; a cancellation does not.
            self.mark_failed("panicked");
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        };
        self.close(outcome);
    }
}

pin_project_lite::pin_project! {
    /// An async body run under a [`TraceCall`]; from [`TraceCall::instrument`].
    pub struct Traced<'a, F> {
        #[pin]
        future: F,
        call: &'a TraceCall,
    }
}

impl<F: Future> Future for Traced<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let call = *this.call;
        match (&call.active, call.suppress) {
            (None, false) => this.future.poll(cx),
            (Some(active), _) => {
                let _entered = active.span.enter();
                let _unwinding = crate::watch::OnUnwind::new(&active.panicked);
                this.future.poll(cx)
            }
            (None, true) => {
                let _suppress = Suppress::enter();
                this.future.poll(cx)
            }
        }
    }
}
