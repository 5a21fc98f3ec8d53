//! One miss of a shared cache in Redis: the value, else the lease to load
//! it (one load per key in the fleet), else waiting for the instance that
//! holds the lease; then the loaded value written back. Every command has
//! the tier's deadline; a failure is counted and the miss goes on locally.

use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::Script;
use tokio::time::Instant;

use super::link::{EntryKeys, Link, PENDING, UNKNOWN};
use crate::shared::conn::{Tier, tier};
use crate::shared::pubsub::channel;

static LEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lease.lua")));
static FILL: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("fill.lua")));
static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("release.lua")));
pub(super) static ANNOUNCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("announce.lua")));

/// The channel of shared caches' announcements.
pub(crate) fn cache_channel(prefix: &str) -> String {
    channel(prefix, "cache")
}

/// What a `GET` found.
#[derive(Debug)]
pub(crate) enum Found {
    Value(Vec<u8>),
    Absent,
    Failed,
}

/// What a miss does after `GET` found nothing usable.
#[derive(Debug)]
pub(crate) enum Step {
    /// Another instance's load, or a value that came meanwhile.
    Value(Vec<u8>),
    /// This instance loads, holding the lease.
    Lease(Lease),
    /// This instance loads without the lease (its wait ran out).
    Load,
    /// Redis failed: load, write nothing.
    Local,
}

/// A miss of one key, with Redis reachable.
#[derive(Debug)]
pub(crate) struct Remote<'a> {
    tier: &'static Arc<Tier>,
    link: &'a Arc<Link>,
    keys: EntryKeys,
}

impl<'a> Remote<'a> {
    /// The entry of `key` (its bytes) in Redis, when a miss may use Redis
    /// now: connected, reachable, and the generation known (read once).
    pub(crate) async fn open(link: &'a Arc<Link>, key: &[u8]) -> Option<Self> {
        match tier() {
            Some(tier) if tier.up() => Self::reach(link, key).await,
            _ => None,
        }
    }

    /// [`open`](Self::open) even while the last command failed (for an
    /// invalidation, which is worth a try).
    pub(crate) async fn reach(link: &'a Arc<Link>, key: &[u8]) -> Option<Self> {
        let tier = tier()?;
        let generation = match link.generation() {
            PENDING => return None,
            UNKNOWN => learn(tier, link).await?,
            known => known,
        };
        let keys = link.entry(&tier.config.prefix, generation, key);
        Some(Self { tier, link, keys })
    }

    /// The stored bytes.
    pub(crate) async fn get(&self) -> Found {
        let mut get = redis::cmd("GET");
        get.arg(&self.keys.value);
        match self.tier.query::<Option<Vec<u8>>>(&get).await {
            Some(Some(bytes)) => Found::Value(bytes),
            Some(None) => Found::Absent,
            None => {
                self.link.error();
                Found::Failed
            }
        }
    }

    /// Removes the value and its lease.
    pub(crate) async fn delete(&self) -> bool {
        let mut del = redis::cmd("DEL");
        del.arg(&self.keys.value).arg(&self.keys.lease);
        let done = self.tier.query::<u64>(&del).await.is_some();
        if !done {
            self.link.error();
        }
        done
    }

    /// The value, or the lease, or waiting for the holder of the lease
    /// (woken by its announcement, polling every `sync_interval`) up to
    /// `load_timeout` (counted again when the lease changes hands, up to
    /// twice in all).
    pub(crate) async fn lease_or_wait(&self) -> Step {
        let waiting = self.link.wait_for(&self.keys.id);
        let token = token(self.tier);
        let ttl = millis(self.link.load_timeout);
        let timeout = self.link.load_timeout;
        let started = Instant::now();
        let cap = later(started, timeout.saturating_mul(2));
        let mut deadline = later(started, timeout);
        let mut holder = None;
        loop {
            let mut woken = pin!(waiting.notify.notified());
            woken.as_mut().enable();
            let mut lease = LEASE.prepare_invoke();
            lease
                .key(&self.keys.value)
                .key(&self.keys.lease)
                .key(&self.keys.waiting)
                .arg(&token)
                .arg(ttl)
                .arg(&self.link.header[..]);
            let current = match self.tier.invoke::<(u8, Vec<u8>)>(&lease).await {
                None => {
                    self.link.error();
                    return Step::Local;
                }
                Some((1, value)) => return Step::Value(value),
                Some((2, _)) => return Step::Lease(self.lease(token)),
                Some((_, current)) => current,
            };
            let now = Instant::now();
            if holder.as_ref().is_some_and(|held| *held != current) {
                deadline = later(now, timeout).min(cap);
            }
            holder = Some(current);
            if now >= deadline {
                return Step::Load;
            }
            let poll = self.link.sync_interval.min(deadline - now);
            let _ = tokio::time::timeout(poll, woken).await;
        }
    }

    fn lease(&self, token: String) -> Lease {
        Lease {
            tier: self.tier,
            lease: self.keys.lease.clone(),
            waiting: self.keys.waiting.clone(),
            token,
            message: self.message(),
            armed: true,
        }
    }

    /// `f <generation> <key hex> <name>`: the entry was filled or freed.
    fn message(&self) -> String {
        format!("f {} {}", self.keys.id, self.link.name)
    }

    /// Writes a loaded value (its stored bytes) with the cache's `ttl`: under
    /// `lease` only while the lease is still this loader's, else (a load
    /// whose wait ran out) in any case.
    pub(crate) async fn fill(&self, bytes: &[u8], lease: Option<&mut Lease>) {
        let token = lease.as_ref().map_or("", |lease| lease.token.as_str());
        let mut fill = FILL.prepare_invoke();
        fill.key(&self.keys.value)
            .key(&self.keys.lease)
            .key(&self.keys.waiting)
            .arg(bytes)
            .arg(millis(self.link.ttl))
            .arg(token)
            .arg(cache_channel(&self.tier.config.prefix))
            .arg(self.message());
        match self.tier.invoke::<u8>(&fill).await {
            // Written, or the lease was lost: nothing left to release.
            Some(_) => {
                if let Some(lease) = lease {
                    lease.armed = false;
                }
            }
            None => self.link.error(),
        }
    }
}

/// Reads the cache's generation and version for the first time.
async fn learn(tier: &Tier, link: &Link) -> Option<u64> {
    let mut meta = redis::cmd("HMGET");
    meta.arg(link.meta_key(&tier.config.prefix))
        .arg("gen")
        .arg("ver");
    match tier.query::<(Option<u64>, Option<u64>)>(&meta).await {
        Some((generation, version)) => {
            link.learn(generation.unwrap_or(0), version.unwrap_or(0));
            Some(link.generation()).filter(|g| *g != PENDING && *g != UNKNOWN)
        }
        None => {
            link.error();
            None
        }
    }
}

/// A lease on one key: released (in the background, on the tier's runtime)
/// when dropped before its value was written: the load cached nothing, was
/// cancelled or panicked. A loader that dies lets it expire
/// (`load_timeout`).
#[derive(Debug)]
pub(crate) struct Lease {
    tier: &'static Arc<Tier>,
    lease: Vec<u8>,
    waiting: Vec<u8>,
    token: String,
    message: String,
    armed: bool,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let tier = self.tier;
        let (lease, waiting) = (
            std::mem::take(&mut self.lease),
            std::mem::take(&mut self.waiting),
        );
        let (token, message) = (
            std::mem::take(&mut self.token),
            std::mem::take(&mut self.message),
        );
        tier.runtime.spawn(async move {
            let mut release = RELEASE.prepare_invoke();
            release
                .key(lease)
                .key(waiting)
                .arg(token)
                .arg(cache_channel(&tier.config.prefix))
                .arg(message);
            tier.invoke::<u8>(&release).await;
        });
    }
}

/// A lease token unique in the fleet: this instance's name and a number.
fn token(tier: &Tier) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{}:{}", tier.config.instance, NEXT.fetch_add(1, Relaxed))
}

/// `at + d`, or a century on for a `d` past what an instant holds.
fn later(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .unwrap_or_else(|| at + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// Whole milliseconds for `PX`, at least 1.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis())
        .unwrap_or(u64::MAX / 2)
        .clamp(1, i64::MAX as u64 / 2)
}
