use opguard::cacheable;

#[derive(Clone, PartialEq)]
struct Query {
    text: String,
}

#[cacheable]
fn search(query: Query) -> Vec<String> {
    vec![query.text]
}

fn main() {
    search(Query { text: "a".into() });
}
