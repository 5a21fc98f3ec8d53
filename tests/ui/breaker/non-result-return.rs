use opguard::circuit_breaker;

#[circuit_breaker]
fn lookup(id: u64) -> Option<u64> {
    Some(id)
}

fn main() {
    lookup(1);
}
