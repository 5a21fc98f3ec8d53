use opguard::monitor_performance;

struct Row(u64);

#[monitor_performance(include_result)]
fn lookup(id: u64) -> Row {
    Row(id)
}

fn main() {
    lookup(1);
}
