//! The shared breaker on a Redis Cluster of three masters: every key of a
//! breaker hashes to one slot (its scripts would fail with CROSSSLOT
//! otherwise), and a trip on one instance reaches the other.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/redis_server.rs"]
mod redis_server;

use fleet::{Instance, Setup};
use redis_server::RedisCluster;

const ENTRY: &str = "instance";

/// The child instance's entry point (run only as a child of this test).
#[test]
#[ignore = "a child instance, started by the test of this file"]
fn instance() {
    fleet::child_main();
}

#[test]
fn a_fleet_shares_a_breaker_through_a_cluster() {
    let cluster = RedisCluster::start();
    // Breaker names whose plain keys would land on different nodes.
    for name in ["cluster.payments", "cluster.search"] {
        let setup = Setup::new(cluster.urls(), name);
        let mut a = Instance::spawn(ENTRY, "a", &setup);
        let mut b = Instance::spawn(ENTRY, "b", &setup);
        assert_eq!(a.ask("state"), "closed fleet");
        assert_eq!(a.ask("fail 3"), "done rejected=0");
        let followed = b.ask("wait open 2000");
        assert!(followed.starts_with("ok"), "{followed}");
        assert_eq!(b.ask("events"), "closed>open@a");
        for part in ["state", "totals", "window"] {
            let key = format!("opguard:{{breaker:{name}}}:{part}");
            assert!(cluster.exists(&key), "{key} is not in the cluster");
        }
    }
}
