//! The cache of a synchronous function: `moka::sync::Cache`.

use std::any::Any;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;

use super::handle::{BoxFuture, CacheError, ErasedCache};
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
    /// same key is already running it, in which case this one waits for that
    /// value. What `adapter` splits off as cacheable, and `keep` accepts, is
    /// cached; anything else goes back to this caller only. A caller that
    /// waited for a call whose result was not cached runs its own body.
    pub fn load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        keep: impl Fn(&V) -> bool,
        body: impl FnOnce() -> R,
    ) -> R {
        let id = Arc::as_ptr(&self.counters) as usize;
        reentry::check(id, &key, &self.name);
        let mut body = Some(body);
        let mut uncached = None;
        loop {
            let cached = self.inner.optionally_get_with(key.clone(), || {
                let body = body.take()?;
                self.counters.load();
                let entered = reentry::Load::new(id, &key).enter();
                let returned = body();
                drop(entered);
                match adapter.split(returned) {
                    Ok(value) if keep(&value) => Some(value),
                    Ok(value) => {
                        uncached = Some(adapter.wrap(value));
                        None
                    }
                    Err(returned) => {
                        uncached = Some(returned);
                        None
                    }
                }
            });
            if let Some(value) = cached {
                return adapter.wrap(value);
            }
            if let Some(returned) = uncached.take() {
                return returned;
            }
            // We waited for a call whose result was not cached; our body has
            // not run: go again (coalescing with the other waiters).
        }
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
