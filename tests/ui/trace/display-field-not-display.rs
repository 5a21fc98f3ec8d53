use opguard::trace_operation;

struct Opaque;

#[trace_operation(fields(token = %Opaque))]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {
    login("a");
}
