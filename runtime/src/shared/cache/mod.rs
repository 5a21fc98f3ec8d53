//! Two-tier caches (`#[cacheable(shared)]`): what a shared cache does in
//! Redis. Each cache has a [`Link`] (its name, generation, figures and
//! waiters); a miss goes through [`Remote`] (the value, the lease, the wait,
//! the write-back); invalidations are announced on `<prefix>:cache-events`
//! and applied here to every instance's memory, with a poll of every
//! cache's version each `sync_interval` as the backstop for a lost message.
//!
//! Keys, all of one entry under one `{hash tag}`:
//! `<prefix>:cache:{<len>:<name>:<generation>:<key bytes>}:v` (the value;
//! `:l` its lease, `:w` the flag that someone waits), and
//! `<prefix>:cache:{<len>:<name>}:meta` (a hash: `gen`, `ver`).
//! `invalidate_all` moves the generation, so that every old entry is out of
//! reach at once (no `SCAN`) and expires with its time to live.

mod codec;
mod link;
mod remote;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

pub(crate) use codec::{decode_key, decode_value, encode_key, encode_value, header};
pub(crate) use link::Link;
pub(crate) use remote::{Found, Remote, Step};

use crate::shared::conn::{Tier, lock, tier};
use codec::{hex, unhex};
use link::PENDING;
use remote::{ANNOUNCE, cache_channel};

/// What the fleet's announcements do to one cache's memory.
pub(crate) trait Local: Send + Sync {
    /// Forgets the entry of the key in `bytes` (decoded as the cache's key).
    fn forget(self: Arc<Self>, bytes: &[u8], runtime: &tokio::runtime::Handle);
    /// Forgets every entry.
    fn forget_all(&self);
}

/// A registered shared cache.
struct Member {
    link: Arc<Link>,
    local: Weak<dyn Local>,
}

fn members() -> &'static Mutex<Vec<Member>> {
    static MEMBERS: Mutex<Vec<Member>> = Mutex::new(Vec::new());
    &MEMBERS
}

/// The members whose caches still exist (the others are dropped).
fn live() -> Vec<(Arc<Link>, Arc<dyn Local>)> {
    let mut members = lock(members());
    members.retain(|m| m.local.strong_count() > 0);
    members
        .iter()
        .filter_map(|m| Some((Arc::clone(&m.link), m.local.upgrade()?)))
        .collect()
}

/// Follows the fleet's announcements for a cache from now on.
pub(crate) fn attach(link: &Arc<Link>, local: Weak<dyn Local>) {
    lock(members()).push(Member {
        link: Arc::clone(link),
        local,
    });
    if let Some(tier) = tier() {
        start_agent(tier);
    }
}

/// A message on `<prefix>:cache-events`: `f <generation> <key hex> <name>`
/// (an entry was filled or its lease freed), `i <version> <key hex> <name>`
/// (a key was invalidated), `a <version> <generation> <name>` (every key).
pub(crate) fn event(payload: &str) {
    let mut parts = payload.splitn(4, ' ');
    let (Some(kind), Some(first), Some(second), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let Some(tier) = tier() else { return };
    let number = first.parse::<u64>().ok();
    for (link, local) in live().into_iter().filter(|(l, _)| &*l.name == name) {
        match (kind, number) {
            ("f", _) => link.wake(&format!("{first} {second}")),
            ("i", Some(version)) => {
                if link.on_invalidate(version) {
                    local.forget_all();
                }
                if let Some(bytes) = unhex(second) {
                    local.forget(&bytes, &tier.runtime);
                }
            }
            ("a", Some(version)) => {
                if let Ok(generation) = second.parse()
                    && link.on_clear(generation, version)
                {
                    local.forget_all();
                }
            }
            _ => {}
        }
    }
}

/// Pub/sub (re)subscribed. What was announced while it was away shows as
/// a moved version at the next poll (which then forgets memory), so only
/// the poller needs to run.
pub(crate) fn resync() {
    if let Some(tier) = tier() {
        start_agent(tier);
    }
}

/// Removes the entry of `key` (its bytes) from Redis and announces it, so
/// that every instance forgets it. False when Redis was not reached.
pub(crate) async fn invalidate(link: &Arc<Link>, key: &[u8]) -> bool {
    let Some(tier) = tier() else { return false };
    if link.generation() != PENDING {
        let Some(remote) = Remote::reach(link, key).await else {
            return false;
        };
        if !remote.delete().await {
            return false;
        }
    }
    announce(tier, link, "key", format!("{} {}", hex(key), link.name))
        .await
        .is_some()
}

/// Moves the cache's generation in Redis and announces it: every instance
/// forgets its memory, and no old entry is found again. In the background;
/// until it is done this instance's misses stay local, and when Redis is
/// not reached it is retried every `sync_interval`.
pub(crate) fn invalidate_all(link: &Arc<Link>) {
    let Some(tier) = tier() else { return };
    link.clear_pending();
    let link = Arc::clone(link);
    tier.runtime.spawn(async move {
        let answer = announce(tier, &link, "all", link.name.to_string()).await;
        link.cleared(answer);
    });
}

async fn announce(tier: &Tier, link: &Link, what: &str, tail: String) -> Option<(u64, u64)> {
    let mut announce = ANNOUNCE.prepare_invoke();
    announce
        .key(link.meta_key(&tier.config.prefix))
        .arg(what)
        .arg(cache_channel(&tier.config.prefix))
        .arg(tail);
    let answer = tier.invoke::<(u64, u64)>(&announce).await;
    if answer.is_none() {
        link.error();
    }
    answer
}

/// Starts the process's one poller of shared caches, once.
fn start_agent(tier: &'static Arc<Tier>) {
    static STARTED: AtomicBool = AtomicBool::new(false);
    if !STARTED.swap(true, Ordering::AcqRel) {
        tier.runtime.spawn(agent(tier));
    }
}

/// Every `sync_interval` (the shortest of the caches'): clears that did not
/// reach Redis are retried, and every cache's generation and version are
/// read in one pipeline, so that an announcement lost on the way (or a
/// Redis that restarted empty) costs at most one interval of stale memory.
async fn agent(tier: &'static Arc<Tier>) {
    loop {
        let caches = live();
        let interval = caches
            .iter()
            .map(|(link, _)| link.sync_interval)
            .min()
            .unwrap_or(Duration::from_secs(1));
        for (link, _) in caches.iter().filter(|(link, _)| link.is_pending()) {
            let answer = announce(tier, link, "all", link.name.to_string()).await;
            link.cleared(answer);
        }
        if !caches.is_empty() {
            poll(tier, &caches).await;
        }
        tokio::time::sleep(interval).await;
    }
}

async fn poll(tier: &Tier, caches: &[(Arc<Link>, Arc<dyn Local>)]) {
    let mut pipe = redis::pipe();
    for (link, _) in caches {
        pipe.cmd("HMGET")
            .arg(link.meta_key(&tier.config.prefix))
            .arg("gen")
            .arg("ver");
    }
    let before: Vec<u64> = caches
        .iter()
        .map(|(link, _)| link.applied.load(Ordering::Acquire))
        .collect();
    type Meta = (Option<u64>, Option<u64>);
    let Some(rows) = tier.query_pipe::<Vec<Meta>>(&pipe).await else {
        return;
    };
    for (((link, local), (generation, version)), before) in caches.iter().zip(rows).zip(before) {
        // An announcement applied meanwhile is newer than this read.
        if link.applied.load(Ordering::Acquire) == before
            && link.on_poll(generation.unwrap_or(0), version.unwrap_or(0))
        {
            local.forget_all();
        }
    }
}
