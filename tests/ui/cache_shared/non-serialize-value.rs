use opguard::cacheable;

#[derive(Clone)]
struct Report(String);

#[cacheable(shared)]
async fn report(id: u64) -> Report {
    Report(id.to_string())
}

fn main() {
    let _ = report(1);
}
