//! The cache of an async function: `moka::future::Cache`.

use std::any::Any;
use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use super::CacheError;
use super::flight::{self, Uncached};
use super::handle::{BoxFuture, ErasedCache};
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

impl<K, V> std::fmt::Debug for AsyncCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncCache")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
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
    /// same key is already running it, in which case this one waits for its
    /// outcome. What `adapter` splits off as cacheable, and `keep` accepts,
    /// is cached. A load that caches nothing hands its waiters a copy of
    /// what it returned where one can be made (see [`Adapter`]); otherwise
    /// each waiter runs its own body, at once.
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
        let mut own = None;
        let load = async {
            match body.take() {
                Some(body) => self.run(id, &key, adapter, &keep, body).await.map_err(
                    |(uncached, returned)| {
                        own = Some(returned);
                        uncached
                    },
                ),
                None => Err(Uncached::Unshared),
            }
        };
        let loaded = self.inner.try_get_with(key.clone(), load).await;
        match loaded {
            Ok(value) => adapter.wrap(value),
            Err(uncached) => match own.or_else(|| flight::waited(adapter, &uncached)) {
                Some(returned) => returned,
                None => {
                    // This caller waited, so its body has not run.
                    let body = body.take().expect("a waiting caller still has its body");
                    match self.run(id, &key, adapter, &keep, body).await {
                        Ok(value) => {
                            self.inner.insert(key, value.clone()).await;
                            adapter.wrap(value)
                        }
                        Err((_, returned)) => returned,
                    }
                }
            },
        }
    }

    /// Runs a load's body, marked as loading `key` while it is polled (see
    /// `reentry`).
    async fn run<R>(
        &self,
        id: usize,
        key: &K,
        adapter: &Adapter<R, V>,
        keep: &impl Fn(&V) -> bool,
        body: impl Future<Output = R>,
    ) -> Result<V, (Uncached<V>, R)> {
        self.counters.load();
        let returned = reentry::Marked::new(reentry::Load::new(id, key), body).await;
        flight::settle(adapter, keep, returned)
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
