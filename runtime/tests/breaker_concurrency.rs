//! The breaker under racing tasks and threads: half-open probe limits,
//! cancelled probes freeing their slots, and exact totals across threads.
//!
//! Time only moves on tokio's paused clock.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, BreakerConfig, BreakerState};
use tokio::time::sleep;

use support::{AppError, is_rejection, ms, trip_and_wait};

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
