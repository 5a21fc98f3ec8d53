use opguard::monitor_performance;

#[monitor_performance(include_args = "yes")]
fn lookup(id: u64) -> u64 {
    id
}

fn main() {
    lookup(1);
}
