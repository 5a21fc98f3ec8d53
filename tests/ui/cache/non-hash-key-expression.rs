use opguard::cacheable;

#[derive(Clone, PartialEq)]
struct Query {
    text: String,
}

#[cacheable(key = query.clone())]
fn search(query: &Query) -> Vec<String> {
    vec![query.text.clone()]
}

fn main() {
    search(&Query { text: "a".into() });
}
