//! [`PropagationLayer`]: a server's request span continues the caller's
//! trace.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use http::{Request, Response};
use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt as _;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::extract;

/// A tower layer for HTTP servers (axum, hyper, tonic): each request runs in
/// an `info` span `request` (`otel.kind = "server"`, named `METHOD /path`,
/// with `http.request.method`, `url.path` and, at the end,
/// `http.response.status_code`; a 5xx response has the status ERROR) whose
/// parent is the caller's span from the W3C `traceparent` header (and
/// `tracestate`, `baggage`). Spans inside, `#[trace_operation]`'s among
/// them, are in the caller's trace and follow its sampling decision. When
/// the `info` level is off, the caller's context is attached around the
/// request instead, so it still reaches the spans inside.
///
/// ```
/// use opguard_runtime::otel::PropagationLayer;
///
/// let app: axum::Router = axum::Router::new()
///     .route("/price", axum::routing::get(|| async { "42" }))
///     .layer(PropagationLayer::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PropagationLayer {
    _private: (),
}

impl PropagationLayer {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> Layer<S> for PropagationLayer {
    type Service = Propagation<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Propagation { inner }
    }
}

/// The service [`PropagationLayer`] wraps around an HTTP service.
#[derive(Debug, Clone)]
pub struct Propagation<S> {
    inner: S,
}

impl<S, B, R> Service<Request<B>> for Propagation<S>
where
    S: Service<Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = PropagationFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let parent = extract(request.headers());
        let remote = parent.span().span_context().is_valid();
        let method = request.method().as_str();
        let path = request.uri().path();
        let span = tracing::info_span!(
            target: "opguard::otel",
            "request",
            otel.name = %format_args!("{method} {path}"),
            otel.kind = "server",
            http.request.method = method,
            url.path = path,
            http.response.status_code = Empty,
            otel.status_code = Empty,
        );
        // Without a caller's span the request span is a root, or the
        // child of what is current.
        let attached = if span.is_disabled() {
            remote.then_some(parent)
        } else {
            if remote {
                let _ = span.set_parent(parent);
            }
            None
        };
        let future = {
            let _entered = span.enter();
            let _attached = attached.clone().map(Context::attach);
            self.inner.call(request)
        };
        PropagationFuture {
            future,
            span,
            attached,
        }
    }
}

pin_project! {
    /// The response future of [`Propagation`]: the inner one, polled inside
    /// the request span.
    #[derive(Debug)]
    pub struct PropagationFuture<F> {
        #[pin]
        future: F,
        span: Span,
        // The caller's context, when the span is disabled.
        attached: Option<Context>,
    }
}

impl<F, R, E> Future for PropagationFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let _attached = this.attached.clone().map(Context::attach);
        let output = std::task::ready!(this.future.poll(cx));
        if let Ok(response) = &output {
            let status = response.status();
            this.span
                .record("http.response.status_code", i64::from(status.as_u16()));
            if status.is_server_error() {
                this.span.record("otel.status_code", "ERROR");
            }
        }
        Poll::Ready(output)
    }
}
