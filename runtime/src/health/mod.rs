//! Health: of the breakers ([`report`], synchronous), and of the service
//! with its registered checks ([`register`], [`run`], [`readiness`],
//! [`liveness`]): what `/health`, `/health/ready` and `/health/live` answer.
//!
//! From the breakers: `unhealthy` when any breaker is open or forced open,
//! `degraded` when any is half-open or has failures in its window, else
//! `healthy`. The service report adds the checks: a failing critical check
//! makes it `unhealthy` (and not ready), a failing non-critical one
//! `degraded`. Checks run concurrently, each within its timeout, and a run's
//! results answer for a second, so probes cannot stampede a dependency. The
//! built-in `memory` check is always there (never critical).

mod checks;
mod clock;
mod memory;
mod service;

pub use checks::{CheckHandle, CheckResult, DEFAULT_TIMEOUT, REUSE_FOR, register, unregister};
pub use service::{
    BreakerReport, CheckReport, Liveness, Readiness, ServiceHealth, liveness, readiness, run,
};

/// The name of the built-in memory check.
pub const MEMORY_CHECK: &str = memory::NAME;

#[cfg(feature = "serde")]
use serde::Serialize;

use crate::breaker::{self, BreakerSnapshot, BreakerState};

/// The overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum HealthStatus {
    /// Every breaker closed (or disabled), with no failures in its window.
    Healthy,
    /// A breaker is half-open, or has failures in its window.
    Degraded,
    /// A breaker is open or forced open.
    Unhealthy,
}

impl HealthStatus {
    /// `"healthy"`, `"degraded"` or `"unhealthy"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Degraded => "degraded",
            HealthStatus::Unhealthy => "unhealthy",
        }
    }
}

/// One breaker's part of the report.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct BreakerHealth {
    /// The breaker's name.
    pub name: String,
    /// Its state.
    pub state: BreakerState,
    /// What it contributes.
    pub status: HealthStatus,
    /// Failures in its rolling window.
    pub window_failures: u64,
}

/// The report: the worst status of any breaker, and each breaker's.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct HealthReport {
    /// The overall status.
    pub status: HealthStatus,
    /// Every breaker, sorted by name.
    pub breakers: Vec<BreakerHealth>,
}

impl HealthReport {
    /// The HTTP status a health endpoint should answer with: 503 when
    /// unhealthy, 200 otherwise (a degraded service still serves).
    ///
    /// ```
    /// let report = opguard_runtime::health::report();
    /// assert!(report.http_status() == 200 || report.http_status() == 503);
    /// ```
    pub fn http_status(&self) -> u16 {
        match self.status {
            HealthStatus::Unhealthy => 503,
            HealthStatus::Healthy | HealthStatus::Degraded => 200,
        }
    }

    /// Whether the status is `healthy`.
    pub fn is_healthy(&self) -> bool {
        self.status == HealthStatus::Healthy
    }
}

/// The health of every registered breaker, now.
pub fn report() -> HealthReport {
    from_snapshots(&breaker::all())
}

/// The health of the breakers in `snapshots` (so that an export that also
/// lists them reads each breaker once, and both agree).
pub(crate) fn from_snapshots(snapshots: &[BreakerSnapshot]) -> HealthReport {
    let breakers: Vec<BreakerHealth> = snapshots
        .iter()
        .map(|b| {
            let status = match b.state {
                BreakerState::Open | BreakerState::ForcedOpen => HealthStatus::Unhealthy,
                BreakerState::HalfOpen => HealthStatus::Degraded,
                BreakerState::Closed | BreakerState::Disabled if b.window_failures > 0 => {
                    HealthStatus::Degraded
                }
                BreakerState::Closed | BreakerState::Disabled => HealthStatus::Healthy,
            };
            BreakerHealth {
                name: b.name.clone(),
                state: b.state,
                status,
                window_failures: b.window_failures,
            }
        })
        .collect();
    let status = breakers
        .iter()
        .map(|b| b.status)
        .max()
        .unwrap_or(HealthStatus::Healthy);
    HealthReport { status, breakers }
}
