use opguard::monitor_performance;

#[monitor_performance]
fn lookup(id: u64) -> u64 {
    let name: String = id;
    name.len() as u64
}

fn main() {
    lookup(1);
}
