//! An OpenTelemetry pipeline in memory: this binary's
//! global subscriber sends every span to the SDK's in-memory exporter,
//! which the tests read back.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

pub(crate) struct InMemory {
    pub(crate) provider: SdkTracerProvider,
    exporter: InMemorySpanExporter,
}

static IN_MEMORY: OnceLock<InMemory> = OnceLock::new();

/// Installs the pipeline once for this binary (later calls return the same
/// one): the global subscriber, with the events and spans of `skip_target`
/// filtered out when one is given.
pub(crate) fn install(
    tracer: &'static str,
    skip_target: Option<&'static str>,
) -> &'static InMemory {
    IN_MEMORY.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        tracing_subscriber::registry()
            .with(filter_fn(move |meta| Some(meta.target()) != skip_target))
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer(tracer)))
            .init();
        InMemory { provider, exporter }
    })
}

/// The spans exported so far whose name ends with `name`, after a flush.
pub(crate) fn exported(name: &str) -> Vec<SpanData> {
    let otel = IN_MEMORY.get().expect("support::otel::install first");
    otel.provider.force_flush().expect("flush");
    otel.exporter
        .get_finished_spans()
        .expect("finished spans")
        .into_iter()
        .filter(|span| span.name.ends_with(name))
        .collect()
}
