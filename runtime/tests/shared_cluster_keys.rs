//! Rate limits and two-tier caches on a Redis Cluster of three masters:
//! every script's keys share one slot (the cluster would refuse them with
//! CROSSSLOT otherwise, and the tier would fall back to local decisions,
//! counting errors), the keys land on the nodes that own them, and
//! invalidation reaches them. The breaker's half is in
//! `shared_breaker_cluster.rs`.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::cache::{self, Adapter, SharedCache};
use opguard_runtime::rate_limit::{Rate, RateLimiter};
use opguard_runtime::shared;
use redis_server::RedisCluster;

/// The number of keys matching `pattern` on every node of the cluster.
fn count(cluster: &RedisCluster, pattern: &str) -> usize {
    cluster
        .nodes
        .iter()
        .map(|node| node.cmd::<Vec<String>>(&["KEYS", pattern]).len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_shared_caches_work_on_a_cluster() {
    let cluster = RedisCluster::start();
    shared::connect(&cluster.urls()).await.expect("connected");

    // One limit for the fleet: a burst of 2, then refused, as Redis decides.
    let limiter = RateLimiter::builder("cluster.partner-api")
        .rate(Rate::per_minute(1))
        .burst(2)
        .shared()
        .build()
        .unwrap();
    assert!(limiter.acquire(Duration::ZERO).await.is_ok());
    assert!(limiter.acquire(Duration::ZERO).await.is_ok());
    let refused = limiter.acquire(Duration::ZERO).await;
    assert!(
        matches!(refused, Err(GuardError::RateLimited { .. })),
        "{refused:?}"
    );
    assert!(cluster.exists("opguard:{ratelimit:cluster.partner-api}"));

    // A keyed limit: each user's key under its own tag, spread over nodes.
    let per_user = RateLimiter::builder("cluster.per-user")
        .rate(Rate::per_minute(1))
        .shared()
        .build_keyed::<String>()
        .unwrap();
    let users = ["alice", "bob", "carol", "dave", "erin", "frank"];
    for user in users {
        let user = user.to_owned();
        assert!(per_user.acquire(&user, Duration::ZERO).await.is_ok());
        assert!(per_user.acquire(&user, Duration::ZERO).await.is_err());
        assert!(cluster.exists(&format!("opguard:{{ratelimit:cluster.per-user:{user}}}")));
    }
    let nodes_used = cluster
        .nodes
        .iter()
        .filter(|node| {
            !node
                .cmd::<Vec<String>>(&["KEYS", "opguard:{ratelimit:cluster.per-user:*"])
                .is_empty()
        })
        .count();
    assert!(nodes_used >= 2, "six users' keys all on one node");

    // A two-tier cache: values written back to Redis (value, lease and
    // meta keys under one tag per entry), found there by a second cache
    // of the same name with an empty memory, and invalidated there.
    let build = || -> SharedCache<u64, String> {
        cache::builder("cluster.users")
            .ttl(Duration::from_secs(60))
            .local_ttl(Duration::from_secs(60))
            .build_shared()
            .expect("a shared cache")
    };
    let cache = build();
    for key in 0..8u64 {
        let value = cache
            .get_or_load(key, &Adapter::VALUE, async move { format!("user-{key}") })
            .await;
        assert_eq!(value, format!("user-{key}"));
    }
    let values = "opguard:cache:{*:v";
    assert_eq!(count(&cluster, values), 8, "one value key per entry");
    let stats = cache.stats();
    assert_eq!((stats.loads, stats.shared_errors), (8, 0), "{stats:?}");

    cache.invalidate(&3).await;
    assert_eq!(count(&cluster, values), 7, "the entry is gone from Redis");

    // Another instance's view: the same name, built anew with an empty
    // memory (the registry would otherwise hand back this one).
    drop(cache);
    assert!(cache::remove("cluster.users"));
    let second = build();
    assert!(second.hit(&5).await.is_none(), "a new memory is empty");
    let value = second
        .get_or_load(5, &Adapter::VALUE, async { unreachable!("a Redis hit") })
        .await;
    assert_eq!(value, "user-5");
    let stats = second.stats();
    assert_eq!(
        (stats.shared_hits, stats.loads, stats.shared_errors),
        (1, 0, 0),
        "{stats:?}"
    );

    let status = shared::status();
    assert_eq!(status.errors, 0, "{status:?}");
    assert!(status.commands > 0);
}
