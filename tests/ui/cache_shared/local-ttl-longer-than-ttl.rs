use opguard::cacheable;

#[cacheable(shared, ttl = "1m", local_ttl = "5m")]
async fn price(sku: u64) -> u64 {
    sku * 100
}

fn main() {
    let _ = price(1);
}
