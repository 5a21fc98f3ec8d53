//! `InjectLayer` (feature `otel`): a tower HTTP client wrapped in it sends
//! the caller's trace context, so a real server on loopback behind
//! `PropagationLayer` continues the caller's trace, and a call that
//! sampling left out is left out on the server too.
//!
//! The client is `reqwest` behind a tower `Service` (as a user wraps it to
//! stack layers); the server is axum on a loopback port. One global
//! subscriber (this binary's own process) sends both sides' spans to the
//! SDK's in-memory exporter.

#![cfg(all(feature = "otel", feature = "axum"))]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use opentelemetry::trace::SpanKind;
use opguard::otel::{InjectLayer, PropagationLayer};
use opguard::trace_operation;
use tower_layer::Layer as _;
use tower_service::Service;

fn otel() -> &'static support::otel::InMemory {
    support::otel::install("otel_client_layer", None)
}

use support::otel::exported;

/// `reqwest` as a tower service over `http::Request`.
#[derive(Clone)]
struct Reqwest(reqwest::Client);

impl Service<http::Request<String>> for Reqwest {
    type Response = reqwest::Response;
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<String>) -> Self::Future {
        let client = self.0.clone();
        Box::pin(async move {
            let request = reqwest::Request::try_from(request)?;
            client.execute(request).await
        })
    }
}

#[trace_operation]
async fn served() -> &'static str {
    "42"
}

/// The server: axum behind `PropagationLayer`, on a loopback port.
async fn server() -> String {
    let app = axum::Router::new()
        .route(
            "/price",
            axum::routing::get(|headers: http::HeaderMap| async move {
                // The answer, and whether a `baggage` header arrived.
                format!("{} {}", served().await, headers.contains_key("baggage"))
            }),
        )
        .layer(PropagationLayer::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/price")
}

async fn get(url: &str) -> String {
    let mut client = InjectLayer::new().layer(Reqwest(reqwest::Client::new()));
    // Copied from an incoming request: the caller's caller's context, which
    // must not go on.
    let request = http::Request::get(url)
        .header(
            "traceparent",
            "00-000000000000000000000000000000a1-00000000000000a2-01",
        )
        .header("baggage", "tenant=stale")
        .body(String::new())
        .unwrap();
    std::future::poll_fn(|cx| client.poll_ready(cx))
        .await
        .expect("ready");
    let response = client.call(request).await.expect("the server answers");
    assert!(response.status().is_success());
    response.text().await.unwrap()
}

#[trace_operation]
async fn fetch(url: &str) -> String {
    get(url).await
}

#[trace_operation(sample_rate = 0.0)]
async fn fetch_sampled_out(url: &str) -> String {
    get(url).await
}

#[tokio::test]
async fn the_server_continues_the_clients_trace() {
    otel();
    let url = server().await;
    assert_eq!(fetch(&url).await, "42 false", "no stale baggage");

    let [client] = exported("::fetch").try_into().expect("one client span");
    let [request] = exported("GET /price").try_into().expect("one request span");
    let [handler] = exported("::served").try_into().expect("one handler span");
    assert_eq!(request.span_kind, SpanKind::Server);
    assert_eq!(
        request.span_context.trace_id(),
        client.span_context.trace_id(),
        "one trace across the hop"
    );
    assert_eq!(
        request.parent_span_id,
        client.span_context.span_id(),
        "the request span's parent is the calling span"
    );
    assert!(request.parent_span_is_remote, "the parent came over HTTP");
    assert_eq!(handler.parent_span_id, request.span_context.span_id());

    // A call that sampling left out sends "not sampled": the server leaves
    // its part out too.
    let before = exported("GET /price").len();
    assert_eq!(fetch_sampled_out(&url).await, "42 false");
    assert!(exported("::fetch_sampled_out").is_empty());
    assert_eq!(exported("GET /price").len(), before, "no request span");
    assert_eq!(exported("::served").len(), 1, "no handler span");
}
