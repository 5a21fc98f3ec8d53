use opguard::trace_operation;

#[trace_operation(include_args, skip(pasword))]
fn login(user: &str, password: &str) -> bool {
    user.len() == password.len()
}

fn main() {
    login("a", "b");
}
