use opguard::cacheable;

#[cacheable(shared)]
fn price(sku: u64) -> u64 {
    sku * 100
}

fn main() {
    let _ = price(1);
}
