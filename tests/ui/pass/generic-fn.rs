//! Generic functions share one timer across instantiations.
use opguard::monitor_performance;

#[monitor_performance]
fn first<T: Clone, const N: usize>(items: [T; N]) -> Option<T>
where
    T: std::fmt::Debug,
{
    items.first().cloned()
}

fn main() {
    assert_eq!(first([1, 2]), Some(1));
    assert_eq!(first(["a"]), Some("a"));
    assert_eq!(
        opguard::monitor::all()
            .into_iter()
            .find(|s| s.function == "first")
            .unwrap()
            .calls,
        2
    );
}
