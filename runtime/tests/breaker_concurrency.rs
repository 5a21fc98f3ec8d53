//! Deterministic and concurrency tests of the breaker runtime's API: half-open
//! probe limits under racing tasks and threads, cancelled probes, exact totals
//! across threads, timeouts, panics, retries and their delays, transition
//! events, manual control, error conversions and shared registrations.
//!
//! Time only moves on tokio's paused clock.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{
    self, Backoff, Breaker, BreakerConfig, BreakerEvent, BreakerState, CallPolicy, RetryPolicy,
};
use tokio::sync::broadcast::{Receiver, error::TryRecvError};
use tokio::time::{Instant, advance, sleep};

/// A caller's own error type, as `#[circuit_breaker]` functions return.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AppError {
    Guard(GuardError),
    Down(u64),
    NotFound,
}

impl From<GuardError> for AppError {
    fn from(error: GuardError) -> Self {
        AppError::Guard(error)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Guard(error) => write!(f, "guard: {error}"),
            AppError::Down(n) => write!(f, "down ({n})"),
            AppError::NotFound => f.write_str("not found"),
        }
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Records one failure through a fresh permit.
fn fail(breaker: &Breaker) {
    breaker.acquire().expect("a permit").failure("down");
}

fn is_rejection(result: &Result<impl Sized, GuardError>, after: Duration) -> bool {
    matches!(result, Err(GuardError::CircuitOpen { retry_after, .. }) if *retry_after == after)
}

/// The transitions of breaker `name` received so far.
fn transitions_of(
    events: &mut Receiver<BreakerEvent>,
    name: &str,
) -> Vec<(BreakerState, BreakerState)> {
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(event) if &*event.name == name => seen.push((event.from, event.to)),
            Ok(_) => {}
            Err(TryRecvError::Empty) => return seen,
            Err(other) => panic!("events: {other:?}"),
        }
    }
}

/// Trips a `failure_threshold(1)` breaker and lets its recovery timeout pass.
async fn trip_and_wait(breaker: &Breaker) {
    fail(breaker);
    assert_eq!(breaker.state(), BreakerState::Open);
    advance(breaker.config().recovery_timeout).await;
}

// ---------------------------------------------------------------- half-open

#[tokio::test(start_paused = true)]
async fn racing_tasks_never_hold_more_probes_than_half_open_max_calls() {
    const MAX: u32 = 2;
    let breaker = Breaker::builder("breaker_runtime.half_open.tasks")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(1))
        .half_open_max_calls(MAX)
        .success_threshold(1_000)
        .build();
    trip_and_wait(&breaker).await;

    let held = Arc::new(AtomicU32::new(0));
    let peak = Arc::new(AtomicU32::new(0));
    let granted = Arc::new(AtomicU64::new(0));
    let succeeded = Arc::new(AtomicU64::new(0));
    let rejected = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..8u64)
        .map(|task| {
            let breaker = breaker.clone();
            let (held, peak) = (held.clone(), peak.clone());
            let (granted, succeeded, rejected) =
                (granted.clone(), succeeded.clone(), rejected.clone());
            tokio::spawn(async move {
                for round in 0..25u64 {
                    match breaker.acquire() {
                        Ok(permit) => {
                            assert!(permit.is_probe());
                            granted.fetch_add(1, Ordering::SeqCst);
                            let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            sleep(ms(1 + (task + round) % 3)).await;
                            held.fetch_sub(1, Ordering::SeqCst);
                            if round % 2 == 0 {
                                succeeded.fetch_add(1, Ordering::SeqCst);
                                permit.success();
                            } else {
                                drop(permit); // cancelled: frees the slot, counts nothing
                            }
                        }
                        Err(GuardError::CircuitOpen { retry_after, .. }) => {
                            // Until the half-open bound ends: never zero.
                            let bound = BreakerConfig::DEFAULT.half_open_max_duration;
                            assert!(
                                retry_after > Duration::ZERO && retry_after <= bound,
                                "half-open rejections: {retry_after:?}"
                            );
                            rejected.fetch_add(1, Ordering::SeqCst);
                            sleep(ms(1)).await;
                        }
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    assert_eq!(
        peak.load(Ordering::SeqCst),
        MAX,
        "probes held at once never exceed the limit, and reach it"
    );
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    let s = breaker.snapshot();
    let (granted, rejected) = (
        granted.load(Ordering::SeqCst),
        rejected.load(Ordering::SeqCst),
    );
    assert!(
        granted > 10 && rejected > 10,
        "granted {granted}, rejected {rejected}"
    );
    assert_eq!(granted + rejected, 8 * 25);
    assert_eq!(s.successes, succeeded.load(Ordering::SeqCst));
    assert_eq!(s.failures, 1, "the trip; cancelled probes count as nothing");
    assert_eq!(s.rejected, rejected);
}

#[tokio::test(start_paused = true)]
async fn racing_threads_never_hold_more_probes_than_half_open_max_calls() {
    const MAX: u32 = 3;
    const THREADS: u64 = 8;
    const ATTEMPTS: u64 = 20_000;
    let breaker = Breaker::builder("breaker_runtime.half_open.threads")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(1))
        .half_open_max_calls(MAX)
        .build();
    trip_and_wait(&breaker).await;
    // This acquisition moves it to half-open; dropping the probe frees its slot.
    drop(breaker.acquire().expect("the first probe"));
    assert_eq!(breaker.state(), BreakerState::HalfOpen);

    let held = AtomicU32::new(0);
    let peak = AtomicU32::new(0);
    let granted = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let mut mine = 0;
                for attempt in 0..ATTEMPTS {
                    if let Ok(permit) = breaker.acquire() {
                        // Counted after the slot is taken, uncounted before it is freed.
                        let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        mine += 1;
                        if attempt % 2 == 0 {
                            std::thread::yield_now(); // hold it while others run
                        } else {
                            for _ in 0..attempt % 64 {
                                std::hint::spin_loop();
                            }
                        }
                        held.fetch_sub(1, Ordering::SeqCst);
                        drop(permit);
                    }
                    // Let other threads at the freed slot before trying again.
                    std::thread::yield_now();
                }
                granted.fetch_add(mine, Ordering::Relaxed);
            });
        }
    });

    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=MAX).contains(&peak), "peak of {peak} probes at once");
    let granted = granted.into_inner();
    let s = breaker.snapshot();
    assert!(
        granted > 0 && s.rejected > 0,
        "granted {granted}, rejected {}",
        s.rejected
    );
    assert_eq!(granted + s.rejected, THREADS * ATTEMPTS);
    assert_eq!((s.successes, s.failures), (0, 1));
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    // No slot leaked: all MAX are free again.
    let probes: Vec<_> = (0..MAX)
        .map(|_| breaker.acquire().expect("a free slot"))
        .collect();
    // The clock stood still: the whole half-open bound is left.
    let bound = BreakerConfig::DEFAULT.half_open_max_duration;
    assert!(is_rejection(&breaker.acquire().map(drop), bound));
    drop(probes);
}

#[tokio::test(start_paused = true)]
async fn an_aborted_probe_frees_its_half_open_slot() {
    let breaker = Breaker::builder("breaker_runtime.half_open.abort")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(1))
        .half_open_max_calls(1)
        .build();
    trip_and_wait(&breaker).await;

    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn({
        let breaker = breaker.clone();
        async move {
            breaker
                .call(async move {
                    started_tx.send(()).unwrap();
                    std::future::pending::<Result<(), AppError>>().await
                })
                .await
        }
    });
    started_rx.await.unwrap();
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    assert!(
        is_rejection(
            &breaker.acquire().map(drop),
            BreakerConfig::DEFAULT.half_open_max_duration
        ),
        "the only slot is taken by the task"
    );

    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    let probe = breaker.acquire().expect("the aborted probe freed its slot");
    assert!(probe.is_probe());
    probe.success();
    assert_eq!(breaker.state(), BreakerState::Closed);
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.rejected), (1, 1, 1));
}

// ---------------------------------------------------------------- totals

#[tokio::test(start_paused = true)]
async fn call_sync_totals_are_exact_across_threads() {
    const THREADS: u64 = 4;
    const CALLS: u64 = 10_000;
    let config = BreakerConfig {
        failure_threshold: opguard_runtime::breaker::MAX_WINDOW_COUNT,
        ..BreakerConfig::DEFAULT
    };
    assert_eq!(config.validate(), Ok(()));
    let breaker = Breaker::builder("breaker_runtime.call_sync.threads")
        .config(config)
        .build();
    let runtime = tokio::runtime::Handle::current();

    let per_thread: Vec<(u64, u64)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let (breaker, runtime) = (&breaker, &runtime);
                s.spawn(move || {
                    // Failures read the clock: make it the paused one.
                    let _runtime = runtime.enter();
                    let (mut ok, mut failed) = (0, 0);
                    for i in 0..CALLS {
                        let result: Result<u64, AppError> = breaker.call_sync(|| {
                            if (i + t) % 3 == 0 {
                                Err(AppError::Down(i))
                            } else {
                                Ok(i)
                            }
                        });
                        match result {
                            Ok(value) => {
                                assert_eq!(value, i);
                                ok += 1;
                            }
                            Err(AppError::Down(n)) => {
                                assert_eq!(n, i);
                                failed += 1;
                            }
                            Err(other) => panic!("unexpected {other:?}"),
                        }
                    }
                    (ok, failed)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });

    let expected_failures: u64 = (0..THREADS)
        .map(|t| (0..CALLS).filter(|i| (i + t) % 3 == 0).count() as u64)
        .sum();
    let returned_failures: u64 = per_thread.iter().map(|p| p.1).sum();
    let returned_ok: u64 = per_thread.iter().map(|p| p.0).sum();
    assert_eq!(returned_failures, expected_failures);
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Closed);
    assert_eq!(s.failures, expected_failures);
    assert_eq!(s.successes, THREADS * CALLS - expected_failures);
    assert_eq!(s.successes, returned_ok);
    assert_eq!(s.calls, THREADS * CALLS);
    assert_eq!(s.rejected, 0);
    assert_eq!(
        s.window_failures, expected_failures,
        "the clock stood still"
    );
    assert_eq!(s.last_failures.len(), 10, "only the last ten are kept");
}

// ---------------------------------------------------------------- timeout

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn timeout_abandons_a_slow_call_and_counts_a_failure() {
    let breaker = Breaker::builder("breaker_runtime.timeout")
        .timeout(ms(50))
        .build();
    let dropped = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let body_finished = finished.clone();

    let start = Instant::now();
    let result: Result<(), AppError> = breaker
        .call(async move {
            let _flag = flag;
            sleep(Duration::from_secs(10)).await;
            body_finished.store(true, Ordering::SeqCst);
            Ok(())
        })
        .await;
    assert_eq!(start.elapsed(), ms(50));
    assert_eq!(
        result,
        Err(AppError::Guard(GuardError::Timeout {
            name: "breaker_runtime.timeout".into(),
            after: ms(50),
        }))
    );
    assert!(dropped.load(Ordering::SeqCst), "the future was dropped");
    assert!(!finished.load(Ordering::SeqCst), "and never finished");
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.timeouts), (0, 1, 1));
    assert_eq!(s.last_failures[0].error, "timed out after 50ms");

    // A call that makes it in time is untouched.
    let quick: Result<u32, AppError> = breaker
        .call(async {
            sleep(ms(49)).await;
            Ok(7)
        })
        .await;
    assert_eq!(quick, Ok(7));
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.timeouts), (1, 1, 1));
}

// ---------------------------------------------------------------- panics

fn boom() -> Result<(), AppError> {
    panic!("boom")
}

#[tokio::test(start_paused = true)]
async fn a_panic_inside_call_counts_as_a_failure_and_keeps_unwinding() {
    let breaker = Breaker::builder("breaker_runtime.panic.async")
        .failure_threshold(1)
        .build();
    let joined = tokio::spawn({
        let breaker = breaker.clone();
        async move { breaker.call(async { boom() }).await }
    })
    .await;
    let error = joined.unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        error.into_panic().downcast_ref::<&str>(),
        Some(&"boom"),
        "the panic's own payload reaches the task's owner"
    );
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (0, 1));
    assert_eq!(s.last_failures[0].error, "panicked");
    assert_eq!(
        s.state,
        BreakerState::Open,
        "and it counted towards opening"
    );
}

#[test]
fn a_panic_inside_call_sync_counts_as_a_failure_and_keeps_unwinding() {
    let breaker = Breaker::builder("breaker_runtime.panic.sync").build();
    let unwound =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| breaker.call_sync(boom)));
    assert!(unwound.is_err());
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (0, 1));
    assert_eq!(s.last_failures[0].error, "panicked");
}

// ---------------------------------------------------------------- retries

fn always(_: &AppError) -> bool {
    true
}

fn describe(error: &AppError) -> String {
    error.to_string()
}

fn fixed(retries: u32, delay: Duration) -> RetryPolicy {
    RetryPolicy {
        retries,
        backoff: Backoff::Fixed,
        retry_delay: delay,
        max_retry_delay: delay,
    }
}

#[tokio::test(start_paused = true)]
async fn retries_count_every_attempt() {
    let breaker = Breaker::builder("breaker_runtime.retry.count")
        .failure_threshold(100)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);

    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { Err::<(), _>(AppError::Down(n)) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::Down(4))), "the last failure");
    assert_eq!(attempts, 4, "the first attempt and three retries");
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.window_failures), (0, 4, 4));

    // Failing twice, then succeeding: three attempts, the success returned.
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(5, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { if n < 3 { Err(AppError::Down(n)) } else { Ok(n) } }
        })
        .await;
    assert_eq!(result, Ok(Ok(3)));
    assert_eq!(attempts, 3);
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures), (1, 6));
    assert_eq!(s.state, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn errors_that_are_not_failures_are_not_retried() {
    let breaker = Breaker::builder("breaker_runtime.retry.not_failure").build();
    let counted = |error: &AppError| !matches!(error, AppError::NotFound);
    let policy = CallPolicy::new(&counted, &describe, &AppError::Guard);
    let mut attempts = 0;
    let start = Instant::now();
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            async { Err::<(), _>(AppError::NotFound) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::NotFound)));
    assert_eq!(attempts, 1);
    assert_eq!(start.elapsed(), Duration::ZERO, "no wait either");
    let s = breaker.snapshot();
    assert_eq!(
        (s.successes, s.failures),
        (1, 0),
        "a non-counted error is a success"
    );
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried() {
    let breaker = Breaker::builder("breaker_runtime.retry.timeout")
        .timeout(ms(20))
        .failure_threshold(100)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(2, ms(5)), || {
            attempts += 1;
            async {
                sleep(Duration::from_secs(1)).await;
                Ok::<_, AppError>(())
            }
        })
        .await;
    assert_eq!(
        result,
        Ok(Err(AppError::Guard(GuardError::Timeout {
            name: "breaker_runtime.retry.timeout".into(),
            after: ms(20),
        })))
    );
    assert_eq!(attempts, 3);
    let s = breaker.snapshot();
    assert_eq!((s.failures, s.timeouts), (3, 3));
}

#[tokio::test(start_paused = true)]
async fn retry_delays_stay_within_the_backoff_ceiling() {
    const RUNS: usize = 60;
    let breaker = Breaker::builder("breaker_runtime.retry.delays")
        .failure_threshold(opguard_runtime::breaker::MAX_WINDOW_COUNT)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let retry = RetryPolicy {
        retries: 5,
        backoff: Backoff::Exponential,
        retry_delay: ms(10),
        max_retry_delay: ms(40),
    };
    let ceilings: Vec<Duration> = (1..=5).map(|n| retry.ceiling(n)).collect();
    assert_eq!(ceilings, [ms(10), ms(20), ms(40), ms(40), ms(40)]);

    // waits[n - 1]: every wait observed before retry n.
    let mut waits: Vec<Vec<Duration>> = vec![Vec::new(); 5];
    for _ in 0..RUNS {
        let mut started = Vec::new();
        let result = breaker
            .call_with_retries(&policy, &retry, || {
                started.push(Instant::now());
                async { Err::<(), _>(AppError::Down(0)) }
            })
            .await;
        let end = Instant::now();
        assert_eq!(result, Ok(Err(AppError::Down(0))));
        assert_eq!(started.len(), 6);
        assert_eq!(end, started[5], "no wait after the last attempt");
        for (n, pair) in started.windows(2).enumerate() {
            // The paused clock auto-advances by exactly the sleep, rounded up
            // to tokio's 1 ms timer tick.
            let wait = pair[1] - pair[0];
            assert!(
                wait <= ceilings[n],
                "retry {}: waited {wait:?} > {:?}",
                n + 1,
                ceilings[n]
            );
            waits[n].push(wait);
        }
    }
    assert_eq!(breaker.snapshot().failures, 6 * RUNS as u64);
    // Jittered from zero up to the ceiling, which grows and then is capped
    // (each check fails by chance with probability 2^-60).
    for (retry, observed) in (3..).zip(&waits[2..]) {
        let most = *observed.iter().max().unwrap();
        let least = *observed.iter().min().unwrap();
        assert!(most > ms(20), "retry {retry} never waited past 20ms");
        assert!(least < ms(20), "retry {retry} always waited 20ms or more");
    }
    let distinct: std::collections::BTreeSet<_> = waits.concat().into_iter().collect();
    assert!(distinct.len() > 10, "jittered: {distinct:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rejected_first_attempt_never_runs_the_call() {
    let breaker = Breaker::builder("breaker_runtime.retry.rejected")
        .failure_threshold(1)
        .recovery_timeout(Duration::from_secs(30))
        .build();
    fail(&breaker);
    advance(Duration::from_secs(10)).await;
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let result = breaker
        .call_with_retries(&policy, &fixed(3, ms(10)), || {
            attempts += 1;
            async { Ok::<_, AppError>(()) }
        })
        .await;
    assert_eq!(
        result,
        Err(GuardError::CircuitOpen {
            name: "breaker_runtime.retry.rejected".into(),
            retry_after: Duration::from_secs(20),
        })
    );
    assert_eq!(attempts, 0);
    let s = breaker.snapshot();
    assert_eq!((s.successes, s.failures, s.rejected), (0, 1, 1));
}

#[tokio::test(start_paused = true)]
async fn retrying_stops_when_the_breaker_opens_between_attempts() {
    let breaker = Breaker::builder("breaker_runtime.retry.opens")
        .failure_threshold(2)
        .build();
    let policy = CallPolicy::new(&always, &describe, &AppError::Guard);
    let mut attempts = 0;
    let started = tokio::time::Instant::now();
    let result = breaker
        .call_with_retries(&policy, &fixed(5, ms(10)), || {
            attempts += 1;
            let n = attempts;
            async move { Err::<(), _>(AppError::Down(n)) }
        })
        .await;
    assert_eq!(result, Ok(Err(AppError::Down(2))), "the last failure");
    assert_eq!(attempts, 2);
    assert!(
        started.elapsed() <= ms(10),
        "one (jittered) wait of at most 10 ms, between the two attempts; none \
         after the failure that opened it: {:?}",
        started.elapsed()
    );
    let s = breaker.snapshot();
    assert_eq!(s.state, BreakerState::Open);
    assert_eq!(
        (s.failures, s.rejected),
        (2, 0),
        "no attempt after it opened"
    );
}

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
