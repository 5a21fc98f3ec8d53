use opguard::monitor_performance;

#[monitor_performance]
struct Lookup {
    id: u64,
}

fn main() {
    let _ = Lookup { id: 1 }.id;
}
