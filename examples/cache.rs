//! `#[cacheable]` alone: hits and misses, request coalescing of concurrent
//! misses, errors that are not cached, a key built from `self`, and
//! invalidation through the cache's handle.
//!
//! ```text
//! cargo run --example cache
//! ```

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use opguard::cacheable;

static LOADS: AtomicU32 = AtomicU32::new(0);

/// A slow lookup; concurrent first calls for one city share one load.
#[cacheable(name = "weather", ttl = "10m", max_capacity = 1_000)]
async fn forecast(city: &str) -> Result<String, String> {
    LOADS.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(30)).await;
    match city {
        "Atlantis" => Err("no such city".into()),
        _ => Ok(format!("{city}: sunny")),
    }
}

struct Catalog {
    tenant: u32,
}

impl Catalog {
    /// The tenant is part of the key: two tenants never share entries.
    #[cacheable(key = (self.tenant, sku), ttl = "1m")]
    fn price(&self, sku: u32) -> u64 {
        u64::from(self.tenant) * 1_000 + u64::from(sku)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Ten concurrent misses on one key: the body runs once.
    let calls: Vec<_> = (0..10).map(|_| forecast("Lisbon")).collect();
    for result in futures_util::future::join_all(calls).await {
        assert_eq!(result.as_deref(), Ok("Lisbon: sunny"));
    }
    println!(
        "10 concurrent calls, {} load(s)",
        LOADS.load(Ordering::Relaxed)
    );

    println!("{:?}", forecast("Lisbon").await);
    println!("{:?} (an error is not cached)", forecast("Atlantis").await);
    println!("{:?}", forecast("Atlantis").await);

    let (a, b) = (Catalog { tenant: 1 }, Catalog { tenant: 2 });
    println!("tenant 1: {}, tenant 2: {}", a.price(7), b.price(7));

    let weather = opguard::cache::get("weather").unwrap();
    weather.invalidate(&"Lisbon".to_owned()).await.unwrap();
    println!(
        "{:?} (after invalidation: loaded again)",
        forecast("Lisbon").await
    );

    for stats in opguard::cache::all() {
        println!(
            "{}: {} hits, {} misses, {} loads, hit rate {:.0}%",
            stats.name,
            stats.hits,
            stats.misses,
            stats.loads,
            stats.hit_rate * 100.0
        );
    }
}
