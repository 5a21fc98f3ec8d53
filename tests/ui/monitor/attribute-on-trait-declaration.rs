use opguard::monitor_performance;

trait Store {
    #[monitor_performance]
    fn load(&self, id: u64) -> u64;
}

fn main() {}
