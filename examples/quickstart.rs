//! The main job: a small simulated service whose functions are annotated with
//! opguard's attributes, called a few hundred times; some calls are slow, some
//! fail, and an inventory dependency goes down for a while. Slow calls and
//! breaker transitions are logged as they happen, spans print on stdout;
//! then the timers, breakers and caches are printed, the health report and
//! the Prometheus text.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opguard::{GuardError, cacheable, circuit_breaker, monitor_performance, trace_operation};

#[derive(Debug, Clone)]
struct User {
    id: u64,
    name: String,
}

#[derive(Debug)]
enum DbError {
    NotFound(u64),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::NotFound(id) => write!(f, "user {id} not found"),
        }
    }
}

/// A deterministic stand-in for network jitter.
fn jitter(seed: u64) -> u64 {
    seed.wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        >> 33
}

struct UserService {
    queries: AtomicU64,
}

impl UserService {
    /// A database read: usually 1–9 ms, one call in 40 takes 60 ms, and ids
    /// divisible by 13 do not exist.
    #[trace_operation(include_args)]
    #[monitor_performance(threshold = "50ms", include_args)]
    async fn get_user(&self, id: u64) -> Result<User, DbError> {
        let n = self.queries.fetch_add(1, Ordering::Relaxed);
        let millis = if n % 40 == 39 { 60 } else { 1 + jitter(n) % 9 };
        tokio::time::sleep(Duration::from_millis(millis)).await;
        if id.is_multiple_of(13) {
            return Err(DbError::NotFound(id));
        }
        Ok(User {
            id,
            name: format!("user-{id}"),
        })
    }
}

/// Synchronous work: rendering a profile page.
#[monitor_performance(threshold = "1ms")]
fn render(user: &User) -> String {
    format!("<h1>{}</h1><p>#{}</p>", user.name, user.id)
}

#[derive(Debug)]
enum InventoryError {
    Unavailable,
    Guard(GuardError),
}

impl From<GuardError> for InventoryError {
    fn from(error: GuardError) -> Self {
        InventoryError::Guard(error)
    }
}

impl std::fmt::Display for InventoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InventoryError::Unavailable => f.write_str("inventory service unavailable"),
            InventoryError::Guard(e) => write!(f, "{e}"),
        }
    }
}

/// A remote inventory service that is down while `down` is set.
struct Inventory {
    down: std::sync::atomic::AtomicBool,
    remote_calls: AtomicU64,
}

impl Inventory {
    /// Three failures open the breaker; while open, calls are served from the
    /// fallback without touching the remote; after 100 ms a probe goes out.
    #[circuit_breaker(
        name = "inventory",
        failure_threshold = 3,
        recovery_timeout = "100ms",
        timeout = "50ms",
        fallback = Self::cached_stock
    )]
    async fn stock(&self, sku: u64) -> Result<u32, InventoryError> {
        self.remote_calls.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(2)).await;
        if self.down.load(Ordering::Relaxed) {
            return Err(InventoryError::Unavailable);
        }
        Ok((sku % 7) as u32 * 10)
    }

    async fn cached_stock(&self, _sku: u64) -> Result<u32, InventoryError> {
        Ok(0) // "unknown": the page renders without a stock count.
    }
}

/// A slow lookup with few distinct answers: cached for a minute, so only the
/// first request per currency pays for it (concurrent first requests share
/// one lookup).
#[monitor_performance(name = "fx.rate", threshold = "50ms")]
#[cacheable(name = "fx.rates", ttl = "1m")]
async fn exchange_rate(currency: &str) -> Result<f64, String> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    match currency {
        "EUR" => Ok(1.0),
        "USD" => Ok(1.08),
        "GBP" => Ok(0.86),
        other => Err(format!("no rate for {other}")),
    }
}

/// A handler that uses them all, with `?` and an explicit name; one request
/// in fifty is traced (its span and its children's are printed when they
/// close).
#[trace_operation(
    name = "http.get_profile",
    include_args,
    skip(service, inventory),
    sample_rate = 0.02
)]
#[monitor_performance(name = "http.get_profile", threshold = "50ms")]
async fn get_profile(
    service: &UserService,
    inventory: &Inventory,
    id: u64,
) -> Result<String, String> {
    let user = service.get_user(id).await.map_err(|e| e.to_string())?;
    let stock = inventory.stock(id).await.map_err(|e| e.to_string())?;
    let currency = ["EUR", "USD", "GBP"][(id % 3) as usize];
    let rate = exchange_rate(currency).await?;
    Ok(format!(
        "{} stock={stock} price={:.2}{currency}",
        render(&user),
        10.0 * rate
    ))
}

#[tokio::main]
async fn main() {
    // Slow calls, breaker transitions and errors are events; traced spans
    // are printed when they close. Colours only on a terminal, and never
    // with NO_COLOR set (https://no-color.org).
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    tracing_subscriber::fmt()
        .with_ansi(colour)
        .with_target(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .compact()
        .init();

    let service = UserService {
        queries: AtomicU64::new(0),
    };
    let inventory = Inventory {
        down: std::sync::atomic::AtomicBool::new(false),
        remote_calls: AtomicU64::new(0),
    };
    let mut transitions = opguard::breaker::events();
    let started = std::time::Instant::now();
    // 300 requests, 50 at a time; inventory is down during batches 2 and 3.
    for batch in 0..6u64 {
        inventory
            .down
            .store(batch == 2 || batch == 3, Ordering::Relaxed);
        if batch == 4 {
            // Give the breaker its recovery time before the next batch.
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
        let requests = (0..50u64).map(|i| get_profile(&service, &inventory, batch * 50 + i + 1));
        let results = futures_util::future::join_all(requests).await;
        let failed = results.iter().filter(|r| r.is_err()).count();
        let state = opguard::breaker::get("inventory")
            .map_or_else(|| "not called yet".to_owned(), |b| b.state().to_string());
        println!(
            "batch {batch}: {} ok, {failed} failed; inventory breaker {state}, remote calls so far {}",
            results.len() - failed,
            inventory.remote_calls.load(Ordering::Relaxed)
        );
        while let Ok(event) = transitions.try_recv() {
            println!("  breaker `{}`: {} -> {}", event.name, event.from, event.to);
        }
    }
    println!("\n300 requests in {:.1?}\n", started.elapsed());

    println!(
        "{:<36} {:>6} {:>6} {:>6} {:>5} {:>9} {:>9} {:>9}",
        "timer", "calls", "errors", "slow", "now", "p50", "p99", "max"
    );
    for s in opguard::monitor::all() {
        println!(
            "{:<36} {:>6} {:>6} {:>6} {:>5} {:>9.2?} {:>9.2?} {:>9.2?}",
            s.name,
            s.calls,
            s.errors,
            s.slow,
            s.in_flight,
            s.latency.p50,
            s.latency.p99,
            s.latency.max
        );
    }

    println!(
        "\n{:<12} {:>10} {:>6} {:>9} {:>9} {:>9}",
        "breaker", "state", "calls", "failures", "rejected", "timeouts"
    );
    for b in opguard::breaker::all() {
        println!(
            "{:<12} {:>10} {:>6} {:>9} {:>9} {:>9}",
            b.name, b.state, b.calls, b.failures, b.rejected, b.timeouts
        );
    }

    println!(
        "\n{:<12} {:>6} {:>6} {:>8} {:>6}",
        "cache", "hits", "misses", "hit rate", "loads"
    );
    for c in opguard::cache::all() {
        println!(
            "{:<12} {:>6} {:>6} {:>7.1}% {:>6}",
            c.name,
            c.hits,
            c.misses,
            c.hit_rate * 100.0,
            c.loads
        );
    }

    let health = opguard::health::report();
    println!(
        "\nhealth: {} (HTTP {})",
        health.status.as_str(),
        health.http_status()
    );
    for b in &health.breakers {
        println!(
            "  {}: {} ({} failures in window)",
            b.name,
            b.status.as_str(),
            b.window_failures
        );
    }

    println!("\n# Prometheus text (opguard::export::prometheus()):");
    print!("{}", opguard::export::prometheus());
}
