//! `impl Trait` in argument and return position.
use opguard::{monitor_performance, trace_operation};

#[monitor_performance(include_args)]
fn render(items: impl IntoIterator<Item = u8> + std::fmt::Debug) -> impl std::fmt::Display {
    items.into_iter().map(u32::from).sum::<u32>()
}

#[trace_operation(include_result)]
fn shown(n: u8) -> impl std::fmt::Display + std::fmt::Debug {
    n
}

#[trace_operation]
async fn later(n: u8) -> impl std::fmt::Display {
    n
}

fn main() {
    assert_eq!(render(vec![1, 2]).to_string(), "3");
    assert_eq!(shown(4).to_string(), "4");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(later(5)).to_string(), "5");
}
