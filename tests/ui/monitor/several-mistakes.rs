use opguard::monitor_performance;

#[monitor_performance(treshold = 500, level = "loud", include_args = 1, name = "")]
fn lookup(id: u64) -> u64 {
    id
}

fn main() {
    lookup(1);
}
