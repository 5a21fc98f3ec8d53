//! The reports of a service's health endpoints: `/health` ([`run`]),
//! `/health/live` ([`liveness`]) and `/health/ready` ([`readiness`]).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

#[cfg(feature = "serde")]
use serde::{Serialize, Serializer};

use super::checks::{self, CheckResult};
use super::{HealthStatus, from_snapshots};
use crate::breaker::{self, BreakerState};

/// One check in a report.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct CheckReport {
    /// `healthy`, `degraded` (the `memory` check only) or `unhealthy`.
    pub status: HealthStatus,
    /// How long the check took.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "response_time_ms", serialize_with = "millis")
    )]
    pub response_time: Duration,
    /// Whether its failure makes the service unhealthy.
    pub critical: bool,
    /// Why it is not healthy.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub error: Option<String>,
}

/// One breaker in a report.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct BreakerReport {
    /// Its state.
    pub state: BreakerState,
    /// What it contributes: open is `unhealthy`; half-open, or failures in
    /// its window, `degraded`.
    pub status: HealthStatus,
    /// Failures in its rolling window.
    pub window_failures: u64,
}

/// What `GET /health` answers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ServiceHealth {
    /// `unhealthy` when a critical check fails or a breaker is open;
    /// `degraded` when a non-critical check fails or a breaker is half-open
    /// or has failures in its window; else `healthy`.
    pub status: HealthStatus,
    /// When the report was made (RFC 3339, UTC, in JSON).
    #[cfg_attr(feature = "serde", serde(serialize_with = "rfc3339"))]
    pub timestamp: SystemTime,
    /// How long the process has run (`uptime_seconds` in JSON).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "uptime_seconds", serialize_with = "crate::units::seconds")
    )]
    pub uptime: Duration,
    /// Every check, by name (the built-in `memory` included).
    pub checks: BTreeMap<String, CheckReport>,
    /// Every breaker, by name.
    pub breakers: BTreeMap<String, BreakerReport>,
}

impl ServiceHealth {
    /// 503 when `unhealthy`, else 200.
    pub fn http_status(&self) -> u16 {
        http_status(self.status != HealthStatus::Unhealthy)
    }
}

/// What `GET /health/ready` answers: whether to send this instance traffic.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Readiness {
    /// `ready`, or `not_ready` when a critical check fails.
    pub status: &'static str,
    /// Every check, by name.
    pub checks: BTreeMap<String, CheckReport>,
}

impl Readiness {
    /// 503 when not ready, else 200.
    pub fn http_status(&self) -> u16 {
        http_status(self.status == "ready")
    }
}

/// What `GET /health/live` answers: the process runs. It runs no check, so
/// an outage of a dependency never gets the process restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Liveness {
    /// Always `alive`.
    pub status: &'static str,
}

fn http_status(ok: bool) -> u16 {
    if ok { 200 } else { 503 }
}

fn reports(results: &[CheckResult]) -> BTreeMap<String, CheckReport> {
    results
        .iter()
        .map(|r| {
            let report = CheckReport {
                status: r.status,
                response_time: r.response_time,
                critical: r.critical,
                error: r.error.clone(),
            };
            (r.name.clone(), report)
        })
        .collect()
}

fn critical_failure(results: &[CheckResult]) -> bool {
    results
        .iter()
        .any(|r| r.critical && r.status == HealthStatus::Unhealthy)
}

/// Runs every check (or reuses a run under a second old) and reads every
/// breaker: the `/health` report. Needs a tokio runtime (checks are spawned
/// on it).
pub async fn run() -> ServiceHealth {
    let results = checks::results().await;
    let breakers = from_snapshots(&breaker::all());
    let worst_check = results
        .iter()
        .map(|r| match r.status {
            HealthStatus::Unhealthy if !r.critical => HealthStatus::Degraded,
            status => status,
        })
        .max()
        .unwrap_or(HealthStatus::Healthy);
    ServiceHealth {
        status: worst_check.max(breakers.status),
        timestamp: SystemTime::now(),
        uptime: super::clock::uptime(),
        checks: reports(&results),
        breakers: breakers
            .breakers
            .into_iter()
            .map(|b| {
                let report = BreakerReport {
                    state: b.state,
                    status: b.status,
                    window_failures: b.window_failures,
                };
                (b.name, report)
            })
            .collect(),
    }
}

/// The `/health/ready` report: not ready when a critical check fails.
pub async fn readiness() -> Readiness {
    let results = checks::results().await;
    Readiness {
        status: if critical_failure(&results) {
            "not_ready"
        } else {
            "ready"
        },
        checks: reports(&results),
    }
}

/// The `/health/live` report.
pub fn liveness() -> Liveness {
    Liveness { status: "alive" }
}

#[cfg(feature = "serde")]
fn millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

#[cfg(feature = "serde")]
fn rfc3339<S: Serializer>(at: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::clock::rfc3339(*at))
}
