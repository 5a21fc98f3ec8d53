//! Arguments and locals named like the generated bindings do not clash with them.
#![allow(non_snake_case)]

use opguard::monitor_performance;

#[monitor_performance(include_args)]
fn add(
    __opguard_ret: u32,
    __opguard_monitor: u32,
    __opguard_here: u32,
    __OPGUARD_MONITOR: u32,
) -> u32 {
    let __opguard_guard = __opguard_ret + __opguard_monitor;
    __opguard_guard + __opguard_here + __OPGUARD_MONITOR
}

fn main() {
    assert_eq!(add(1, 2, 3, 4), 10);
    let s = opguard::monitor::all()
        .into_iter()
        .find(|s| s.function == "add")
        .unwrap();
    assert_eq!(s.calls, 1);
}
