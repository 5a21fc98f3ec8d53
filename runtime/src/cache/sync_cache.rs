//! The cache of a synchronous function: the core over moka's `sync::Cache`,
//! run at once on the caller's thread.

use std::borrow::Borrow;
use std::hash::Hash;

use super::Adapter;
use super::moka_tier::MokaSync;
use super::tier::now;

cache_type! {
    /// A cache in front of a synchronous function; concurrent misses on one
    /// key run the body once (moka's `try_get_with`), other threads wait.
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
    SyncCache over MokaSync
}

impl<K, V> SyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// The cached value for `key`, counting a hit or a miss.
    #[inline]
    pub fn hit<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.core.counted(self.core.tier().moka().get(key))
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
        now(self.core.load(key, adapter, keep, async move { body() }))
    }

    /// [`hit`](Self::hit), else [`load`](Self::load) caching every value.
    pub fn get_or_load<R>(&self, key: K, adapter: &Adapter<R, V>, body: impl FnOnce() -> R) -> R {
        now(self.core.get_or_load(key, adapter, async move { body() }))
    }

    /// Removes the entry for `key`.
    pub fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.core.tier().moka().invalidate(key);
    }

    /// Runs moka's pending maintenance now.
    pub fn run_pending_tasks(&self) {
        self.core.tier().moka().run_pending_tasks();
    }
}
