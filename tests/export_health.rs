//! Prometheus text, JSON and the health report, from a populated registry.
//! One test: the registry is global to this binary and the health report
//! depends on every breaker in it.

use std::time::Duration;

use opguard::health::HealthStatus;
use opguard::{GuardError, cacheable, circuit_breaker, export, health, monitor_performance};

#[derive(Debug)]
struct Down;

impl From<GuardError> for Down {
    fn from(_: GuardError) -> Self {
        Down
    }
}

#[monitor_performance(name = "export.lookup")]
#[cacheable(name = "export \"quoted\" cache")]
#[circuit_breaker(name = "export.db", failure_threshold = 2, recovery_timeout = "1s")]
fn lookup(id: u32) -> Result<u32, Down> {
    if id == 0 { Err(Down) } else { Ok(id) }
}

fn sample(text: &str, prefix: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no sample `{prefix}` in:\n{text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test(start_paused = true)]
async fn exports_and_health_follow_the_runtime() {
    assert_eq!(health::report().status, HealthStatus::Healthy);
    assert_eq!(health::report().http_status(), 200);

    lookup(1).unwrap();
    lookup(1).unwrap();
    assert!(lookup(0).is_err());
    let report = health::report();
    assert_eq!(
        report.status,
        HealthStatus::Degraded,
        "a failure in the window"
    );
    assert_eq!(report.breakers[0].window_failures, 1);
    assert_eq!(report.http_status(), 200);

    assert!(lookup(0).is_err());
    let report = health::report();
    assert_eq!(report.status, HealthStatus::Unhealthy, "the breaker opened");
    assert_eq!(report.http_status(), 503);

    let text = export::prometheus();
    assert_eq!(
        sample(
            &text,
            r#"opguard_calls_total{operation="export.lookup",outcome="ok"}"#
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_calls_total{operation="export.lookup",outcome="error"}"#
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_breaker_state{breaker="export.db",state="open"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_breaker_state{breaker="export.db",state="closed"}"#
        ),
        0.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_breaker_calls_total{breaker="export.db",outcome="failure"}"#
        ),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_cache_hits_total{cache="export \"quoted\" cache"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            r#"opguard_call_duration_seconds_count{operation="export.lookup"}"#
        ),
        4.0
    );
    assert!(
        text.contains(
            r#"opguard_call_duration_seconds{operation="export.lookup",quantile="0.99"}"#
        )
    );
    for family in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = family.split(' ').nth(2).unwrap();
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "{name} has no HELP"
        );
    }

    #[cfg(feature = "json")]
    json_says_the_same();

    tokio::time::advance(Duration::from_secs(1)).await;
    lookup(2).unwrap();
    assert_eq!(
        health::report().status,
        HealthStatus::Healthy,
        "closed again, window cleared"
    );
}

/// The JSON export (feature `json`) says what the Prometheus text says.
#[cfg(feature = "json")]
fn json_says_the_same() {
    let json: serde_json::Value = serde_json::from_str(&export::json()).unwrap();
    assert_eq!(json["health"]["status"], "unhealthy");
    let breaker = json["breakers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "export.db")
        .unwrap();
    assert_eq!(
        (breaker["state"].as_str(), breaker["failures"].as_u64()),
        (Some("open"), Some(2))
    );
    let cache = json["caches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "export \"quoted\" cache")
        .unwrap();
    assert_eq!(cache["hits"], 1);
    let timer = json["timers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "export.lookup")
        .unwrap();
    assert_eq!(timer["calls"], 4);
}
