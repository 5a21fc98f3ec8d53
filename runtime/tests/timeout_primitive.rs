//! The `timeout` primitive on its own: a future past its limit is dropped
//! and `Elapsed` returned; one within it is untouched.
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opguard_runtime::timeout::{Elapsed, Timeout};
use tokio::time::{Instant, sleep};

use support::DropFlag;

#[tokio::test(start_paused = true)]
async fn a_future_past_the_limit_is_dropped_with_elapsed() {
    let limit = Timeout::new(Duration::from_millis(50));
    assert_eq!(limit.after(), Duration::from_millis(50));
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let start = Instant::now();
    let result = limit
        .run(async move {
            let _flag = flag;
            sleep(Duration::from_secs(10)).await;
            "finished"
        })
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(50));
    let elapsed = result.unwrap_err();
    assert_eq!(
        elapsed,
        Elapsed {
            after: Duration::from_millis(50)
        }
    );
    assert_eq!(elapsed.to_string(), "timed out after 50ms");
    assert!(dropped.load(Ordering::SeqCst), "the future was dropped");

    let quick = limit
        .run(async {
            sleep(Duration::from_millis(49)).await;
            7
        })
        .await;
    assert_eq!(quick, Ok(7));
}
