//! W3C trace context (`traceparent`, `tracestate`) and W3C baggage over
//! `http::HeaderMap`: [`inject`] on the way out, [`extract`] on the way in.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator as _};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Writes the current trace context ([`current`]) into `headers`:
/// `traceparent`, `tracestate` and `baggage`. Any of those already there is
/// removed first, also when there is nothing to send in its place (no
/// current context, or no baggage): a request copied from an incoming one
/// never carries the caller's context on.
/// Inside a call that sampling left out, the context says "not sampled",
/// so the next service leaves the call out too.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// opguard_runtime::otel::inject(&mut headers);
/// // Outside any span: nothing to propagate.
/// assert!(headers.get("traceparent").is_none());
/// ```
pub fn inject(headers: &mut HeaderMap) {
    inject_context(&current(), headers);
}

/// Writes `cx` into `headers`, as [`inject`] does with the current one.
pub fn inject_context(cx: &Context, headers: &mut HeaderMap) {
    for name in PROPAGATED {
        headers.remove(name);
    }
    let mut carrier = Headers(headers);
    TraceContextPropagator::new().inject_context(cx, &mut carrier);
    BaggagePropagator::new().inject_context(cx, &mut carrier);
}

/// [`inject`] into an outgoing request: any `http::Request`, such as a
/// request built for `hyper`, or one given to a tower `Service`. For
/// `reqwest`, inject into a `HeaderMap` and pass it to `.headers(..)`:
///
/// ```no_run
/// # async fn call(client: reqwest::Client) -> reqwest::Result<()> {
/// let mut headers = http::HeaderMap::new();
/// opguard_runtime::otel::inject(&mut headers);
/// client.get("http://back/price").headers(headers).send().await?;
/// # Ok(()) }
/// ```
pub fn inject_request<B>(request: &mut http::Request<B>) {
    inject(request.headers_mut());
}

/// The trace context (and baggage) `headers` carry, as a remote parent:
/// give it to `tracing_opentelemetry::OpenTelemetrySpanExt::set_parent` on
/// a span, or [`attach`](Context::attach) it; [`PropagationLayer`](super::PropagationLayer)
/// does this for a server. Without (valid) headers, a context with no span.
///
/// For `tonic`: a server is a tower service over `http::Request`, so
/// [`PropagationLayer`](super::PropagationLayer) goes in `Server::builder().layer(..)`;
/// a client interceptor moves the metadata through a `HeaderMap`
/// (`MetadataMap::into_headers`, [`inject`], `MetadataMap::from_headers`):
///
/// ```ignore
/// fn propagate(mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
///     let mut headers = std::mem::take(request.metadata_mut()).into_headers();
///     opguard_runtime::otel::inject(&mut headers);
///     *request.metadata_mut() = tonic::metadata::MetadataMap::from_headers(headers);
///     Ok(request)
/// }
/// ```
///
/// ```
/// use opentelemetry::trace::TraceContextExt as _;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "traceparent",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap(),
/// );
/// let cx = opguard_runtime::otel::extract(&headers);
/// let parent = cx.span().span_context().clone();
/// assert!(parent.is_remote() && parent.is_sampled());
/// assert_eq!(parent.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// ```
pub fn extract(headers: &HeaderMap) -> Context {
    let carrier = Headers(headers);
    let cx = TraceContextPropagator::new().extract(&carrier);
    BaggagePropagator::new().extract_with_context(&cx, &carrier)
}

/// The context [`inject`] sends: the current `tracing` span's (through the
/// OpenTelemetry layer), else OpenTelemetry's current one (such as a remote
/// parent [attached](Context::attach)). Inside a call that
/// `#[trace_operation]`'s sampling left out it is marked not sampled (with
/// a fresh trace id when there is no trace at all), so that the services it
/// calls leave the call out too.
pub fn current() -> Context {
    let span = tracing::Span::current();
    let from_span = if span.is_none() {
        None
    } else {
        Some(span.context()).filter(|cx| cx.span().span_context().is_valid())
    };
    let cx = from_span.unwrap_or_else(Context::current);
    if crate::trace::call::suppressed() {
        unsampled(cx)
    } else {
        cx
    }
}

/// `cx` with its span context marked not sampled; a new one when it has
/// none.
fn unsampled(cx: Context) -> Context {
    let parent = cx.span().span_context().clone();
    let (trace_id, span_id, state) = if parent.is_valid() {
        (
            parent.trace_id(),
            parent.span_id(),
            parent.trace_state().clone(),
        )
    } else {
        (
            TraceId::from(fastrand::u128(1..)),
            SpanId::from(fastrand::u64(1..)),
            TraceState::default(),
        )
    };
    let span = SpanContext::new(trace_id, span_id, TraceFlags::default(), true, state);
    cx.with_remote_span_context(span)
}

/// The sampled flag of OpenTelemetry's current span context (a remote
/// parent attached, or the span the OpenTelemetry layer activated when its
/// `tracing` span was entered), if there is one. Asked by every
/// `#[trace_operation]` call that a subscriber wants: borrows the context,
/// no allocation.
#[inline]
pub(crate) fn current_sampled() -> Option<bool> {
    Context::map_current(|cx| {
        if !cx.has_active_span() {
            return None;
        }
        let span = cx.span();
        let parent = span.span_context();
        parent.is_valid().then(|| parent.is_sampled())
    })
}

/// The headers [`inject`] writes (W3C trace context and baggage).
const PROPAGATED: [&str; 3] = ["traceparent", "tracestate", "baggage"];

/// A `HeaderMap` as OpenTelemetry's carrier.
struct Headers<M>(M);

impl Injector for Headers<&mut HeaderMap> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

impl Extractor for Headers<&HeaderMap> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}
