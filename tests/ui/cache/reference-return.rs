use opguard::cacheable;

static NAMES: [&str; 2] = ["a", "b"];

#[cacheable]
fn name(index: usize) -> &'static str {
    NAMES[index]
}

fn main() {
    name(0);
}
