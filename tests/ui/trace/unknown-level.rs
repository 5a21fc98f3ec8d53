use opguard::trace_operation;

#[trace_operation(level = "loud")]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
