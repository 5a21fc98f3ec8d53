//! The cache of an async function: the core over moka's `future::Cache`.

use std::borrow::Borrow;
use std::hash::Hash;

use super::moka_tier::MokaFuture;

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

async_api!(AsyncCache);

impl<K, V> AsyncCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Removes the entry for `key`.
    pub async fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.core.tier().moka().invalidate(key).await;
    }
}
