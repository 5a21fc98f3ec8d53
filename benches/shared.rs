//! The shared tier's costs (feature `redis`), against a real `redis-server`
//! this bench starts on a free loopback port and kills at the end.
//!
//! * `shared/closed` and `shared/closed_2_threads`: a call the closed
//!   breaker lets through, `#[circuit_breaker(shared)]` (connected, its
//!   agent syncing every 100 ms in the background) against the same
//!   breaker without `shared`, and the bare function. Goal: ≤ 1.2×.
//! * Redis commands per closed calls, from `INFO commandstats`: every
//!   command Redis ran in one second with no calls, with 10 000 calls and
//!   with 100 000 calls through one shared breaker. Goal: independent of
//!   the number of calls (one sync per `sync_interval` per breaker).
//! * `shared/rate_limit`: an admitted call of a `shared` rate limiter
//!   (`RateLimiter::acquire`, one GCRA script on Redis per call) against one
//!   raw `EVALSHA` of the same script through the `redis` crate's connection
//!   manager, with the same key and arguments. Goal: ≤ 1.1×.
//! * Transition propagation: instance A (this process) trips, instance B
//!   (a child process of this bench) follows; the time from A's event to
//!   B's, over 100 trips, p50 and p99. Goal: p99 ≤ `sync_interval` + 10 ms.
//!
//! Run with `cargo bench -p opguard-benches --bench shared`.

#[path = "../runtime/tests/support/redis_server.rs"]
#[allow(unreachable_pub)]
mod redis_server;

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use opguard::breaker::{self, Breaker, BreakerScope, BreakerState};
use opguard::rate_limit::{Rate, RateLimiter};
use opguard::{GuardError, circuit_breaker};
use opguard_benches::two_threads;
use redis_server::RedisServer;

const CHILD: &str = "OPGUARD_SHARED_BENCH_CHILD";

#[inline(never)]
fn work(x: u64) -> Result<u64, GuardError> {
    Ok(black_box(x))
}

#[circuit_breaker(name = "bench.shared.local")]
fn local(x: u64) -> Result<u64, GuardError> {
    work(x)
}

#[circuit_breaker(shared, name = "bench.shared.fleet")]
fn shared(x: u64) -> Result<u64, GuardError> {
    work(x)
}

#[circuit_breaker(shared, name = "bench.shared.commands")]
fn counted(x: u64) -> Result<u64, GuardError> {
    work(x)
}

fn unix_nanos(at: SystemTime) -> u128 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    if let Ok(url) = std::env::var(CHILD) {
        runtime.block_on(child(url));
        return;
    }
    let redis = RedisServer::start();
    runtime
        .block_on(opguard::shared::connect(&redis.url()))
        .expect("connected");
    // The breakers exist and follow the fleet before anything is measured.
    let _ = (local(1), shared(1), counted(1));
    assert!(runtime.block_on(opguard::shared::flush()));
    assert_eq!(
        breaker::get("bench.shared.fleet").unwrap().snapshot().scope,
        BreakerScope::Fleet
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("shared/closed");
    group.bench_function("plain", |b| b.iter(|| work(black_box(7))));
    group.bench_function("local", |b| b.iter(|| local(black_box(7))));
    group.bench_function("shared", |b| b.iter(|| shared(black_box(7))));
    group.finish();
    let mut group = c.benchmark_group("shared/closed_2_threads");
    two_threads(&mut group, "local", local);
    two_threads(&mut group, "shared", shared);
    group.finish();
    bench_rate_limit(&mut c, &runtime, &redis);
    c.final_summary();
    assert!(runtime.block_on(opguard::shared::flush()));
    assert_eq!(
        breaker::get("bench.shared.fleet").unwrap().snapshot().scope,
        BreakerScope::Fleet,
        "the shared breaker stayed connected while measured"
    );

    commands_per_calls(&redis);
    propagation(&redis, &runtime);
}

fn bench_rate_limit(c: &mut Criterion, runtime: &tokio::runtime::Runtime, redis: &RedisServer) {
    // A limit far above what the bench reaches: every call is admitted.
    let limiter = RateLimiter::builder("bench.shared.limit")
        .rate(Rate::per_second(1_000_000))
        .burst(1_000_000_000)
        .shared()
        .build()
        .expect("a limiter");
    runtime.block_on(async {
        limiter.acquire(Duration::ZERO).await.expect("admitted");
    });
    let script = redis::Script::new(include_str!("../runtime/src/shared/gcra.lua"));
    let conn = runtime
        .block_on(
            redis::Client::open(redis.url())
                .unwrap()
                .get_connection_manager(),
        )
        .expect("a connection manager");
    let sent = opguard::shared::status().commands;
    let mut group = c.benchmark_group("shared/rate_limit");
    group.bench_function("raw_evalsha", |b| {
        b.to_async(runtime).iter(|| {
            let mut conn = conn.clone();
            let script = &script;
            async move {
                let mut invocation = script.prepare_invoke();
                invocation
                    .key("bench:{raw-limit}")
                    .arg(1)
                    .arg(999_999_999u64)
                    .arg(0)
                    .arg("take");
                let answer: (u8, u64) = invocation.invoke_async(&mut conn).await.expect("answered");
                black_box(answer)
            }
        })
    });
    group.bench_function("opguard", |b| {
        b.to_async(runtime)
            .iter(|| async { black_box(limiter.acquire(Duration::ZERO).await) })
    });
    group.finish();
    // Every admitted call went to Redis (one command each, besides the
    // breakers' syncs), and none was refused.
    let snapshot = limiter.snapshot();
    assert_eq!(snapshot.limited, 0);
    let sent = opguard::shared::status().commands - sent;
    assert!(
        sent >= snapshot.allowed - 1,
        "{sent} commands for {} calls",
        snapshot.allowed
    );
}

/// Every command Redis ran in one second of `calls` closed calls.
fn commands_in_a_second(redis: &RedisServer, calls: u64) -> u64 {
    let _: () = redis.cmd(&["CONFIG", "RESETSTAT"]);
    let started = Instant::now();
    // The calls spread over the second, in 100 slices.
    for slice in 0..100u64 {
        for _ in 0..calls / 100 {
            counted(black_box(slice)).expect("closed");
        }
        let until = Duration::from_millis(10 * (slice + 1));
        std::thread::sleep(until.saturating_sub(started.elapsed()));
    }
    let info: String = redis.cmd(&["INFO", "commandstats"]);
    if std::env::var("SHARED_BENCH_DEBUG").is_ok() {
        println!("{info}");
    }
    // The commands the tier sends (the ones inside a script are counted
    // by Redis too, under their own names: not round trips).
    const SENT: [&str; 6] = [
        "evalsha",
        "eval",
        "script|load",
        "ping",
        "publish",
        "psubscribe",
    ];
    info.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            SENT.contains(&name).then_some(rest)
        })
        .filter_map(|rest| {
            rest.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

fn commands_per_calls(redis: &RedisServer) {
    let breakers = breaker::all().iter().filter(|b| b.fleet.is_some()).count();
    println!(
        "\nRedis round trips (EVALSHA, EVAL, SCRIPT LOAD, PING, PUBLISH, PSUBSCRIBE) in one second, \
         {breakers} shared breakers syncing every 100 ms:"
    );
    for calls in [0, 10_000, 100_000] {
        let commands = commands_in_a_second(redis, calls);
        println!("  {calls:>7} closed calls: {commands} commands");
    }
}

/// Instance B: follows the breaker and reports each transition's time.
async fn child(url: String) {
    opguard::shared::connect(&url).await.expect("connected");
    let b = Breaker::builder("bench.shared.propagation")
        .failure_threshold(1)
        .shared(Duration::from_millis(100))
        .build();
    let mut events = breaker::events();
    opguard::shared::flush().await;
    println!("ready {}", b.state());
    while let Ok(event) = events.recv().await {
        println!("{} {}", event.to, unix_nanos(event.at));
    }
}

fn propagation(redis: &RedisServer, runtime: &tokio::runtime::Runtime) {
    let a = Breaker::builder("bench.shared.propagation")
        .failure_threshold(1)
        .shared(Duration::from_millis(100))
        .build();
    assert!(runtime.block_on(opguard::shared::flush()));
    let mut child = Command::new(std::env::current_exe().expect("this bench"))
        .env(CHILD, redis.url())
        .stdout(Stdio::piped())
        .spawn()
        .expect("instance B starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut next = move || lines.next().expect("B answers").expect("a line");
    assert_eq!(next(), "ready closed");
    let mut events = breaker::events();
    let mut latencies = Vec::new();
    for _ in 0..100 {
        let failed: Result<(), GuardError> = a.call_sync(|| {
            Err(GuardError::Timeout {
                name: "bench".into(),
                after: Duration::ZERO,
            })
        });
        assert!(failed.is_err());
        let opened = loop {
            let event = events.try_recv().expect("A's own transition");
            if event.to == BreakerState::Open {
                break unix_nanos(event.at);
            }
        };
        let line = next();
        let (state, at) = line.split_once(' ').expect("state and time");
        assert_eq!(state, "open", "{line}");
        latencies.push(at.parse::<u128>().unwrap().saturating_sub(opened) as f64 / 1e6);
        a.force_close();
        while !next().starts_with("closed") {}
        while events.try_recv().is_ok() {}
    }
    let _ = child.kill();
    let _ = child.wait();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "\nTransition propagation A -> B over {} trips (sync_interval 100 ms): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1]
    );
    let totals: HashMap<String, u64> = redis.cmd(&[
        "HGETALL",
        "opguard:{breaker:bench.shared.propagation}:totals",
    ]);
    println!(
        "  (the fleet counted {} failures for the 100 trips)",
        totals.get("failures").copied().unwrap_or(0)
    );
    std::io::stdout().flush().ok();
}
