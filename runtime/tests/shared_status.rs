//! The shared tier's condition where operators look: `status()`, the
//! built-in `shared` health check, and both exports; before and after the
//! real `redis-server` under it dies.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::Duration;

use opguard_runtime::breaker::{Breaker, BreakerScope};
use opguard_runtime::health::{self, HealthStatus};
use opguard_runtime::{export, shared};
use redis_server::RedisServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_health_and_exports_follow_redis() {
    let mut redis = RedisServer::start_with(&["--requirepass", "s3cret-pw"]);
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/0", redis.port());
    assert!(!shared::status().configured);
    shared::connect(&url).await.expect("connects");
    let breaker = Breaker::builder("status.payments")
        .shared(Duration::from_millis(50))
        .build();
    assert!(shared::flush().await);

    let status = shared::status();
    assert!(status.configured && status.connected, "{status:?}");
    assert_eq!(
        status.url,
        format!("redis://:***@127.0.0.1:{}/0", redis.port())
    );
    assert!(status.round_trip.is_some());
    assert_eq!(breaker.snapshot().scope, BreakerScope::Fleet);
    assert_eq!(breaker.snapshot().fleet.unwrap().instances, 1);
    let report = health::run().await;
    assert_eq!(
        report.checks[shared::SHARED_CHECK].status,
        HealthStatus::Healthy
    );
    assert!(!report.checks[shared::SHARED_CHECK].critical);
    let text = export::prometheus();
    assert!(text.contains("opguard_shared_up 1\n"), "{text}");
    assert!(text.contains("opguard_shared_errors_total 0\n"), "{text}");
    assert!(text.contains(r#"opguard_breaker_scope{breaker="status.payments",scope="fleet"} 1"#));
    assert!(text.contains(r#"opguard_breaker_fleet_instances{breaker="status.payments"} 1"#));
    let json: serde_json::Value = serde_json::from_str(&export::json()).unwrap();
    assert_eq!(json["shared"]["connected"], true);
    assert_eq!(json["breakers"][0]["scope"], "fleet");
    for text in [&text, &export::json(), &format!("{status:?}")] {
        assert!(!text.contains("s3cret-pw"));
    }

    redis.kill();
    assert!(!shared::flush().await);
    let status = shared::status();
    assert!(!status.connected);
    assert!(status.errors > 0 && status.unavailable_since.is_some());
    assert!(
        !status
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("s3cret-pw")
    );
    assert_eq!(breaker.snapshot().scope, BreakerScope::LocalFallback);
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the 1 s reuse of results
    let report = health::run().await;
    assert_eq!(
        report.checks[shared::SHARED_CHECK].status,
        HealthStatus::Unhealthy
    );
    assert_eq!(report.status, HealthStatus::Degraded);
    let text = export::prometheus();
    assert!(text.contains("opguard_shared_up 0\n"), "{text}");
    assert!(text.contains(r#"scope="local_fallback"} 1"#), "{text}");
}
