//! `#[circuit_breaker(shared)]` on async and sync functions, against a real
//! `redis-server`: the attribute's breaker follows and feeds the fleet, also
//! when a sync function is called from a thread outside any runtime.

#[path = "../runtime/tests/support/redis_server.rs"]
mod redis_server;

use std::collections::HashMap;

use opguard::breaker::{self, BreakerScope, BreakerState};
use opguard::{GuardError, circuit_breaker};
use redis_server::RedisServer;

#[derive(Debug)]
enum E {
    Down,
    Guard(GuardError),
}

impl From<GuardError> for E {
    fn from(e: GuardError) -> Self {
        E::Guard(e)
    }
}

#[circuit_breaker(
    shared,
    sync_interval = "50ms",
    failure_threshold = 2,
    name = "attr.async"
)]
async fn charge(ok: bool) -> Result<u64, E> {
    if ok { Ok(1) } else { Err(E::Down) }
}

#[circuit_breaker(shared, failure_threshold = 3, name = "attr.sync")]
fn lookup(ok: bool) -> Result<u64, E> {
    if ok { Ok(1) } else { Err(E::Down) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_attributes_follow_and_feed_the_fleet() {
    let redis = RedisServer::start();
    opguard::shared::connect(&redis.url()).await.unwrap();

    assert!(charge(false).await.is_err());
    assert!(charge(false).await.is_err());
    assert!(matches!(
        charge(true).await,
        Err(E::Guard(GuardError::CircuitOpen { .. }))
    ));
    assert!(opguard::shared::flush().await);
    let state: Vec<String> = redis.cmd(&["HMGET", "opguard:{breaker:attr.async}:state", "st"]);
    assert_eq!(state, ["1"]);
    let snapshot = breaker::get("attr.async").unwrap().snapshot();
    assert_eq!(snapshot.scope, BreakerScope::Fleet);
    assert_eq!(snapshot.state, BreakerState::Open);

    // A sync function, called where no runtime runs: the decision is
    // local, the syncing runs on the runtime `connect` ran on.
    std::thread::spawn(|| {
        assert!(lookup(true).is_ok());
        assert!(lookup(false).is_err());
    })
    .join()
    .unwrap();
    assert!(opguard::shared::flush().await);
    let totals: HashMap<String, u64> =
        redis.cmd(&["HGETALL", "opguard:{breaker:attr.sync}:totals"]);
    assert_eq!((totals["successes"], totals["failures"]), (1, 1));
    // The fleet's force_open reaches the attribute's breaker.
    let _: () = redis.cmd(&[
        "HSET",
        "opguard:{breaker:attr.sync}:state",
        "st",
        "3",
        "gen",
        "7",
    ]);
    let _: () = redis.cmd(&["PUBLISH", "opguard:breaker-events", "attr.sync"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while breaker::get("attr.sync").unwrap().state() != BreakerState::ForcedOpen {
        assert!(
            std::time::Instant::now() < deadline,
            "never followed the fleet"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(matches!(
        lookup(true),
        Err(E::Guard(GuardError::CircuitOpen { .. }))
    ));
}
