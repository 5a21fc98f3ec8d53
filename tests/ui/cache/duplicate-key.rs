use opguard::cacheable;

#[cacheable(ttl = "5m", ttl = "10m")]
fn square(n: u64) -> u64 {
    n * n
}

fn main() {
    square(2);
}
