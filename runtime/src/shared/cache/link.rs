//! What one shared cache knows of the fleet: its name in Redis, the
//! generation its keys carry (moved by `invalidate_all`), the invalidations
//! it has seen, its figures, and the loads of other instances it waits for.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::codec::HEADER;
use crate::cache::{CacheConfig, CacheStats};
use crate::shared::conn::lock;

/// A generation or version not yet read from Redis.
pub(crate) const UNKNOWN: u64 = u64::MAX;
/// The generation while this instance's `invalidate_all` has not reached
/// Redis: misses use memory and the body only.
pub(crate) const PENDING: u64 = u64::MAX - 1;

/// The Redis keys of one entry, all under one `{hash tag}` (one Cluster
/// slot): the value, the lease of its loader, and the flag that others wait.
#[derive(Debug, Clone)]
pub(crate) struct EntryKeys {
    pub(crate) value: Vec<u8>,
    pub(crate) lease: Vec<u8>,
    pub(crate) waiting: Vec<u8>,
    /// The entry in pub/sub messages: `<generation> <key as hex>`.
    pub(crate) id: String,
}

/// One shared cache's link to the fleet.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) name: Arc<str>,
    pub(crate) header: [u8; HEADER],
    pub(crate) ttl: Duration,
    pub(crate) load_timeout: Duration,
    pub(crate) sync_interval: Duration,
    /// The generation in every key ([`UNKNOWN`], [`PENDING`]).
    generation: AtomicU64,
    /// Invalidations made in the fleet, as last learned ([`UNKNOWN`]).
    version: AtomicU64,
    /// Announcements applied; a poll that raced one is not applied.
    pub(crate) applied: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
    /// The entries this instance waits for, by id.
    waiters: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Link {
    pub(crate) fn new(name: &str, config: &CacheConfig, header: [u8; HEADER]) -> Self {
        Self {
            name: name.into(),
            header,
            ttl: config.ttl,
            load_timeout: config.load_timeout,
            sync_interval: config.sync_interval,
            generation: AtomicU64::new(UNKNOWN),
            version: AtomicU64::new(UNKNOWN),
            applied: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            waiters: Mutex::new(HashMap::new()),
        }
    }

    /// `<prefix>:cache:{<length of name>:<name>`: the start of every key.
    fn tag(&self, prefix: &str) -> String {
        format!("{prefix}:cache:{{{}:{}", self.name.len(), self.name)
    }

    /// The hash holding the generation (`gen`) and version (`ver`).
    pub(crate) fn meta_key(&self, prefix: &str) -> String {
        format!("{}}}:meta", self.tag(prefix))
    }

    /// The keys of the entry for `key` (its bytes) in `generation`.
    pub(crate) fn entry(&self, prefix: &str, generation: u64, key: &[u8]) -> EntryKeys {
        let mut base = format!("{}:{generation}:", self.tag(prefix)).into_bytes();
        base.extend_from_slice(key);
        let with = |suffix: &[u8]| [base.as_slice(), suffix].concat();
        EntryKeys {
            value: with(b"}:v"),
            lease: with(b"}:l"),
            waiting: with(b"}:w"),
            id: format!("{generation} {}", super::codec::hex(key)),
        }
    }

    /// The generation in keys now; [`UNKNOWN`] or [`PENDING`] when none is.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Acquire)
    }

    /// The first read of the fleet's generation and version.
    pub(crate) fn learn(&self, generation: u64, version: u64) {
        let _ = self
            .generation
            .compare_exchange(UNKNOWN, generation, AcqRel, Acquire);
        let _ = self
            .version
            .compare_exchange(UNKNOWN, version, AcqRel, Acquire);
    }

    /// This instance cleared the cache: misses stay local until Redis has
    /// the new generation.
    pub(crate) fn clear_pending(&self) {
        self.generation.store(PENDING, Release);
    }

    /// The fleet's generation and version after this instance's clear
    /// (`None`: it did not reach Redis, and is retried).
    pub(crate) fn cleared(&self, answer: Option<(u64, u64)>) {
        if let Some((generation, version)) = answer {
            self.generation.store(generation, Release);
            self.version.fetch_max_known(version);
        }
    }

    /// Whether a clear of this instance waits to reach Redis.
    pub(crate) fn is_pending(&self) -> bool {
        self.generation() == PENDING
    }

    /// An instance cleared the cache: generation `generation`, version
    /// `version`. True when memory is to be forgotten.
    pub(crate) fn on_clear(&self, generation: u64, version: u64) -> bool {
        self.applied.fetch_add(1, AcqRel);
        let known = self.version.load(Acquire);
        if known != UNKNOWN && version <= known {
            return false;
        }
        if self.generation() != PENDING {
            self.generation.store(generation, Release);
        }
        self.version.fetch_max_known(version);
        true
    }

    /// An instance invalidated one key at `version`. True when a gap shows
    /// that announcements were missed: all of memory is to be forgotten.
    pub(crate) fn on_invalidate(&self, version: u64) -> bool {
        self.applied.fetch_add(1, AcqRel);
        let known = self.version.load(Acquire);
        self.version.fetch_max_known(version);
        known != UNKNOWN && version > known.saturating_add(1)
    }

    /// What a poll read (generation, version), when no announcement came
    /// since it was sent. True when memory is to be forgotten: the fleet
    /// moved in a way no announcement told (lost, or Redis restarted).
    pub(crate) fn on_poll(&self, generation: u64, version: u64) -> bool {
        let known_generation = self.generation();
        let known_version = self.version.swap(version, AcqRel);
        let moved_generation = match known_generation {
            PENDING => false,
            UNKNOWN => {
                let _ = self
                    .generation
                    .compare_exchange(UNKNOWN, generation, AcqRel, Acquire);
                false
            }
            known => {
                if known != generation {
                    self.generation.store(generation, Release);
                }
                known != generation
            }
        };
        moved_generation || (known_version != UNKNOWN && known_version != version)
    }

    /// A miss that Redis answered with a value.
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Relaxed);
    }

    /// A miss that this instance loaded.
    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Relaxed);
    }

    /// A command that failed or passed its deadline.
    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Relaxed);
    }

    pub(crate) fn report(&self, stats: &mut CacheStats) {
        stats.shared = true;
        stats.shared_hits = self.hits.load(Relaxed);
        stats.shared_misses = self.misses.load(Relaxed);
        stats.shared_errors = self.errors.load(Relaxed);
    }

    /// Registers this instance as waiting for the entry `id`, until the
    /// returned guard is dropped.
    pub(crate) fn wait_for(self: &Arc<Self>, id: &str) -> Waiting {
        let notify = Arc::clone(
            lock(&self.waiters)
                .entry(id.to_owned())
                .or_insert_with(|| Arc::new(Notify::new())),
        );
        Waiting {
            link: Arc::clone(self),
            id: id.to_owned(),
            notify,
        }
    }

    /// The entry `id` was filled, or its lease released: wake its waiter.
    pub(crate) fn wake(&self, id: &str) {
        if let Some(notify) = lock(&self.waiters).get(id) {
            notify.notify_waiters();
        }
    }
}

/// A waiter's registration; removed on drop.
#[derive(Debug)]
pub(crate) struct Waiting {
    link: Arc<Link>,
    id: String,
    pub(crate) notify: Arc<Notify>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut waiters = lock(&self.link.waiters);
        // Only the last registration of the id removes it.
        if waiters
            .get(&self.id)
            .is_some_and(|n| Arc::strong_count(n) <= 2)
        {
            waiters.remove(&self.id);
        }
    }
}

/// `fetch_max` that treats [`UNKNOWN`] as below every version.
trait FetchMaxKnown {
    fn fetch_max_known(&self, version: u64);
}

impl FetchMaxKnown for AtomicU64 {
    fn fetch_max_known(&self, version: u64) {
        let _ = self.fetch_update(AcqRel, Acquire, |known| {
            (known == UNKNOWN || known < version).then_some(version)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{Link, PENDING, UNKNOWN};
    use crate::cache::CacheConfig;

    fn link() -> Link {
        Link::new("users", &CacheConfig::DEFAULT, [1; super::HEADER])
    }

    #[test]
    fn keys_of_one_entry_share_a_hash_tag_and_carry_the_generation() {
        let keys = link().entry("app", 3, &[7, b'}']);
        assert_eq!(keys.value, b"app:cache:{5:users:3:\x07}}:v");
        assert_eq!(keys.lease, b"app:cache:{5:users:3:\x07}}:l");
        assert_eq!(keys.id, "3 077d");
        assert_eq!(link().meta_key("app"), "app:cache:{5:users}:meta");
    }

    #[test]
    fn a_gap_in_versions_or_a_poll_that_moved_forgets_memory() {
        let link = link();
        assert_eq!(link.generation(), UNKNOWN);
        link.learn(2, 10);
        assert_eq!(link.generation(), 2);
        assert!(!link.on_invalidate(11), "the next version: that key only");
        assert!(link.on_invalidate(13), "version 12 was missed");
        assert!(!link.on_clear(3, 13), "an old announcement");
        assert!(link.on_clear(3, 14));
        assert_eq!(link.generation(), 3);
        assert!(!link.on_poll(3, 14), "nothing moved");
        assert!(link.on_poll(3, 15), "an announcement was lost");
        assert!(link.on_poll(0, 0), "Redis restarted empty");
        assert_eq!(link.generation(), 0);
    }

    #[test]
    fn a_clear_of_this_instance_keeps_misses_local_until_redis_has_it() {
        let link = link();
        link.learn(0, 0);
        link.clear_pending();
        assert!(link.is_pending());
        // Neither a poll nor another instance's clear ends it…
        assert!(!link.on_poll(0, 0));
        assert!(link.on_clear(1, 1));
        assert_eq!(link.generation(), PENDING);
        // …only its own answer, or a retry's.
        link.cleared(None);
        assert!(link.is_pending());
        link.cleared(Some((2, 2)));
        assert_eq!(link.generation(), 2);
    }
}
