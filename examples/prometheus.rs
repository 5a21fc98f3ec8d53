//! Prints the Prometheus text of a small populated registry: timers, a
//! breaker that opened, and a cache with hits. CI pipes it through
//! `promtool check metrics`.
//!
//! ```text
//! cargo run --example prometheus
//! ```

use opguard::{GuardError, cacheable, circuit_breaker, monitor_performance};

#[derive(Debug)]
struct Unavailable;

impl From<GuardError> for Unavailable {
    fn from(_: GuardError) -> Self {
        Unavailable
    }
}

#[monitor_performance(threshold = "10ms")]
#[cacheable(ttl = "1m")]
#[circuit_breaker(name = "pricing \"api\"", failure_threshold = 2)]
fn price(sku: u32) -> Result<u32, Unavailable> {
    if sku.is_multiple_of(5) {
        Err(Unavailable)
    } else {
        Ok(sku * 100)
    }
}

fn main() {
    for sku in [1, 2, 1, 2, 5, 10, 3] {
        let _ = price(sku);
    }
    print!("{}", opguard::export::prometheus());
}
