use opguard::cacheable;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Page(u32);

#[cacheable(shared)]
async fn search(text: &str, page: Page) -> Vec<String> {
    vec![format!("{text} {}", page.0)]
}

fn main() {
    let _ = search("a", Page(1));
}
