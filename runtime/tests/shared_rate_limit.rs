//! A `shared` rate limit over a real `redis-server`, with three instances as
//! child processes: the fleet never admits more than the limit allows in
//! any period, and with Redis killed each instance limits on its own, with
//! no error reaching a caller.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opguard_runtime::GuardError;
use opguard_runtime::rate_limit::{Rate, RateLimiter};
use opguard_runtime::shared;
use redis_server::RedisServer;

const CHILD: &str = "OPGUARD_RATE_LIMIT_CHILD";
/// 50 calls a second (one every 20 ms), a burst of 5.
const COUNT: u32 = 50;
const BURST: u32 = 5;
const INTERVAL_US: u64 = 20_000;
/// Each instance asks every 2 ms for this long.
const RUN: Duration = Duration::from_millis(1500);

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// A child instance: asks as fast as every 2 ms for `RUN`, then prints the
/// times of its admitted calls and how many calls failed otherwise.
#[test]
#[ignore = "a child instance, started by the tests of this file"]
fn instance() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        shared::connect(&url).await.expect("connected");
        let limiter = RateLimiter::builder("fleet.partner-api")
            .rate(Rate::per_second(COUNT))
            .burst(BURST)
            .shared()
            .build()
            .unwrap();
        let mut admitted = Vec::new();
        let mut errors = Vec::new();
        let mut slowest = Duration::ZERO;
        let started = Instant::now();
        while started.elapsed() < RUN {
            let asked = Instant::now();
            match limiter.acquire(Duration::ZERO).await {
                Ok(()) => admitted.push(unix_micros()),
                Err(GuardError::RateLimited { .. }) => {}
                Err(other) => errors.push(other.to_string()),
            }
            slowest = slowest.max(asked.elapsed());
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let times: Vec<String> = admitted.iter().map(u64::to_string).collect();
        println!("@@ admitted {}", times.join(","));
        println!("@@ errors {}", errors.len());
        println!("@@ slowest_us {}", slowest.as_micros());
    });
}

struct Report {
    admitted: Vec<u64>,
    errors: u64,
    slowest_us: u64,
}

fn run_fleet(redis: &mut RedisServer, kill_after: Option<Duration>) -> (Vec<Report>, u64) {
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "instance", "--nocapture"])
                .env(CHILD, redis.url())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut killed_at = 0;
    if let Some(after) = kill_after {
        std::thread::sleep(after);
        killed_at = unix_micros();
        redis.kill();
    }
    let reports = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&output.stdout).to_string();
            let field = |name: &str| {
                text.lines()
                    .find_map(|l| l.split("@@ ").nth(1)?.strip_prefix(name))
                    .unwrap_or_else(|| panic!("no {name} in {text}"))
                    .trim()
                    .to_owned()
            };
            Report {
                admitted: field("admitted")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().unwrap())
                    .collect(),
                errors: field("errors").parse().unwrap(),
                slowest_us: field("slowest_us").parse().unwrap(),
            }
        })
        .collect();
    (reports, killed_at)
}

/// The most calls GCRA admits between the first and the last of `times`
/// (sorted), allowing `slack` µs for the gap between Redis' decision and
/// the instance's clock reading: the burst, plus one per interval.
fn violations(times: &[u64], slack: u64) -> Vec<String> {
    let mut found = Vec::new();
    for i in 0..times.len() {
        for j in i..times.len() {
            let span = times[j] - times[i];
            let allowed = u64::from(BURST) + (span + slack) / INTERVAL_US;
            let admitted = (j - i + 1) as u64;
            if admitted > allowed {
                found.push(format!(
                    "{admitted} calls within {span} µs, at most {allowed}"
                ));
            }
        }
    }
    found
}

#[test]
fn three_instances_never_admit_more_than_the_fleet_limit() {
    let mut redis = RedisServer::start();
    let (reports, _) = run_fleet(&mut redis, None);
    let mut all: Vec<u64> = reports.iter().flat_map(|r| r.admitted.clone()).collect();
    all.sort_unstable();
    assert!(reports.iter().all(|r| r.errors == 0));
    let problems = violations(&all, 5_000);
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(5)]
    );
    // The limit is met, not just respected: the burst and about one call
    // per interval over the run (each instance alone would admit that much).
    let expected = u64::from(BURST) + RUN.as_micros() as u64 / INTERVAL_US;
    assert!(
        (all.len() as u64) >= expected * 8 / 10 && (all.len() as u64) <= expected + 2,
        "{} admitted in the fleet, about {expected} expected",
        all.len()
    );
}

#[test]
fn with_redis_killed_each_instance_limits_alone_and_no_call_errs() {
    let mut redis = RedisServer::start();
    let (reports, killed_at) = run_fleet(&mut redis, Some(Duration::from_millis(500)));
    for report in &reports {
        assert_eq!(
            report.errors, 0,
            "a caller saw an error other than RateLimited"
        );
        // The first call after the kill waits for the command deadline
        // (50 ms), no longer.
        assert!(
            report.slowest_us < 150_000,
            "a call took {} µs",
            report.slowest_us
        );
        let after: Vec<u64> = report
            .admitted
            .iter()
            .copied()
            .filter(|&t| t > killed_at + 60_000)
            .collect();
        assert!(
            !after.is_empty(),
            "an instance admitted nothing without Redis"
        );
        // Alone, at the same rate: its own burst and one per interval.
        let problems = violations(&after, 5_000);
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(5)]
        );
    }
}
