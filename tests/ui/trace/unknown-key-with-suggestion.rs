use opguard::trace_operation;

#[trace_operation(include_arg)]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
