//! A cached function that calls itself with the key it is loading fails at
//! once with a message that names it, instead of waiting for itself for
//! ever; recursion with other keys is served as usual.

use std::sync::mpsc;
use std::time::Duration;

use opguard::cacheable;

mod support;
use support::panic_text;

#[cacheable]
fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

#[test]
fn recursion_with_other_keys_is_cached() {
    assert_eq!(fib(60), 1_548_008_755_920);
    let stats = opguard::cache::get("cache_recursion::fib").unwrap().stats();
    assert_eq!(stats.loads, 61, "each key loaded once");
}

#[cacheable]
fn same_key(n: u64) -> u64 {
    if n == 0 { 0 } else { same_key(n) }
}

#[test]
fn a_sync_call_for_its_own_key_fails_fast_and_names_the_function() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| same_key(3));
        let _ = done.send(outcome.map_err(panic_text));
    });
    // Bounded: before the fix the thread waited for itself for ever.
    let outcome = finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the recursive call must fail fast, not hang");
    let message = outcome.expect_err("the recursive call must not return a value");
    assert!(message.contains("cache_recursion::same_key"), "{message}");
    assert!(message.contains("itself with the same key"), "{message}");
    // The cache is not wedged: the key loads afterwards, and others too.
    assert_eq!(same_key(0), 0);
}

#[cacheable]
async fn same_key_async(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        Box::pin(same_key_async(n)).await
    }
}

#[tokio::test(start_paused = true)]
async fn an_async_call_for_its_own_key_fails_fast_and_names_the_function() {
    let task = tokio::spawn(same_key_async(5));
    // On the paused clock this returns at once when the task is stuck.
    let joined = tokio::time::timeout(Duration::from_secs(3600), task)
        .await
        .expect("the recursive call must fail fast, not hang");
    let message = panic_text(joined.expect_err("it panics").into_panic());
    assert!(
        message.contains("cache_recursion::same_key_async"),
        "{message}"
    );
    assert_eq!(same_key_async(0).await, 0);
    // A second recursive call fails the same way: nothing was left marked.
    let again = tokio::spawn(same_key_async(5)).await;
    assert!(again.unwrap_err().is_panic());
}
