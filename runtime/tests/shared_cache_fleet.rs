//! A fleet of instances (child processes) with one shared cache over a real
//! `redis-server`: a value loaded by one is a hit in the others and after a
//! restart, one cold key loads once in the whole fleet (also when its
//! loader dies), invalidations reach every instance's memory within
//! `sync_interval`, time to live holds in both tiers, and a Redis that is
//! down, paused or restarted empty never fails a call.

#[path = "support/cache_fleet.rs"]
mod cache_fleet;
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
    cache_fleet::child_main();
}

/// An instance with the cache `name` built: values of `kind` (`text` or
/// `number`), time to live in Redis and in memory, load timeout, sync
/// interval (ms).
fn start(redis: &RedisServer, id: &str, name: &str, kind: &str, times: [u64; 4]) -> Instance {
    let mut instance = Instance::spawn(ENTRY, id, &Setup::new(redis.url(), name));
    let [ttl, local, load, sync] = times;
    let built = instance.ask(&format!("build {name} {kind} {ttl} {local} {load} {sync}"));
    assert_eq!(built, "built");
    instance
}

const TIMES: [u64; 4] = [60_000, 60_000, 5_000, 100];

/// `ok <value> <slowest µs> <distinct values>` read as (value, µs).
fn got(answer: &str) -> (String, u64) {
    let words: Vec<&str> = answer.split(' ').collect();
    assert_eq!(
        (words[0], words.get(3).copied()),
        ("ok", Some("1")),
        "{answer}"
    );
    (words[1].to_owned(), words[2].parse().expect("µs"))
}

fn stat(stats: &str, name: &str) -> u64 {
    stats
        .split(' ')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {stats}"))
}

/// The value keys of shared caches in Redis.
fn value_keys(redis: &RedisServer) -> Vec<Vec<u8>> {
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS")
        .arg("opguard:cache:*")
        .query(&mut redis.client())
        .expect("KEYS");
    keys.into_iter().filter(|k| k.ends_with(b"}:v")).collect()
}

#[test]
fn a_value_loaded_by_one_instance_is_a_hit_in_another_and_after_a_restart() {
    let redis = RedisServer::start();
    let mut a = start(&redis, "a", "fleet.users", "text", TIMES);
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a");
    let mut b = start(&redis, "b", "fleet.users", "text", TIMES);
    assert_eq!(got(&b.ask("get 1 1 0")).0, "1@a");
    assert_eq!(b.ask("loads"), "0", "B ran the body on a value Redis held");
    let stats = b.ask("stats");
    assert_eq!(
        (stat(&stats, "shared_hits"), stat(&stats, "shared_misses")),
        (1, 0)
    );
    // A hit from Redis filled B's memory.
    assert_eq!(b.ask("memory 1"), "yes");

    // A restarts: the entry is still there, found by the same key.
    drop(a);
    let mut a = start(&redis, "a2", "fleet.users", "text", TIMES);
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a");
    assert_eq!(a.ask("loads"), "0");
}

#[test]
fn a_changed_value_type_reads_the_old_entry_as_a_miss_and_overwrites_it() {
    let redis = RedisServer::start();
    let mut old = start(&redis, "old", "fleet.deploy", "text", TIMES);
    assert_eq!(got(&old.ask("get 4 1 0")).0, "4@old");
    // The next deploy returns a number under the same cache name.
    let mut new = start(&redis, "new", "fleet.deploy", "number", TIMES);
    assert_eq!(got(&new.ask("get 4 1 0")).0, "40");
    assert_eq!(new.ask("loads"), "1");
    let stats = new.ask("stats");
    assert_eq!(
        (stat(&stats, "shared_hits"), stat(&stats, "shared_misses")),
        (0, 1)
    );
    // Overwritten: another instance of the new deploy hits it.
    let mut next = start(&redis, "next", "fleet.deploy", "number", TIMES);
    assert_eq!(got(&next.ask("get 4 1 0")).0, "40");
    assert_eq!(next.ask("loads"), "0");
}

/// Sends `command` to every instance at once; their answers, in order.
fn ask_all(fleet: &mut [Instance], command: &str) -> Vec<String> {
    std::thread::scope(|s| {
        let asked: Vec<_> = fleet
            .iter_mut()
            .map(|instance| s.spawn(move || instance.ask(command)))
            .collect();
        asked
            .into_iter()
            .map(|a| a.join().expect("an answer"))
            .collect()
    })
}

#[test]
fn one_cold_key_loads_once_in_the_whole_fleet() {
    let redis = RedisServer::start();
    let mut fleet: Vec<Instance> = ["a", "b", "c"]
        .iter()
        .map(|id| start(&redis, id, "fleet.stampede", "text", TIMES))
        .collect();
    // 3 instances × 50 concurrent callers; the body takes 300 ms.
    let answers = ask_all(&mut fleet, "get 7 50 300");
    let values: Vec<String> = answers.iter().map(|a| got(a).0).collect();
    assert!(values.windows(2).all(|w| w[0] == w[1]), "{values:?}");
    let loads: u64 = fleet
        .iter_mut()
        .map(|i| i.ask("loads").parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(loads, 1, "the body ran {loads} times in the fleet");
}

#[test]
fn a_loader_that_dies_mid_load_lets_a_waiter_load_after_load_timeout() {
    let redis = RedisServer::start();
    let times = [60_000, 60_000, 1_000, 100];
    let mut a = start(&redis, "a", "fleet.killed", "text", times);
    let mut rest = vec![
        start(&redis, "b", "fleet.killed", "text", times),
        start(&redis, "c", "fleet.killed", "text", times),
    ];
    // A takes the lease and starts a load that would take a minute; it dies.
    assert_eq!(a.ask("spawn 9 60000"), "loading");
    a.kill();
    let started = Instant::now();
    let answers = ask_all(&mut rest, "get 9 10 50");
    let took = started.elapsed();
    let values: Vec<String> = answers.iter().map(|a| got(a).0).collect();
    assert_eq!(values[0], values[1]);
    assert_ne!(values[0], "9@a");
    let loads: u64 = rest
        .iter_mut()
        .map(|i| i.ask("loads").parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(
        loads, 1,
        "one waiter loads once the dead loader's lease ran out"
    );
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_millis(2500),
        "the waiters answered after {took:?}; load_timeout is 1 s"
    );
}

#[test]
fn an_invalidation_reaches_every_instance_memory_within_sync_interval() {
    let redis = RedisServer::start();
    let mut a = start(&redis, "a", "fleet.invalidate", "text", TIMES);
    let mut b = start(&redis, "b", "fleet.invalidate", "text", TIMES);
    for key in [3, 4] {
        assert_eq!(got(&a.ask(&format!("get {key} 1 0"))).0, format!("{key}@a"));
        assert_eq!(got(&b.ask(&format!("get {key} 1 0"))).0, format!("{key}@a"));
        assert_eq!(b.ask(&format!("memory {key}")), "yes");
    }
    let limit = Duration::from_millis(TIMES[3] + 50);

    let sent = Instant::now();
    assert_eq!(a.ask("invalidate 3"), "done");
    assert!(b.ask("wait_gone 3 2000").starts_with("ok"));
    assert!(
        sent.elapsed() <= limit,
        "B forgot key 3 {:?} after",
        sent.elapsed()
    );
    // Gone from Redis too: B loads it again.
    assert_eq!(got(&b.ask("get 3 1 0")).0, "3@b");
    assert_eq!(b.ask("memory 4"), "yes", "only key 3 was invalidated");

    let sent = Instant::now();
    assert_eq!(a.ask("invalidate_all"), "done");
    assert!(b.ask("wait_gone 4 2000").starts_with("ok"));
    assert!(
        sent.elapsed() <= limit,
        "B forgot everything {:?} after",
        sent.elapsed()
    );
    assert!(eventually(Duration::from_secs(2), || {
        got(&b.ask("get 4 1 0")).0 == "4@b"
    }));
}

#[test]
fn entries_live_ttl_in_redis_and_local_ttl_in_memory() {
    let redis = RedisServer::start();
    let mut a = start(&redis, "a", "fleet.ttl", "text", [5_000, 300, 5_000, 100]);
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a");
    let keys = value_keys(&redis);
    assert_eq!(keys.len(), 1, "one value in Redis");
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&keys[0])
        .query(&mut redis.client())
        .expect("PTTL");
    assert!(
        (4_000..=5_000).contains(&pttl),
        "PTTL {pttl} for a ttl of 5 s"
    );
    assert_eq!(a.ask("memory 1"), "yes");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(a.ask("memory 1"), "no", "local_ttl is 300 ms");
    // Still in Redis: a hit there, no load.
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a");
    assert_eq!(a.ask("loads"), "1");
    assert_eq!(stat(&a.ask("stats"), "shared_hits"), 1);
}

#[test]
fn a_redis_down_paused_or_restarted_empty_never_fails_or_holds_a_call() {
    let mut redis = RedisServer::start();
    let mut a = start(&redis, "a", "fleet.down", "text", TIMES);
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a");
    // The deadline is 50 ms: a call waits that long at most on Redis.
    let bound = 50_000 + 150_000;

    redis.kill();
    let (value, took) = got(&a.ask("get 2 5 0"));
    assert_eq!(value, "2@a");
    assert!(took < bound, "a call took {took} µs with Redis down");
    assert_eq!(got(&a.ask("get 1 1 0")).0, "1@a", "memory still serves");
    let stats = a.ask("stats");
    assert!(stat(&stats, "shared_errors") >= 1, "{stats}");

    redis.restart();
    // Back, empty: values go to Redis again (a new key each try, as a
    // key in memory does not ask Redis).
    let mut key = 100;
    assert!(eventually(Duration::from_secs(5), || {
        key += 1;
        got(&a.ask(&format!("get {key} 1 0"))).0 == format!("{key}@a")
            && !value_keys(&redis).is_empty()
    }));

    let errors = stat(&a.ask("stats"), "shared_errors");
    let _: String = redis.cmd(&["CLIENT", "PAUSE", "1000", "ALL"]);
    let (value, took) = got(&a.ask("get 4 5 0"));
    assert_eq!(value, "4@a");
    assert!(took < bound, "a call took {took} µs with Redis paused");
    assert!(stat(&a.ask("stats"), "shared_errors") > errors);
}
