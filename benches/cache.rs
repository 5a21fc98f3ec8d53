//! Cost of a call to a `#[opguard::cacheable]` function, next to the raw
//! moka lookup it is built on and to a `#[cached]` function (crate `cached`).
//!
//! Groups, each with the functions `moka`, `opguard` and `cached`:
//!
//! * `cache/hit_sync`: a hit (the key is cached) on a synchronous cache, on
//!   one thread;
//! * `cache/hit_async`: a hit on an async cache, awaited on a current-thread
//!   tokio runtime;
//! * `cache/hit_sync_2_threads`: `hit_sync` with two threads looking up the
//!   same key in the same cache at once;
//! * `cache/miss_insert`: every call a key the cache does not hold, so the
//!   body runs and its value is inserted.
//! * `cache/hit_sync_generic`: a hit on the first, the second and the eighth
//!   instantiation of one generic `#[cacheable]` function (each has its own
//!   cache, found per call by the instantiation's name), next to the plain
//!   `opguard` hit; no peer has generic caches. `_2_threads`: the first and
//!   the second instantiation from two threads at once.
//!
//! The variants, all `u64 -> u64`, all with a 300 s time to live:
//!
//! * `moka` is the raw lookup a user would write: `cache.get(&key)` on a
//!   `moka::sync::Cache` (or `.await` on a `moka::future::Cache`) built with
//!   the same time to live and capacity as opguard's, in an `#[inline(never)]`
//!   function taking the cache by reference. In `miss_insert` it is
//!   `cache.get_with(key, || body(key))`: moka's coalescing insert, which is
//!   what opguard's miss path goes through.
//! * `opguard` is `#[opguard::cacheable(name = "bench.…", ttl = "300s")]`
//!   (default capacity, 10 000 entries) on a function returning `u64`.
//! * `cached` is `#[cached::proc_macro::cached(ttl_secs = 300, max_size = N)]`
//!   (`cached` 4.1's spelling; a size and a time to live make it an
//!   `LruTtlCache` behind the macro's default `RwLock`), with the same
//!   capacity. `cached` is built without `ahash`, so, like moka, it hashes
//!   with std's SipHash; `#[cached]` does not coalesce concurrent misses.
//!
//! In `miss_insert` the calls are timed in chunks of 4096 (`CHUNK`) on the
//! keys 2^32 .. 2^32 + 4095; between two chunks, untimed, each cache is
//! checked to hold every value of the chunk and is emptied of them (moka's
//! and opguard's `invalidate` per key, then moka's pending tasks; `cached`'s
//! `cache_remove`). So every miss inserts into a cache holding at most the
//! chunk's earlier keys and the key of the check, whatever the variant's
//! speed. The caches have room for 2^16 entries, so nothing is evicted (a
//! full moka cache would also let its admission policy refuse new keys).
//! (An earlier version gave every call a new key and let the caches grow to
//! millions of entries, so a miss measured inserts into a table growing
//! through the run.)
//!
//! Before measuring, each variant is checked: a `moka` lookup must return
//! `Some`; an `opguard` call must add a hit to the cache's statistics
//! (`opguard::cache::get(name).unwrap().stats().hits`) and no load; a `cached`
//! call must not run the body (a counter in it). In `miss_insert` every call
//! must run the body once and then be cached, and after measuring every call
//! must have run the body once and opguard's cache must have evicted nothing.
//! Any other outcome panics.
//!
//! Not a criterion measurement: at the start, the resident memory of the
//! process (`VmRSS` in `/proc/self/status`) is read before and after inserting
//! 100 000 `u64 -> u64` entries into raw moka and into an opguard cache, both
//! with room for 1 000 000, and the bytes per entry are printed. This counts
//! what the allocator takes from the system, so it is approximate; with room
//! for 1 000 000 entries moka's frequency sketch (8 bytes per unit of
//! capacity, allocated once the cache is half full) is not part of it.
//!
//! Run with `cargo bench -p opguard-benches --bench cache`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use cached::proc_macro::cached;
use criterion::{Criterion, criterion_group, criterion_main};
use opguard::cache::CacheHandle;
use opguard_benches::{misses, two_threads};

type MokaSync = moka::sync::Cache<u64, u64>;
type MokaAsync = moka::future::Cache<u64, u64>;

/// The time to live of every cache.
const TTL: Duration = Duration::from_secs(300);
/// The capacity of the caches looked up in the hit groups: opguard's default.
const HIT_CAPACITY: u64 = 10_000;
/// The capacity in `miss_insert`: more keys than a chunk inserts.
const MISS_CAPACITY: u64 = 1 << 16;
/// The key the hit groups look up (what `two_threads` passes).
const KEY: u64 = 7;
/// The first key of `miss_insert`, away from the keys of the checks.
const FIRST_MISS_KEY: u64 = 1 << 32;
/// Entries inserted to measure the memory of an entry.
const MEMORY_ENTRIES: u64 = 100_000;
/// The capacity of the caches of the memory measurement.
const MEMORY_CAPACITY: u64 = 1_000_000;

/// The work every body does.
#[inline(always)]
fn value_of(key: u64) -> u64 {
    black_box(key).wrapping_mul(31)
}

fn moka_sync(capacity: u64) -> MokaSync {
    moka::sync::Cache::builder()
        .max_capacity(capacity)
        .time_to_live(TTL)
        .build()
}

fn moka_async(capacity: u64) -> MokaAsync {
    moka::future::Cache::builder()
        .max_capacity(capacity)
        .time_to_live(TTL)
        .build()
}

// ---- hits -------------------------------------------------------------------

#[inline(never)]
fn moka_hit(cache: &MokaSync, key: u64) -> Option<u64> {
    cache.get(&key)
}

#[inline(never)]
async fn moka_hit_async(cache: &MokaAsync, key: u64) -> Option<u64> {
    cache.get(&key).await
}

#[opguard::cacheable(name = "bench.hit_sync", ttl = "300s")]
#[inline(never)]
fn opguard_hit(key: u64) -> u64 {
    value_of(key)
}

#[opguard::cacheable(name = "bench.hit_async", ttl = "300s")]
#[inline(never)]
async fn opguard_hit_async(key: u64) -> u64 {
    value_of(key)
}

#[opguard::cacheable(name = "bench.hit_generic", ttl = "300s")]
#[inline(never)]
fn opguard_hit_generic<const N: u64>(key: u64) -> u64 {
    value_of(key) + N
}

/// Runs of the bodies of the `cached` functions.
static CACHED_HIT_RUNS: AtomicU64 = AtomicU64::new(0);
static CACHED_HIT_ASYNC_RUNS: AtomicU64 = AtomicU64::new(0);

#[cached(ttl_secs = 300, max_size = 10_000)]
#[inline(never)]
fn cached_hit(key: u64) -> u64 {
    CACHED_HIT_RUNS.fetch_add(1, Relaxed);
    value_of(key)
}

#[cached(ttl_secs = 300, max_size = 10_000)]
#[inline(never)]
async fn cached_hit_async(key: u64) -> u64 {
    CACHED_HIT_ASYNC_RUNS.fetch_add(1, Relaxed);
    value_of(key)
}

// ---- misses -----------------------------------------------------------------

/// Runs of the bodies of the `miss_insert` variants.
static MOKA_MISS_RUNS: AtomicU64 = AtomicU64::new(0);
static OPGUARD_MISS_RUNS: AtomicU64 = AtomicU64::new(0);
static CACHED_MISS_RUNS: AtomicU64 = AtomicU64::new(0);

#[inline(never)]
fn moka_miss(cache: &MokaSync, key: u64) -> u64 {
    cache.get_with(key, || {
        MOKA_MISS_RUNS.fetch_add(1, Relaxed);
        value_of(key)
    })
}

#[opguard::cacheable(name = "bench.miss_insert", ttl = "300s", max_capacity = 65_536)]
#[inline(never)]
fn opguard_miss(key: u64) -> u64 {
    OPGUARD_MISS_RUNS.fetch_add(1, Relaxed);
    value_of(key)
}

#[cached(ttl_secs = 300, max_size = 65_536)]
#[inline(never)]
fn cached_miss(key: u64) -> u64 {
    CACHED_MISS_RUNS.fetch_add(1, Relaxed);
    value_of(key)
}

// ---- memory -----------------------------------------------------------------

#[opguard::cacheable(name = "bench.memory", ttl = "300s", max_capacity = 1_000_000)]
#[inline(never)]
fn opguard_memory(key: u64) -> u64 {
    value_of(key)
}

/// The resident memory of this process, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .expect("a `VmRSS: N kB` line in /proc/self/status");
    kib * 1024
}

/// Resident bytes added by `fill` (which inserts [`MEMORY_ENTRIES`]) per
/// entry.
fn bytes_per_entry(fill: impl FnOnce()) -> f64 {
    let before = resident_bytes();
    fill();
    let after = resident_bytes();
    after.saturating_sub(before) as f64 / MEMORY_ENTRIES as f64
}

/// Measures and prints the memory of an entry in raw moka and in opguard's
/// cache; returns the moka cache, to keep its memory until the end.
fn measure_memory(rt: &tokio::runtime::Runtime) -> MokaSync {
    // Each cache exists, with one entry, before the first reading.
    let moka = moka_sync(MEMORY_CAPACITY);
    moka.get_with(u64::MAX, || value_of(u64::MAX));
    moka.run_pending_tasks();
    let moka_bytes = bytes_per_entry(|| {
        for key in 0..MEMORY_ENTRIES {
            black_box(moka.get_with(key, || value_of(key)));
        }
        moka.run_pending_tasks();
    });
    assert_eq!(
        moka.entry_count(),
        MEMORY_ENTRIES + 1,
        "moka memory entries"
    );

    opguard_memory(u64::MAX);
    let handle = cache_handle("bench.memory");
    rt.block_on(handle.run_pending_tasks());
    let opguard_bytes = bytes_per_entry(|| {
        for key in 0..MEMORY_ENTRIES {
            black_box(opguard_memory(key));
        }
        rt.block_on(handle.run_pending_tasks());
    });
    let stats = handle.stats();
    assert_eq!(
        (stats.entries, stats.loads, stats.evictions),
        (MEMORY_ENTRIES + 1, MEMORY_ENTRIES + 1, 0),
        "opguard memory: entries, loads, evictions"
    );

    println!(
        "cache/bytes_per_entry (u64 -> u64, {MEMORY_ENTRIES} entries, resident memory): \
         moka {moka_bytes:.1} B, opguard {opguard_bytes:.1} B"
    );
    moka
}

// ---- checks -----------------------------------------------------------------

fn cache_handle(name: &str) -> CacheHandle {
    opguard::cache::get(name).unwrap_or_else(|| panic!("opguard cache `{name}` is registered"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// The caches the `moka` variants look up.
struct Moka {
    sync: MokaSync,
    future: MokaAsync,
    miss: MokaSync,
}

/// Panics unless a call of `call` is an opguard hit on cache `name`.
fn check_opguard_hit(name: &str, call: impl FnOnce() -> u64) {
    let handle = cache_handle(name);
    let before = handle.stats();
    assert_eq!(call(), value_of(KEY), "opguard `{name}` value");
    let after = handle.stats();
    assert_eq!(
        (after.hits - before.hits, after.loads - before.loads),
        (1, 0),
        "opguard `{name}`: one hit, no load"
    );
}

/// Panics unless a call of `call` answers without running the body that
/// `runs` counts.
fn check_cached_hit(function: &str, runs: &AtomicU64, call: impl FnOnce() -> u64) {
    let before = runs.load(Relaxed);
    assert_eq!(call(), value_of(KEY), "cached `{function}` value");
    assert_eq!(
        runs.load(Relaxed),
        before,
        "cached `{function}` ran its body on what should be a hit"
    );
}

/// Panics unless every hit variant answers `KEY` from its cache.
fn check_hits(rt: &tokio::runtime::Runtime, moka: &Moka) {
    assert_eq!(
        moka_hit(&moka.sync, KEY),
        Some(value_of(KEY)),
        "moka sync hit"
    );
    assert_eq!(
        rt.block_on(moka_hit_async(&moka.future, KEY)),
        Some(value_of(KEY)),
        "moka async hit"
    );
    check_opguard_hit("bench.hit_sync", || opguard_hit(KEY));
    check_opguard_hit("bench.hit_async", || rt.block_on(opguard_hit_async(KEY)));
    check_cached_hit("cached_hit", &CACHED_HIT_RUNS, || cached_hit(KEY));
    check_cached_hit("cached_hit_async", &CACHED_HIT_ASYNC_RUNS, || {
        rt.block_on(cached_hit_async(KEY))
    });
}

/// Panics unless a first call of `call` with `key` runs the body (counted
/// by `runs`) and a second one does not.
fn check_miss_then_hit(variant: &str, runs: &AtomicU64, key: u64, call: impl Fn(u64) -> u64) {
    let before = runs.load(Relaxed);
    assert_eq!(call(key), value_of(key), "{variant} miss value");
    assert_eq!(call(key), value_of(key), "{variant} hit value");
    assert_eq!(
        runs.load(Relaxed) - before,
        1,
        "{variant}: the first call must run the body, the second not"
    );
}

/// Panics unless each `miss_insert` variant runs its body on a new key and
/// caches the value.
fn check_misses(moka: &Moka, key: u64) {
    check_miss_then_hit("moka", &MOKA_MISS_RUNS, key, |k| moka_miss(&moka.miss, k));
    check_miss_then_hit("opguard", &OPGUARD_MISS_RUNS, key, opguard_miss);
    check_miss_then_hit("cached", &CACHED_MISS_RUNS, key, cached_miss);
}

// ---- benchmarks -------------------------------------------------------------

fn bench_hit_sync(c: &mut Criterion, moka: &Moka) {
    let mut group = c.benchmark_group("cache/hit_sync");
    group.bench_function("moka", |b| b.iter(|| moka_hit(&moka.sync, black_box(KEY))));
    group.bench_function("opguard", |b| b.iter(|| opguard_hit(black_box(KEY))));
    group.bench_function("cached", |b| b.iter(|| cached_hit(black_box(KEY))));
    group.finish();
}

fn bench_hit_generic(c: &mut Criterion) {
    // Eight instantiations, registered in order; each key cached.
    let calls: [fn(u64) -> u64; 8] = [
        opguard_hit_generic::<0>,
        opguard_hit_generic::<1>,
        opguard_hit_generic::<2>,
        opguard_hit_generic::<3>,
        opguard_hit_generic::<4>,
        opguard_hit_generic::<5>,
        opguard_hit_generic::<6>,
        opguard_hit_generic::<7>,
    ];
    for (n, call) in (0u64..).zip(calls) {
        assert_eq!(call(KEY), value_of(KEY) + n);
        let name = format!("bench.hit_generic<{n}>");
        check_opguard_hit(&name, || call(KEY) - n);
    }
    let mut group = c.benchmark_group("cache/hit_sync_generic");
    group.bench_function("opguard", |b| b.iter(|| opguard_hit(black_box(KEY))));
    group.bench_function("first", |b| {
        b.iter(|| opguard_hit_generic::<0>(black_box(KEY)))
    });
    group.bench_function("second", |b| {
        b.iter(|| opguard_hit_generic::<1>(black_box(KEY)))
    });
    group.bench_function("eighth", |b| {
        b.iter(|| opguard_hit_generic::<7>(black_box(KEY)))
    });
    group.finish();
    // Two threads on the second instantiation: a lock per call would be
    // shared between them.
    let mut group = c.benchmark_group("cache/hit_sync_generic_2_threads");
    two_threads(&mut group, "first", opguard_hit_generic::<0>);
    two_threads(&mut group, "second", opguard_hit_generic::<1>);
    group.finish();
}

fn bench_hit_async(c: &mut Criterion, rt: &tokio::runtime::Runtime, moka: &Moka) {
    let mut group = c.benchmark_group("cache/hit_async");
    group.bench_function("moka", |b| {
        b.to_async(rt)
            .iter(|| moka_hit_async(&moka.future, black_box(KEY)))
    });
    group.bench_function("opguard", |b| {
        b.to_async(rt).iter(|| opguard_hit_async(black_box(KEY)))
    });
    group.bench_function("cached", |b| {
        b.to_async(rt).iter(|| cached_hit_async(black_box(KEY)))
    });
    group.finish();
}

fn bench_hit_two_threads(c: &mut Criterion, moka: &Moka) {
    let mut group = c.benchmark_group("cache/hit_sync_2_threads");
    let cache = &moka.sync;
    two_threads(&mut group, "moka", move |key| moka_hit(cache, key));
    two_threads(&mut group, "opguard", opguard_hit);
    two_threads(&mut group, "cached", cached_hit);
    group.finish();
}

/// The calls of `miss_insert` timed in one go, on the keys from
/// [`FIRST_MISS_KEY`]; the caches are emptied of them between two chunks.
const CHUNK: u64 = 4096;

/// The keys of a chunk of `n` calls.
fn chunk_keys(n: u64) -> std::ops::Range<u64> {
    FIRST_MISS_KEY..FIRST_MISS_KEY + n
}

/// Panics unless a cache that held `base` entries before a chunk of `n`
/// calls holds `entries_now`, every value of the chunk.
fn check_chunk(variant: &str, entries_now: u64, base: u64, n: u64) {
    assert_eq!(
        entries_now,
        base + n,
        "{variant}: every value of the chunk cached"
    );
}

/// Measures `miss_insert`; returns how many keys each variant was called
/// with (`moka`, `opguard`, `cached`).
fn bench_miss(c: &mut Criterion, rt: &tokio::runtime::Runtime, moka: &Moka) -> [u64; 3] {
    let mut calls = [0; 3];
    let [moka_n, opguard_n, cached_n] = &mut calls;
    let mut group = c.benchmark_group("cache/miss_insert");
    let cache = &moka.miss;
    let entries = || {
        cache.run_pending_tasks();
        cache.entry_count()
    };
    let base = entries();
    let f = |key| moka_miss(cache, key);
    misses(&mut group, "moka", (FIRST_MISS_KEY, CHUNK), f, |n| {
        check_chunk("moka", entries(), base, n);
        chunk_keys(n).for_each(|key| cache.invalidate(&key));
        assert_eq!(entries(), base, "moka: the chunk removed");
        *moka_n += n;
    });

    let handle = cache_handle("bench.miss_insert");
    let entries = || {
        rt.block_on(handle.run_pending_tasks());
        handle.stats().entries
    };
    let base = entries();
    misses(
        &mut group,
        "opguard",
        (FIRST_MISS_KEY, CHUNK),
        opguard_miss,
        |n| {
            check_chunk("opguard", entries(), base, n);
            for key in chunk_keys(n) {
                handle.invalidate_blocking(&key).expect("u64 keys");
            }
            assert_eq!(entries(), base, "opguard: the chunk removed");
            *opguard_n += n;
        },
    );

    let entries = || {
        use cached::Cached as _;
        CACHED_MISS.read().cache_size() as u64
    };
    let base = entries();
    misses(
        &mut group,
        "cached",
        (FIRST_MISS_KEY, CHUNK),
        cached_miss,
        |n| {
            use cached::Cached as _;
            check_chunk("cached", entries(), base, n);
            let mut store = CACHED_MISS.write();
            for key in chunk_keys(n) {
                assert!(store.cache_remove(&key).is_some(), "cached: key {key}");
            }
            drop(store);
            assert_eq!(entries(), base, "cached: the chunk removed");
            *cached_n += n;
        },
    );
    group.finish();
    calls
}

/// Body runs of the `miss_insert` variants (`moka`, `opguard`, `cached`).
fn miss_runs() -> [u64; 3] {
    [&MOKA_MISS_RUNS, &OPGUARD_MISS_RUNS, &CACHED_MISS_RUNS].map(|runs| runs.load(Relaxed))
}

/// Panics unless, in `miss_insert`, every call ran its body (each chunk's
/// values were checked to be cached before being removed) and opguard's
/// cache evicted nothing.
fn check_miss_run(calls: [u64; 3], runs: [u64; 3]) {
    let now = miss_runs();
    let ran = [now[0] - runs[0], now[1] - runs[1], now[2] - runs[2]];
    assert_eq!(
        ran, calls,
        "miss_insert: one body run per call (moka, opguard, cached)"
    );
    assert_eq!(
        cache_handle("bench.miss_insert").stats().evictions,
        0,
        "opguard miss: evictions"
    );
    println!(
        "cache/miss_insert: keys inserted (each cached, then removed untimed): moka {}, \
         opguard {}, cached {}",
        calls[0], calls[1], calls[2]
    );
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    let memory_moka = measure_memory(&rt);

    let moka = Moka {
        sync: moka_sync(HIT_CAPACITY),
        future: moka_async(HIT_CAPACITY),
        miss: moka_sync(MISS_CAPACITY),
    };
    // Cache `KEY` in every hit variant.
    moka.sync.insert(KEY, value_of(KEY));
    rt.block_on(moka.future.insert(KEY, value_of(KEY)));
    opguard_hit(KEY);
    rt.block_on(opguard_hit_async(KEY));
    cached_hit(KEY);
    rt.block_on(cached_hit_async(KEY));

    check_hits(&rt, &moka);
    check_misses(&moka, FIRST_MISS_KEY - 1);
    bench_hit_sync(c, &moka);
    bench_hit_async(c, &rt, &moka);
    bench_hit_two_threads(c, &moka);
    bench_hit_generic(c);
    let runs = miss_runs();
    let calls = bench_miss(c, &rt, &moka);
    check_miss_run(calls, runs);
    check_hits(&rt, &moka);
    drop(memory_moka);
}

criterion_group!(cache_benches, benches);
criterion_main!(cache_benches);
