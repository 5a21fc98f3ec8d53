//! The cache of an async function: `moka::future::Cache`.

use std::any::Any;
use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use super::handle::{BoxFuture, CacheError, ErasedCache};
use super::reentry;
use super::stats::Counters;
use super::{Adapter, CacheConfig, CacheStats};

/// A cache in front of an async function; concurrent misses on one key run
/// the body once (moka's `optionally_get_with`), other calls wait without
/// blocking their thread. A cancelled or panicking loader hands the load to
/// one of the waiters.
///
/// ```
/// use opguard_runtime::cache::{self, Adapter, AsyncCache};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let cache: AsyncCache<u64, String> = cache::builder("docs.async_users").build_async().unwrap();
/// let value = cache.get_or_load(7, &Adapter::VALUE, async { format!("user-{}", 7) }).await;
/// assert_eq!(value, "user-7");
/// assert_eq!(cache.stats().loads, 1);
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncCache<K, V> {
    pub(crate) name: Arc<str>,
    inner: moka::future::Cache<K, V>,
    counters: Arc<Counters>,
}

impl<K, V> AsyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub(crate) fn new(name: &str, config: &CacheConfig) -> Self {
        let counters = Arc::new(Counters::default());
        Self {
            name: name.into(),
            inner: build_moka!(future, config, &counters),
            counters,
        }
    }

    /// The cached value for `key`, counting a hit or a miss.
    #[inline]
    pub async fn hit<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.inner.get(key).await;
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
    pub async fn load<R, F>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        keep: impl Fn(&V) -> bool,
        body: F,
    ) -> R
    where
        F: Future<Output = R>,
    {
        let id = Arc::as_ptr(&self.counters) as usize;
        reentry::check(id, &key, &self.name);
        let mut body = Some(body);
        let mut uncached = None;
        loop {
            let load = async {
                let body = body.take()?;
                self.counters.load();
                let returned = reentry::Marked::new(reentry::Load::new(id, &key), body).await;
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
            };
            let cached = self.inner.optionally_get_with(key.clone(), load).await;
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
    pub async fn get_or_load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        body: impl Future<Output = R>,
    ) -> R {
        match self.hit(&key).await {
            Some(value) => adapter.wrap(value),
            None => self.load(key, adapter, |_| true, body).await,
        }
    }

    /// Removes the entry for `key`.
    pub async fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.invalidate(key).await;
    }

    /// Removes every entry.
    pub fn invalidate_all(&self) {
        self.inner.invalidate_all();
    }

    /// Runs moka's pending maintenance now.
    pub async fn run_pending_tasks(&self) {
        self.inner.run_pending_tasks().await;
    }

    /// The cache's figures now.
    pub fn stats(&self) -> CacheStats {
        self.counters.snapshot(&self.name, self.inner.entry_count())
    }
}

impl<K, V> ErasedCache for AsyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn stats(&self) -> CacheStats {
        AsyncCache::stats(self)
    }
    fn key_type(&self) -> &'static str {
        std::any::type_name::<K>()
    }
    fn is_async(&self) -> bool {
        true
    }
    fn invalidate<'a>(&'a self, key: &'a (dyn Any + Send + Sync)) -> Option<BoxFuture<'a, ()>> {
        let key = key.downcast_ref::<K>()?;
        Some(Box::pin(self.inner.invalidate(key)))
    }
    fn invalidate_blocking(&self, key: &(dyn Any + Send + Sync)) -> Option<Result<(), CacheError>> {
        key.downcast_ref::<K>()?;
        Some(Err(CacheError::AsyncCache {
            cache: self.name.to_string(),
        }))
    }
    fn invalidate_all(&self) {
        self.inner.invalidate_all();
    }
    fn run_pending_tasks(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.inner.run_pending_tasks())
    }
    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }
}
