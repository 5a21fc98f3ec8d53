use opguard::trace_operation;

#[trace_operation(fields(region: "eu"))]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
