use opguard::trace_operation;

#[trace_operation(err(Pretty))]
fn login(user: &str) -> Result<(), String> {
    if user.is_empty() { Err("empty".into()) } else { Ok(()) }
}

fn main() {
    let _ = login("a");
}
