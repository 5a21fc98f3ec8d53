//! The cache of an async function with a second tier in Redis (feature
//! `redis`): the core over [`SharedTier`].

use std::hash::Hash;

use super::shared_tier::{Shareable, SharedTier};
use super::tier::Tier;

cache_type! {
    /// A cache in front of an async function, in this instance's memory
    /// (`local_ttl`) and in Redis (`ttl`), shared by every instance
    /// connected to the same Redis (`opguard::shared::connect`).
    ///
    /// A miss of memory looks in Redis (a hit there fills memory), else
    /// one instance in the fleet runs the body under a lease on the key
    /// while the others wait for its value (up to `load_timeout`), and the
    /// value goes to both tiers. Keys and values cross processes through
    /// serde (postcard). Until `connect`, and while Redis is unavailable,
    /// it works as a local cache; the caller never sees a Redis error.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use opguard_runtime::cache::{self, Adapter, SharedCache};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// opguard_runtime::shared::connect("redis://127.0.0.1:6379/0").await.unwrap();
    /// let cache: SharedCache<u64, String> = cache::builder("docs.shared_users")
    ///     .ttl(Duration::from_secs(600))
    ///     .local_ttl(Duration::from_secs(30))
    ///     .build_shared()
    ///     .unwrap();
    /// let value = cache.get_or_load(7, &Adapter::VALUE, async { format!("user-{}", 7) }).await;
    /// assert_eq!(value, "user-7");
    /// # }
    /// ```
    SharedCache over SharedTier where K: Shareable, V: Shareable,
}

async_api!(SharedCache where K: Shareable, V: Shareable,);

impl<K, V> SharedCache<K, V>
where
    K: Shareable + Hash + Eq,
    V: Shareable,
{
    /// Removes the entry for `key` from this instance's memory and from
    /// Redis, and tells every instance to forget it (within its
    /// `sync_interval`).
    pub async fn invalidate(&self, key: &K) {
        self.core.tier().invalidate(key).await;
    }
}
