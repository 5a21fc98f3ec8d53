//! Fleet-wide breakers (`#[circuit_breaker(shared)]`): the link each shared
//! breaker's state machine consults ([`Link`]), and the agent that syncs it
//! with Redis every `sync_interval`, or at once when pub/sub announces a
//! transition, a local breaker trips, a probe ends or a manual move is made.

mod agent;
mod link;

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

pub(crate) use link::{FleetView, Link, ProbeEnd};

use super::conn::{Tier, lock, tier};
use crate::breaker::Inner;

/// The fleet's window as a link last learned it.
pub(crate) fn view(link: &Link) -> FleetView {
    lock(&link.view).clone()
}

/// A registered shared breaker.
struct Member {
    name: String,
    breaker: Weak<Inner>,
    link: Arc<Link>,
    started: bool,
}

fn members() -> &'static Mutex<Vec<Member>> {
    static MEMBERS: Mutex<Vec<Member>> = Mutex::new(Vec::new());
    &MEMBERS
}

/// Follows the fleet from now on: at once when connected, else from
/// `connect`.
pub(crate) fn attach(breaker: &Arc<Inner>, link: &Arc<Link>) {
    let mut members = lock(members());
    members.retain(|m| m.breaker.strong_count() > 0);
    if members.iter().any(|m| Arc::ptr_eq(&m.link, link)) {
        return;
    }
    let mut member = Member {
        name: breaker.name.to_string(),
        breaker: Arc::downgrade(breaker),
        link: Arc::clone(link),
        started: false,
    };
    if let Some(tier) = tier() {
        start(tier, &mut member);
    }
    members.push(member);
}

/// Starts the agents of every breaker registered before `connect`.
pub(crate) fn start_all(tier: &Arc<Tier>) {
    for member in lock(members()).iter_mut() {
        start(tier, member);
    }
}

fn start(tier: &Arc<Tier>, member: &mut Member) {
    if member.started {
        return;
    }
    member.started = true;
    *lock(&member.link.instance) = Some(Arc::clone(&tier.config.instance));
    tier.runtime.spawn(agent::run(
        Arc::clone(tier),
        member.name.clone(),
        member.breaker.clone(),
        Arc::clone(&member.link),
    ));
}

/// Pub/sub announced a transition of the breaker `name`.
pub(crate) fn wake(name: &str) {
    for member in lock(members()).iter().filter(|m| m.name == name) {
        member.link.wake.notify_one();
    }
}

/// Every shared breaker syncs now (after pub/sub reconnected).
pub(crate) fn wake_all() {
    for member in lock(members()).iter() {
        member.link.wake.notify_one();
    }
}

/// Every started agent syncs once more; true if every sync reached Redis.
pub(crate) async fn sync_all() -> bool {
    let Some(tier) = tier() else { return false };
    let links: Vec<Arc<Link>> = lock(members())
        .iter()
        .filter(|m| m.started && m.breaker.strong_count() > 0)
        .map(|m| Arc::clone(&m.link))
        .collect();
    let mut all = true;
    for link in links {
        let mut synced = link.synced.subscribe();
        // A sync that begins from now on: one already under way carries
        // what was counted before it began.
        let needed = link.begun.load(std::sync::atomic::Ordering::Acquire) + 1;
        link.wake.notify_one();
        let deadline = tier.config.timeout * 4 + Duration::from_millis(50);
        let after = tokio::time::timeout(deadline, synced.wait_for(|s| s.0 >= needed)).await;
        all &= matches!(after, Ok(Ok(s)) if s.1);
    }
    all
}
