use opguard::cacheable;

struct Report(String);

#[cacheable]
fn report(id: u64) -> Report {
    Report(id.to_string())
}

fn main() {
    let _ = report(1).0;
}
