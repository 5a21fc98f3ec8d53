//! Cost of a call to a function with all four opguard attributes stacked,
//! next to the same function under each attribute alone, to a hand-written
//! equivalent, and bare.
//!
//! Groups `stack/hit` and `stack/miss`, each with the functions:
//!
//! * `plain`: the bare function;
//! * `trace_operation`, `monitor_performance`, `cacheable`,
//!   `circuit_breaker`: that attribute alone, each with an explicit `name`
//!   (`"stack.<attribute>"`) and otherwise default options (`cacheable` with
//!   `ttl = "300s"`, its default, written out, and a capacity of 2^26, so
//!   that nothing is evicted);
//! * `opguard`: all four stacked in the recommended order, `trace_operation`,
//!   `monitor_performance`, `cacheable`, `circuit_breaker` (fused by the
//!   outermost attribute), each with `name = "stack.opguard"` and the same
//!   options as alone. It is named `opguard` so that `benches/ratios.py`
//!   prints the groups;
//! * `hand_written`: what a user would write for the same effect without
//!   opguard: a `tracing::info_span!` entered around the rest, two
//!   `Instant::now()` readings (start and elapsed) with two relaxed atomic adds
//!   (a call count and a nanosecond total), a lookup in a `moka::sync::Cache`
//!   (in a `LazyLock` static, same time to live and capacity) and, on a miss,
//!   the body, a relaxed atomic add counting it (standing in for the breaker's
//!   success count) and `cache.insert` of an `Ok` value. It has no breaker
//!   state to check and does not coalesce concurrent misses.
//!
//! Every function is `u64 -> Result<u64, BenchError>` (`BenchError:
//! From<opguard::GuardError>`, as `#[circuit_breaker]` needs), is
//! `#[inline(never)]` and calls the same `#[inline(never)]` function, `work`
//! (`Ok(black_box(x).wrapping_mul(31))`), so each pays the same two real
//! calls — except where a cache answers, which skips `work`.
//!
//! No `tracing` subscriber is installed while measuring (nothing in this
//! process sets one, and this is checked), so the global max level is `OFF`:
//! the span of `#[trace_operation]` and the `info_span!` of `hand_written` are
//! both disabled callsites, which cost a level check. This is the cost of
//! tracing in a program that does not collect traces, not of recording spans
//! (`benches/trace.rs` measures that).
//!
//! The groups:
//!
//! * `stack/hit`: every call passes the key 7, which the caches hold, so the
//!   cache answers. In `opguard` the cache is above the breaker, so a hit does
//!   not reach the breaker nor run `work`: the stack pays the span check, the
//!   timer and the cache lookup. `cacheable` and `hand_written` do not run
//!   `work` either.
//! * `stack/miss`: every call passes a key its cache does not hold, so every
//!   layer runs: the span check, the timer, a cache miss, the breaker, `work`,
//!   and the insertion of its value. The variants without a cache do the same
//!   as in `stack/hit`, with another key. The calls are timed in chunks of
//!   4096 (`CHUNK`) on the keys 2^32 .. 2^32 + 4095; between two chunks,
//!   untimed, each cache is checked to hold every value of the chunk and is
//!   emptied of them (`invalidate` per key, then moka's pending tasks). So
//!   every miss inserts into a cache holding at most the chunk's earlier keys
//!   and the few keys of the checks, whatever the variant's speed. (An earlier
//!   version gave every call a new key and let the caches grow to about two
//!   million entries: a miss then measured inserts into a table growing through
//!   the run, and `cacheable` alone moved by ±5% between runs.) The same caches
//!   serve `stack/hit`, which is measured first, while they hold a few entries.
//!
//! **Sum of the parts.** A variant's overhead is its median minus the
//! `plain` median of the same group. Stacking should cost no more than
//! applying each attribute on its own: the overhead of `opguard` should be at
//! most the sum of the overheads of `trace_operation`, `monitor_performance`,
//! `cacheable` and `circuit_breaker` in the same group. In `stack/miss` every
//! layer of the stack runs, so the comparison is like for like. In
//! `stack/hit` the sum is generous: it includes the breaker's overhead, which
//! a stacked hit does not pay, and `cacheable`'s overhead there is a lookup
//! minus the `work` call it skips. The overhead of `hand_written` is the
//! reference for what the stack costs over wiring the same pieces by hand
//! (opguard does more: a latency histogram and outcome counts, hit and miss
//! statistics, a breaker state check, coalesced misses).
//!
//! Before measuring, each variant is called and checked, any other outcome
//! panicking:
//!
//! * there is no subscriber: none set globally, the current dispatcher is
//!   `tracing`'s `NoSubscriber` and the max level is `OFF`;
//! * every variant returns `Ok(31 * key)`;
//! * `monitor_performance` adds a call to its timer
//!   (`opguard::monitor::get(name)`), `circuit_breaker` a call and a success to
//!   its breaker (`opguard::breaker::get(name)`);
//! * `cacheable` on key 7 adds a hit and no load to its statistics
//!   (`opguard::cache::get(name)`); on a new key, a miss and a load, and then a
//!   hit on the same key;
//! * `opguard` on key 7 adds a hit and no load to its cache, a call to its
//!   timer and nothing to its breaker; on a new key, a miss and a load to its
//!   cache, a call to its timer and a call and a success to its breaker;
//! * `hand_written` on key 7 counts a call and does not run the body; on a new
//!   key it counts a call, runs the body once and caches the value.
//!
//! After measuring, the checks run again, and in `stack/miss` every call must
//! have been a miss, a load and a breaker call (`opguard`), a load
//! (`cacheable`, `hand_written`), a timer call (`opguard`,
//! `monitor_performance`) and a breaker call (`circuit_breaker`), and the
//! caches must hold what they held before, with nothing evicted. Last, under a
//! scoped subscriber that records span names, each variant is called once:
//! `opguard`, `trace_operation` and `hand_written` must make exactly one span
//! each (`stack.opguard`, `stack.trace_operation`, `stack.hand_written`) and
//! the others none. This runs after measuring because registering a subscriber,
//! even a scoped one, changes the cached interest of the callsites and the
//! global max level.
//!
//! Run with `cargo bench -p opguard-benches --bench stack`.

use std::fmt;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use opguard::GuardError;
use opguard::breaker::{self, BreakerSnapshot, BreakerState};
use opguard::cache::{CacheHandle, CacheStats};
use opguard::{cacheable, circuit_breaker, monitor_performance, trace_operation};
use opguard_benches::misses;
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::NoSubscriber;
use tracing::{Event, Metadata, Subscriber};

/// The key of `stack/hit`, cached in every cache before measuring.
const KEY: u64 = 7;
/// The first key of `stack/miss`, away from the keys of the checks.
const FIRST_MISS_KEY: u64 = 1 << 32;
/// The calls of `stack/miss` timed in one go, on the keys from
/// [`FIRST_MISS_KEY`]; the caches are emptied of them between two chunks.
const CHUNK: u64 = 4096;
/// The new keys of the checks before and after measuring.
const CHECK_KEY_BEFORE: u64 = 1_000;
const CHECK_KEY_AFTER: u64 = 1_001;
/// The capacity of every cache: more keys than a run inserts (the same
/// number is written in the `cacheable` attributes).
const CAPACITY: u64 = 1 << 26;
/// The time to live of every cache (opguard's default, written out).
const TTL: Duration = Duration::from_secs(300);

/// The error type of the benchmarked functions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BenchError {
    /// opguard rejected the call (never, here).
    Guard(GuardError),
}

impl From<GuardError> for BenchError {
    fn from(error: GuardError) -> Self {
        BenchError::Guard(error)
    }
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Guard(error) => write!(f, "{error}"),
        }
    }
}

type Value = Result<u64, BenchError>;

// ---- the variants -----------------------------------------------------------

/// The work every variant does.
#[inline(never)]
fn work(x: u64) -> Value {
    Ok(black_box(x).wrapping_mul(31))
}

#[inline(never)]
fn plain(x: u64) -> Value {
    work(x)
}

#[trace_operation(name = "stack.trace_operation")]
#[inline(never)]
fn with_trace(x: u64) -> Value {
    work(x)
}

#[monitor_performance(name = "stack.monitor_performance")]
#[inline(never)]
fn with_monitor(x: u64) -> Value {
    work(x)
}

#[cacheable(name = "stack.cacheable", ttl = "300s", max_capacity = 67_108_864)]
#[inline(never)]
fn with_cache(x: u64) -> Value {
    work(x)
}

#[circuit_breaker(name = "stack.circuit_breaker")]
#[inline(never)]
fn with_breaker(x: u64) -> Value {
    work(x)
}

#[trace_operation(name = "stack.opguard")]
#[monitor_performance(name = "stack.opguard")]
#[cacheable(name = "stack.opguard", ttl = "300s", max_capacity = 67_108_864)]
#[circuit_breaker(name = "stack.opguard")]
#[inline(never)]
fn stacked(x: u64) -> Value {
    work(x)
}

/// The hand-written cache.
static HAND_CACHE: LazyLock<moka::sync::Cache<u64, u64>> = LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(CAPACITY)
        .time_to_live(TTL)
        .build()
});
/// The hand-written timer: calls and their total time.
static HAND_CALLS: AtomicU64 = AtomicU64::new(0);
static HAND_NANOS: AtomicU64 = AtomicU64::new(0);
/// Runs of the body of `hand_written` (where a breaker would count a success).
static HAND_LOADS: AtomicU64 = AtomicU64::new(0);

#[inline(never)]
fn hand_written(x: u64) -> Value {
    let span = tracing::info_span!("stack.hand_written");
    let _entered = span.enter();
    let start = Instant::now();
    let result = match HAND_CACHE.get(&x) {
        Some(value) => Ok(value),
        None => {
            let result = work(x);
            HAND_LOADS.fetch_add(1, Relaxed);
            if let Ok(value) = &result {
                HAND_CACHE.insert(x, *value);
            }
            result
        }
    };
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    HAND_CALLS.fetch_add(1, Relaxed);
    HAND_NANOS.fetch_add(nanos, Relaxed);
    result
}

/// A variant: its name in the groups, and the function.
type Variant = (&'static str, fn(u64) -> Value);

/// Every variant, in the order measured.
const VARIANTS: [Variant; 7] = [
    ("plain", plain),
    ("trace_operation", with_trace),
    ("monitor_performance", with_monitor),
    ("cacheable", with_cache),
    ("circuit_breaker", with_breaker),
    ("opguard", stacked),
    ("hand_written", hand_written),
];

// ---- what the layers counted ------------------------------------------------

fn cache_handle(name: &str) -> CacheHandle {
    opguard::cache::get(name).unwrap_or_else(|| panic!("opguard cache `{name}` is registered"))
}

fn cache_stats(name: &str) -> CacheStats {
    cache_handle(name).stats()
}

fn timer_calls(name: &str) -> u64 {
    opguard::monitor::get(name)
        .unwrap_or_else(|| panic!("opguard timer `{name}` is registered"))
        .snapshot()
        .calls
}

fn breaker_snapshot(name: &str) -> BreakerSnapshot {
    let breaker =
        breaker::get(name).unwrap_or_else(|| panic!("opguard breaker `{name}` is registered"));
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "breaker `{name}` state"
    );
    breaker.snapshot()
}

/// What every counted layer has counted, read at one moment.
#[derive(Debug, Clone)]
struct Counts {
    monitor_calls: u64,
    breaker: BreakerSnapshot,
    cache: CacheStats,
    stack_calls: u64,
    stack_breaker: BreakerSnapshot,
    stack_cache: CacheStats,
    hand_calls: u64,
    hand_loads: u64,
}

impl Counts {
    fn read() -> Self {
        Self {
            monitor_calls: timer_calls("stack.monitor_performance"),
            breaker: breaker_snapshot("stack.circuit_breaker"),
            cache: cache_stats("stack.cacheable"),
            stack_calls: timer_calls("stack.opguard"),
            stack_breaker: breaker_snapshot("stack.opguard"),
            stack_cache: cache_stats("stack.opguard"),
            hand_calls: HAND_CALLS.load(Relaxed),
            hand_loads: HAND_LOADS.load(Relaxed),
        }
    }
}

/// What every counted layer counted between two [`Counts`]: cache hits,
/// misses and loads; breaker calls and successes; `hand_written` calls and
/// body runs.
#[derive(Debug, PartialEq, Eq)]
struct Deltas {
    monitor_calls: u64,
    breaker: (u64, u64),
    cache: (u64, u64, u64),
    stack_calls: u64,
    stack_cache: (u64, u64, u64),
    stack_breaker: (u64, u64),
    hand: (u64, u64),
}

impl Counts {
    /// What was counted since `before`.
    fn since(&self, before: &Counts) -> Deltas {
        let cache = |before: &CacheStats, after: &CacheStats| {
            (
                after.hits - before.hits,
                after.misses - before.misses,
                after.loads - before.loads,
            )
        };
        let breaker = |before: &BreakerSnapshot, after: &BreakerSnapshot| {
            (
                after.calls - before.calls,
                after.successes - before.successes,
            )
        };
        Deltas {
            monitor_calls: self.monitor_calls - before.monitor_calls,
            breaker: breaker(&before.breaker, &self.breaker),
            cache: cache(&before.cache, &self.cache),
            stack_calls: self.stack_calls - before.stack_calls,
            stack_cache: cache(&before.stack_cache, &self.stack_cache),
            stack_breaker: breaker(&before.stack_breaker, &self.stack_breaker),
            hand: (
                self.hand_calls - before.hand_calls,
                self.hand_loads - before.hand_loads,
            ),
        }
    }
}

// ---- checks -----------------------------------------------------------------

/// Panics unless no subscriber exists, so every span is a disabled callsite.
fn check_no_subscriber() {
    assert!(
        !tracing::dispatcher::has_been_set(),
        "a global tracing subscriber is set"
    );
    assert!(
        tracing::dispatcher::get_default(|dispatch| dispatch.is::<NoSubscriber>()),
        "the current tracing dispatcher is not `NoSubscriber`"
    );
    assert_eq!(
        LevelFilter::current(),
        LevelFilter::OFF,
        "tracing's max level"
    );
}

/// Panics unless every variant answers `key` as it should, with the layers
/// counting what they should; `hit` says whether `key` is cached.
fn check_call(key: u64, hit: bool) {
    let before = Counts::read();
    for (name, f) in VARIANTS {
        assert_eq!(
            f(key),
            Ok(key.wrapping_mul(31)),
            "`{name}` value, key {key}"
        );
    }
    let (hits, misses) = (u64::from(hit), u64::from(!hit));
    // Only a miss reaches the stack's breaker; `hand_written` runs its body
    // only on a miss.
    assert_eq!(
        Counts::read().since(&before),
        Deltas {
            monitor_calls: 1,
            breaker: (1, 1),
            cache: (hits, misses, misses),
            stack_calls: 1,
            stack_cache: (hits, misses, misses),
            stack_breaker: (misses, misses),
            hand: (1, misses),
        },
        "key {key}: what each layer counted"
    );
}

/// Panics unless every variant works: hits on [`KEY`], and a miss then a hit
/// on the new key `new_key`.
fn check(new_key: u64) {
    check_call(KEY, true);
    check_call(new_key, false);
    check_call(new_key, true);
}

/// A subscriber that is interested in everything and keeps the names of the
/// spans made.
struct SpanNames(Arc<Mutex<Vec<&'static str>>>);

impl Subscriber for SpanNames {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut names = self.0.lock().expect("span names");
        names.push(span.metadata().name());
        Id::from_u64(names.len() as u64)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Panics unless, with a subscriber interested, `opguard`, `trace_operation`
/// and `hand_written` each make their one span and the others none. Only
/// after measuring: this registers a (scoped) subscriber.
fn check_spans() {
    let names = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::with_default(SpanNames(Arc::clone(&names)), || {
        for (name, f) in VARIANTS {
            let expected: &[&str] = match name {
                "trace_operation" => &["stack.trace_operation"],
                "opguard" => &["stack.opguard"],
                "hand_written" => &["stack.hand_written"],
                _ => &[],
            };
            names.lock().expect("span names").clear();
            assert_eq!(f(KEY), Ok(KEY * 31), "`{name}` value under a subscriber");
            assert_eq!(
                names.lock().expect("span names").as_slice(),
                expected,
                "`{name}`: spans made under a subscriber"
            );
        }
    });
}

// ---- benchmarks -------------------------------------------------------------

fn hit(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: impl Fn(u64) -> Value) {
    group.bench_function(name, |b| b.iter(|| f(black_box(KEY))));
}

fn bench_hit(c: &mut Criterion) {
    let mut group = c.benchmark_group("stack/hit");
    // Named functions rather than the `VARIANTS` pointers: direct calls.
    hit(&mut group, "plain", plain);
    hit(&mut group, "trace_operation", with_trace);
    hit(&mut group, "monitor_performance", with_monitor);
    hit(&mut group, "cacheable", with_cache);
    hit(&mut group, "circuit_breaker", with_breaker);
    hit(&mut group, "opguard", stacked);
    hit(&mut group, "hand_written", hand_written);
    group.finish();
}

/// Calls of each variant in `stack/miss`, in the order of `VARIANTS`.
type MissCalls = [u64; VARIANTS.len()];

/// Where a variant of `stack/miss` caches its values.
#[derive(Clone, Copy)]
enum Store {
    /// It has no cache.
    None,
    /// The opguard cache of this name.
    Opguard(&'static str),
    /// [`HAND_CACHE`].
    Hand,
}

impl Store {
    /// The entries of the cache, exact (its pending tasks run first).
    fn entries(self, rt: &tokio::runtime::Runtime) -> u64 {
        match self {
            Store::None => 0,
            Store::Opguard(name) => {
                let handle = cache_handle(name);
                rt.block_on(handle.run_pending_tasks());
                handle.stats().entries
            }
            Store::Hand => {
                HAND_CACHE.run_pending_tasks();
                HAND_CACHE.entry_count()
            }
        }
    }

    /// Panics unless the cache holds the `n` keys from [`FIRST_MISS_KEY`]
    /// on top of its `base` entries; then removes them.
    fn empty(self, rt: &tokio::runtime::Runtime, n: u64, base: u64) {
        let keys = FIRST_MISS_KEY..FIRST_MISS_KEY + n;
        match self {
            Store::None => return,
            Store::Opguard(name) => {
                let handle = cache_handle(name);
                assert_eq!(self.entries(rt), base + n, "`{name}`: every value cached");
                for key in keys {
                    handle.invalidate_blocking(&key).expect("u64 keys");
                }
            }
            Store::Hand => {
                assert_eq!(
                    self.entries(rt),
                    base + n,
                    "hand_written: every value cached"
                );
                for key in keys {
                    HAND_CACHE.invalidate(&key);
                }
            }
        }
        assert_eq!(self.entries(rt), base, "the miss keys removed");
    }
}

/// The `stack/miss` group being measured.
struct MissGroup<'a, 'c> {
    group: BenchmarkGroup<'c, WallTime>,
    rt: &'a tokio::runtime::Runtime,
    /// Calls of each variant, in the order of `VARIANTS`.
    calls: MissCalls,
}

impl MissGroup<'_, '_> {
    /// Measures `f`, the variant `name`, on keys its cache does not hold
    /// ([`misses`]), counting its calls; `store` is checked and emptied
    /// between two chunks.
    fn run(&mut self, name: &str, f: impl Fn(u64) -> Value, store: Store) {
        let index = VARIANTS
            .iter()
            .position(|(variant, _)| *variant == name)
            .unwrap_or_else(|| panic!("`{name}` is one of `VARIANTS`"));
        let (rt, calls) = (self.rt, &mut self.calls[index]);
        let base = store.entries(rt);
        misses(&mut self.group, name, (FIRST_MISS_KEY, CHUNK), f, |n| {
            store.empty(rt, n, base);
            *calls += n;
        });
    }
}

/// Measures `stack/miss`; returns the calls of each variant.
fn bench_miss(c: &mut Criterion, rt: &tokio::runtime::Runtime) -> MissCalls {
    let group = c.benchmark_group("stack/miss");
    let mut miss = MissGroup {
        group,
        rt,
        calls: [0; VARIANTS.len()],
    };
    // Named functions rather than the `VARIANTS` pointers: direct calls.
    miss.run("plain", plain, Store::None);
    miss.run("trace_operation", with_trace, Store::None);
    miss.run("monitor_performance", with_monitor, Store::None);
    miss.run("cacheable", with_cache, Store::Opguard("stack.cacheable"));
    miss.run("circuit_breaker", with_breaker, Store::None);
    miss.run("opguard", stacked, Store::Opguard("stack.opguard"));
    miss.run("hand_written", hand_written, Store::Hand);
    miss.group.finish();
    miss.calls
}

/// The entries of the caches of `cacheable`, `opguard` and `hand_written`.
fn entries(rt: &tokio::runtime::Runtime) -> [u64; 3] {
    [
        Store::Opguard("stack.cacheable"),
        Store::Opguard("stack.opguard"),
        Store::Hand,
    ]
    .map(|store| store.entries(rt))
}

/// Panics unless every call of `stack/miss` went through every layer it
/// should, and the caches are back to what they held before.
fn check_miss_run(
    rt: &tokio::runtime::Runtime,
    before: &Counts,
    entries_before: [u64; 3],
    calls: MissCalls,
) {
    let [_, _, monitor_n, cache_n, breaker_n, stack_n, hand_n] = calls;
    assert_eq!(
        Counts::read().since(before),
        Deltas {
            monitor_calls: monitor_n,
            breaker: (breaker_n, breaker_n),
            cache: (0, cache_n, cache_n),
            stack_calls: stack_n,
            stack_cache: (0, stack_n, stack_n),
            stack_breaker: (stack_n, stack_n),
            hand: (hand_n, hand_n),
        },
        "stack/miss: every call a miss, a load and a breaker call where there is one"
    );
    assert_eq!(
        entries(rt),
        entries_before,
        "stack/miss: cache entries (`cacheable`, `opguard`, `hand_written`) once emptied"
    );
    assert_eq!(
        (
            cache_stats("stack.cacheable").evictions,
            cache_stats("stack.opguard").evictions
        ),
        (0, 0),
        "stack/miss: opguard evictions (`cacheable`, `opguard`)"
    );
    println!(
        "stack/miss: keys inserted (each cached, then removed untimed): cacheable {cache_n}, \
         opguard {stack_n}, hand_written {hand_n}"
    );
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");

    check_no_subscriber();
    // Register every timer, breaker and cache, and cache `KEY`.
    for (name, f) in VARIANTS {
        assert_eq!(f(KEY), Ok(KEY * 31), "`{name}`: first call");
    }
    check(CHECK_KEY_BEFORE);
    check_no_subscriber();

    bench_hit(c);

    let before = Counts::read();
    let entries_before = entries(&rt);
    let calls = bench_miss(c, &rt);
    check_miss_run(&rt, &before, entries_before, calls);

    check(CHECK_KEY_AFTER);
    check_no_subscriber();
    check_spans();
}

criterion_group!(stack_benches, benches);
criterion_main!(stack_benches);
