//! A shared breaker when Redis fails under it (a real `redis-server`,
//! killed, paused and restarted empty): calls keep their latency, the
//! breaker protects with its local window, and when Redis is back its trip
//! is published and nothing is counted twice.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use fleet::{Instance, Setup, eventually};
use redis_server::RedisServer;

const ENTRY: &str = "instance";

/// The child instance's entry point (run only as a child of these tests).
#[test]
#[ignore = "a child instance, started by the tests of this file"]
fn instance() {
    fleet::child_main();
}

/// A call's latency as the instance measured it, in microseconds.
fn call_micros(instance: &mut Instance) -> u64 {
    let answer = instance.ask("call");
    let (outcome, micros) = answer.split_once(' ').expect("an outcome and a time");
    assert!(outcome == "ok" || outcome == "rejected", "{answer}");
    micros.parse().expect("microseconds")
}

#[test]
fn redis_killed_then_restarted_empty() {
    let mut redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "faults.killed");
    setup.sync_ms = 50;
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    assert_eq!(a.ask("ok 100"), "done rejected=0");
    assert_eq!(a.ask("flush"), "flushed true");

    redis.kill();
    // Calls never wait on Redis: they keep their latency (well under the
    // 50 ms command deadline).
    for _ in 0..20 {
        let micros = call_micros(&mut a);
        assert!(micros < 5_000, "a call took {micros} µs with Redis gone");
    }
    assert_eq!(a.ask("flush"), "flushed false");
    assert_eq!(a.ask("state"), "closed local_fallback");
    // Still protecting: local failures trip it locally.
    assert_eq!(a.ask("fail 3"), "done rejected=0");
    assert_eq!(a.ask("state"), "open local_fallback");
    assert!(a.ask("call").starts_with("rejected"));

    // Redis comes back empty: the local trip is published, and the totals
    // are this instance's, once (they are cumulative, not re-added).
    redis.restart();
    assert!(eventually(Duration::from_secs(5), || a.ask("flush") == "flushed true"));
    assert_eq!(a.ask("state"), "open fleet");
    let state: Vec<String> = redis.cmd(&[
        "HMGET",
        "opguard:{breaker:faults.killed}:state",
        "st",
        "origin",
    ]);
    assert_eq!(state, ["1", "a"]);
    let totals: std::collections::HashMap<String, u64> =
        redis.cmd(&["HGETALL", "opguard:{breaker:faults.killed}:totals"]);
    assert_eq!(totals["successes"], 120);
    assert_eq!(totals["failures"], 3);
    assert_eq!(totals["rejected"], 1);
}

#[test]
fn a_paused_redis_holds_nothing_longer_than_the_deadline() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "faults.paused");
    setup.sync_ms = 50;
    setup.timeout_ms = 50;
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    let mut b = Instance::spawn(ENTRY, "b", &setup);
    let _: () = redis.cmd(&["CLIENT", "PAUSE", "1500", "ALL"]);
    let paused = Instant::now();
    for _ in 0..10 {
        let micros = call_micros(&mut a);
        assert!(micros < 5_000, "a call took {micros} µs with Redis paused");
    }
    // A flush gives up at the deadline (a few syncs' worth at most).
    let started = Instant::now();
    assert_eq!(a.ask("flush"), "flushed false");
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "a flush waited {:?} on a paused Redis",
        started.elapsed()
    );
    assert_eq!(a.ask("fail 3"), "done rejected=0");
    assert_eq!(a.ask("state"), "open local_fallback");
    assert!(
        paused.elapsed() < Duration::from_millis(1500),
        "the checks outlasted the pause"
    );
    // After the pause, A's trip reaches B through the fleet.
    assert!(b.ask("wait open 4000").starts_with("ok"));
    assert_eq!(b.ask("state"), "open fleet");
}
