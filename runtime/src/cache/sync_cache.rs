//! The cache of a synchronous function: `moka::sync::Cache`.

use std::any::Any;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;

use super::CacheError;
use super::flight::{self, Uncached};
use super::handle::{BoxFuture, ErasedCache};
use super::reentry;
use super::stats::Counters;
use super::{Adapter, CacheConfig, CacheStats};

/// A cache in front of a synchronous function; concurrent misses on one key
/// run the body once (moka's `optionally_get_with`), other threads wait.
///
/// ```
/// use opguard_runtime::cache::{self, Adapter, SyncCache};
///
/// let cache: SyncCache<u64, String> = cache::builder("docs.users").build_sync().unwrap();
/// let load = |id: u64| format!("user-{id}");
/// assert_eq!(cache.get_or_load(7, &Adapter::VALUE, || load(7)), "user-7");
/// assert_eq!(cache.get_or_load(7, &Adapter::VALUE, || unreachable!()), "user-7");
/// assert_eq!((cache.stats().hits, cache.stats().loads), (1, 1));
/// ```
#[derive(Clone)]
pub struct SyncCache<K, V> {
    pub(crate) name: Arc<str>,
    inner: moka::sync::Cache<K, V>,
    counters: Arc<Counters>,
}

impl<K, V> std::fmt::Debug for SyncCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncCache")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<K, V> SyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub(crate) fn new(name: &str, config: &CacheConfig) -> Self {
        let counters = Arc::new(Counters::default());
        Self {
            name: name.into(),
            inner: build_moka!(sync, config, &counters),
            counters,
        }
    }

    /// The cached value for `key`, counting a hit or a miss.
    #[inline]
    pub fn hit<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.inner.get(key);
        match found {
            Some(_) => self.counters.hit(),
            None => self.counters.miss(),
        }
        found
    }

    /// Runs `body` for `key` after a miss, unless a concurrent call for the
    /// same key is already running it, in which case this one waits for its
    /// outcome. What `adapter` splits off as cacheable, and `keep` accepts,
    /// is cached. A load that caches nothing hands its waiters a copy of
    /// what it returned where one can be made (see [`Adapter`]); otherwise
    /// each waiter runs its own body, at once.
    pub fn load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        keep: impl Fn(&V) -> bool,
        body: impl FnOnce() -> R,
    ) -> R {
        let id = Arc::as_ptr(&self.counters) as usize;
        reentry::check(id, &key, &self.name);
        let run = |body| self.run(id, &key, adapter, &keep, body);
        let mut body = Some(body);
        let mut own = None;
        let loaded = self.inner.try_get_with(key.clone(), || match body.take() {
            Some(body) => run(body).map_err(|(uncached, returned)| {
                own = Some(returned);
                uncached
            }),
            None => Err(Uncached::Unshared),
        });
        match loaded {
            Ok(value) => adapter.wrap(value),
            Err(uncached) => own
                .or_else(|| flight::waited(adapter, &uncached))
                .unwrap_or_else(|| {
                    // This caller waited, so its body has not run.
                    let body = body.take().expect("a waiting caller still has its body");
                    match run(body) {
                        Ok(value) => {
                            self.inner.insert(key.clone(), value.clone());
                            adapter.wrap(value)
                        }
                        Err((_, returned)) => returned,
                    }
                }),
        }
    }

    /// Runs a load's body, marked as loading `key` (see `reentry`).
    fn run<R>(
        &self,
        id: usize,
        key: &K,
        adapter: &Adapter<R, V>,
        keep: &impl Fn(&V) -> bool,
        body: impl FnOnce() -> R,
    ) -> Result<V, (Uncached<V>, R)> {
        self.counters.load();
        let entered = reentry::Load::new(id, key).enter();
        let returned = body();
        drop(entered);
        flight::settle(adapter, keep, returned)
    }

    /// [`hit`](Self::hit), else [`load`](Self::load) caching every value.
    pub fn get_or_load<R>(&self, key: K, adapter: &Adapter<R, V>, body: impl FnOnce() -> R) -> R {
        match self.hit(&key) {
            Some(value) => adapter.wrap(value),
            None => self.load(key, adapter, |_| true, body),
        }
    }

    /// Removes the entry for `key`.
    pub fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.invalidate(key);
    }

    /// Removes every entry.
    pub fn invalidate_all(&self) {
        self.inner.invalidate_all();
    }

    /// Runs moka's pending maintenance now.
    pub fn run_pending_tasks(&self) {
        self.inner.run_pending_tasks();
    }

    /// The cache's figures now.
    pub fn stats(&self) -> CacheStats {
        self.counters.snapshot(&self.name, self.inner.entry_count())
    }
}

impl<K, V> ErasedCache for SyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn stats(&self) -> CacheStats {
        SyncCache::stats(self)
    }
    fn key_type(&self) -> &'static str {
        std::any::type_name::<K>()
    }
    fn is_async(&self) -> bool {
        false
    }
    fn invalidate<'a>(&'a self, key: &'a (dyn Any + Send + Sync)) -> Option<BoxFuture<'a, ()>> {
        let key = key.downcast_ref::<K>()?;
        self.inner.invalidate(key);
        Some(Box::pin(std::future::ready(())))
    }
    fn invalidate_blocking(&self, key: &(dyn Any + Send + Sync)) -> Option<Result<(), CacheError>> {
        let key = key.downcast_ref::<K>()?;
        self.inner.invalidate(key);
        Some(Ok(()))
    }
    fn invalidate_all(&self) {
        self.inner.invalidate_all();
    }
    fn run_pending_tasks(&self) -> BoxFuture<'_, ()> {
        self.inner.run_pending_tasks();
        Box::pin(std::future::ready(()))
    }
    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }
}
