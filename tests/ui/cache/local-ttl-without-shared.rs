use opguard::cacheable;

#[cacheable(ttl = "5m", local_ttl = "1m")]
async fn price(sku: u64) -> u64 {
    sku * 100
}

fn main() {
    let _ = price(1);
}
