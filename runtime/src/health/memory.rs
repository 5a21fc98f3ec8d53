//! The built-in `memory` check: the process' resident memory against its
//! limit.
//!
//! On Linux the resident size is `VmRSS` from `/proc/self/status`, and the
//! limit is the cgroup v2 `memory.max` of the process (a container's limit)
//! when one is set, else `MemTotal` from `/proc/meminfo`. Healthy below 75 %,
//! degraded from 75 % to 90 %, unhealthy above; never critical. Where these
//! files cannot be read (another OS, a sandbox) the check is healthy and says
//! the figures are unknown.

use std::time::Instant;

use super::HealthStatus;
use super::checks::CheckResult;

/// The name of the built-in check.
pub(crate) const NAME: &str = "memory";

pub(crate) fn check() -> CheckResult {
    let began = Instant::now();
    let (status, error) = match (resident_bytes(), limit_bytes()) {
        (Some(resident), Some(limit)) if limit > 0 => judge(resident, limit),
        _ => (HealthStatus::Healthy, None),
    };
    CheckResult {
        name: NAME.to_owned(),
        status,
        response_time: began.elapsed(),
        critical: false,
        error,
    }
}

/// The status of `resident` bytes used of `limit`, and why when not healthy.
pub(crate) fn judge(resident: u64, limit: u64) -> (HealthStatus, Option<String>) {
    let share = resident as f64 / limit as f64;
    let status = if share > 0.90 {
        HealthStatus::Unhealthy
    } else if share >= 0.75 {
        HealthStatus::Degraded
    } else {
        return (HealthStatus::Healthy, None);
    };
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let reason = format!(
        "resident memory {:.0} MiB is {:.0}% of the {:.0} MiB limit",
        mib(resident),
        share * 100.0,
        mib(limit)
    );
    (status, Some(reason))
}

fn kib_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn resident_bytes() -> Option<u64> {
    kib_field(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        "VmRSS:",
    )
}

fn limit_bytes() -> Option<u64> {
    cgroup_limit()
        .or_else(|| kib_field(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemTotal:"))
}

/// `memory.max` of this process' cgroup (v2), when it is a number.
fn cgroup_limit() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let file = format!("/sys/fs/cgroup{}/memory.max", path.trim_end_matches('/'));
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{HealthStatus, check, judge};

    #[test]
    fn thresholds() {
        assert_eq!(judge(50, 100).0, HealthStatus::Healthy);
        assert_eq!(judge(75, 100).0, HealthStatus::Degraded);
        assert_eq!(judge(90, 100).0, HealthStatus::Degraded);
        assert_eq!(judge(91, 100).0, HealthStatus::Unhealthy);
        let (_, reason) = judge(950 << 20, 1000 << 20);
        assert_eq!(
            reason.as_deref(),
            Some("resident memory 950 MiB is 95% of the 1000 MiB limit")
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process() {
        assert!(super::resident_bytes().is_some_and(|b| b > 0));
        assert!(super::limit_bytes().is_some_and(|b| b > 0));
        let result = check();
        assert!(!result.critical);
    }
}
