//! Benchmarks of opguard live in this package's `[[bench]]` targets; this
//! library holds what they share.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, measurement::WallTime};

/// Two threads call `f` `iters` times each, at the same time; the reported
/// time is the slower thread's, so per iteration it is the latency of one call
/// while another thread calls the same function (shared state contended).
pub fn two_threads<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    f: impl Fn(u64) -> R + Sync,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(2);
            std::thread::scope(|scope| {
                let run = || {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(f(black_box(7)));
                    }
                    start.elapsed()
                };
                let other = scope.spawn(run);
                let mine = run();
                mine.max(other.join().expect("bench thread"))
            })
        })
    });
}

/// Calls `f` on keys its cache does not hold. The calls are timed `chunk` at
/// a time, on the keys `first .. first + chunk`; after each chunk, untimed,
/// `empty(n)` must remove the chunk's `n` keys from the cache (and may check
/// that they were all there). So every call inserts into a cache that holds
/// at most the chunk's earlier keys beyond what it held at the start,
/// however many calls criterion asks for.
pub fn misses<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    (first, chunk): (u64, u64),
    f: impl Fn(u64) -> R,
    mut empty: impl FnMut(u64),
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut measured = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(chunk);
                let start = Instant::now();
                for key in first..first + n {
                    black_box(f(black_box(key)));
                }
                measured += start.elapsed();
                empty(n);
                left -= n;
            }
            measured
        })
    });
}
