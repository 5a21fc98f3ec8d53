//! A breaker given its own clock follows that clock, not tokio's: it opens,
//! goes half-open after `recovery_timeout` and closes as that clock says, and
//! its rolling window moves with it.
//!
//! tokio's clock is paused; only the injected clock is moved by hand.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opguard_runtime::breaker::{Breaker, BreakerState, Clock};
use tokio::time::{Instant, advance};

use support::{fail, is_rejection};

/// A clock that moves only when told to.
#[derive(Clone)]
struct ManualClock {
    base: Instant,
    offset_ns: Arc<AtomicU64>,
}

impl ManualClock {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            offset_ns: Arc::new(AtomicU64::new(0)),
        }
    }

    fn clock(&self) -> Clock {
        let this = self.clone();
        Clock::from_fn(move || {
            this.base + Duration::from_nanos(this.offset_ns.load(Ordering::SeqCst))
        })
    }

    fn advance(&self, by: Duration) {
        let ns = u64::try_from(by.as_nanos()).unwrap();
        self.offset_ns.fetch_add(ns, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn opens_goes_half_open_and_closes_on_the_injected_clock() {
    let manual = ManualClock::new();
    let breaker = Breaker::builder("breaker_clock.cycle")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(10))
        .clock(manual.clock())
        .build();

    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open);

    // tokio's clock moving past the recovery timeout changes nothing.
    advance(Duration::from_secs(60)).await;
    assert!(
        is_rejection(&breaker.acquire().map(drop), Duration::from_secs(10)),
        "the injected clock has not moved: the whole recovery timeout is left"
    );

    manual.advance(Duration::from_secs(4));
    assert!(is_rejection(
        &breaker.acquire().map(drop),
        Duration::from_secs(6)
    ));

    manual.advance(Duration::from_secs(6));
    let probe = breaker
        .acquire()
        .expect("recovery timeout passed on the injected clock");
    assert!(probe.is_probe());
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    probe.success();
    assert_eq!(breaker.state(), BreakerState::Closed);

    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.rejected), (1, 1, 2));
}

#[tokio::test(start_paused = true)]
async fn the_rolling_window_moves_with_the_injected_clock() {
    let manual = ManualClock::new();
    let breaker = Breaker::builder("breaker_clock.window")
        .failure_threshold(2)
        .window(Duration::from_secs(10))
        .clock(manual.clock())
        .build();

    fail(&breaker);
    advance(Duration::from_secs(60)).await;
    assert_eq!(
        breaker.snapshot().window_failures,
        1,
        "tokio's clock does not age the window"
    );

    manual.advance(Duration::from_secs(11));
    assert_eq!(
        breaker.snapshot().window_failures,
        0,
        "the injected one does"
    );
    fail(&breaker);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "the first failure left the window"
    );
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open);
}
