//! `#[trace_operation]` spans exported through `tracing-opentelemetry` to the
//! OpenTelemetry SDK's in-memory span exporter: span names are the operation
//! names, a child's parent span id is its parent's span id across an
//! `.await`, and an `Err` gives the span the status `Error`.
//!
//! One subscriber, installed once as the global subscriber of this test
//! binary, sends every span to one exporter; each test looks at its own
//! spans. The error event an `Err` logs (target `opguard::trace`) is
//! filtered out: `tracing-opentelemetry` sets the status `Error` on a span
//! with an `ERROR`-level event inside it, so without the filter the test
//! could not tell whether the status came from the span's own
//! `otel.status_code` field.

mod support;

use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use opguard::trace_operation;

/// The target of the error event opguard logs for an `Err`.
const ERROR_EVENT_TARGET: &str = "opguard::trace";

fn otel() -> &'static support::otel::InMemory {
    support::otel::install("trace_opentelemetry", Some(ERROR_EVENT_TARGET))
}

use support::otel::exported;

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|KeyValue { key: k, .. }| k.as_str() == key)
        .map(|kv| &kv.value)
}

fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

#[trace_operation]
async fn outer() -> u32 {
    tokio::task::yield_now().await;
    inner().await + 1
}

#[trace_operation(include_elapsed)]
async fn inner() -> u32 {
    tokio::task::yield_now().await;
    1
}

#[tokio::test]
async fn a_child_is_linked_to_its_parent_across_await() {
    otel();
    assert_eq!(outer().await, 2);

    let [outer] = exported("trace_opentelemetry::outer")
        .try_into()
        .expect("one outer span");
    let [inner] = exported("trace_opentelemetry::inner")
        .try_into()
        .expect("one inner span");
    assert!(outer.span_context.is_valid() && inner.span_context.is_valid());
    assert_eq!(outer.parent_span_id, SpanId::INVALID, "outer is a root");
    assert_eq!(
        inner.parent_span_id,
        outer.span_context.span_id(),
        "inner's parent is outer"
    );
    assert_ne!(inner.span_context.span_id(), outer.span_context.span_id());
    assert_eq!(
        inner.span_context.trace_id(),
        outer.span_context.trace_id(),
        "one trace"
    );
    assert!(!inner.parent_span_is_remote);
    for span in [&outer, &inner] {
        assert_eq!(span.status, Status::Unset, "{}", span.name);
    }
    // `inner` has `include_elapsed`; `outer`, which succeeded, records
    // neither field (its duration is the span's start and end times).
    assert_eq!(attribute(&inner, "outcome"), Some(&text("ok")));
    assert!(
        matches!(attribute(&inner, "elapsed_ms"), Some(Value::F64(ms)) if *ms >= 0.0),
        "{inner:?}"
    );
    assert_eq!(attribute(&outer, "outcome"), None);
    assert_eq!(attribute(&outer, "elapsed_ms"), None);
    assert!(
        inner.start_time >= outer.start_time && inner.end_time <= outer.end_time,
        "inner runs within outer"
    );
}

struct Service {
    base: u32,
}

impl Service {
    #[trace_operation(include_args)]
    async fn method(&self, id: u32) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if id == 0 {
            Err("no id 0".into())
        } else {
            Ok(self.base + id)
        }
    }
}

#[tokio::test]
async fn an_err_gives_the_span_the_status_error() {
    otel();
    let service = Service { base: 10 };
    assert_eq!(service.method(1).await, Ok(11));
    assert_eq!(service.method(0).await, Err("no id 0".into()));

    let spans = exported("trace_opentelemetry::Service::method");
    assert_eq!(spans.len(), 2, "{spans:#?}");
    // `tracing-opentelemetry` records a `u64` field with `Debug`: as text.
    let by_id = |id: &str| {
        spans
            .iter()
            .find(|span| attribute(span, "id") == Some(&text(id)))
            .unwrap_or_else(|| panic!("a span with id = {id}: {spans:#?}"))
    };
    let (ok, err) = (by_id("1"), by_id("0"));

    assert_eq!(ok.status, Status::Unset);
    assert_eq!(
        attribute(ok, "outcome"),
        None,
        "a success records no outcome"
    );
    assert_eq!(attribute(ok, "error"), None);

    assert_eq!(
        err.status,
        Status::error("no id 0"),
        "from `otel.status_code = \"ERROR\"` and `otel.status_description`"
    );
    assert_eq!(attribute(err, "outcome"), Some(&text("error")));
    assert_eq!(attribute(err, "error"), Some(&text("no id 0")));
    assert_eq!(
        attribute(err, "otel.status_code"),
        None,
        "mapped to the status, not kept as an attribute"
    );
    assert!(
        err.events.is_empty(),
        "the error event is filtered out, so the status comes from the field: {:?}",
        err.events
    );
    for span in [ok, err] {
        assert_eq!(span.parent_span_id, SpanId::INVALID, "a root");
    }
}
