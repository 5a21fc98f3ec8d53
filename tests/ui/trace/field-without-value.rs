use opguard::trace_operation;

#[trace_operation(level = "debug", fields(region = "eu", attempt = ))]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
