//! `#[cacheable]`: hits and misses, what is cached, keys, coalescing under
//! concurrency, cancellation and panics of the loading call, expiry,
//! eviction, invalidation and statistics.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use opguard::{cache, cacheable};

static SQUARES: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn square(n: u64) -> u64 {
    SQUARES.fetch_add(1, SeqCst);
    n * n
}

#[test]
fn a_second_call_with_the_same_argument_is_a_hit() {
    assert_eq!((square(3), square(3), square(4)), (9, 9, 16));
    assert_eq!(SQUARES.load(SeqCst), 2);
    let stats = cache::get("cache_attribute::square").unwrap().stats();
    assert_eq!((stats.hits, stats.misses, stats.loads), (1, 2, 2));
    assert!((stats.hit_rate - 1.0 / 3.0).abs() < 1e-9);
}

static LOOKUPS: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.results")]
fn lookup(id: u32) -> Result<String, String> {
    LOOKUPS.fetch_add(1, SeqCst);
    if id == 0 {
        Err("no id 0".into())
    } else {
        Ok(format!("row {id}"))
    }
}

#[test]
fn only_ok_values_are_cached_and_errors_are_returned() {
    assert!(lookup(0).is_err());
    assert!(lookup(0).is_err());
    assert_eq!(LOOKUPS.load(SeqCst), 2, "an error is never cached");
    assert_eq!(lookup(1), Ok("row 1".into()));
    assert_eq!(lookup(1), Ok("row 1".into()));
    assert_eq!(LOOKUPS.load(SeqCst), 3);
}

static FINDS: AtomicU32 = AtomicU32::new(0);
static FINDS_NONE: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn find(id: u32) -> Option<u32> {
    FINDS.fetch_add(1, SeqCst);
    id.checked_sub(1)
}

#[cacheable(cache_none)]
fn find_remembering_none(id: u32) -> Option<u32> {
    FINDS_NONE.fetch_add(1, SeqCst);
    id.checked_sub(1)
}

#[test]
fn none_is_cached_only_with_cache_none() {
    assert_eq!((find(0), find(0)), (None, None));
    assert_eq!(FINDS.load(SeqCst), 2);
    assert_eq!((find(2), find(2)), (Some(1), Some(1)));
    assert_eq!(FINDS.load(SeqCst), 3);
    assert_eq!(
        (find_remembering_none(0), find_remembering_none(0)),
        (None, None)
    );
    assert_eq!(FINDS_NONE.load(SeqCst), 1);
}

static EVENS: AtomicU32 = AtomicU32::new(0);

#[cacheable(condition = |v: &u32| v.is_multiple_of(2))]
fn half(n: u32) -> u32 {
    EVENS.fetch_add(1, SeqCst);
    n / 2
}

#[test]
fn condition_filters_what_is_stored_but_the_caller_always_gets_the_value() {
    assert_eq!((half(3), half(3)), (1, 1));
    assert_eq!(EVENS.load(SeqCst), 2, "odd results are not stored");
    assert_eq!((half(4), half(4)), (2, 2));
    assert_eq!(EVENS.load(SeqCst), 3);
}

static GREETS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn greet(name: &str) -> String {
    GREETS.fetch_add(1, SeqCst);
    format!("hello {name}")
}

static TOTALS: AtomicU32 = AtomicU32::new(0);

#[cacheable]
fn total(values: &[u32], scale: u32, label: String) -> String {
    TOTALS.fetch_add(1, SeqCst);
    format!("{label}: {}", values.iter().sum::<u32>() * scale)
}

#[tokio::test]
async fn borrowed_arguments_become_owned_keys_that_invalidate_by_value() {
    let name = String::from("ada");
    assert_eq!(greet(&name), "hello ada");
    assert_eq!(greet("ada"), "hello ada");
    assert_eq!(GREETS.load(SeqCst), 1);

    let handle = cache::get("cache_attribute::greet").unwrap();
    assert_eq!(handle.key_type(), "alloc::string::String");
    let wrong = handle.invalidate(&7u32).await.unwrap_err();
    assert!(
        wrong
            .to_string()
            .contains("has keys of type `alloc::string::String`, not `u32`"),
        "{wrong}"
    );
    handle.invalidate(&String::from("ada")).await.unwrap();
    assert_eq!(greet("ada"), "hello ada");
    assert_eq!(GREETS.load(SeqCst), 2, "invalidated");
    handle.invalidate_blocking(&String::from("ada")).unwrap();
    assert_eq!(greet("ada"), "hello ada");
    assert_eq!(GREETS.load(SeqCst), 3, "invalidated without awaiting");
    assert_eq!(greet("ada"), "hello ada");
    assert_eq!(GREETS.load(SeqCst), 3, "cached again");
    handle.invalidate_all();
    assert_eq!(greet("ada"), "hello ada");
    assert_eq!(GREETS.load(SeqCst), 4, "all invalidated");

    assert_eq!(total(&[1, 2], 3, "sum".into()), "sum: 9");
    assert_eq!(total(&[1, 2], 3, "sum".into()), "sum: 9");
    assert_eq!(TOTALS.load(SeqCst), 1);
    let handle = cache::get("cache_attribute::total").unwrap();
    assert_eq!(
        handle.key_type(),
        "(alloc::vec::Vec<u32>, u32, alloc::string::String)"
    );
    handle
        .invalidate(&(vec![1u32, 2], 4u32, String::from("sum")))
        .await
        .unwrap();
    assert_eq!(total(&[1, 2], 3, "sum".into()), "sum: 9");
    assert_eq!(TOTALS.load(SeqCst), 1, "another key's invalidation");
    handle
        .invalidate(&(vec![1u32, 2], 3u32, String::from("sum")))
        .await
        .unwrap();
    assert_eq!(total(&[1, 2], 3, "sum".into()), "sum: 9");
    assert_eq!(
        TOTALS.load(SeqCst),
        2,
        "invalidated by the tuple of arguments"
    );
}

static LABELS: AtomicU32 = AtomicU32::new(0);

/// A part of a key of several needs only its owned form to qualify: `B`
/// itself is not known to be `Hash`.
#[cacheable]
fn label<B>(name: &B, page: u32) -> String
where
    B: ?Sized + ToOwned,
    B::Owned: std::hash::Hash + Eq + Clone + Send + Sync + std::fmt::Debug + 'static,
{
    LABELS.fetch_add(1, SeqCst);
    format!("{:?}#{page}", name.to_owned())
}

#[test]
fn a_key_part_needs_only_its_owned_form_to_be_hash() {
    assert_eq!(label::<str>("ada", 1), "\"ada\"#1");
    assert_eq!(label::<str>("ada", 1), "\"ada\"#1");
    assert_eq!(label::<str>("ada", 2), "\"ada\"#2");
    assert_eq!(LABELS.load(SeqCst), 2, "one run per key");
}

static REF_BINDINGS: AtomicU32 = AtomicU32::new(0);

#[allow(clippy::toplevel_ref_arg)]
#[cacheable]
fn ref_binding(ref n: u64) -> u64 {
    REF_BINDINGS.fetch_add(1, SeqCst);
    *n + 1
}

#[allow(clippy::toplevel_ref_arg)]
#[cacheable]
fn ref_bindings(ref name: &str, ref page: u32) -> String {
    REF_BINDINGS.fetch_add(1, SeqCst);
    format!("{name}#{page}")
}

#[test]
fn ref_bindings_are_keyed_by_their_values() {
    assert_eq!(ref_binding(1), 2);
    assert_eq!(ref_binding(1), 2);
    assert_eq!(ref_bindings("ada", 1), "ada#1");
    assert_eq!(ref_bindings("ada", 1), "ada#1");
    assert_eq!(ref_bindings("ada", 2), "ada#2");
    assert_eq!(REF_BINDINGS.load(SeqCst), 3, "one run per key");
    assert_eq!(
        cache::get("cache_attribute::ref_binding")
            .unwrap()
            .key_type(),
        "u64"
    );
    assert_eq!(
        cache::get("cache_attribute::ref_bindings")
            .unwrap()
            .key_type(),
        "(alloc::string::String, u32)"
    );
}

#[cacheable(name = "cache.first")]
fn first(n: u32) -> u32 {
    n + 1
}

#[cacheable(name = "cache.second")]
fn second(n: u32) -> u32 {
    n + 2
}

#[test]
fn two_functions_never_share_entries() {
    assert_eq!((first(1), second(1), first(1), second(1)), (2, 3, 2, 3));
}

struct Tenant {
    id: u32,
    loads: AtomicU32,
}

impl Tenant {
    #[cacheable(key = (self.id, user))]
    fn profile(&self, user: u32) -> String {
        self.loads.fetch_add(1, SeqCst);
        format!("tenant {} user {user}", self.id)
    }

    #[cacheable]
    fn shared(&self, user: u32) -> u32 {
        self.loads.fetch_add(1, SeqCst);
        user + self.id
    }
}

#[test]
fn methods_leave_the_receiver_out_of_the_default_key_and_key_can_use_self() {
    let (a, b) = (
        Tenant {
            id: 1,
            loads: AtomicU32::new(0),
        },
        Tenant {
            id: 2,
            loads: AtomicU32::new(0),
        },
    );
    assert_eq!(a.profile(7), "tenant 1 user 7");
    assert_eq!(b.profile(7), "tenant 2 user 7", "self.id is in the key");
    assert_eq!(a.profile(7), "tenant 1 user 7");
    assert_eq!((a.loads.load(SeqCst), b.loads.load(SeqCst)), (1, 1));
    assert_eq!(a.shared(5), 6);
    assert_eq!(
        b.shared(5),
        6,
        "the receiver is not in the default key: tenant 1's value"
    );
    assert!(cache::get("cache_attribute::Tenant::profile").is_some());
}

static SLOW_LOADS: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.coalesced")]
async fn slow_load(key: u32) -> Result<u32, String> {
    SLOW_LOADS.fetch_add(1, SeqCst);
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(key * 10)
}

#[tokio::test(start_paused = true)]
async fn a_thousand_concurrent_misses_on_one_key_run_the_body_once() {
    let tasks: Vec<_> = (0..1000).map(|_| tokio::spawn(slow_load(7))).collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Ok(70));
    }
    assert_eq!(SLOW_LOADS.load(SeqCst), 1);
    let stats = cache::get("cache.coalesced").unwrap().stats();
    assert_eq!((stats.misses, stats.loads), (1000, 1));
}

static CANCELLED_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.cancelled_leader")]
async fn load_once_slowly(key: u32) -> u32 {
    CANCELLED_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    key
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_loader_hands_the_load_to_a_waiter() {
    let leader = tokio::spawn(load_once_slowly(1));
    tokio::task::yield_now().await; // the leader starts loading
    let waiters: Vec<_> = (0..10).map(|_| tokio::spawn(load_once_slowly(1))).collect();
    tokio::task::yield_now().await; // the waiters wait
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), 1);
    }
    assert_eq!(
        CANCELLED_RUNS.load(SeqCst),
        2,
        "the aborted load and one waiter's"
    );
}

static PANIC_RUNS: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.panicking_leader")]
async fn first_load_panics(key: u32) -> u32 {
    let run = PANIC_RUNS.fetch_add(1, SeqCst);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(run > 0, "the first load panics");
    key
}

#[tokio::test(start_paused = true)]
async fn a_panicking_loader_hands_the_load_to_a_waiter_and_its_caller_sees_the_panic() {
    let leader = tokio::spawn(first_load_panics(3));
    tokio::task::yield_now().await;
    let waiters: Vec<_> = (0..10)
        .map(|_| tokio::spawn(first_load_panics(3)))
        .collect();
    assert!(leader.await.unwrap_err().is_panic());
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), 3);
    }
    assert_eq!(PANIC_RUNS.load(SeqCst), 2);
}

static THREAD_LOADS: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.threads")]
fn from_threads(key: u32) -> u32 {
    THREAD_LOADS.fetch_add(1, SeqCst);
    key
}

#[test]
fn a_sync_function_from_several_threads_keeps_exact_statistics() {
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for i in 0..1000 {
                    assert_eq!(from_threads(i % 10), i % 10);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let stats = cache::get("cache.threads").unwrap().stats();
    assert_eq!(stats.hits + stats.misses, 4000);
    assert_eq!(stats.loads, u64::from(THREAD_LOADS.load(SeqCst)));
    assert_eq!(
        stats.loads, 10,
        "each key loaded once: concurrent misses coalesce"
    );
}

static EXPIRING: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.ttl", ttl = "300ms")]
fn expiring(key: u32) -> u32 {
    EXPIRING.fetch_add(1, SeqCst);
    key
}

static IDLE: AtomicU32 = AtomicU32::new(0);

#[cacheable(name = "cache.tti", ttl = "1h", tti = "300ms")]
fn idle(key: u32) -> u32 {
    IDLE.fetch_add(1, SeqCst);
    key
}

#[test]
fn entries_expire_after_ttl_and_after_tti_without_reads() {
    // moka keeps its own clock: short real waits, with margins wide enough
    // for a loaded 2-core machine (300 ms lifetimes, 40 ms or 700 ms waits).
    expiring(1);
    expiring(1);
    assert_eq!(EXPIRING.load(SeqCst), 1);
    std::thread::sleep(Duration::from_millis(700));
    expiring(1);
    assert_eq!(EXPIRING.load(SeqCst), 2, "expired after ttl");

    idle(1);
    std::thread::sleep(Duration::from_millis(40));
    idle(1);
    assert_eq!(IDLE.load(SeqCst), 1, "read within tti");
    std::thread::sleep(Duration::from_millis(700));
    idle(1);
    assert_eq!(IDLE.load(SeqCst), 2, "expired after tti without reads");
}

#[cacheable(name = "cache.small", max_capacity = 10)]
fn small(key: u32) -> u32 {
    key
}

#[tokio::test]
async fn max_capacity_evicts_and_counts_evictions() {
    for key in 0..100 {
        small(key);
    }
    let handle = cache::get("cache.small").unwrap();
    handle.run_pending_tasks().await;
    let stats = handle.stats();
    assert!(stats.entries <= 10, "{stats:?}");
    assert!(stats.evictions >= 90 - 10, "{stats:?}");
    assert_eq!(stats.loads, 100);
}

#[cacheable]
fn describe<T: std::fmt::Debug + Clone + std::hash::Hash + Eq + Send + Sync + 'static>(
    value: T,
) -> String {
    format!("{value:?}")
}

#[test]
fn generic_functions_get_one_cache_per_instantiation() {
    assert_eq!(describe(1u8), "1");
    assert_eq!(describe("a".to_owned()), "\"a\"");
    assert_eq!(describe(1u8), "1");
    let names: Vec<String> = cache::all()
        .into_iter()
        .map(|s| s.name)
        .filter(|n| n.contains("describe"))
        .collect();
    assert_eq!(
        names,
        [
            "cache_attribute::describe<alloc::string::String>",
            "cache_attribute::describe<u8>",
        ]
    );
    let hits = cache::get("cache_attribute::describe<u8>")
        .unwrap()
        .stats()
        .hits;
    assert_eq!(hits, 1);
}

trait Table {
    const NAME: &'static str;
}

struct Users;
struct Orders;

impl Table for Users {
    const NAME: &'static str = "users";
}

impl Table for Orders {
    const NAME: &'static str = "orders";
}

/// Same key and value types for every `T`: only the instantiation tells the
/// caches apart.
#[cacheable]
fn row<T: Table>(id: u64) -> String {
    format!("{}/{id}", T::NAME)
}

struct Repo<T>(std::marker::PhantomData<T>);

impl<T: Table> Repo<T> {
    /// Generic through the `impl`, which the attribute cannot see.
    #[cacheable]
    fn count(id: u64) -> String {
        format!("{} count {id}", T::NAME)
    }
}

#[test]
fn instantiations_with_the_same_key_and_value_types_keep_their_own_entries() {
    assert_eq!(row::<Users>(1), "users/1");
    assert_eq!(row::<Orders>(1), "orders/1");
    assert_eq!(row::<Users>(1), "users/1");
    assert_eq!(Repo::<Users>::count(2), "users count 2");
    assert_eq!(Repo::<Orders>::count(2), "orders count 2");
    assert_eq!(Repo::<Orders>::count(2), "orders count 2");
    let stats = |name: &str| {
        let stats = cache::get(name).unwrap_or_else(|| panic!("{name}")).stats();
        (stats.hits, stats.loads)
    };
    assert_eq!(
        stats("cache_attribute::row<cache_attribute::Users>"),
        (1, 1)
    );
    assert_eq!(
        stats("cache_attribute::row<cache_attribute::Orders>"),
        (0, 1)
    );
    assert_eq!(
        stats("cache_attribute::Repo::count<cache_attribute::Orders>"),
        (1, 1)
    );
}

#[cacheable(name = "cache.taken")]
fn owner_one(key: u32) -> u32 {
    key
}

#[cacheable(name = "cache.taken")]
fn owner_two(key: u32) -> u32 {
    key
}

#[test]
fn a_name_used_twice_is_an_error_naming_both_functions() {
    assert_eq!(owner_one(1), 1);
    let panic = std::panic::catch_unwind(|| owner_two(1)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("cache name `cache.taken` is used by both `cache_attribute::owner_one` and `cache_attribute::owner_two`"),
        "{message}"
    );
}

#[cfg(feature = "serde")]
#[cacheable(name = "cache.json")]
fn for_json(key: u32) -> u32 {
    key
}

#[cfg(feature = "serde")]
#[test]
fn statistics_serialize() {
    let _ = (for_json(1), for_json(1));
    let stats = cache::all()
        .into_iter()
        .find(|s| s.name == "cache.json")
        .unwrap();
    let json = serde_json::to_value(&stats).unwrap();
    assert_eq!(
        (
            json["hits"].as_u64(),
            json["misses"].as_u64(),
            json["loads"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(json["hit_rate"].as_f64(), Some(0.5));
    for field in ["evictions", "entries"] {
        assert!(json[field].is_u64(), "{field}: {json}");
    }
}

/// A key that counts its clones.
#[derive(Debug, Hash, PartialEq, Eq)]
struct CountedKey(u32);

static KEY_CLONES: AtomicU32 = AtomicU32::new(0);

impl Clone for CountedKey {
    fn clone(&self) -> Self {
        KEY_CLONES.fetch_add(1, SeqCst);
        CountedKey(self.0)
    }
}

#[cacheable]
fn by_value(key: CountedKey) -> u32 {
    key.0
}

#[cacheable]
async fn by_reference(key: &CountedKey) -> u32 {
    key.0 + 1
}

#[tokio::test]
async fn a_hit_looks_the_argument_up_borrowed_and_clones_it_only_on_a_miss() {
    let clones = || KEY_CLONES.load(SeqCst);
    let start = clones();
    assert_eq!(by_value(CountedKey(1)), 1);
    assert_eq!(by_reference(&CountedKey(1)).await, 2);
    let after_misses = clones();
    assert!(after_misses > start, "a miss owns the key");
    for _ in 0..10 {
        assert_eq!(by_value(CountedKey(1)), 1);
        assert_eq!(by_reference(&CountedKey(1)).await, 2);
    }
    assert_eq!(clones(), after_misses, "hits clone nothing");
}
