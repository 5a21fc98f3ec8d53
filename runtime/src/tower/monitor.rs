//! [`MonitorLayer`]: a timer around a `tower` service.

use std::sync::Arc;
use std::task::{Context, Poll};

use tower_layer::Layer;
use tower_service::Service;

use super::classify::{Classifier, ErrorIsFailure, ServerErrors};
use super::observed::Observed;
use crate::duration::IntoDuration;
use crate::monitor::{OwnedCallGuard, Timer};

/// Times every call of a `tower` service in the timer of its name, like
/// `#[monitor_performance(name = ..)]`: outcome counts, latency histogram,
/// slow-call events, the `metrics` facade, both exports. A response future
/// dropped before it finishes counts as cancelled; an error (or what the
/// classifier says) as an error.
///
/// ```
/// use opguard_runtime::tower::MonitorLayer;
///
/// let layer = MonitorLayer::new("docs.api").threshold("250ms");
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct MonitorLayer<C = ErrorIsFailure> {
    name: String,
    threshold: Option<std::time::Duration>,
    timer: std::sync::OnceLock<Arc<Timer>>,
    classifier: C,
}

impl MonitorLayer {
    /// The layer of the timer named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            threshold: None,
            timer: std::sync::OnceLock::new(),
            classifier: ErrorIsFailure,
        }
    }
}

impl<C> MonitorLayer<C> {
    /// A call slower than this is slow (logged and counted).
    pub fn threshold(mut self, threshold: impl IntoDuration) -> Self {
        self.threshold = Some(threshold.into_duration());
        self
    }

    /// What counts as an error (default: every `Service::Error`).
    pub fn failure_if<C2>(self, classifier: C2) -> MonitorLayer<C2> {
        MonitorLayer {
            name: self.name,
            threshold: self.threshold,
            timer: self.timer,
            classifier,
        }
    }

    /// For HTTP services: 5xx responses are errors.
    pub fn http(self) -> MonitorLayer<ServerErrors> {
        self.failure_if(ServerErrors)
    }

    /// The timer, built and registered on first use.
    pub fn timer(&self) -> &Arc<Timer> {
        self.timer.get_or_init(|| {
            let builder = Timer::builder(self.name.clone());
            match self.threshold {
                Some(threshold) => builder.threshold(threshold).build(),
                None => builder.build(),
            }
        })
    }
}

impl<S, C: Clone> Layer<S> for MonitorLayer<C> {
    type Service = Monitor<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        Monitor {
            inner,
            timer: Arc::clone(self.timer()),
            classifier: self.classifier.clone(),
        }
    }
}

/// The service [`MonitorLayer`] makes.
#[derive(Debug, Clone)]
pub struct Monitor<S, C = ErrorIsFailure> {
    inner: S,
    timer: Arc<Timer>,
    classifier: C,
}

impl<S, Req, C> Service<Req> for Monitor<S, C>
where
    S: Service<Req>,
    C: Classifier<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = MonitorFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let guard = self.timer.start_owned();
        Observed::new(
            self.inner.call(request),
            Some(guard),
            self.classifier.clone(),
        )
    }
}

/// The response future of [`Monitor`].
pub type MonitorFuture<F, C> = Observed<F, OwnedCallGuard, C>;
