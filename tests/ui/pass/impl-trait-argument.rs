//! `impl Trait` in argument and return position.
use opguard::monitor_performance;

#[monitor_performance(include_args)]
fn render(items: impl IntoIterator<Item = u8> + std::fmt::Debug) -> impl std::fmt::Display {
    items.into_iter().map(u32::from).sum::<u32>()
}

fn main() {
    assert_eq!(render(vec![1, 2]).to_string(), "3");
}
