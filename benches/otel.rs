//! Cost of a recorded `#[opguard::trace_operation]` span with the
//! OpenTelemetry layer installed (`tracing-opentelemetry` over the SDK, the
//! set-up `opguard::otel::init` makes), next to `#[tracing::instrument]`
//! under the same subscriber. The package's `otel` feature turns on
//! opguard's, so `#[trace_operation]` also asks OpenTelemetry's context for
//! a parent's sampling decision on every call, as it does for users of the
//! feature.
//!
//! Groups `otel/recorded/sync` and `otel/recorded/async`, each with
//! `instrument` (`#[tracing::instrument(skip_all)]`), `opguard`
//! (`#[trace_operation]`, which records nothing more when a call succeeds),
//! `instrument_fields` (`#[instrument]` recording `outcome` and `elapsed_ms`
//! by hand) and `opguard_elapsed` (`#[trace_operation(include_elapsed)]`,
//! which records them). Every variant is a root span over the same
//! `#[inline(never)]` work.
//!
//! The subscriber is a `tracing_subscriber::registry()` with the
//! OpenTelemetry layer, set as this thread's default; the provider samples
//! every span and hands ended spans to a batch processor whose exporter
//! discards them, counting them. Before measuring, each variant is called
//! once and must export exactly one span.
//!
//! Run with `cargo bench -p opguard-benches --features otel --bench otel`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing::field::Empty;
use tracing_subscriber::layer::SubscriberExt as _;

#[inline(never)]
fn work(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

#[inline(always)]
fn work_recording_end(x: u64) -> u64 {
    let started = Instant::now();
    let value = work(x);
    let span = tracing::Span::current();
    span.record("outcome", "ok");
    span.record("elapsed_ms", started.elapsed().as_micros() as f64 / 1e3);
    value
}

#[tracing::instrument(skip_all)]
#[inline(never)]
fn with_instrument(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all, fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
fn with_instrument_fields(x: u64) -> u64 {
    work_recording_end(x)
}

#[opguard::trace_operation]
#[inline(never)]
fn with_opguard(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_elapsed)]
#[inline(never)]
fn with_opguard_elapsed(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all)]
#[inline(never)]
async fn with_instrument_async(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all, fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
async fn with_instrument_fields_async(x: u64) -> u64 {
    work_recording_end(x)
}

#[opguard::trace_operation]
#[inline(never)]
async fn with_opguard_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_elapsed)]
#[inline(never)]
async fn with_opguard_elapsed_async(x: u64) -> u64 {
    work(x)
}

/// Discards what it is given, counting the spans.
#[derive(Debug, Default, Clone)]
struct Discard(Arc<AtomicU64>);

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.fetch_add(batch.len() as u64, Relaxed);
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let exported = Discard::default();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exported.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    let _default = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    let check = |name: &str, call: &dyn Fn()| {
        let before = exported.0.load(Relaxed);
        call();
        provider.force_flush().expect("flush");
        let made = exported.0.load(Relaxed) - before;
        assert_eq!(made, 1, "{name} exported {made} spans for one call");
    };
    check("instrument", &|| assert_eq!(with_instrument(1), 31));
    check("instrument_fields", &|| {
        assert_eq!(with_instrument_fields(1), 31)
    });
    check("opguard", &|| assert_eq!(with_opguard(1), 31));
    check("opguard async", &|| {
        assert_eq!(runtime.block_on(with_opguard_async(1)), 31)
    });
    check("opguard_elapsed", &|| {
        assert_eq!(with_opguard_elapsed(1), 31)
    });
    check("opguard_elapsed async", &|| {
        assert_eq!(runtime.block_on(with_opguard_elapsed_async(1)), 31)
    });

    let mut group = c.benchmark_group("otel/recorded/sync");
    group.bench_function("instrument", |b| b.iter(|| with_instrument(black_box(1))));
    group.bench_function("instrument_fields", |b| {
        b.iter(|| with_instrument_fields(black_box(1)))
    });
    group.bench_function("opguard", |b| b.iter(|| with_opguard(black_box(1))));
    group.bench_function("opguard_elapsed", |b| {
        b.iter(|| with_opguard_elapsed(black_box(1)))
    });
    group.finish();

    let mut group = c.benchmark_group("otel/recorded/async");
    group.bench_function("instrument", |b| {
        b.to_async(&runtime)
            .iter(|| with_instrument_async(black_box(1)))
    });
    group.bench_function("instrument_fields", |b| {
        b.to_async(&runtime)
            .iter(|| with_instrument_fields_async(black_box(1)))
    });
    group.bench_function("opguard", |b| {
        b.to_async(&runtime)
            .iter(|| with_opguard_async(black_box(1)))
    });
    group.bench_function("opguard_elapsed", |b| {
        b.to_async(&runtime)
            .iter(|| with_opguard_elapsed_async(black_box(1)))
    });
    group.finish();
    let _ = provider.shutdown();
}

criterion_group!(benches, bench);
criterion_main!(benches);
