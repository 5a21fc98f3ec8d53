//! A fleet of instances (child processes) with one shared breaker over a
//! real `redis-server`: a trip on one opens the others within
//! `sync_interval`, manual control reaches every instance, and half-open
//! lets exactly one probe through fleet-wide, on a lease that expires with
//! its process.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use fleet::{Instance, Setup};
use redis_server::RedisServer;

const ENTRY: &str = "instance";

/// The child instance's entry point (run only as a child of these tests).
#[test]
#[ignore = "a child instance, started by the tests of this file"]
fn instance() {
    fleet::child_main();
}

fn millis(answer: &str) -> u64 {
    let (word, n) = answer.split_once(' ').expect("an answer with a number");
    assert_eq!(word, "ok", "unexpected answer {answer:?}");
    n.parse().expect("milliseconds")
}

#[test]
fn a_trip_on_one_instance_opens_the_others_within_sync_interval() {
    let redis = RedisServer::start();
    let setup = Setup::new(redis.url(), "fleet.trip");
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    let mut b = Instance::spawn(ENTRY, "b", &setup);
    assert_eq!(a.ask("state"), "closed fleet");
    assert_eq!(b.ask("state"), "closed fleet");

    // A sees the failures; B sees nothing wrong at all.
    assert_eq!(a.ask("fail 3"), "done rejected=0");
    assert_eq!(a.ask("state"), "open fleet");
    let after = millis(&b.ask("wait open 2000"));
    assert!(
        after <= setup.sync_ms + 50,
        "B opened {after} ms after A's trip; sync_interval is {} ms",
        setup.sync_ms
    );
    assert!(b.ask("call").starts_with("rejected"));
    // Both announce the one transition, made by A.
    assert_eq!(a.ask("events"), "closed>open@a");
    assert_eq!(b.ask("events"), "closed>open@a");
    // Redis holds one transition: generation 1, opened by A.
    let state: Vec<String> = redis.cmd(&[
        "HMGET",
        "opguard:{breaker:fleet.trip}:state",
        "st",
        "gen",
        "origin",
    ]);
    assert_eq!(state, ["1", "1", "a"]);
}

#[test]
fn manual_control_on_any_instance_applies_to_the_fleet() {
    let redis = RedisServer::start();
    let setup = Setup::new(redis.url(), "fleet.manual");
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    let mut b = Instance::spawn(ENTRY, "b", &setup);

    assert_eq!(b.ask("force_open"), "done");
    assert!(millis(&a.ask("wait forced_open 2000")) <= setup.sync_ms + 50);
    assert!(a.ask("call").starts_with("rejected"));

    assert_eq!(a.ask("force_close"), "done");
    assert!(millis(&b.ask("wait closed 2000")) <= setup.sync_ms + 50);
    assert!(b.ask("call").starts_with("ok"));

    assert_eq!(a.ask("disable"), "done");
    assert!(millis(&b.ask("wait disabled 2000")) <= setup.sync_ms + 50);
    assert_eq!(b.ask("reset"), "done");
    assert!(millis(&a.ask("wait closed 2000")) <= setup.sync_ms + 50);
    assert_eq!(
        b.ask("events"),
        "closed>forced_open@b;forced_open>closed@a;closed>disabled@a;disabled>closed@b"
    );
}

#[test]
fn half_open_lets_one_probe_through_the_whole_fleet() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "fleet.probe");
    setup.recovery_ms = 300;
    setup.sync_ms = 50;
    let mut fleet: Vec<Instance> = ["a", "b", "c"]
        .iter()
        .map(|id| Instance::spawn(ENTRY, id, &setup))
        .collect();
    assert_eq!(fleet[0].ask("fail 3"), "done rejected=0");
    for instance in &mut fleet {
        assert!(instance.ask("wait open 2000").starts_with("ok"));
    }
    // Past the recovery timeout every instance asks for a probe, over and
    // over: exactly one gets it.
    let deadline = Instant::now() + Duration::from_millis(1200);
    let mut holders = Vec::new();
    while Instant::now() < deadline {
        for (i, instance) in fleet.iter_mut().enumerate() {
            if instance.ask("hold") == "held" {
                holders.push(i);
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(holders.len(), 1, "probes granted: {holders:?}");
    let holder = holders[0];

    // The holder dies mid-probe: its lease runs out (4 × sync_interval, at
    // least 500 ms), and another instance probes.
    fleet[holder].kill();
    let killed_at = Instant::now();
    let mut next = None;
    while next.is_none() && killed_at.elapsed() < Duration::from_secs(3) {
        for (i, instance) in fleet.iter_mut().enumerate() {
            if i != holder && instance.ask("hold") == "held" {
                next = Some(i);
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let next = next.expect("another instance probes once the dead one's lease expired");
    assert!(
        killed_at.elapsed() >= Duration::from_millis(400),
        "a new probe came {:?} after the holder died, before its lease could expire",
        killed_at.elapsed()
    );
    // Its success closes the breaker for the whole fleet.
    assert_eq!(fleet[next].ask("release ok"), "released");
    for (i, instance) in fleet.iter_mut().enumerate() {
        if i != holder {
            assert!(instance.ask("wait closed 2000").starts_with("ok"));
        }
    }
}

fn totals(redis: &RedisServer, name: &str) -> std::collections::HashMap<String, u64> {
    redis.cmd(&["HGETALL", &format!("opguard:{{breaker:{name}}}:totals")])
}

#[test]
fn fleet_counts_are_exact_sums_with_an_instance_restarted_midway() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "fleet.counts");
    // Never trips: every call runs and is counted.
    setup.threshold = 1_000_000;
    setup.sync_ms = 20;
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    let mut b = Instance::spawn(ENTRY, "b", &setup);
    let mut c = Instance::spawn(ENTRY, "c", &setup);
    // K calls on M tasks per instance, while each agent flushes every 20 ms.
    assert_eq!(a.ask("ok 300 4"), "done rejected=0");
    assert_eq!(b.ask("ok 100 2"), "done rejected=0");
    assert_eq!(a.ask("fail 40 4"), "done rejected=0");
    // B restarts under the same name (a pod restarted in place): its new
    // life counts from zero, on top of what its first life flushed.
    drop(b);
    let mut b = Instance::spawn(ENTRY, "b", &setup);
    assert_eq!(b.ask("ok 100 2"), "done rejected=0");
    assert_eq!(b.ask("fail 10 2"), "done rejected=0");
    assert_eq!(c.ask("ok 50 3"), "done rejected=0");
    for instance in [&mut a, &mut b, &mut c] {
        assert_eq!(instance.ask("flush"), "flushed true");
    }
    let totals = totals(&redis, "fleet.counts");
    let successes = 300 * 4 + 100 * 2 + 100 * 2 + 50 * 3;
    let failures = 40 * 4 + 10 * 2;
    assert_eq!(totals["successes"], successes);
    assert_eq!(totals["failures"], failures);
    assert_eq!(totals["calls"], successes + failures);
    // The fleet window holds them too, and three instances reported.
    let snapshot = c.ask("snapshot");
    assert!(
        snapshot.ends_with(&format!(
            "fleet_calls={} fleet_failures={failures} instances=3",
            successes + failures
        )),
        "{snapshot}"
    );
}

#[test]
fn instances_with_disagreeing_clocks_agree_on_when_half_open_starts() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "fleet.clocks");
    setup.recovery_ms = 600;
    setup.sync_ms = 50;
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    // B's clock runs 5 s ahead of A's.
    setup.clock_offset_ms = 5_000;
    let mut b = Instance::spawn(ENTRY, "b", &setup);
    let tripped = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert_eq!(a.ask("fail 3"), "done rejected=0");
    assert!(b.ask("wait open 2000").starts_with("ok"));
    assert!(a.ask("wait half_open 3000").starts_with("ok"));
    assert!(b.ask("wait half_open 3000").starts_with("ok"));
    let entered = |i: &mut Instance| i.ask("entered half_open").parse::<u64>().unwrap();
    let (at_a, at_b) = (entered(&mut a), entered(&mut b));
    for at in [at_a, at_b] {
        assert!(
            at + 5 >= tripped + setup.recovery_ms,
            "half-open {} ms after the trip, before the recovery timeout",
            at - tripped
        );
    }
    assert!(
        at_a.abs_diff(at_b) <= setup.sync_ms + 50,
        "A went half-open at +{} ms, B at +{} ms",
        at_a - tripped,
        at_b - tripped
    );
}

#[test]
fn an_instance_that_starts_adopts_the_fleet_and_moves_nothing() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "fleet.adopt");
    setup.recovery_ms = 1_200;
    setup.sync_ms = 50;
    let mut a = Instance::spawn(ENTRY, "a", &setup);
    assert_eq!(a.ask("ok 10"), "done rejected=0");
    assert_eq!(a.ask("fail 3"), "done rejected=0");
    assert_eq!(a.ask("flush"), "flushed true");
    let key = "opguard:{breaker:fleet.adopt}:state";
    let before: Vec<String> = redis.cmd(&["HMGET", key, "st", "gen", "opened"]);
    let totals_before = totals(&redis, "fleet.adopt");

    // C starts while the fleet is open: it is open from its first answer,
    // with the fleet's deadline, and changed nothing in Redis.
    let mut c = Instance::spawn(ENTRY, "c", &setup);
    assert_eq!(c.ask("state"), "open fleet");
    assert!(c.ask("call").starts_with("rejected"));
    assert_eq!(c.ask("flush"), "flushed true");
    let after: Vec<String> = redis.cmd(&["HMGET", key, "st", "gen", "opened"]);
    assert_eq!(before, after, "a starting instance moved the fleet's state");
    let totals_after = totals(&redis, "fleet.adopt");
    assert_eq!(totals_after["successes"], totals_before["successes"]);
    assert_eq!(totals_after["failures"], totals_before["failures"]);
    assert_eq!(
        totals_after["rejected"],
        totals_before.get("rejected").copied().unwrap_or(0) + 1
    );

    assert!(a.ask("wait half_open 3000").starts_with("ok"));
    assert!(c.ask("wait half_open 3000").starts_with("ok"));
    let entered = |i: &mut Instance| i.ask("entered half_open").parse::<u64>().unwrap();
    let (at_a, at_c) = (entered(&mut a), entered(&mut c));
    assert!(
        at_a.abs_diff(at_c) <= setup.sync_ms + 50,
        "A at {at_a}, C at {at_c}"
    );
}
