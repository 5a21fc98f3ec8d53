//! Benchmarks of opguard live in this package's `[[bench]]` targets; this
//! library holds what they share.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::Instant;

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
