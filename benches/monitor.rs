//! Cost of `#[opguard::monitor_performance]` on a tiny function, next to the
//! same function bare, timed by hand, and under `#[autometrics::autometrics]`.
//!
//! Groups `monitor/sync`, `monitor/async` and `monitor/sync_2_threads`, each
//! with the functions `plain`, `hand_written`, `opguard` and `autometrics`, so
//! the ratios can be read off one group. Every variant does the same work in
//! an `#[inline(never)]` function, so each pays one real call.
//!
//! * `opguard` uses the default options. No `metrics` recorder is installed:
//!   opguard's own counters and latency histogram (what `opguard::monitor`
//!   reads) are recorded, while the `metrics` facade handles are no-ops.
//! * `autometrics` uses its `prometheus-0_14` backend, which needs no set-up:
//!   it records into `prometheus::default_registry()` through the global
//!   settings. The settings are initialised explicitly here only to get a
//!   handle on that registry, to check that calls are really recorded.
//!
//! Run with `cargo bench -p opguard-benches --bench monitor`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use autometrics::settings::AutometricsSettings;
use criterion::{Criterion, criterion_group, criterion_main};
use opguard_benches::two_threads;

/// The work every variant does.
#[inline(always)]
fn body(x: u64) -> Result<u64, ()> {
    Ok(black_box(x).wrapping_mul(31))
}

// ---- sync variants ----------------------------------------------------------

#[inline(never)]
fn plain(x: u64) -> Result<u64, ()> {
    body(x)
}

/// What a user would write by hand: a call counter and a total-nanos counter.
static HAND_CALLS: AtomicU64 = AtomicU64::new(0);
static HAND_NANOS: AtomicU64 = AtomicU64::new(0);

#[inline(always)]
fn hand_record(start: Instant) {
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    HAND_CALLS.fetch_add(1, Relaxed);
    HAND_NANOS.fetch_add(nanos, Relaxed);
}

#[inline(never)]
fn hand_written(x: u64) -> Result<u64, ()> {
    let start = Instant::now();
    let result = body(x);
    hand_record(start);
    result
}

#[opguard::monitor_performance]
#[inline(never)]
fn with_opguard(x: u64) -> Result<u64, ()> {
    body(x)
}

#[autometrics::autometrics]
#[inline(never)]
fn with_autometrics(x: u64) -> Result<u64, ()> {
    body(x)
}

// ---- async variants ---------------------------------------------------------

#[inline(never)]
async fn plain_async(x: u64) -> Result<u64, ()> {
    body(x)
}

#[inline(never)]
async fn hand_written_async(x: u64) -> Result<u64, ()> {
    let start = Instant::now();
    let result = body(x);
    hand_record(start);
    result
}

#[opguard::monitor_performance]
#[inline(never)]
async fn with_opguard_async(x: u64) -> Result<u64, ()> {
    body(x)
}

#[autometrics::autometrics]
#[inline(never)]
async fn with_autometrics_async(x: u64) -> Result<u64, ()> {
    body(x)
}

// ---- checks -----------------------------------------------------------------

/// Calls of `function` that autometrics has counted in its registry.
fn autometrics_calls(settings: &AutometricsSettings, function: &str) -> u64 {
    let families = settings.prometheus_registry().gather();
    let Some(family) = families
        .iter()
        .find(|family| family.name() == "function_calls_total")
    else {
        return 0;
    };
    family
        .get_metric()
        .iter()
        .filter(|metric| {
            metric
                .get_label()
                .iter()
                .any(|label| label.name() == "function" && label.value() == function)
        })
        // `prometheus` is built without its `protobuf` feature here, so these
        // are its plain-model types.
        .map(|metric| metric.get_counter().get_value() as u64)
        .sum()
}

/// Calls of `function` that opguard has counted.
fn opguard_calls(function: &str) -> u64 {
    opguard::monitor::all()
        .iter()
        .filter(|timer| timer.function == function)
        .map(|timer| timer.calls)
        .sum()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// Calls each instrumented function once and panics unless its
/// instrumentation recorded the call.
fn check_recording(settings: &AutometricsSettings) {
    let rt = runtime();

    let before = HAND_CALLS.load(Relaxed);
    let _ = hand_written(1);
    let _ = rt.block_on(hand_written_async(1));
    assert_eq!(
        HAND_CALLS.load(Relaxed) - before,
        2,
        "hand-written counters"
    );

    let check_opguard = |function: &str, call: &dyn Fn() -> Result<u64, ()>| {
        let before = opguard_calls(function);
        assert_eq!(call(), Ok(31));
        let recorded = opguard_calls(function) - before;
        assert_eq!(recorded, 1, "opguard did not record `{function}`");
    };
    check_opguard("with_opguard", &|| with_opguard(1));
    check_opguard("with_opguard_async", &|| rt.block_on(with_opguard_async(1)));

    let check_autometrics = |function: &str, call: &dyn Fn() -> Result<u64, ()>| {
        let before = autometrics_calls(settings, function);
        assert_eq!(call(), Ok(31));
        let recorded = autometrics_calls(settings, function) - before;
        assert_eq!(
            recorded, 1,
            "autometrics did not record `{function}` in its prometheus registry"
        );
    };
    check_autometrics("with_autometrics", &|| with_autometrics(1));
    check_autometrics("with_autometrics_async", &|| {
        rt.block_on(with_autometrics_async(1))
    });
}

// ---- benchmarks -------------------------------------------------------------

fn bench_sync(c: &mut Criterion) {
    let mut group = c.benchmark_group("monitor/sync");
    group.bench_function("plain", |b| b.iter(|| plain(black_box(7))));
    group.bench_function("hand_written", |b| b.iter(|| hand_written(black_box(7))));
    group.bench_function("opguard", |b| b.iter(|| with_opguard(black_box(7))));
    group.bench_function("autometrics", |b| b.iter(|| with_autometrics(black_box(7))));
    group.finish();
}

fn bench_async(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("monitor/async");
    group.bench_function("plain", |b| {
        b.to_async(&rt).iter(|| plain_async(black_box(7)))
    });
    group.bench_function("hand_written", |b| {
        b.to_async(&rt).iter(|| hand_written_async(black_box(7)))
    });
    group.bench_function("opguard", |b| {
        b.to_async(&rt).iter(|| with_opguard_async(black_box(7)))
    });
    group.bench_function("autometrics", |b| {
        b.to_async(&rt)
            .iter(|| with_autometrics_async(black_box(7)))
    });
    group.finish();
}

fn bench_two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("monitor/sync_2_threads");
    two_threads(&mut group, "plain", plain);
    two_threads(&mut group, "hand_written", hand_written);
    two_threads(&mut group, "opguard", with_opguard);
    two_threads(&mut group, "autometrics", with_autometrics);
    group.finish();
}

fn benches(c: &mut Criterion) {
    // Must come before the first autometrics call: it fixes the global
    // settings (default registry, service name) and hands back the registry.
    let settings = AutometricsSettings::builder().init();
    check_recording(settings);
    bench_sync(c);
    bench_async(c);
    bench_two_threads(c);
    check_recording(settings);
}

criterion_group!(monitor, benches);
criterion_main!(monitor);
