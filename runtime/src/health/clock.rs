//! Wall-clock text for reports, and the process' uptime.

use std::sync::OnceLock;
use std::time::{Duration, Instant};
#[cfg(feature = "serde")]
use std::time::{SystemTime, UNIX_EPOCH};

/// `at` as RFC 3339 in UTC (the JSON of a report), to the millisecond: `2026-12-02T13:45:07.250Z`.
#[cfg(feature = "serde")]
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

#[cfg(feature = "serde")]
/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// How long the process has run: from the kernel's start time of this
/// process on Linux, else since the first health report of the process.
pub(crate) fn uptime() -> Duration {
    static FIRST: OnceLock<Instant> = OnceLock::new();
    let first = *FIRST.get_or_init(Instant::now);
    linux_uptime().unwrap_or_else(|| first.elapsed())
}

/// `/proc/uptime` minus the process' start time (field 22 of
/// `/proc/self/stat`, in clock ticks of 1/100 s on every Linux platform
/// opguard runs on).
fn linux_uptime() -> Option<Duration> {
    let boot: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: fields count from after its `)`.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let up = boot - ticks / 100.0;
    (up >= 0.0).then(|| Duration::from_secs_f64(up))
}

#[cfg(test)]
mod tests {
    use super::uptime;
    use std::time::Duration;

    #[test]
    #[cfg(feature = "serde")]
    fn formats_utc_dates() {
        use super::rfc3339;
        use std::time::UNIX_EPOCH;
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let at = UNIX_EPOCH + Duration::from_millis(1_764_683_107_250);
        assert_eq!(rfc3339(at), "2025-12-02T13:45:07.250Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn uptime_is_this_process() {
        let up = uptime();
        assert!(up < Duration::from_secs(3600), "{up:?}");
    }
}
