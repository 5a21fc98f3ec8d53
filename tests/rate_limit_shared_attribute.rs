//! `#[rate_limit(shared)]` against a real `redis-server`: the limit lives in
//! Redis (per key with `key`), decided by one script per call.

#[path = "../runtime/tests/support/redis_server.rs"]
mod redis_server;

use opguard::{GuardError, rate_limit};
use redis_server::RedisServer;

#[derive(Debug)]
enum ApiError {
    Guard(GuardError),
}

impl From<GuardError> for ApiError {
    fn from(e: GuardError) -> Self {
        ApiError::Guard(e)
    }
}

#[rate_limit(rate = "2/1m", shared, name = "partner-api")]
async fn partner(q: u32) -> Result<u32, ApiError> {
    Ok(q)
}

#[rate_limit(rate = "1/1m", key = user.clone(), shared, name = "per-user")]
async fn per_user(user: String) -> Result<usize, ApiError> {
    Ok(user.len())
}

fn limited<T: std::fmt::Debug>(result: Result<T, ApiError>) -> bool {
    matches!(result, Err(ApiError::Guard(GuardError::RateLimited { .. })))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_limits_live_in_redis() {
    let redis = RedisServer::start();
    opguard::shared::connect(&redis.url()).await.unwrap();

    assert_eq!(partner(1).await.unwrap(), 1);
    assert_eq!(partner(2).await.unwrap(), 2);
    assert!(limited(partner(3).await));
    // The fleet's state: one key, expiring when the limit has recovered.
    let ttl: i64 = redis.cmd(&["PTTL", "opguard:{ratelimit:partner-api}"]);
    assert!(ttl > 30_000 && ttl <= 60_001, "PTTL {ttl}");
    // Another instance's view is Redis': emptied there, the limit is back.
    let _: () = redis.cmd(&["DEL", "opguard:{ratelimit:partner-api}"]);
    assert!(partner(4).await.is_ok());

    assert!(per_user("alice".into()).await.is_ok());
    assert!(limited(per_user("alice".into()).await));
    assert!(per_user("bob".into()).await.is_ok());
    let exists: u64 = redis.cmd(&[
        "EXISTS",
        "opguard:{ratelimit:per-user:alice}",
        "opguard:{ratelimit:per-user:bob}",
    ]);
    assert_eq!(exists, 2);
    let snapshot = opguard::rate_limit::get("per-user").unwrap().snapshot();
    assert_eq!((snapshot.allowed, snapshot.limited), (2, 1));
}
