//! [`MonitorLayer`]: a timer around a `tower` service.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tower_layer::Layer;
use tower_service::Service;

use super::classify::{Classifier, ErrorIsFailure, ServerErrors};
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
        MonitorFuture {
            guard: Some(self.timer.start_owned()),
            future: self.inner.call(request),
            classifier: self.classifier.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Monitor`].
    pub struct MonitorFuture<F, C> {
        #[pin]
        future: F,
        guard: Option<OwnedCallGuard>,
        classifier: C,
    }
}

impl<F, C> std::fmt::Debug for MonitorFuture<F, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorFuture").finish_non_exhaustive()
    }
}

impl<F, Resp, E, C> Future for MonitorFuture<F, C>
where
    F: Future<Output = Result<Resp, E>>,
    C: Classifier<Resp, E>,
{
    type Output = Result<Resp, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.future.poll(cx));
        if let Some(guard) = this.guard.take() {
            guard.finish(this.classifier.failure(&result).is_some());
        }
        Poll::Ready(result)
    }
}
