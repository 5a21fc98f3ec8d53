//! Each instantiation of a generic `#[cacheable]` function has its own cache,
//! also past the instantiations found without a lock (the first eight).

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

use opguard::cacheable;

static RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn scaled<const N: u32>(x: u32) -> u32 {
    RUNS.fetch_add(1, SeqCst);
    x * N
}

macro_rules! each {
    ($($n:literal)*) => { [$((scaled::<$n> as fn(u32) -> u32, $n)),*] };
}

#[test]
fn twelve_instantiations_keep_twelve_caches() {
    let calls = each!(1 2 3 4 5 6 7 8 9 10 11 12);
    for round in 0..3 {
        for (call, n) in calls {
            assert_eq!(call(10), 10 * n, "round {round}, N = {n}");
        }
    }
    assert_eq!(
        RUNS.load(SeqCst),
        12,
        "one load per instantiation, then hits"
    );
    for n in 1..=12 {
        let stats = opguard::cache::get(&format!("cache_generic_instances::scaled<{n}>"))
            .unwrap_or_else(|| panic!("a cache for N = {n}"))
            .stats();
        assert_eq!((stats.loads, stats.hits), (1, 2), "N = {n}");
    }
}
