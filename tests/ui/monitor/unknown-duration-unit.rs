use opguard::monitor_performance;

#[monitor_performance(threshold = "5sec")]
fn lookup(id: u64) -> u64 {
    id
}

fn main() {
    lookup(1);
}
