use opguard::monitor_performance;

struct Secret(u64);

#[monitor_performance(include_args)]
fn lookup(id: u64, secret: Secret) -> u64 {
    id + secret.0
}

fn main() {
    lookup(1, Secret(2));
}
