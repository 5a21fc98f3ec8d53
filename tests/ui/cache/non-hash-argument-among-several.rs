use opguard::cacheable;

#[derive(Clone, PartialEq)]
struct Query {
    text: String,
}

#[cacheable]
fn search(page: u32, query: Query) -> Vec<String> {
    vec![format!("{page}: {}", query.text)]
}

fn main() {
    search(1, Query { text: "a".into() });
}
