use opguard::cacheable;

#[cacheable]
fn warm(n: u64) {
    let _ = n;
}

fn main() {
    warm(1);
}
