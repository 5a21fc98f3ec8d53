//! The cache of an async function: the core over moka's `future::Cache`.

use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;

use super::Adapter;
use super::moka_tier::MokaFuture;
use super::tier::Tier;

cache_type! {
    /// A cache in front of an async function; concurrent misses on one key
    /// run the body once (moka's `try_get_with`), other calls wait without
    /// blocking their thread. A cancelled or panicking loader hands the load
    /// to one of the waiters.
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
    AsyncCache over MokaFuture
}

impl<K, V> AsyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// The cached value for `key`, counting a hit or a miss.
    #[inline]
    pub async fn hit<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.core.tier().get(key).await;
        self.core.counted(found)
    }

    /// Runs `body` for `key` after a miss, unless a concurrent call for the
    /// same key is already running it, in which case this one waits for its
    /// outcome. What `adapter` splits off as cacheable, and `keep` accepts,
    /// is cached. A load that caches nothing hands its waiters a copy of
    /// what it returned where one can be made (see [`Adapter`]); otherwise
    /// each waiter runs its own body, at once.
    pub fn load<R, F>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        keep: impl Fn(&V) -> bool,
        body: F,
    ) -> impl Future<Output = R>
    where
        F: Future<Output = R>,
    {
        // The core's future itself, not one around it: the attribute boxes
        // it on a miss, and a wrapper would only make the box larger.
        self.core.load(key, adapter, keep, body)
    }

    /// [`hit`](Self::hit), else [`load`](Self::load) caching every value.
    pub fn get_or_load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        body: impl Future<Output = R>,
    ) -> impl Future<Output = R> {
        self.core.get_or_load(key, adapter, body)
    }

    /// Removes the entry for `key`.
    pub async fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.core.tier().moka().invalidate(key).await;
    }

    /// Runs moka's pending maintenance now.
    pub async fn run_pending_tasks(&self) {
        self.core.tier().run_pending_tasks().await;
    }
}
