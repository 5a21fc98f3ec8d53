//! Three instances of one service, as three processes, sharing one circuit
//! breaker through Redis (`#[circuit_breaker(shared)]`, feature `redis`).
//!
//! ```text
//! cargo run --example fleet --features redis
//! ```
//!
//! Only `instance-1` sees its payment gateway fail; the other two never
//! call a failing gateway, yet they open too (they learn it from the fleet
//! within `sync_interval`), exactly one probe runs in the whole fleet once
//! the recovery timeout has passed, and its success closes every instance.
//!
//! Redis: `OPGUARD_REDIS_URL` if set; otherwise the example starts its own
//! `redis-server` (Debian/Ubuntu: `apt-get install redis-server`; macOS:
//! `brew install redis`) on a free loopback port and stops it at the end.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use opguard::breaker::{self, BreakerState};
use opguard::{GuardError, circuit_breaker};

const BREAKER: &str = "payments-gateway";
const INSTANCES: usize = 3;

#[derive(Debug)]
enum PaymentError {
    GatewayDown,
    Guard(GuardError),
}

impl From<GuardError> for PaymentError {
    fn from(e: GuardError) -> Self {
        PaymentError::Guard(e)
    }
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentError::GatewayDown => f.write_str("gateway down"),
            PaymentError::Guard(e) => write!(f, "{e}"),
        }
    }
}

/// Probe calls this process ran (a call that runs while the breaker is
/// half-open is a probe).
static PROBES: AtomicU64 = AtomicU64::new(0);

#[circuit_breaker(
    shared,
    sync_interval = "100ms",
    name = "payments-gateway",
    failure_threshold = 5,
    recovery_timeout = "1s"
)]
async fn charge(gateway_down: bool) -> Result<u64, PaymentError> {
    if breaker::get(BREAKER).is_some_and(|b| b.state() == BreakerState::HalfOpen) {
        PROBES.fetch_add(1, Ordering::Relaxed);
        println!("{}: probe call runs", instance());
    }
    if gateway_down {
        Err(PaymentError::GatewayDown)
    } else {
        Ok(100)
    }
}

fn instance() -> String {
    std::env::var("OPGUARD_INSTANCE").unwrap_or_default()
}

fn main() {
    if std::env::var("FLEET_CHILD").is_ok() {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        runtime.block_on(child());
        return;
    }
    let (url, mut server) = match std::env::var("OPGUARD_REDIS_URL") {
        Ok(url) => (url, None),
        Err(_) => match start_redis() {
            Some((url, child)) => (url, Some(child)),
            None => {
                eprintln!(
                    "This example needs Redis 6.2 or later. Either set OPGUARD_REDIS_URL \
                     (e.g. redis://127.0.0.1:6379/0), or install `redis-server` on the PATH \
                     (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) \
                     and the example starts its own."
                );
                std::process::exit(2);
            }
        },
    };
    println!("fleet of {INSTANCES} instances sharing breaker `{BREAKER}` through {url}");
    let exe = std::env::current_exe().expect("this example's binary");
    let children: Vec<Child> = (1..=INSTANCES)
        .map(|n| {
            Command::new(&exe)
                .env("FLEET_CHILD", "1")
                .env("OPGUARD_REDIS_URL", &url)
                .env("OPGUARD_INSTANCE", format!("instance-{n}"))
                .stdout(Stdio::piped())
                .spawn()
                .expect("an instance starts")
        })
        .collect();
    let mut opened = 0;
    let mut closed = 0;
    let mut probes = 0;
    let readers: Vec<_> = children
        .into_iter()
        .map(|mut child| {
            let out = child.stdout.take().expect("piped");
            std::thread::spawn(move || {
                let lines: Vec<String> =
                    BufReader::new(out).lines().map_while(Result::ok).collect();
                let _ = child.wait();
                lines
            })
        })
        .collect();
    for reader in readers {
        for line in reader.join().expect("an instance's output") {
            if let Some(summary) = line.strip_prefix("SUMMARY ") {
                let figure = |key: &str| {
                    summary
                        .split_whitespace()
                        .find_map(|kv| kv.strip_prefix(key))
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                opened += u64::from(figure("opened=") > 0);
                closed += u64::from(figure("closed=") > 0);
                probes += figure("probes=");
            }
            println!("  {line}");
        }
    }
    if let Some(server) = server.as_mut() {
        let _ = server.kill();
        let _ = server.wait();
    }
    println!(
        "instances that opened: {opened}/{INSTANCES}; probes fleet-wide: {probes}; \
         instances that closed again: {closed}/{INSTANCES}"
    );
    if opened as usize == INSTANCES && closed as usize == INSTANCES && probes == 1 {
        println!("the fleet opened together, probed once, and closed together");
    } else {
        println!("unexpected: see the instances' lines above");
        std::process::exit(1);
    }
}

async fn child() {
    let me = instance();
    if let Err(e) = opguard::shared::connect_from_env().await {
        println!("{me}: {e}");
        return;
    }
    let mut events = breaker::events();
    let started = Instant::now();
    let (mut opened, mut closed) = (0, 0);
    // instance-1's gateway fails for its first second; everyone else's never.
    let sees_failures = me == "instance-1";
    while started.elapsed() < Duration::from_millis(3500) {
        let down = sees_failures && started.elapsed() < Duration::from_millis(1000);
        let _ = charge(down).await;
        while let Ok(event) = events.try_recv() {
            let origin = event.origin.as_deref().unwrap_or("-");
            println!(
                "{me}: {} {} -> {} (made by {origin}) at +{} ms",
                event.name,
                event.from,
                event.to,
                started.elapsed().as_millis()
            );
            opened += u64::from(event.to == BreakerState::Open);
            closed += u64::from(event.to == BreakerState::Closed);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    opguard::shared::flush().await;
    let snapshot = breaker::get(BREAKER).expect("registered").snapshot();
    println!(
        "SUMMARY opened={opened} closed={closed} probes={} calls={} rejected={} scope={}",
        PROBES.load(Ordering::Relaxed),
        snapshot.calls,
        snapshot.rejected,
        snapshot.scope.as_str()
    );
}

/// A `redis-server` of this example on a free loopback port, if installed.
fn start_redis() -> Option<(String, Child)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let dir = std::env::temp_dir().join(format!("opguard-fleet-{port}"));
    std::fs::create_dir_all(&dir).ok()?;
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Some((format!("redis://127.0.0.1:{port}/0"), child))
}
