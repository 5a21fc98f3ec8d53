//! The service health report: registered checks run concurrently within
//! their deadlines; failing, hanging and panicking checks are unhealthy with
//! a reason; critical ones make the service unhealthy and not ready.
//! (One test: the check registry is process-wide.)

use std::time::Duration;

use opguard_runtime::health::{self, HealthStatus};

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection refused")
    }
}

#[tokio::test(flavor = "current_thread")]
async fn checks_decide_the_report_and_readiness() {
    tokio::time::pause();
    health::register("database", || async { Ok::<_, Refused>(()) });
    let report = health::run().await;
    assert_eq!(report.status, HealthStatus::Healthy, "{report:?}");
    assert_eq!(report.http_status(), 200);
    assert!(report.checks.contains_key(health::MEMORY_CHECK));
    assert!(!report.checks[health::MEMORY_CHECK].critical);
    assert_eq!(health::readiness().await.status, "ready");

    // A non-critical failure degrades; the report is reused for a second.
    health::register("search", || async { Err::<(), _>(Refused) }).critical(false);
    let report = health::run().await;
    assert_eq!(report.status, HealthStatus::Degraded, "{report:?}");
    let search = &report.checks["search"];
    assert_eq!(
        (search.status, search.error.as_deref(), search.critical),
        (HealthStatus::Unhealthy, Some("connection refused"), false)
    );
    assert_eq!(report.http_status(), 200);
    assert_eq!(health::readiness().await.status, "ready");

    // A critical check that hangs: unhealthy at its deadline, and the report
    // still comes, at that deadline.
    health::register("payments", std::future::pending::<Result<(), Refused>>).timeout("50ms");
    // And one that panics.
    health::register("ledger", || async {
        if true {
            panic!("ledger pool poisoned");
        }
        Ok::<_, Refused>(())
    })
    .timeout(Duration::from_secs(1));
    let start = tokio::time::Instant::now();
    let report = health::run().await;
    // At the deadline (tokio's timer rounds it up to its next 1 ms tick).
    let took = start.elapsed();
    assert!(
        (Duration::from_millis(50)..=Duration::from_millis(51)).contains(&took),
        "{took:?}"
    );
    assert_eq!(report.status, HealthStatus::Unhealthy, "{report:?}");
    assert_eq!(report.http_status(), 503);
    let payments = &report.checks["payments"];
    assert_eq!(
        (
            payments.error.as_deref(),
            payments.response_time,
            payments.critical
        ),
        (
            Some("timed out after 50ms"),
            Duration::from_millis(50),
            true
        )
    );
    assert_eq!(
        report.checks["ledger"].error.as_deref(),
        Some("panicked: ledger pool poisoned")
    );
    let ready = health::readiness().await;
    assert_eq!((ready.status, ready.http_status()), ("not_ready", 503));
    assert_eq!(health::liveness().status, "alive");

    #[cfg(feature = "json")]
    {
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["status"], "unhealthy");
        let timestamp = json["timestamp"].as_str().unwrap();
        assert!(
            timestamp.len() == 24 && timestamp.ends_with('Z') && timestamp.as_bytes()[10] == b'T',
            "{timestamp}"
        );
        assert!(json["uptime_seconds"].as_f64().unwrap() >= 0.0);
        assert_eq!(json["checks"]["payments"]["response_time_ms"], 50.0);
        assert_eq!(json["checks"]["payments"]["critical"], true);
        assert_eq!(json["checks"]["database"]["status"], "healthy");
        assert!(json["checks"]["database"].get("error").is_none());
        assert!(json["breakers"].is_object());
        let ready = serde_json::to_value(health::readiness().await).unwrap();
        assert_eq!(ready["status"], "not_ready");
        assert_eq!(
            serde_json::to_value(health::liveness()).unwrap(),
            serde_json::json!({"status": "alive"})
        );
    }

    // Unregistered, the critical failures are gone.
    assert!(health::unregister("payments") && health::unregister("ledger"));
    assert_eq!(health::run().await.status, HealthStatus::Degraded);
}
