//! W3C trace context (feature `otel`): `inject`/`extract` round trips,
//! `#[trace_operation]` under a remote parent follows the parent's sampled
//! flag while `sample_rate` applies to roots only, a call left out
//! propagates "not sampled", and `PropagationLayer` continues the caller's
//! trace in the request span.
//!
//! One global subscriber (this binary's own process) sends every span to
//! the SDK's in-memory exporter; each test names its own operations.

#![cfg(feature = "otel")]

mod support;

use std::future::Ready;
use std::task::{Context as TaskContext, Poll};

use http::{HeaderMap, Request, Response, StatusCode};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opguard::otel::{self, PropagationLayer};
use opguard::trace_operation;
use tower_layer::Layer as _;
use tower_service::Service;
use tracing_subscriber::prelude::*;

fn otel() -> &'static support::otel::InMemory {
    support::otel::install("otel_propagation", None)
}

use support::otel::exported;

fn remote(trace: u128, span: u64, sampled: bool) -> Context {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        flags,
        true,
        TraceState::default(),
    ))
}

fn traceparent(headers: &HeaderMap) -> Option<String> {
    headers
        .get("traceparent")
        .map(|value| value.to_str().unwrap().to_owned())
}

/// What a call sends on: the `traceparent` `inject` writes inside it.
#[trace_operation]
fn sent_under_parent() -> Option<String> {
    let mut headers = HeaderMap::new();
    otel::inject(&mut headers);
    traceparent(&headers)
}

#[trace_operation(sample_rate = 0.0)]
fn sent_by_sampled_out_root() -> Option<String> {
    let mut headers = HeaderMap::new();
    otel::inject(&mut headers);
    traceparent(&headers)
}

#[test]
fn inject_then_extract_round_trips_context_and_baggage() {
    otel();
    let mut headers = HeaderMap::new();
    let cx = remote(0xabc, 0x12, true).with_baggage([KeyValue::new("tenant", "acme")]);
    otel::inject_context(&cx, &mut headers);
    assert_eq!(
        traceparent(&headers).as_deref(),
        Some("00-00000000000000000000000000000abc-0000000000000012-01")
    );
    let back = otel::extract(&headers);
    let span = back.span().span_context().clone();
    assert_eq!(span.trace_id(), TraceId::from(0xabc));
    assert_eq!(span.span_id(), SpanId::from(0x12));
    assert!(span.is_sampled() && span.is_remote());
    assert_eq!(
        back.baggage().get("tenant").map(|v| v.to_string()),
        Some("acme".to_owned())
    );
    // Nothing current, nothing sent.
    let mut empty = HeaderMap::new();
    otel::inject(&mut empty);
    assert!(traceparent(&empty).is_none());
}

#[test]
fn a_call_under_a_sampled_remote_parent_is_its_child() {
    otel();
    let sent = {
        let _parent = remote(0x5a, 0x77, true).attach();
        sent_under_parent()
    };
    let [span] = exported("::sent_under_parent")
        .try_into()
        .expect("one span");
    assert_eq!(span.span_context.trace_id(), TraceId::from(0x5a));
    assert_eq!(span.parent_span_id, SpanId::from(0x77));
    assert!(span.parent_span_is_remote);
    // And it sends its own span on as the parent of the next hop.
    let expected = format!(
        "00-{}-{}-01",
        span.span_context.trace_id(),
        span.span_context.span_id()
    );
    assert_eq!(sent.as_deref(), Some(expected.as_str()));
}

#[test]
fn a_call_under_an_unsampled_remote_parent_is_left_out_and_says_so() {
    otel();
    let sent = {
        let _parent = remote(0x6b, 0x88, false).attach();
        sent_under_parent()
    };
    // `sample_rate` is 1.0, yet the parent's decision wins: no span.
    assert!(
        exported("::sent_under_parent")
            .iter()
            .all(|span| span.span_context.trace_id() != TraceId::from(0x6b)),
        "no span in the unsampled trace"
    );
    assert_eq!(
        sent.as_deref(),
        Some("00-0000000000000000000000000000006b-0000000000000088-00"),
        "the same trace goes on, not sampled"
    );
}

#[test]
fn sample_rate_applies_to_roots_only() {
    otel();
    let sent = sent_by_sampled_out_root().expect("a sampled-out root still sends a traceparent");
    assert!(sent.ends_with("-00"), "not sampled: {sent}");
    assert!(exported("::sent_by_sampled_out_root").is_empty());

    // Under a sampled remote parent the same function is traced.
    {
        let _parent = remote(0x7c, 0x99, true).attach();
        sent_by_sampled_out_root();
    }
    let [span] = exported("::sent_by_sampled_out_root")
        .try_into()
        .expect("one span under the sampled parent");
    assert_eq!(span.span_context.trace_id(), TraceId::from(0x7c));
}

/// A server: answers 500 for `/fail`, else runs `handled`.
#[derive(Clone)]
struct App;

#[trace_operation]
fn handled() -> u32 {
    7
}

impl Service<Request<()>> for App {
    type Response = Response<()>;
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Response<()>, Self::Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        let status = if request.uri().path() == "/fail" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            handled();
            StatusCode::OK
        };
        let mut response = Response::new(());
        *response.status_mut() = status;
        std::future::ready(Ok(response))
    }
}

#[tokio::test]
async fn the_layer_continues_the_callers_trace() {
    otel();
    let mut service = PropagationLayer::new().layer(App);
    let request = Request::builder()
        .uri("/price")
        .header(
            "traceparent",
            "00-000000000000000000000000000000d1-00000000000000e2-01",
        )
        .body(())
        .unwrap();
    let response = service.call(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let [request_span] = exported("GET /price").try_into().expect("one request span");
    assert_eq!(request_span.span_kind, SpanKind::Server);
    assert!(
        request_span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "target" && kv.value.as_str() == "opguard::otel"),
        "the request span's target is opguard::otel"
    );
    assert_eq!(request_span.span_context.trace_id(), TraceId::from(0xd1));
    assert_eq!(request_span.parent_span_id, SpanId::from(0xe2));
    let handled_spans: Vec<_> = exported("::handled")
        .into_iter()
        .filter(|span| span.span_context.trace_id() == TraceId::from(0xd1))
        .collect();
    let [handled] = handled_spans.try_into().expect("one handled span");
    assert_eq!(handled.parent_span_id, request_span.span_context.span_id());

    let failing = Request::builder().uri("/fail").body(()).unwrap();
    let response = service.call(failing).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let [fail_span] = exported("GET /fail").try_into().expect("one request span");
    assert!(matches!(fail_span.status, Status::Error { .. }));
    assert_eq!(
        fail_span.parent_span_id,
        SpanId::INVALID,
        "no caller: a root"
    );
    assert!(
        fail_span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "http.response.status_code"
                && kv.value == opentelemetry::Value::I64(500)),
        "{:?}",
        fail_span.attributes
    );
}

#[tokio::test]
async fn with_the_request_span_filtered_out_the_callers_context_still_reaches_calls() {
    let otel = otel();
    // This thread's subscriber leaves out the layer's `request` span.
    let scoped = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::filter_fn(|meta| {
            meta.target() != "opguard::otel"
        }))
        .with(tracing_opentelemetry::layer().with_tracer(otel.provider.tracer("scoped")));
    let _scoped = tracing::subscriber::set_default(scoped);
    tracing::callsite::rebuild_interest_cache();

    let mut service = PropagationLayer::new().layer(App);
    let request = Request::builder()
        .uri("/filtered")
        .header(
            "traceparent",
            "00-000000000000000000000000000000f1-00000000000000f2-01",
        )
        .body(())
        .unwrap();
    service.call(request).await.unwrap();

    assert!(exported("GET /filtered").is_empty(), "no request span");
    let handled_spans: Vec<_> = exported("::handled")
        .into_iter()
        .filter(|span| span.span_context.trace_id() == TraceId::from(0xf1))
        .collect();
    let [handled] = handled_spans
        .try_into()
        .expect("one handled span in the caller's trace");
    assert_eq!(handled.parent_span_id, SpanId::from(0xf2));
    assert!(handled.parent_span_is_remote);
}
