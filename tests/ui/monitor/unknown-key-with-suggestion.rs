use opguard::monitor_performance;

#[monitor_performance(treshold = "500ms")]
fn lookup(id: u64) -> u64 {
    id
}

fn main() {
    lookup(1);
}
