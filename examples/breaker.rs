//! `#[circuit_breaker]` alone: a dependency that fails for a while trips the
//! breaker, calls are then rejected without reaching it (and served by the
//! fallback), a probe after the recovery timeout closes it again. Transitions
//! are printed as they happen.
//!
//! ```text
//! cargo run --example breaker
//! ```

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use opguard::{GuardError, circuit_breaker};

#[derive(Debug)]
enum PaymentError {
    Declined,
    Unavailable(String),
    Guard(GuardError),
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentError::Declined => f.write_str("card declined"),
            PaymentError::Unavailable(why) => write!(f, "provider unavailable: {why}"),
            PaymentError::Guard(error) => write!(f, "{error}"),
        }
    }
}

/// A result, as a person reads it.
fn show(result: Result<String, PaymentError>) -> String {
    match result {
        Ok(done) => done,
        Err(error) => format!("error: {error}"),
    }
}

impl From<GuardError> for PaymentError {
    fn from(error: GuardError) -> Self {
        PaymentError::Guard(error)
    }
}

static DOWN: AtomicBool = AtomicBool::new(false);
static REMOTE_CALLS: AtomicU32 = AtomicU32::new(0);

/// A declined card says nothing about the provider's health, so only
/// `Unavailable` counts; two retries with jittered exponential backoff; a
/// fallback queues the payment while the breaker is open.
#[circuit_breaker(
    name = "payments",
    failure_threshold = 3,
    recovery_timeout = "200ms",
    timeout = "50ms",
    expected_errors = [PaymentError::Unavailable(_)],
    retries = 2,
    retry_delay = "5ms",
    fallback = queue_payment
)]
async fn charge(cents: u64) -> Result<String, PaymentError> {
    REMOTE_CALLS.fetch_add(1, Ordering::Relaxed);
    if DOWN.load(Ordering::Relaxed) {
        return Err(PaymentError::Unavailable("connection refused".into()));
    }
    if cents > 10_000 {
        return Err(PaymentError::Declined);
    }
    Ok(format!("charged {cents}"))
}

async fn queue_payment(cents: u64) -> Result<String, PaymentError> {
    Ok(format!("queued {cents} for later"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut events = opguard::breaker::events();
    let report = |label: &str| {
        let s = opguard::breaker::get("payments").unwrap().snapshot();
        println!(
            "{label:<28} state={:<9} calls={} failures={} rejected={} remote calls={}",
            s.state.as_str(),
            s.calls,
            s.failures,
            s.rejected,
            REMOTE_CALLS.load(Ordering::Relaxed)
        );
    };

    println!("{}", show(charge(500).await));
    println!("{}", show(charge(50_000).await));
    report("after a success and a decline");

    DOWN.store(true, Ordering::Relaxed);
    println!("{}", show(charge(700).await));
    report("the provider went down");
    println!("{}", show(charge(800).await));
    report("while open: the fallback");

    DOWN.store(false, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(250)).await;
    println!("{}", show(charge(900).await));
    report("a probe after 200 ms");

    while let Ok(event) = events.try_recv() {
        println!("  transition: {} -> {}", event.from, event.to);
    }
}
