use opguard::trace_operation;

#[trace_operation(sample_rate = 1.5)]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
