//! [`InjectLayer`]: each outgoing request carries the caller's trace
//! context.

use std::task::{Context as TaskContext, Poll};

use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::inject;

/// A tower layer for HTTP clients, the other end of
/// [`PropagationLayer`](super::PropagationLayer): each request it passes on
/// carries the current trace context ([`current`](super::current)) in its
/// `traceparent`, `tracestate` and `baggage` headers, written when the
/// request is called (so inside the caller's span; headers of those names
/// already there are removed first, as [`inject`] does). Under a call that
/// sampling left out it sends "not sampled", so the next service leaves its
/// part out too.
///
/// It fits any client that is a tower `Service<http::Request<B>>`:
/// `hyper-util`'s legacy client, a `tower::ServiceBuilder` stack, and
/// `tonic`'s generated clients, which
/// take any such service in `new` (its channel wrapped in the layer), so
/// each gRPC call's metadata carries the context (and a `tonic` server takes
/// [`PropagationLayer`](super::PropagationLayer) in `Server::builder().layer(..)`;
/// the crate's `tests/otel_tonic.rs` runs both ends over loopback):
///
/// ```ignore
/// let channel = tonic::transport::Channel::from_static("http://[::1]:50051").connect().await?;
/// let mut client = GreeterClient::new(InjectLayer::new().layer(channel));
/// ```
///
/// For a client that is not a tower service, [`inject`] into the request's
/// headers (or [`inject_request`](super::inject_request)).
///
/// ```
/// use opguard_runtime::otel::InjectLayer;
/// use tower_layer::Layer as _;
/// use tower_service::Service;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Any tower HTTP service; here a router that answers whether the request
/// // came with a `traceparent`.
/// let service = axum::Router::new().route(
///     "/",
///     axum::routing::get(|headers: http::HeaderMap| async move {
///         headers.contains_key("traceparent").to_string()
///     }),
/// );
/// let mut client = InjectLayer::new().layer(service);
///
/// // A request that still carries the context it came in with, sent
/// // outside any span: there is no context to send, and the stale one is
/// // not passed on.
/// let request = http::Request::builder()
///     .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
///     .body(axum::body::Body::empty())
///     .unwrap();
/// std::future::poll_fn(|cx| Service::<http::Request<axum::body::Body>>::poll_ready(&mut client, cx))
///     .await
///     .unwrap();
/// let response = client.call(request).await.unwrap();
/// let body = axum::body::to_bytes(response.into_body(), 64).await.unwrap();
/// assert_eq!(body, "false");
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct InjectLayer {
    _private: (),
}

impl InjectLayer {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> Layer<S> for InjectLayer {
    type Service = Inject<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Inject { inner }
    }
}

/// The service [`InjectLayer`] wraps around an HTTP client.
#[derive(Debug, Clone)]
pub struct Inject<S> {
    inner: S,
}

impl<S> Inject<S> {
    /// The client it wraps.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The client it wraps, to use without the layer.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for Inject<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        inject(request.headers_mut());
        self.inner.call(request)
    }
}
