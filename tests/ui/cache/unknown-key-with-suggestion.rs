use opguard::cacheable;

#[cacheable(max_capacty = 100)]
fn square(n: u64) -> u64 {
    n * n
}

fn main() {
    square(2);
}
