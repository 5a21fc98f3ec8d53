use opguard::cacheable;

#[cacheable(tll = "5m")]
fn square(n: u64) -> u64 {
    n * n
}

fn main() {
    square(2);
}
