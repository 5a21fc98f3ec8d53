//! The core drives any [`Tier`]: here a `HashMap` behind a lock, which
//! records what the core asked of it; with `WAITS`, every operation first
//! yields once to the runtime, as a tier over a network would.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::future::{Future, ready};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use super::core::Core;
use super::handle::ErasedCache;
use super::tier::{Tier, now};
use super::{Adapter, CacheError, CacheStats};

/// Entries in a map; `get_or_load` runs every load (no coalescing), which
/// is enough for one caller at a time.
#[derive(Default)]
struct MapTier<const WAITS: bool> {
    entries: Mutex<HashMap<u32, String>>,
    log: Mutex<Vec<&'static str>>,
}

impl<const WAITS: bool> MapTier<WAITS> {
    /// Notes `what` was asked and, with `WAITS`, yields once.
    async fn asked(&self, what: &'static str) {
        self.log.lock().unwrap().push(what);
        if WAITS {
            tokio::task::yield_now().await;
        }
    }
}

impl<const WAITS: bool> Tier<u32, String> for MapTier<WAITS> {
    const SYNC: bool = !WAITS;

    async fn get<Q>(&self, key: &Q) -> Option<String>
    where
        u32: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.asked("get").await;
        let entries = self.entries.lock().unwrap();
        let mut found = entries.iter().filter(|(k, _)| (*k).borrow() == key);
        found.next().map(|(_, v)| v.clone())
    }

    async fn get_or_load<E>(
        &self,
        key: u32,
        load: impl Future<Output = Result<String, E>>,
    ) -> Result<String, Arc<E>>
    where
        E: Send + Sync + 'static,
    {
        self.asked("get_or_load").await;
        let loaded = load.await.map_err(Arc::new);
        if let Ok(value) = &loaded {
            self.entries.lock().unwrap().insert(key, value.clone());
        }
        loaded
    }

    async fn insert(&self, key: u32, value: String) {
        self.asked("insert").await;
        self.entries.lock().unwrap().insert(key, value);
    }

    async fn invalidate(&self, key: &u32) {
        self.asked("invalidate").await;
        self.entries.lock().unwrap().remove(key);
    }

    fn invalidate_all(&self) {
        self.entries.lock().unwrap().clear();
    }

    fn run_pending_tasks(&self) -> impl Future<Output = ()> + Send {
        ready(())
    }

    fn report(&self, stats: &mut CacheStats) {
        stats.entries = self.entries.lock().unwrap().len() as u64;
    }
}

fn core() -> Core<u32, String, MapTier<false>> {
    Core::new("tier_tests", MapTier::default())
}

#[test]
fn a_miss_loads_into_the_tier_and_a_hit_reads_it_back() {
    let core = core();
    assert_eq!(now(core.hit(&7)), None);
    let loaded = now(core.load(7, &Adapter::VALUE, |_| true, async { "seven".to_owned() }));
    assert_eq!(loaded, "seven");
    assert_eq!(core.tier().entries.lock().unwrap()[&7], "seven");
    assert_eq!(now(core.hit(&7)).as_deref(), Some("seven"));
    let stats = core.stats();
    assert_eq!(
        (stats.hits, stats.misses, stats.loads, stats.entries),
        (1, 1, 1, 1)
    );
    assert_eq!(
        *core.tier().log.lock().unwrap(),
        ["get", "get_or_load", "get"]
    );
}

#[test]
fn what_the_core_does_not_admit_never_reaches_the_tier() {
    let core = core();
    let refused = now(core.load(1, &Adapter::VALUE, |v| v != "no", async { "no".to_owned() }));
    assert_eq!(refused, "no");
    let none = now(core.load(2, &Adapter::OPTION, |_| true, async { None }));
    assert_eq!(none, None);
    assert!(core.tier().entries.lock().unwrap().is_empty());
    assert_eq!(core.stats().loads, 2);
}

#[test]
fn invalidation_through_the_handle_reaches_the_tier() {
    let core = core();
    let body = || async { "one".to_owned() };
    assert_eq!(now(core.get_or_load(1, &Adapter::VALUE, body())), "one");
    assert_eq!(now(core.get_or_load(2, &Adapter::VALUE, body())), "one");
    assert_eq!(core.stats().entries, 2);
    assert_eq!(ErasedCache::invalidate_blocking(&core, &1u32), Some(Ok(())));
    assert_eq!(now(core.hit(&1)), None);
    assert!(!core.is_async());
    core.invalidate_all();
    assert_eq!(now(core.hit(&2)), None);
    assert!(core.tier().log.lock().unwrap().contains(&"invalidate"));
}

#[test]
fn a_load_that_asks_for_its_own_key_fails_fast_whatever_the_tier() {
    let core = Arc::new(core());
    let inner = Arc::clone(&core);
    let recursion = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        now(core.load(3, &Adapter::VALUE, |_| true, async {
            now(inner.load(3, &Adapter::VALUE, |_| true, async { "inner".to_owned() }))
        }))
    }));
    let message = *recursion.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("`tier_tests` was asked for a key that this very call is loading"));
}

#[tokio::test]
async fn a_tier_that_waits_is_driven_without_blocking() {
    let core = Core::new("tier_tests.waits", MapTier::<true>::default());
    assert_eq!(core.hit(&7).await, None);
    let load = core.load(7, &Adapter::VALUE, |_| true, async { "seven".to_owned() });
    assert_eq!(load.await, "seven");
    assert_eq!(core.hit(&7).await.as_deref(), Some("seven"));
    assert!(core.is_async());
    let blocking = ErasedCache::invalidate_blocking(&core, &7u32);
    assert!(matches!(blocking, Some(Err(CacheError::AsyncCache { .. }))));
    ErasedCache::invalidate(&core, &7u32).unwrap().await;
    assert_eq!(core.hit(&7).await, None);
    let log = core.tier().log.lock().unwrap().clone();
    assert_eq!(log, ["get", "get_or_load", "get", "invalidate", "get"]);
}
