//! The breaker's transitions as events, its manual control (force open,
//! force close, disable, reset), its errors in common error types, and one
//! breaker per registered name.
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{self, Breaker, BreakerState};
use tokio::time::advance;

use support::{AppError, fail, is_rejection, ms, transitions_of};

// ---------------------------------------------------------------- events and control

#[tokio::test(start_paused = true)]
async fn subscribers_see_a_full_cycle_with_the_breaker_name() {
    let name = "breaker_runtime.events.cycle";
    let mut events = breaker::events();
    let breaker = Breaker::builder(name)
        .failure_threshold(1)
        .recovery_timeout(ms(100))
        .build();
    fail(&breaker);
    advance(ms(100)).await;
    breaker.acquire().expect("a probe").success();
    assert_eq!(breaker.state(), BreakerState::Closed);
    use BreakerState::{Closed, HalfOpen, Open};
    assert_eq!(
        transitions_of(&mut events, name),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]
    );
}

#[tokio::test(start_paused = true)]
async fn force_open_rejects_until_closed_by_hand() {
    let name = "breaker_runtime.control.force_open";
    let mut events = breaker::events();
    let breaker = Breaker::builder(name)
        .failure_threshold(3)
        .recovery_timeout(Duration::from_secs(1))
        .build();
    fail(&breaker);
    fail(&breaker);
    assert_eq!(breaker.snapshot().window_failures, 2);

    breaker.force_open();
    assert_eq!(breaker.state(), BreakerState::ForcedOpen);
    let mut ran = 0;
    for _ in 0..3 {
        let result = breaker.call_sync(|| {
            ran += 1;
            Ok::<_, AppError>(())
        });
        assert!(matches!(
            result,
            Err(AppError::Guard(GuardError::CircuitOpen { .. }))
        ));
        advance(Duration::from_secs(5)).await; // far past the recovery timeout
    }
    assert_eq!(ran, 0);
    assert_eq!(
        breaker.state(),
        BreakerState::ForcedOpen,
        "whatever calls do"
    );
    assert_eq!(breaker.snapshot().rejected, 3);

    breaker.force_close();
    assert_eq!(breaker.state(), BreakerState::Closed);
    let s = breaker.snapshot();
    assert_eq!(
        (s.window_failures, s.consecutive_failures),
        (0, 0),
        "an empty window"
    );
    assert_eq!(breaker.call_sync(|| Ok::<_, AppError>(5)), Ok(5));
    use BreakerState::{Closed, ForcedOpen};
    assert_eq!(
        transitions_of(&mut events, name),
        [(Closed, ForcedOpen), (ForcedOpen, Closed)]
    );
}

#[tokio::test(start_paused = true)]
async fn force_close_on_a_closed_breaker_forgets_its_failures() {
    let breaker = Breaker::builder("breaker_runtime.control.close_closed")
        .failure_threshold(1_000)
        .consecutive_failures(3)
        .build();
    fail(&breaker);
    fail(&breaker);
    let s = breaker.snapshot();
    assert_eq!(
        (s.window_failures, s.consecutive_failures, s.failure_rate),
        (2, 2, 1.0)
    );

    breaker.force_close();
    let s = breaker.snapshot();
    assert_eq!(
        (
            s.state,
            s.window_failures,
            s.consecutive_failures,
            s.failure_rate
        ),
        (BreakerState::Closed, 0, 0, 0.0),
        "closing a closed breaker empties its window, its run of failures and its rate"
    );
    assert_eq!((s.failures, s.calls), (2, 2), "totals keep counting");
    fail(&breaker);
    fail(&breaker);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "two failures of three"
    );
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open, "the third in a row");
}

#[tokio::test(start_paused = true)]
async fn disabled_lets_everything_through_and_reset_forgets() {
    let name = "breaker_runtime.control.disable";
    let mut events = breaker::events();
    let breaker = Breaker::builder(name).failure_threshold(1).build();
    breaker.disable();
    assert_eq!(breaker.state(), BreakerState::Disabled);
    let mut ran = 0;
    for n in 0..100 {
        let result = breaker.call_sync(|| {
            ran += 1;
            Err::<(), _>(AppError::Down(n))
        });
        assert_eq!(result, Err(AppError::Down(n)));
    }
    assert_eq!(ran, 100);
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Disabled, "never opens");
    assert_eq!((s.failures, s.rejected, s.window_failures), (100, 0, 0));
    assert_eq!(s.last_failures.len(), 10);

    breaker.reset();
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Closed);
    assert!(s.last_failures.is_empty(), "no remembered failures");
    assert_eq!(s.failures, 100, "totals keep counting");
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open, "the triggers are back");
    assert_eq!(breaker.snapshot().failures, 101);
    use BreakerState::{Closed, Disabled, Open};
    assert_eq!(
        transitions_of(&mut events, name),
        [(Closed, Disabled), (Disabled, Closed), (Closed, Open)]
    );
}

#[tokio::test(start_paused = true)]
async fn reset_closes_an_open_breaker_with_an_empty_window() {
    let breaker = Breaker::builder("breaker_runtime.control.reset")
        .failure_threshold(2)
        .build();
    fail(&breaker);
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open);
    breaker.reset();
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Closed);
    assert_eq!((s.window_failures, s.failures), (0, 2));
    fail(&breaker);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "one failure in an empty window"
    );
}

// ---------------------------------------------------------------- errors

#[tokio::test(start_paused = true)]
async fn guard_errors_convert_into_common_error_types() {
    let breaker = Breaker::builder("breaker_runtime.errors").build();
    breaker.force_open();
    let expected_text = "circuit breaker `breaker_runtime.errors` is open; retry after 30s";

    let error: anyhow::Error = breaker
        .call(async { Ok::<(), anyhow::Error>(()) })
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), expected_text);
    assert!(matches!(
        error.downcast_ref::<GuardError>(),
        Some(GuardError::CircuitOpen { .. })
    ));

    let error: Box<dyn std::error::Error + Send + Sync> = breaker
        .call(async { Ok::<(), Box<dyn std::error::Error + Send + Sync>>(()) })
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), expected_text);
    assert_eq!(
        error.downcast_ref::<GuardError>().map(GuardError::name),
        Some("breaker_runtime.errors")
    );

    let error: AppError = breaker.call_sync(|| Ok::<(), AppError>(())).unwrap_err();
    assert!(
        matches!(&error, AppError::Guard(GuardError::CircuitOpen { name, .. }) if &**name == "breaker_runtime.errors")
    );

    let timeout = GuardError::Timeout {
        name: "db".into(),
        after: ms(250),
    };
    assert_eq!(timeout.to_string(), "call to `db` timed out after 250ms");
    for text in [expected_text.to_owned(), timeout.to_string()] {
        assert!(text.starts_with(char::is_lowercase), "{text}");
        assert!(!text.ends_with('.'), "{text}");
    }
    assert_eq!(breaker.snapshot().rejected, 3);
}

// ---------------------------------------------------------------- registry

#[tokio::test(start_paused = true)]
async fn builders_with_the_same_name_share_one_breaker_and_the_first_settings_win() {
    let name = "breaker_runtime.shared";
    let first = Breaker::builder(name)
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(5))
        .build();
    let second = Breaker::builder(name)
        .failure_threshold(10)
        .recovery_timeout(Duration::from_secs(60))
        .build();
    assert_eq!(second.config(), first.config());
    assert_eq!(second.config().failure_threshold, 1);
    assert_eq!(second.config().recovery_timeout, Duration::from_secs(5));

    fail(&second);
    assert_eq!(first.state(), BreakerState::Open, "one failure opened both");
    assert!(is_rejection(
        &first.acquire().map(drop),
        Duration::from_secs(5)
    ));
    let registered = breaker::get(name).expect("registered");
    let s = registered.snapshot();
    assert_eq!(
        (s.state, s.failures, s.rejected),
        (BreakerState::Open, 1, 1)
    );
}
