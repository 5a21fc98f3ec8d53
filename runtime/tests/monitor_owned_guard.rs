//! `Timer::start_owned`: the owned guard moves into spawned (`'static`)
//! futures and records an ok call, an error, a cancelled (dropped) call and a
//! panic exactly as the borrowed `CallGuard` does.
//!
//! Time only moves on tokio's paused clock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use opguard_runtime::monitor::{Timer, TimerSnapshot};

fn spawned<F: Future + Send + 'static>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F::Output: Send + 'static,
{
    tokio::spawn(future)
}

/// What a snapshot says about the calls, without the names.
fn figures(s: &TimerSnapshot) -> [u64; 7] {
    [
        s.calls,
        s.ok,
        s.errors,
        s.slow,
        s.cancelled,
        s.panicked,
        s.in_flight,
    ]
}

fn timer(name: &str) -> Arc<Timer> {
    Timer::builder(name)
        .threshold(Duration::from_millis(5))
        .build()
}

#[tokio::test(start_paused = true)]
async fn owned_guards_in_spawned_tasks_record_what_borrowed_guards_record() {
    let borrowed = timer("monitor_owned_guard.borrowed");
    let owned = timer("monitor_owned_guard.owned");

    // Borrowed: in this frame, or in a task holding the `Arc` for the panic.
    borrowed.start().finish(false);
    let guard = borrowed.start();
    tokio::time::sleep(Duration::from_millis(10)).await;
    guard.finish(true);
    drop(borrowed.start());
    let task = tokio::spawn({
        let timer = Arc::clone(&borrowed);
        async move {
            let guard = timer.start();
            guard.watch(async { panic!("boom") }).await
        }
    });
    assert!(task.await.unwrap_err().is_panic());

    // Owned: each guard is taken here and moved into a spawned task.
    let guard = owned.start_owned();
    spawned(async move { guard.finish(false) }).await.unwrap();
    let guard = owned.start_owned();
    spawned(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        guard.finish(true)
    })
    .await
    .unwrap();
    let guard = owned.start_owned();
    let cancelled = spawned(async move {
        let value = guard.watch(std::future::pending::<()>()).await;
        guard.finish(false);
        value
    });
    tokio::task::yield_now().await;
    assert_eq!(owned.snapshot().in_flight, 1);
    cancelled.abort();
    assert!(cancelled.await.unwrap_err().is_cancelled());
    let guard = owned.start_owned();
    let panicked = spawned(async move {
        guard.watch(async { panic!("boom") }).await;
        guard.finish(false)
    });
    assert!(panicked.await.unwrap_err().is_panic());

    let expected = [4, 1, 1, 1, 1, 1, 0];
    assert_eq!(figures(&borrowed.snapshot()), expected);
    assert_eq!(figures(&owned.snapshot()), expected);
}
