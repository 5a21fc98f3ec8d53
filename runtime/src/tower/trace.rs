//! [`TraceLayer`]: a `tracing` span around every call of a `tower` service.

use std::sync::OnceLock;
use std::task::{Context, Poll};

use tower_layer::Layer;
use tower_service::Service;
use tracing::Level;

use super::classify::{Classifier, ErrorIsFailure, ServerErrors};
use super::observed::Observed;
use crate::naming::Site;
use crate::trace::{Callsite, CallsiteMeta, TraceCall};

/// The fields every span declares, recorded when the call ends (as
/// `#[trace_operation]`'s spans).
const CLOSING_FIELDS: &[&str] = &[
    "outcome",
    "elapsed_ms",
    "error",
    "otel.status_code",
    "otel.status_description",
];

/// A span named `name` around every call of a `tower` service, like
/// `#[trace_operation(name = ..)]`'s: entered on every poll of the response
/// future; a failure (an error, or
/// what the classifier says) records `error` and the OpenTelemetry error
/// status and is logged, and closes with `outcome = "error"`; a dropped
/// future closes with `outcome = "cancelled"`; with
/// [`include_elapsed`](Self::include_elapsed) every call closes with
/// `outcome` (`ok` too) and `elapsed_ms`; root calls
/// are sampled at `sample_rate`. With no subscriber interested, a call costs
/// a level check.
///
/// ```
/// use opguard_runtime::tower::TraceLayer;
///
/// let layer = TraceLayer::new("docs.checkout").level(tracing::Level::DEBUG).sample_rate(0.1);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct TraceLayer<C = ErrorIsFailure> {
    name: String,
    level: Level,
    sample_rate: f64,
    include_elapsed: bool,
    callsite: OnceLock<&'static Callsite>,
    classifier: C,
}

impl TraceLayer {
    /// Spans named `name`, at `info`, every root call traced.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            level: Level::INFO,
            sample_rate: 1.0,
            include_elapsed: false,
            callsite: OnceLock::new(),
            classifier: ErrorIsFailure,
        }
    }
}

impl<C> TraceLayer<C> {
    /// The spans' level (default `info`).
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// The share of root calls traced, in [0, 1] (default 1).
    pub fn sample_rate(mut self, rate: f64) -> Self {
        self.sample_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// Whether every call records `elapsed_ms`, and `outcome` also when it
    /// is `ok` (default `false`: a call that succeeds records neither), as
    /// `#[trace_operation(include_elapsed)]`.
    ///
    /// ```
    /// use opguard_runtime::tower::TraceLayer;
    ///
    /// let layer = TraceLayer::new("docs.timed").include_elapsed(true);
    /// # let _ = layer;
    /// ```
    pub fn include_elapsed(mut self, include: bool) -> Self {
        self.include_elapsed = include;
        self
    }

    /// What counts as a failure (default: every `Service::Error`).
    pub fn failure_if<C2>(self, classifier: C2) -> TraceLayer<C2> {
        TraceLayer {
            name: self.name,
            level: self.level,
            sample_rate: self.sample_rate,
            include_elapsed: self.include_elapsed,
            callsite: self.callsite,
            classifier,
        }
    }

    /// For HTTP services: 5xx responses are failures.
    pub fn http(self) -> TraceLayer<ServerErrors> {
        self.failure_if(ServerErrors)
    }

    /// The layer's `tracing` callsite, made once (its metadata lives for the
    /// process, as every callsite's does).
    fn callsite(&self) -> &'static Callsite {
        self.callsite.get_or_init(|| {
            let name: &'static str = Box::leak(self.name.clone().into_boxed_str());
            Box::leak(Box::new(Callsite::new(CallsiteMeta {
                site: Site {
                    name: Some(name),
                    module: "opguard::tower",
                    fn_name: name,
                    locate: || "",
                    location: "",
                },
                level: self.level,
                target: "opguard::tower",
                fields: CLOSING_FIELDS,
                file: file!(),
                line: line!(),
                sample_rate: self.sample_rate,
                error_level: Level::ERROR,
                result_level: None,
                include_elapsed: self.include_elapsed,
            })))
        })
    }
}

impl<S, C: Clone> Layer<S> for TraceLayer<C> {
    type Service = Trace<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        Trace {
            inner,
            callsite: self.callsite(),
            classifier: self.classifier.clone(),
        }
    }
}

/// The service [`TraceLayer`] makes.
#[derive(Debug, Clone)]
pub struct Trace<S, C = ErrorIsFailure> {
    inner: S,
    callsite: &'static Callsite,
    classifier: C,
}

impl<S, Req, C> Service<Req> for Trace<S, C>
where
    S: Service<Req>,
    C: Classifier<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = TraceFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let call = if self.callsite.level_enabled() {
            self.callsite
                .start(|metadata| tracing::Span::new(metadata, &metadata.fields().value_set(&[])))
        } else {
            None
        };
        let future = match &call {
            Some(call) => call.in_scope(|| self.inner.call(request)),
            None => self.inner.call(request),
        };
        Observed::new(future, call, self.classifier.clone())
    }
}

/// The response future of [`Trace`]: polled inside the span.
pub type TraceFuture<F, C> = Observed<F, TraceCall, C>;
