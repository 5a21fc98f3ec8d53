//! The two-tier storage of a shared cache (feature `redis`): this
//! instance's moka cache (`local_ttl`) in front of Redis (`ttl`).
//!
//! `get` answers from memory only, so a hit costs what it costs in a local
//! cache. `get_or_load` keeps moka's one load per key in this process and
//! makes that load look in Redis first (a hit there fills memory), else
//! take the key's lease in Redis (one load in the fleet) or wait for the
//! instance holding it, run the body, and write the value to Redis. Every
//! Redis failure is a miss (or a skipped write) counted in `shared_errors`;
//! the caller never sees one. The Redis side is in `crate::shared::cache`.

use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Weak};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::moka_tier::MokaFuture;
use super::tier::Tier;
use super::{CacheConfig, CacheStats};
use crate::shared::cache::{self as remote, Found, Link, Local, Remote, Step};

/// The bounds of a shared cache's keys and values: a local cache's, and
/// serde both ways.
pub trait Shareable: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> Shareable for T {}

/// Memory in front of Redis.
pub(crate) struct SharedTier<K, V> {
    node: Arc<Node<K, V>>,
}

impl<K, V> Clone for SharedTier<K, V> {
    fn clone(&self) -> Self {
        Self {
            node: Arc::clone(&self.node),
        }
    }
}

struct Node<K, V> {
    memory: MokaFuture<K, V>,
    link: Arc<Link>,
}

impl<K, V> SharedTier<K, V>
where
    K: Shareable + Hash + Eq,
    V: Shareable,
{
    /// A shared cache named `name`, following the fleet's invalidations.
    pub(crate) fn new(name: &str, config: &CacheConfig) -> Self {
        let memory = MokaFuture::new(&CacheConfig {
            ttl: config.memory_ttl(),
            ..*config
        });
        let link = Arc::new(Link::new(name, config, remote::header::<K, V>()));
        let node = Arc::new(Node { memory, link });
        let weak: Weak<Node<K, V>> = Arc::downgrade(&node);
        remote::attach(&node.link, weak);
        Self { node }
    }

    /// The moka cache (this instance's memory).
    #[inline]
    pub(crate) fn moka(&self) -> &moka::future::Cache<K, V> {
        self.node.memory.moka()
    }
}

impl<K, V> Local for Node<K, V>
where
    K: Shareable + Hash + Eq,
    V: Shareable,
{
    fn forget(self: Arc<Self>, bytes: &[u8], runtime: &tokio::runtime::Handle) {
        if let Some(key) = remote::decode_key::<K>(bytes) {
            runtime.spawn(async move { self.memory.moka().invalidate(&key).await });
        }
    }

    fn forget_all(&self) {
        self.memory.moka().invalidate_all();
    }
}

/// A miss of this instance's memory: Redis, then the lease or the wait, then
/// `load` and the write-back. Counts one shared hit or miss.
async fn through<K, V, E>(
    link: &Arc<Link>,
    key: &K,
    load: impl Future<Output = Result<V, E>>,
) -> Result<V, E>
where
    K: Serialize,
    V: Serialize + DeserializeOwned,
{
    let remote = match remote::encode_key(key) {
        Some(bytes) => Remote::open(link, &bytes).await,
        None => None,
    };
    let Some(remote) = remote else {
        link.miss();
        return load.await;
    };
    let decode = |bytes: &[u8]| remote::decode_value::<V>(&link.header, bytes);
    let mut lease = None;
    let found = remote.get().await;
    if let Found::Value(bytes) = &found
        && let Some(value) = decode(bytes)
    {
        link.hit();
        return Ok(value);
    }
    if let Found::Failed = found {
        link.miss();
        return load.await;
    }
    // Nothing, or another type's or format's entry (to be overwritten).
    match remote.lease_or_wait().await {
        Step::Value(bytes) => {
            if let Some(value) = decode(&bytes) {
                link.hit();
                return Ok(value);
            }
            // Undecodable although its header is right: overwritten.
        }
        Step::Lease(held) => lease = Some(held),
        Step::Load => {}
        Step::Local => {
            link.miss();
            return load.await;
        }
    }
    link.miss();
    let loaded = load.await;
    if let Ok(value) = &loaded
        && let Some(bytes) = remote::encode_value(&link.header, value)
    {
        remote.fill(&bytes, lease.as_mut()).await;
    }
    // A lease still held (nothing cached, or the write failed) is released.
    drop(lease);
    loaded
}

impl<K, V> Tier<K, V> for SharedTier<K, V>
where
    K: Shareable + Hash + Eq,
    V: Shareable,
{
    const SYNC: bool = false;

    #[inline]
    fn get<Q>(&self, key: &Q) -> impl Future<Output = Option<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.node.memory.get(key)
    }

    fn get_or_load<E>(
        &self,
        key: K,
        load: impl Future<Output = Result<V, E>>,
    ) -> impl Future<Output = Result<V, Arc<E>>>
    where
        E: Send + Sync + 'static,
    {
        let owned = key.clone();
        let link = &self.node.link;
        self.moka()
            .try_get_with(key, async move { through(link, &owned, load).await })
    }

    async fn insert(&self, key: K, value: V) {
        if let Some(bytes) = remote::encode_key(&key)
            && let Some(remote) = Remote::open(&self.node.link, &bytes).await
            && let Some(stored) = remote::encode_value(&self.node.link.header, &value)
        {
            remote.fill(&stored, None).await;
        }
        self.moka().insert(key, value).await;
    }

    async fn invalidate(&self, key: &K) {
        self.moka().invalidate(key).await;
        if let Some(bytes) = remote::encode_key(key) {
            remote::invalidate(&self.node.link, &bytes).await;
        }
    }

    fn invalidate_all(&self) {
        self.moka().invalidate_all();
        remote::invalidate_all(&self.node.link);
    }

    fn run_pending_tasks(&self) -> impl Future<Output = ()> + Send {
        self.node.memory.run_pending_tasks()
    }

    fn report(&self, stats: &mut CacheStats) {
        self.node.memory.report(stats);
        self.node.link.report(stats);
    }
}
