//! Entries made at run time through the builder API can be forgotten: they
//! leave `all()`, `get()` and every export, handles still held keep
//! working, and building the name again starts afresh.

use opguard::{GuardError, breaker, cache, export, monitor};
use opguard_runtime::breaker::{Breaker, BreakerState};
use opguard_runtime::cache::SyncCache;
use opguard_runtime::monitor::Timer;

#[test]
fn removed_entries_leave_every_listing_and_export() {
    for host in 0..200 {
        let name = format!("registry_remove.host-{host}");
        Breaker::builder(&name).build();
        Timer::builder(&name).build();
        let _: SyncCache<u32, u32> = cache::builder(&name).build_sync().unwrap();
    }
    let ours = |names: Vec<String>| {
        names
            .into_iter()
            .filter(|n| n.starts_with("registry_remove.host-"))
            .count()
    };
    assert_eq!(
        ours(breaker::all().into_iter().map(|b| b.name).collect()),
        200
    );
    for host in 0..200 {
        let name = format!("registry_remove.host-{host}");
        assert!(breaker::remove(&name) && monitor::remove(&name) && cache::remove(&name));
    }
    assert_eq!(
        ours(breaker::all().into_iter().map(|b| b.name).collect()),
        0
    );
    assert_eq!(
        ours(monitor::all().into_iter().map(|t| t.name).collect()),
        0
    );
    assert_eq!(ours(cache::all().into_iter().map(|c| c.name).collect()), 0);
    assert!(!export::prometheus().contains("registry_remove.host-"));
    #[cfg(feature = "json")]
    assert!(!export::json().contains("registry_remove.host-"));
}

#[test]
fn a_held_breaker_keeps_working_and_a_rebuilt_one_starts_closed() {
    let name = "registry_remove.rebuilt";
    let held = Breaker::builder(name).failure_threshold(1).build();
    held.acquire().unwrap().failure("down");
    assert_eq!(held.state(), BreakerState::Open);
    assert!(breaker::remove(name));
    // Still open, and its rejections still name it.
    match held.acquire() {
        Err(GuardError::CircuitOpen { name: rejected, .. }) => assert_eq!(rejected, name),
        other => panic!("expected a rejection, got {:?}", other.map(drop)),
    }
    let fresh = Breaker::builder(name).failure_threshold(1).build();
    assert_eq!(fresh.state(), BreakerState::Closed);
    assert_eq!(breaker::get(name).unwrap().state(), BreakerState::Closed);
    assert_eq!(held.state(), BreakerState::Open);
}
