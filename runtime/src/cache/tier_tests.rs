//! The core drives any [`Tier`]: here a `HashMap` behind a lock, which
//! records what the core asked of it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::future::{Future, ready};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use super::core::Core;
use super::handle::ErasedCache;
use super::tier::{Tier, now};
use super::{Adapter, CacheStats};

/// Entries in a map; `get_or_load` runs every load (no coalescing), which
/// is enough for one thread.
#[derive(Default)]
struct MapTier {
    entries: Mutex<HashMap<u32, String>>,
    log: Mutex<Vec<&'static str>>,
}

impl MapTier {
    fn note(&self, what: &'static str) {
        self.log.lock().unwrap().push(what);
    }
}

impl Tier<u32, String> for MapTier {
    const SYNC: bool = true;

    fn get<Q>(&self, key: &Q) -> impl Future<Output = Option<String>>
    where
        u32: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.note("get");
        let entries = self.entries.lock().unwrap();
        ready(
            entries
                .iter()
                .find(|(k, _)| (*k).borrow() == key)
                .map(|(_, v)| v.clone()),
        )
    }

    fn get_or_load<E>(
        &self,
        key: u32,
        load: impl Future<Output = Result<String, E>>,
    ) -> impl Future<Output = Result<String, Arc<E>>>
    where
        E: Send + Sync + 'static,
    {
        self.note("get_or_load");
        let loaded = now(load).map_err(Arc::new);
        if let Ok(value) = &loaded {
            self.entries.lock().unwrap().insert(key, value.clone());
        }
        ready(loaded)
    }

    fn insert(&self, key: u32, value: String) -> impl Future<Output = ()> {
        self.note("insert");
        self.entries.lock().unwrap().insert(key, value);
        ready(())
    }

    fn invalidate(&self, key: &u32) -> impl Future<Output = ()> + Send {
        self.note("invalidate");
        self.entries.lock().unwrap().remove(key);
        ready(())
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

fn core() -> Core<u32, String, MapTier> {
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
