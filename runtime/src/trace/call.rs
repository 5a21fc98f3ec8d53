//! One traced call: its span (or none), the sampling decision, and the
//! fields recorded when it ends, also when it is dropped or panics.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::time::Instant;
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
    #[inline]
    fn enter(suppress: bool) -> Option<Self> {
        suppress.then(|| Self(SUPPRESSED.with(|s| s.replace(true))))
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
    span: Span,
    suppress: bool,
    started: Option<Instant>,
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
            span: Span::none(),
            suppress: false,
            started: None,
            panicked: AtomicBool::new(false),
            finished: false,
        };
        let Some(metadata) = callsite.enabled() else {
            return call;
        };
        if SUPPRESSED.with(Cell::get) {
            return call;
        }
        let rate = callsite.meta.sample_rate;
        if rate < 1.0 && Span::current().is_none() && fastrand::f64() >= rate {
            call.suppress = true;
            return call;
        }
        call.span = make(metadata);
        call.started = Some(Instant::now());
        call
    }

    /// Whether the call has a span a subscriber records.
    pub fn is_traced(&self) -> bool {
        !self.span.is_disabled()
    }

    /// The call's span (disabled when it is not traced).
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Runs a synchronous body inside the span.
    #[inline]
    pub fn in_scope<R>(&self, body: impl FnOnce() -> R) -> R {
        let _entered = self.span.enter();
        let _suppress = Suppress::enter(self.suppress);
        body()
    }

    /// Wraps an async body: the span is entered on every poll (never held
    /// across an `.await`), and a panic inside is noticed.
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
        self.finished = true;
        let outcome = if is_error {
            Outcome::Error
        } else {
            Outcome::Ok
        };
        if is_error {
            self.failed(error);
        }
        if self.is_traced() {
            if let Some(result) = result() {
                self.span.record("result", result);
            }
            self.close(outcome);
        }
    }

    #[cold]
    fn failed(&self, error: impl FnOnce() -> String) {
        let logged = tracing::enabled!(target: TARGET, Level::ERROR);
        if !logged && !self.is_traced() {
            return;
        }
        let text = error();
        if self.is_traced() {
            self.mark_failed(&text);
        }
        if logged {
            let operation = self.callsite.name();
            tracing::error!(target: TARGET, parent: &self.span, error = %text, operation, "operation failed");
        }
    }

    /// The error fields, and the OpenTelemetry status `tracing-opentelemetry`
    /// reads from them.
    fn mark_failed(&self, text: &str) {
        self.span.record("error", text);
        self.span.record("otel.status_code", "ERROR");
        self.span.record("otel.status_description", text);
    }

    fn close(&self, outcome: Outcome) {
        self.span.record("outcome", outcome.as_str());
        if let Some(started) = self.started {
            self.span
                .record("elapsed_ms", started.elapsed().as_secs_f64() * 1e3);
        }
    }
}

impl Drop for TraceCall {
    fn drop(&mut self) {
        if self.finished || !self.is_traced() {
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
        let _entered = call.span.enter();
        let _suppress = Suppress::enter(call.suppress);
        let _unwinding = crate::watch::OnUnwind::new(&call.panicked);
        this.future.poll(cx)
    }
}
