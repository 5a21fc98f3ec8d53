use opguard::cacheable;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Query {
    text: String,
}

#[cacheable(shared)]
async fn search(query: Query) -> Vec<String> {
    vec![query.text]
}

fn main() {
    let _ = search(Query { text: "a".into() });
}
