//! `#[cacheable(shared)]` through the facade, against a real
//! `redis-server`: before `connect` the cache works from memory; after it a
//! value outlives this instance's memory in Redis (`local_ttl` shorter than
//! `ttl`), generic instantiations and `key = ...` keys stay apart, and
//! `invalidate` removes the entry from Redis too. Feature `redis`; the
//! cross-process claims are tested in `runtime/tests/shared_cache_fleet.rs`.

#[path = "support/redis_cli.rs"]
mod redis_cli;

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use opguard::{cache, cacheable, shared};
use redis_cli::Server;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
}

#[derive(Debug, Clone, PartialEq)]
struct ApiError;

static USERS: AtomicU32 = AtomicU32::new(0);

#[cacheable(shared, ttl = "10m", local_ttl = "200ms", name = "facade.users")]
async fn user(id: u64) -> Result<User, ApiError> {
    USERS.fetch_add(1, SeqCst);
    Ok(User {
        id,
        name: format!("user-{id}"),
    })
}

static PARSES: AtomicU32 = AtomicU32::new(0);

#[cacheable(shared, name = "facade.parse")]
async fn parse<T>(text: String) -> Option<T>
where
    T: std::str::FromStr + Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    PARSES.fetch_add(1, SeqCst);
    text.parse().ok()
}

struct Tenant {
    id: u32,
}

impl Tenant {
    #[cacheable(shared, key = (self.id, user), load_timeout = "1s", sync_interval = "50ms")]
    async fn profile(&self, user: u32) -> String {
        format!("tenant {} user {user}", self.id)
    }
}

fn stats(name: &str) -> cache::CacheStats {
    cache::get(name).expect("registered").stats()
}

#[test]
fn a_shared_cache_keeps_values_in_redis_beyond_this_instance_memory() {
    let server = Server::start();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        // Before `connect`: memory and the body.
        assert_eq!(user(0).await.unwrap().name, "user-0");
        assert_eq!(stats("facade.users").shared_misses, 1);
        shared::connect(&server.url()).await.expect("connected");
        assert_eq!(server.keys("opguard:cache:*"), 0);

        assert_eq!(user(1).await.unwrap().name, "user-1");
        assert_eq!(server.keys("opguard:cache:{12:facade.users:*}:v"), 1);
        // Past `local_ttl` memory has forgotten it; Redis has not.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(user(1).await.unwrap().name, "user-1");
        assert_eq!(
            USERS.load(SeqCst),
            2,
            "the body ran for user 0 and user 1 only"
        );
        let s = stats("facade.users");
        assert!(s.shared);
        assert_eq!((s.shared_hits, s.shared_misses, s.shared_errors), (1, 2, 0));

        // Invalidation reaches Redis: the next call loads again.
        let handle = cache::get("facade.users").unwrap();
        handle.invalidate(&1u64).await.unwrap();
        assert_eq!(server.keys("opguard:cache:{12:facade.users:*}:v"), 0);
        assert_eq!(user(1).await.unwrap().name, "user-1");
        assert_eq!(USERS.load(SeqCst), 3);

        // Two instantiations of one function: two caches, two Redis entries.
        assert_eq!(parse::<u32>("7".into()).await, Some(7));
        assert_eq!(parse::<u64>("7".into()).await, Some(7));
        assert_eq!(PARSES.load(SeqCst), 2);
        assert_eq!(server.keys("opguard:cache:*facade.parse*:v"), 2);

        // `key = ...` with the receiver.
        let (a, b) = (Tenant { id: 1 }, Tenant { id: 2 });
        assert_eq!(a.profile(5).await, "tenant 1 user 5");
        assert_eq!(b.profile(5).await, "tenant 2 user 5");
        assert_eq!(server.keys("opguard:cache:*Tenant::profile*:v"), 2);
    });
}
