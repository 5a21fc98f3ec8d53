use opguard::trace_operation;

struct Token(String);

#[trace_operation(include_args)]
fn login(user: &str, token: Token) -> bool {
    user == token.0
}

fn main() {
    login("a", Token("a".into()));
}
