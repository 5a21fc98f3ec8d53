//! Cost of `#[opguard::trace_operation]` on a tiny function, next to the same
//! function bare and under `#[tracing::instrument]` with the same settings,
//! with no subscriber, with a subscriber that filters the span out and with
//! one that records it; and the cost of a call that sampling leaves out.
//!
//! Groups `trace/<situation>/<flavour>`, each with the functions `plain`,
//! `instrument` and `opguard`, so the ratios can be read off one group. The
//! situations:
//!
//! * `no_subscriber`: no subscriber at all, so the default dispatcher is
//!   `tracing`'s no-op one and the global max level is `OFF`. This situation
//!   is measured first: nothing in this process sets a global subscriber, and
//!   no scoped one has been set before it.
//! * `not_current`: the recording subscriber below is the default of another
//!   thread, which stays alive, and a second one exists there; this thread
//!   has none. So the max level lets `info` through and the callsites'
//!   cached interest is "always" (with a single dispatcher in the process,
//!   `tracing` works out interest from the rebuilding thread's default
//!   alone), but the call's dispatcher is the no-op one: nothing is
//!   recorded. This is the usual state of a test suite, and of a service's
//!   threads outside a scoped subscriber.
//! * `not_current_one`: the same with only the one subscriber on the other
//!   thread, so the cached interest is "never" (see above) and a callsite
//!   gives up at its interest check.
//! * `filtered_out`: a `tracing_subscriber::fmt()` subscriber with max level
//!   `WARN`, writing to `std::io::sink`, so the `info` spans are filtered out.
//! * `recorded`: the same subscriber with max level `INFO`: it records the
//!   spans (span events off, so nothing is written, but the fmt layer formats
//!   the span's fields into the span's extensions when the span is created
//!   and again when fields are recorded later).
//!
//! The subscribers of `filtered_out` and `recorded` also carry a tiny layer
//! that counts the spans created (one relaxed atomic add per span). They are
//! set with `tracing::subscriber::set_default` for the measurement, after
//! which `tracing::callsite::rebuild_interest_cache()` is called so that every
//! callsite's cached interest matches the subscriber measured.
//!
//! The flavours:
//!
//! * `sync`: `#[tracing::instrument(skip_all)]` against `#[trace_operation]`:
//!   an `info` span recording no argument.
//! * `sync_arg`: `#[tracing::instrument]` against
//!   `#[trace_operation(include_args)]`: an `info` span recording the one
//!   `u64` argument `x` (as a number, by both).
//! * `async` and `async_arg`: the same on `async fn`s, run with criterion's
//!   `to_async` on a current-thread tokio runtime.
//!
//! With default options, a `#[trace_operation]` call that succeeds records
//! nothing more when it ends, as `#[tracing::instrument]`. With
//! `include_elapsed` it records `outcome` and `elapsed_ms` on every call: the
//! recorded case's groups have that too, `opguard_elapsed`, next to its
//! like-for-like peer, `instrument_fields`: `#[tracing::instrument]` with
//! `fields(outcome = Empty, elapsed_ms = Empty)` whose body times the work
//! and records both fields by hand, as a user would write it.
//!
//! Groups `trace/sampled_out/sync` and `trace/sampled_out/async`, under the
//! recording subscriber of `recorded`, have the functions `plain`, `opguard`,
//! a root call of `#[trace_operation(sample_rate = 0.01)]` (sampled out 99
//! times in 100), and `recorded`, the same function with
//! `sample_rate = 1.0` (always recorded).
//!
//! Every variant calls the same `#[inline(never)]` function, `work`, and is
//! `#[inline(never)]` itself, so each pays the same two real calls.
//!
//! Before and after each situation is measured, every variant is called once
//! and the spans created are counted: `plain` never makes one, the attributes
//! make one per call under the recording subscriber and none under the
//! filtering one; with no subscriber the check is that no dispatcher exists
//! (none set globally, the current one is `tracing`'s `NoSubscriber`) and the
//! max level is `OFF`, so no callsite can make a span. A sampled call must
//! make a span in between 30 and 300 of 10,000 calls. Any other outcome
//! panics.
//!
//! Run with `cargo bench -p opguard-benches --bench trace`.

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tracing::field::Empty;
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id};
use tracing::subscriber::{DefaultGuard, NoSubscriber};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

/// What every variant returns for the argument `1`.
const ONE: u64 = 31;

// ---- the work ---------------------------------------------------------------

/// A sync variant.
type Variant = fn(u64) -> u64;

/// The work every variant does.
#[inline(never)]
fn work(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

// ---- sync variants ----------------------------------------------------------

#[inline(never)]
fn plain(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all)]
#[inline(never)]
fn with_instrument(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation]
#[inline(never)]
fn with_opguard(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument]
#[inline(never)]
fn with_instrument_arg(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_args)]
#[inline(never)]
fn with_opguard_arg(x: u64) -> u64 {
    work(x)
}

/// `work`, then what a span records when a call ends, by hand: `outcome`
/// and `elapsed_ms`, as `#[trace_operation]` records them.
#[inline(always)]
fn work_recording_end(x: u64) -> u64 {
    let started = Instant::now();
    let value = work(x);
    let span = tracing::Span::current();
    span.record("outcome", "ok");
    span.record("elapsed_ms", started.elapsed().as_micros() as f64 / 1e3);
    value
}

#[tracing::instrument(skip_all, fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
fn with_instrument_fields(x: u64) -> u64 {
    work_recording_end(x)
}

#[tracing::instrument(fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
fn with_instrument_fields_arg(x: u64) -> u64 {
    work_recording_end(x)
}

#[opguard::trace_operation(include_elapsed)]
#[inline(never)]
fn with_opguard_elapsed(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_args, include_elapsed)]
#[inline(never)]
fn with_opguard_elapsed_arg(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(sample_rate = 0.01)]
#[inline(never)]
fn sampled(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(sample_rate = 1.0)]
#[inline(never)]
fn always_sampled(x: u64) -> u64 {
    work(x)
}

// ---- async variants ---------------------------------------------------------

#[inline(never)]
async fn plain_async(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all)]
#[inline(never)]
async fn with_instrument_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation]
#[inline(never)]
async fn with_opguard_async(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument]
#[inline(never)]
async fn with_instrument_arg_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_args)]
#[inline(never)]
async fn with_opguard_arg_async(x: u64) -> u64 {
    work(x)
}

#[tracing::instrument(skip_all, fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
async fn with_instrument_fields_async(x: u64) -> u64 {
    work_recording_end(x)
}

#[tracing::instrument(fields(outcome = Empty, elapsed_ms = Empty))]
#[inline(never)]
async fn with_instrument_fields_arg_async(x: u64) -> u64 {
    work_recording_end(x)
}

#[opguard::trace_operation(include_elapsed)]
#[inline(never)]
async fn with_opguard_elapsed_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(include_args, include_elapsed)]
#[inline(never)]
async fn with_opguard_elapsed_arg_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(sample_rate = 0.01)]
#[inline(never)]
async fn sampled_async(x: u64) -> u64 {
    work(x)
}

#[opguard::trace_operation(sample_rate = 1.0)]
#[inline(never)]
async fn always_sampled_async(x: u64) -> u64 {
    work(x)
}

// ---- subscribers ------------------------------------------------------------

/// Spans created under a subscriber that has a [`SpanCounter`].
static SPANS: AtomicU64 = AtomicU64::new(0);

/// Counts the spans created in [`SPANS`].
struct SpanCounter;

impl<S: Subscriber> Layer<S> for SpanCounter {
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        SPANS.fetch_add(1, Relaxed);
    }
}

/// A fmt subscriber with max level `level` that writes to a sink (span
/// events off, the default), with a [`SpanCounter`].
fn subscriber(level: Level) -> impl Subscriber + Send + Sync + 'static {
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(std::io::sink)
        .finish()
        .with(SpanCounter)
}

/// What the spans of a benchmark are seen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    NoSubscriber,
    NotCurrent,
    NotCurrentOne,
    FilteredOut,
    Recorded,
}

/// A situation's subscriber, set while this lives: this thread's default,
/// or another thread's (kept alive until this is dropped).
struct Installed {
    _here: Option<DefaultGuard>,
    elsewhere: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.elsewhere.take() {
            let _ = stop.send(());
            thread.join().expect("the subscriber's thread");
        }
        tracing::callsite::rebuild_interest_cache();
    }
}

impl Situation {
    fn name(self) -> &'static str {
        match self {
            Situation::NoSubscriber => "no_subscriber",
            Situation::NotCurrent => "not_current",
            Situation::NotCurrentOne => "not_current_one",
            Situation::FilteredOut => "filtered_out",
            Situation::Recorded => "recorded",
        }
    }

    /// Sets this situation's subscriber as the thread's default (none for
    /// `NoSubscriber`) and rebuilds the callsites' cached interest.
    fn install(self) -> Installed {
        let mut installed = Installed {
            _here: None,
            elsewhere: None,
        };
        match self {
            Situation::NoSubscriber => return installed,
            Situation::NotCurrent | Situation::NotCurrentOne => {
                let (stop, stopped) = std::sync::mpsc::channel::<()>();
                let (ready, is_ready) = std::sync::mpsc::channel::<()>();
                let second = self == Situation::NotCurrent;
                let thread = std::thread::spawn(move || {
                    // Two dispatchers, as in a test suite where each test
                    // sets its own: with one, `tracing` rebuilds interest
                    // from the rebuilding thread's default alone, and this
                    // thread's `NoSubscriber` makes it "never".
                    let _second = second.then(|| tracing::Dispatch::new(subscriber(Level::INFO)));
                    let _guard = tracing::subscriber::set_default(subscriber(Level::INFO));
                    ready.send(()).expect("the bench thread");
                    let _ = stopped.recv();
                });
                is_ready.recv().expect("the subscriber's thread started");
                installed.elsewhere = Some((stop, thread));
            }
            Situation::FilteredOut => {
                installed._here = Some(tracing::subscriber::set_default(subscriber(Level::WARN)))
            }
            Situation::Recorded => {
                installed._here = Some(tracing::subscriber::set_default(subscriber(Level::INFO)))
            }
        }
        tracing::callsite::rebuild_interest_cache();
        installed
    }

    /// Spans an instrumented call makes.
    fn spans_per_call(self) -> u64 {
        match self {
            Situation::NoSubscriber
            | Situation::NotCurrent
            | Situation::NotCurrentOne
            | Situation::FilteredOut => 0,
            Situation::Recorded => 1,
        }
    }
}

// ---- checks -----------------------------------------------------------------

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// Spans `call` makes, after checking what it returns.
fn spans_made(call: impl FnOnce() -> u64) -> u64 {
    let before = SPANS.load(Relaxed);
    assert_eq!(call(), ONE, "wrong result");
    SPANS.load(Relaxed) - before
}

/// Panics unless `call` makes `expected` spans.
fn expect_spans(situation: Situation, name: &str, expected: u64, call: impl FnOnce() -> u64) {
    let made = spans_made(call);
    assert_eq!(
        made,
        expected,
        "`{name}` made {made} spans in `{}`, expected {expected}",
        situation.name()
    );
}

/// Panics unless every variant makes the spans it should in `situation`,
/// whose subscriber is installed.
fn check(situation: Situation, rt: &Runtime) {
    if situation == Situation::NoSubscriber {
        assert!(
            !tracing::dispatcher::has_been_set(),
            "a global subscriber is set"
        );
        assert!(
            tracing::dispatcher::get_default(|dispatch| dispatch.is::<NoSubscriber>()),
            "the current dispatcher is not the no-op one"
        );
        assert_eq!(
            LevelFilter::current(),
            LevelFilter::OFF,
            "the max level is not OFF with no subscriber"
        );
    }
    if matches!(situation, Situation::NotCurrent | Situation::NotCurrentOne) {
        assert!(
            tracing::dispatcher::get_default(|dispatch| dispatch.is::<NoSubscriber>()),
            "this thread must have no subscriber"
        );
        assert!(
            Level::INFO <= LevelFilter::current(),
            "the other thread's subscriber must let `info` through"
        );
    }
    let traced = situation.spans_per_call();
    expect_spans(situation, "plain", 0, || plain(1));
    expect_spans(situation, "plain_async", 0, || rt.block_on(plain_async(1)));
    let sync: [(&str, Variant); 8] = [
        ("with_instrument", with_instrument),
        ("with_opguard", with_opguard),
        ("with_instrument_arg", with_instrument_arg),
        ("with_opguard_arg", with_opguard_arg),
        ("with_instrument_fields", with_instrument_fields),
        ("with_instrument_fields_arg", with_instrument_fields_arg),
        ("with_opguard_elapsed", with_opguard_elapsed),
        ("with_opguard_elapsed_arg", with_opguard_elapsed_arg),
    ];
    for (name, f) in sync {
        expect_spans(situation, name, traced, || f(1));
    }
    // Each `async fn` is its own future type: one line each.
    macro_rules! expect_async {
        ($($f:ident),* $(,)?) => {$(
            expect_spans(situation, stringify!($f), traced, || rt.block_on($f(1)));
        )*};
    }
    expect_async!(
        with_instrument_async,
        with_opguard_async,
        with_instrument_arg_async,
        with_opguard_arg_async,
        with_instrument_fields_async,
        with_instrument_fields_arg_async,
        with_opguard_elapsed_async,
        with_opguard_elapsed_arg_async,
    );
}

/// Panics unless, under the recording subscriber, the `sample_rate = 1.0`
/// functions make a span per call and the `sample_rate = 0.01` ones make
/// one in between 30 and 300 of 10,000 root calls.
fn check_sampling(rt: &Runtime) {
    let situation = Situation::Recorded;
    expect_spans(situation, "always_sampled", 1, || always_sampled(1));
    expect_spans(situation, "always_sampled_async", 1, || {
        rt.block_on(always_sampled_async(1))
    });
    assert!(
        tracing::Span::current().is_none(),
        "the sampled calls must be root calls"
    );
    let calls = 10_000;
    let sync = spans_made(|| {
        let mut last = 0;
        for _ in 0..calls {
            last = sampled(1);
        }
        last
    });
    let asynchronous = spans_made(|| {
        rt.block_on(async {
            let mut last = 0;
            for _ in 0..calls {
                last = sampled_async(1).await;
            }
            last
        })
    });
    for (name, made) in [("sampled", sync), ("sampled_async", asynchronous)] {
        assert!(
            (30..=300).contains(&made),
            "`{name}` (sample_rate = 0.01) made {made} spans in {calls} calls"
        );
    }
}

// ---- benchmarks -------------------------------------------------------------

fn bench_sync(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: fn(u64) -> u64) {
    group.bench_function(name, |b| b.iter(|| f(black_box(7))));
}

fn bench_async<F: Future<Output = u64>>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &Runtime,
    name: &str,
    f: impl Fn(u64) -> F,
) {
    group.bench_function(name, |b| b.to_async(rt).iter(|| f(black_box(7))));
}

/// The four groups of `situation`, checked before and after.
fn bench_situation(c: &mut Criterion, rt: &Runtime, situation: Situation) {
    let _guard = situation.install();
    check(situation, rt);
    let prefix = format!("trace/{}", situation.name());

    let mut group = c.benchmark_group(format!("{prefix}/sync"));
    bench_sync(&mut group, "plain", plain);
    bench_sync(&mut group, "instrument", with_instrument);
    bench_sync(&mut group, "opguard", with_opguard);
    if situation == Situation::Recorded {
        bench_sync(&mut group, "instrument_fields", with_instrument_fields);
        bench_sync(&mut group, "opguard_elapsed", with_opguard_elapsed);
    }
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/sync_arg"));
    bench_sync(&mut group, "plain", plain);
    bench_sync(&mut group, "instrument", with_instrument_arg);
    bench_sync(&mut group, "opguard", with_opguard_arg);
    if situation == Situation::Recorded {
        bench_sync(&mut group, "instrument_fields", with_instrument_fields_arg);
        bench_sync(&mut group, "opguard_elapsed", with_opguard_elapsed_arg);
    }
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/async"));
    bench_async(&mut group, rt, "plain", plain_async);
    bench_async(&mut group, rt, "instrument", with_instrument_async);
    bench_async(&mut group, rt, "opguard", with_opguard_async);
    if situation == Situation::Recorded {
        bench_async(
            &mut group,
            rt,
            "instrument_fields",
            with_instrument_fields_async,
        );
        bench_async(
            &mut group,
            rt,
            "opguard_elapsed",
            with_opguard_elapsed_async,
        );
    }
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/async_arg"));
    bench_async(&mut group, rt, "plain", plain_async);
    bench_async(&mut group, rt, "instrument", with_instrument_arg_async);
    bench_async(&mut group, rt, "opguard", with_opguard_arg_async);
    if situation == Situation::Recorded {
        bench_async(
            &mut group,
            rt,
            "instrument_fields",
            with_instrument_fields_arg_async,
        );
        bench_async(
            &mut group,
            rt,
            "opguard_elapsed",
            with_opguard_elapsed_arg_async,
        );
    }
    group.finish();

    check(situation, rt);
}

/// The sampled-out call next to the recorded one, under the recording
/// subscriber, checked before and after.
fn bench_sampled_out(c: &mut Criterion, rt: &Runtime) {
    let _guard = Situation::Recorded.install();
    check_sampling(rt);

    let mut group = c.benchmark_group("trace/sampled_out/sync");
    bench_sync(&mut group, "plain", plain);
    bench_sync(&mut group, "opguard", sampled);
    bench_sync(&mut group, "recorded", always_sampled);
    group.finish();

    let mut group = c.benchmark_group("trace/sampled_out/async");
    bench_async(&mut group, rt, "plain", plain_async);
    bench_async(&mut group, rt, "opguard", sampled_async);
    bench_async(&mut group, rt, "recorded", always_sampled_async);
    group.finish();

    check_sampling(rt);
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    // First: no scoped subscriber may have been set before this one.
    bench_situation(c, &rt, Situation::NoSubscriber);
    bench_situation(c, &rt, Situation::NotCurrent);
    bench_situation(c, &rt, Situation::NotCurrentOne);
    bench_situation(c, &rt, Situation::FilteredOut);
    bench_situation(c, &rt, Situation::Recorded);
    bench_sampled_out(c, &rt);
}

criterion_group!(trace, benches);
criterion_main!(trace);
