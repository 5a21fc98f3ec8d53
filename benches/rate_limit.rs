//! Cost of an admitted call through opguard's rate limiter, next to the same
//! call bare and through `governor`, the fastest in-process GCRA limiter in
//! Rust.
//!
//! Groups:
//! * `rate_limit/direct`: one limit for every call (`plain`, `governor`,
//!   `opguard`), one thread; `rate_limit/direct_2_threads`: two threads on
//!   one limiter (the atomic word contended).
//! * `rate_limit/keyed`: a limit per key, 10 000 keys drawn at random
//!   (`governor`'s dashmap keyed limiter, opguard's `KeyedRateLimiter`).
//!
//! * `governor_std_clock` (in both groups): governor on std's monotonic
//!   clock (`Instant::now`, the clock tokio's reads), like for like with
//!   opguard, which reads tokio's clock so that `tokio::time::pause()`
//!   drives its limits; `governor` itself reads quanta's TSC clock.
//!
//! Every limiter admits every call: what is timed is the decision and its
//! bookkeeping, never a refusal, and each variant asserts it was admitted.
//! The direct limiters allow 10^9 calls per second with a burst of 10^9.
//! The keyed ones allow one call per second per key with a burst of 2^30,
//! so every key stays mid-limit (tracked) for the whole run: both look up a
//! hot map of 10 000 keys, and opguard's sweeping finds nothing to remove.
//!
//! Run with `cargo bench -p opguard-benches --bench rate_limit`.

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use governor::clock::MonotonicClock;
use governor::{Quota, RateLimiter as Governor};
use opguard::rate_limit::{Rate, RateLimiter};
use opguard_benches::two_threads;

const PER_SECOND: u32 = 1_000_000_000;
const KEYS: u64 = 10_000;

#[inline(always)]
fn body(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

fn quota() -> Quota {
    let n = NonZeroU32::new(PER_SECOND).unwrap();
    Quota::per_second(n).allow_burst(n)
}

fn opguard_limiter(name: &'static str) -> opguard::rate_limit::RateLimiterBuilder {
    RateLimiter::builder(name)
        .rate(Rate::new(PER_SECOND, Duration::from_secs(1)))
        .burst(PER_SECOND)
}

fn direct(c: &mut Criterion) {
    let governor = Governor::direct(quota());
    let governor_std = Governor::direct_with_clock(quota(), MonotonicClock);
    let opguard = opguard_limiter("bench.direct").build().unwrap();

    let mut group = c.benchmark_group("rate_limit/direct");
    group.bench_function("plain", |b| b.iter(|| body(7)));
    group.bench_function("governor", |b| {
        b.iter(|| {
            assert!(governor.check().is_ok());
            body(7)
        })
    });
    group.bench_function("governor_std_clock", |b| {
        b.iter(|| {
            assert!(governor_std.check().is_ok());
            body(7)
        })
    });
    group.bench_function("opguard", |b| {
        b.iter(|| {
            assert!(opguard.check().is_ok());
            body(7)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("rate_limit/direct_2_threads");
    two_threads(&mut group, "plain", body);
    two_threads(&mut group, "governor", |x| {
        assert!(governor.check().is_ok());
        body(x)
    });
    two_threads(&mut group, "opguard", |x| {
        assert!(opguard.check().is_ok());
        body(x)
    });
    group.finish();
}

fn keyed(c: &mut Criterion) {
    let burst = NonZeroU32::new(1 << 30).unwrap();
    let keyed_quota = Quota::per_second(NonZeroU32::MIN).allow_burst(burst);
    let governor = Governor::keyed(keyed_quota);
    let governor_std = Governor::dashmap_with_clock(keyed_quota, MonotonicClock);
    let opguard = RateLimiter::builder("bench.keyed")
        .rate(Rate::per_second(1))
        .burst(burst.get())
        .build_keyed::<u64>()
        .unwrap();
    // The same pseudo-random key sequence for both.
    let keys: Vec<u64> = {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..65_536)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % KEYS
            })
            .collect()
    };
    let mut group = c.benchmark_group("rate_limit/keyed");
    let mut i = 0usize;
    group.bench_function("governor", |b| {
        b.iter(|| {
            i = (i + 1) & 0xffff;
            assert!(governor.check_key(&keys[i]).is_ok());
            body(7)
        })
    });
    let mut i = 0usize;
    group.bench_function("governor_std_clock", |b| {
        b.iter(|| {
            i = (i + 1) & 0xffff;
            assert!(governor_std.check_key(&keys[i]).is_ok());
            body(7)
        })
    });
    let mut i = 0usize;
    group.bench_function("opguard", |b| {
        b.iter(|| {
            i = (i + 1) & 0xffff;
            assert!(opguard.check(&keys[i]).is_ok());
            body(7)
        })
    });
    group.finish();
}

criterion_group!(benches, direct, keyed);
criterion_main!(benches);
