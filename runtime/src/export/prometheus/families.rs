//! The families of each primitive: timers, breakers (and the shared tier),
//! caches and rate limiters, written with [`Family`].

use super::Family;
use crate::breaker::{BreakerSnapshot, BreakerState, FleetCounts};
use crate::cache::CacheStats;
use crate::monitor::TimerSnapshot;
use crate::rate_limit::RateLimitSnapshot;

pub(super) fn timers_families(out: &mut String, timers: &[TimerSnapshot]) {
    let name = "opguard_calls_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Finished calls of monitored operations, by outcome.",
    );
    for t in timers {
        for (outcome, n) in [
            ("ok", t.ok),
            ("error", t.errors),
            ("cancelled", t.cancelled),
            ("panicked", t.panicked),
        ] {
            f.sample(
                name,
                &[("operation", &t.name), ("outcome", outcome)],
                n as f64,
            );
        }
    }
    let name = "opguard_slow_calls_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Calls slower than their operation's threshold.",
    );
    for t in timers {
        f.sample(name, &[("operation", &t.name)], t.slow as f64);
    }
    let name = "opguard_calls_in_flight";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "Calls of monitored operations running now.",
    );
    for t in timers {
        f.sample(name, &[("operation", &t.name)], t.in_flight as f64);
    }
    let name = "opguard_call_duration_seconds";
    let mut f = Family::new(
        out,
        name,
        "summary",
        "Latency of returned calls (quantiles within 1%).",
    );
    for t in timers {
        let l = &t.latency;
        for (q, v) in [
            ("0.5", l.p50),
            ("0.9", l.p90),
            ("0.99", l.p99),
            ("0.999", l.p999),
        ] {
            f.sample(
                name,
                &[("operation", &t.name), ("quantile", q)],
                v.as_secs_f64(),
            );
        }
        f.sample(
            &format!("{name}_sum"),
            &[("operation", &t.name)],
            l.mean.as_secs_f64() * l.count as f64,
        );
        f.sample(
            &format!("{name}_count"),
            &[("operation", &t.name)],
            l.count as f64,
        );
    }
}

pub(super) fn breaker_families(out: &mut String, breakers: &[BreakerSnapshot]) {
    let name = "opguard_breaker_state";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "1 for the state each circuit breaker is in, 0 for the others.",
    );
    for b in breakers {
        for state in BreakerState::ALL {
            f.sample(
                name,
                &[("breaker", &b.name), ("state", state.as_str())],
                f64::from(u8::from(b.state == state)),
            );
        }
    }
    let name = "opguard_breaker_calls_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Calls through circuit breakers, by outcome.",
    );
    for b in breakers {
        for (outcome, n) in [
            ("success", b.successes),
            ("failure", b.failures),
            ("rejected", b.rejected),
            ("cancelled", b.cancelled),
        ] {
            f.sample(
                name,
                &[("breaker", &b.name), ("outcome", outcome)],
                n as f64,
            );
        }
    }
    let name = "opguard_breaker_timeouts_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Calls abandoned at a circuit breaker's timeout (also failures).",
    );
    for b in breakers {
        f.sample(name, &[("breaker", &b.name)], b.timeouts as f64);
    }
    let name = "opguard_breaker_window_failures";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "Failures in each circuit breaker's rolling window.",
    );
    for b in breakers {
        f.sample(name, &[("breaker", &b.name)], b.window_failures as f64);
    }
    let name = "opguard_breaker_scope";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "1 for whose state each circuit breaker follows (local, fleet, local_fallback).",
    );
    for b in breakers {
        f.sample(
            name,
            &[("breaker", &b.name), ("scope", b.scope.as_str())],
            1.0,
        );
    }
    type Field = fn(&FleetCounts) -> u64;
    let fleet: [(&str, &str, Field); 3] = [
        (
            "opguard_breaker_fleet_window_calls",
            "Calls in a shared breaker's fleet-wide window, as of its last sync.",
            |c| c.window_calls,
        ),
        (
            "opguard_breaker_fleet_window_failures",
            "Failures in a shared breaker's fleet-wide window, as of its last sync.",
            |c| c.window_failures,
        ),
        (
            "opguard_breaker_fleet_instances",
            "Instances that synced a shared breaker within its window.",
            |c| c.instances,
        ),
    ];
    for (name, help, field) in fleet {
        let mut f = Family::new(out, name, "gauge", help);
        for b in breakers {
            if let Some(counts) = &b.fleet {
                f.sample(name, &[("breaker", &b.name)], field(counts) as f64);
            }
        }
    }
}

/// The shared tier's families: whether Redis answers, and its errors.
#[cfg(feature = "redis")]
pub(crate) fn shared_families(out: &mut String, status: &crate::shared::SharedStatus) {
    if !status.configured {
        return;
    }
    let name = "opguard_shared_up";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "1 while the shared tier's last Redis command succeeded.",
    );
    f.sample(name, &[], f64::from(u8::from(status.connected)));
    let name = "opguard_shared_errors_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Redis commands of the shared tier that failed or passed their deadline.",
    );
    f.sample(name, &[], status.errors as f64);
}

pub(super) fn cache_families(out: &mut String, caches: &[CacheStats]) {
    type Field = fn(&CacheStats) -> u64;
    let counters: [(&str, &str, Field); 4] = [
        (
            "opguard_cache_hits_total",
            "Calls answered from a cache.",
            |c| c.hits,
        ),
        (
            "opguard_cache_misses_total",
            "Calls that found no cache entry.",
            |c| c.misses,
        ),
        (
            "opguard_cache_loads_total",
            "Times a cached function's body ran.",
            |c| c.loads,
        ),
        (
            "opguard_cache_evictions_total",
            "Cache entries removed by size or expiry.",
            |c| c.evictions,
        ),
    ];
    for (name, help, field) in counters {
        let mut f = Family::new(out, name, "counter", help);
        for c in caches {
            f.sample(name, &[("cache", &c.name)], field(c) as f64);
        }
    }
    let name = "opguard_cache_entries";
    let mut f = Family::new(out, name, "gauge", "Entries held by a cache.");
    for c in caches {
        f.sample(name, &[("cache", &c.name)], c.entries as f64);
    }
    let shared: [(&str, &str, Field); 3] = [
        (
            "opguard_cache_shared_hits_total",
            "Misses of a shared cache's memory that Redis answered.",
            |c| c.shared_hits,
        ),
        (
            "opguard_cache_shared_misses_total",
            "Misses of a shared cache's memory that ran the body here.",
            |c| c.shared_misses,
        ),
        (
            "opguard_cache_shared_errors_total",
            "Redis commands of a shared cache that failed or passed their deadline.",
            |c| c.shared_errors,
        ),
    ];
    for (name, help, field) in shared {
        let mut f = Family::new(out, name, "counter", help);
        for c in caches.iter().filter(|c| c.shared) {
            f.sample(name, &[("cache", &c.name)], field(c) as f64);
        }
    }
}

pub(super) fn rate_limit_families(out: &mut String, limiters: &[RateLimitSnapshot]) {
    let name = "opguard_rate_limit_calls_total";
    let mut f = Family::new(
        out,
        name,
        "counter",
        "Calls a rate limiter decided, by outcome (allowed or limited).",
    );
    for l in limiters {
        for (outcome, n) in [("allowed", l.allowed), ("limited", l.limited)] {
            f.sample(
                name,
                &[("limiter", &l.name), ("outcome", outcome)],
                n as f64,
            );
        }
    }
    let name = "opguard_rate_limit_tracked_keys";
    let mut f = Family::new(
        out,
        name,
        "gauge",
        "Keys a keyed rate limiter holds state for.",
    );
    for l in limiters.iter().filter(|l| l.keyed) {
        f.sample(name, &[("limiter", &l.name)], l.tracked_keys as f64);
    }
}
