//! Model-based property test of the circuit breaker.
//!
//! Random operations (advancing tokio's paused clock, calls that succeed or
//! fail, permits held and later finished or dropped) drive a real
//! [`Breaker`] and a small reference model side by side. After every
//! operation both must agree on the state, the totals, the window and the
//! consecutive-failure count, and on every acquisition: permitted or
//! rejected, probe or not, and the `retry_after` of a rejection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, BreakerConfig, BreakerState, Permit};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Makes every case's breaker name unique (the registry is process-wide).
static NEXT_NAME: AtomicU64 = AtomicU64::new(0);

const MS: u64 = 1_000_000;

/// How a held permit is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finish {
    Success,
    Failure,
    /// Dropped unfinished: a cancelled call.
    Drop,
}

#[derive(Debug, Clone)]
enum Op {
    /// Advance the paused clock by this many milliseconds.
    Advance(u64),
    /// Acquire, and finish at once with a success (`true`) or a failure.
    Call(bool),
    /// Acquire and keep the permit.
    Hold,
    /// Finish one of the held permits.
    Release(Index, Finish),
}

/// What the model hands out for a permitted call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ModelPermit {
    generation: u64,
    probe: bool,
}

/// The figures compared after every operation.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    state: BreakerState,
    successes: u64,
    failures: u64,
    calls: u64,
    rejected: u64,
    consecutive_failures: u64,
    window_failures: u64,
    failure_rate: f64,
}

/// How often the interesting paths were taken over the whole run, so that a
/// generator that stops reaching them makes the test fail.
#[derive(Default)]
struct Coverage {
    opened_by_threshold: AtomicU64,
    opened_by_consecutive: AtomicU64,
    opened_by_rate: AtomicU64,
    rejected_open: AtomicU64,
    half_opened: AtomicU64,
    rejected_half_open: AtomicU64,
    reopened_by_stuck_probes: AtomicU64,
    reopened_by_probe: AtomicU64,
    closed_by_probes: AtomicU64,
    cancelled_probes: AtomicU64,
    stale_finishes: AtomicU64,
}

impl std::fmt::Debug for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The reference model: a plain, single-threaded reading of the semantics.
#[derive(Debug)]
struct Model<'c> {
    config: BreakerConfig,
    coverage: &'c Coverage,
    /// Nanoseconds since the breaker was created.
    now: u64,
    state: BreakerState,
    generation: u64,
    opened_at: u64,
    half_opened_at: u64,
    consecutive: u64,
    /// Bucket epochs of the calls and of the failures recorded in the window.
    window_calls: Vec<u64>,
    window_failures: Vec<u64>,
    in_flight: u32,
    probe_successes: u32,
    successes: u64,
    failures: u64,
    rejected: u64,
    /// `(successes, failures)` at the last transition.
    at_transition: (u64, u64),
}

impl<'c> Model<'c> {
    fn new(config: BreakerConfig, coverage: &'c Coverage) -> Self {
        Self {
            config,
            coverage,
            now: 0,
            state: BreakerState::Closed,
            generation: 0,
            opened_at: 0,
            half_opened_at: 0,
            consecutive: 0,
            window_calls: Vec::new(),
            window_failures: Vec::new(),
            in_flight: 0,
            probe_successes: 0,
            successes: 0,
            failures: 0,
            rejected: 0,
            at_transition: (0, 0),
        }
    }

    fn counts_calls(&self) -> bool {
        self.config.failure_rate.is_some()
    }

    /// A bucket is `window / 10` wide.
    fn epoch(&self, at: u64) -> u64 {
        at / (nanos(self.config.window) / 10)
    }

    /// Entries of `epochs` still inside the window now.
    fn in_window(&self, epochs: &[u64]) -> u64 {
        let current = self.epoch(self.now);
        epochs.iter().filter(|&&e| current - e < 10).count() as u64
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms * MS;
    }

    fn transition(&mut self, to: BreakerState) {
        self.generation += 1;
        match to {
            BreakerState::Open => self.opened_at = self.now,
            BreakerState::HalfOpen => {
                self.half_opened_at = self.now;
                self.in_flight = 0;
                self.probe_successes = 0;
            }
            BreakerState::Closed => {
                self.window_calls.clear();
                self.window_failures.clear();
            }
            BreakerState::ForcedOpen | BreakerState::Disabled => unreachable!(),
        }
        self.consecutive = 0;
        self.at_transition = (self.successes, self.failures);
        self.state = to;
    }

    /// `Ok(permit)` or `Err(retry_after)`.
    fn acquire(&mut self) -> Result<ModelPermit, Duration> {
        if self.state == BreakerState::Open {
            let until = self.opened_at + nanos(self.config.recovery_timeout);
            if self.now < until {
                self.rejected += 1;
                bump(&self.coverage.rejected_open);
                return Err(Duration::from_nanos(until - self.now));
            }
            self.transition(BreakerState::HalfOpen);
            bump(&self.coverage.half_opened);
        }
        match self.state {
            BreakerState::Closed => Ok(ModelPermit {
                generation: self.generation,
                probe: false,
            }),
            BreakerState::HalfOpen if self.in_flight < self.config.half_open_max_calls => {
                self.in_flight += 1;
                Ok(ModelPermit {
                    generation: self.generation,
                    probe: true,
                })
            }
            BreakerState::HalfOpen => {
                // Probes that outlast `half_open_max_duration` reopen it.
                let until = self.half_opened_at + nanos(self.config.half_open_max_duration);
                if self.now >= until {
                    self.transition(BreakerState::Open);
                    bump(&self.coverage.reopened_by_stuck_probes);
                    return self.acquire();
                }
                self.rejected += 1;
                bump(&self.coverage.rejected_half_open);
                Err(Duration::from_nanos(until - self.now))
            }
            other => unreachable!("the model never enters {other:?}"),
        }
    }

    fn success(&mut self, permit: ModelPermit) {
        self.successes += 1;
        if permit.generation != self.generation {
            bump(&self.coverage.stale_finishes);
            return;
        }
        if permit.probe {
            self.in_flight -= 1;
            self.probe_successes += 1;
            if self.probe_successes >= self.config.success_threshold {
                self.transition(BreakerState::Closed);
                bump(&self.coverage.closed_by_probes);
            }
        } else {
            self.consecutive = 0;
            if self.counts_calls() {
                self.window_calls.push(self.epoch(self.now));
                // A rate can reach its trigger on a success too.
                self.trip_if_triggered();
            }
        }
    }

    fn failure(&mut self, permit: ModelPermit) {
        self.failures += 1;
        if permit.generation != self.generation {
            bump(&self.coverage.stale_finishes);
            return;
        }
        if permit.probe {
            self.transition(BreakerState::Open);
            bump(&self.coverage.reopened_by_probe);
            return;
        }
        let epoch = self.epoch(self.now);
        self.window_failures.push(epoch);
        if self.counts_calls() {
            self.window_calls.push(epoch);
        }
        self.consecutive += 1;
        self.trip_if_triggered();
    }

    /// Opens when a trigger fires (closed state).
    fn trip_if_triggered(&mut self) {
        let failures = self.in_window(&self.window_failures);
        let calls = self.in_window(&self.window_calls);
        let by_threshold = failures >= u64::from(self.config.failure_threshold);
        let by_consecutive = self
            .config
            .consecutive_failures
            .is_some_and(|n| self.consecutive >= u64::from(n));
        let by_rate = self.config.failure_rate.is_some_and(|rate| {
            calls >= u64::from(self.config.minimum_calls) && failures as f64 / calls as f64 >= rate
        });
        if by_threshold {
            bump(&self.coverage.opened_by_threshold);
        }
        if by_consecutive {
            bump(&self.coverage.opened_by_consecutive);
        }
        if by_rate {
            bump(&self.coverage.opened_by_rate);
        }
        if by_threshold || by_consecutive || by_rate {
            self.transition(BreakerState::Open);
        }
    }

    fn cancel(&mut self, permit: ModelPermit) {
        if permit.probe && permit.generation == self.generation {
            self.in_flight -= 1;
            bump(&self.coverage.cancelled_probes);
        }
    }

    fn figures(&self) -> Figures {
        let window_failures = self.in_window(&self.window_failures);
        let ratio = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let failure_rate = if self.counts_calls() {
            ratio(window_failures, self.in_window(&self.window_calls))
        } else {
            let failures = self.failures - self.at_transition.1;
            ratio(failures, failures + self.successes - self.at_transition.0)
        };
        Figures {
            state: self.state,
            successes: self.successes,
            failures: self.failures,
            calls: self.successes + self.failures,
            rejected: self.rejected,
            consecutive_failures: self.consecutive,
            window_failures,
            failure_rate,
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap()
}

fn observe(breaker: &Breaker) -> Figures {
    let snapshot = breaker.snapshot();
    Figures {
        state: breaker.state(),
        successes: snapshot.successes,
        failures: snapshot.failures,
        calls: snapshot.calls,
        rejected: snapshot.rejected,
        consecutive_failures: snapshot.consecutive_failures,
        window_failures: snapshot.window_failures,
        failure_rate: snapshot.failure_rate,
    }
}

fn check(
    breaker: &Breaker,
    model: &Model<'_>,
    step: usize,
    op: Option<&Op>,
) -> Result<(), TestCaseError> {
    let real = observe(breaker);
    let expected = model.figures();
    prop_assert_eq!(
        real,
        expected,
        "figures differ after step {} ({:?}) at t = {} ns; model: {:?}",
        step,
        op,
        model.now,
        model
    );
    prop_assert_eq!(breaker.snapshot().state, expected.state);
    Ok(())
}

/// Acquires from both and checks that they agree; hands back the pair.
fn acquire_both<'b>(
    breaker: &'b Breaker,
    model: &mut Model<'_>,
    step: usize,
) -> Result<Option<(Permit<'b>, ModelPermit)>, TestCaseError> {
    let state_before = model.state;
    let real = breaker.acquire();
    let expected = model.acquire();
    match (real, expected) {
        (Ok(permit), Ok(model_permit)) => {
            prop_assert_eq!(
                permit.is_probe(),
                model_permit.probe,
                "probe flag at step {}",
                step
            );
            Ok(Some((permit, model_permit)))
        }
        (Err(GuardError::CircuitOpen { name, retry_after }), Err(expected_after)) => {
            prop_assert_eq!(&*name, breaker.name());
            prop_assert_eq!(
                retry_after,
                expected_after,
                "retry_after at step {} (rejected from {:?}, now {} ns, opened at {} ns)",
                step,
                state_before,
                model.now,
                model.opened_at
            );
            Ok(None)
        }
        (real, expected) => Err(TestCaseError::fail(format!(
            "acquire at step {step} (model state before: {state_before:?}): breaker gave {:?}, model {expected:?}; model: {model:?}",
            real.map(|p| p.is_probe())
        ))),
    }
}

fn run_case(config: BreakerConfig, ops: &[Op], coverage: &Coverage) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let name = format!(
        "breaker_model.case{}",
        NEXT_NAME.fetch_add(1, Ordering::Relaxed)
    );
    runtime.block_on(async {
        // Created inside the runtime: its clock base is the paused clock.
        let breaker = Breaker::builder(name).config(config).build();
        prop_assert_eq!(breaker.config(), &config);
        let mut model = Model::new(config, coverage);
        let mut held: Vec<(Permit<'_>, ModelPermit)> = Vec::new();
        check(&breaker, &model, 0, None)?;
        for (step, op) in ops.iter().enumerate() {
            let step = step + 1;
            match op {
                Op::Advance(ms) => {
                    tokio::time::advance(Duration::from_millis(*ms)).await;
                    model.advance(*ms);
                }
                Op::Call(ok) => {
                    if let Some((permit, model_permit)) = acquire_both(&breaker, &mut model, step)?
                    {
                        if *ok {
                            permit.success();
                            model.success(model_permit);
                        } else {
                            permit.failure("x");
                            model.failure(model_permit);
                        }
                    }
                }
                Op::Hold => {
                    if let Some(pair) = acquire_both(&breaker, &mut model, step)? {
                        held.push(pair);
                    }
                }
                Op::Release(index, finish) => {
                    if !held.is_empty() {
                        let (permit, model_permit) = held.remove(index.index(held.len()));
                        match finish {
                            Finish::Success => {
                                permit.success();
                                model.success(model_permit);
                            }
                            Finish::Failure => {
                                permit.failure("x");
                                model.failure(model_permit);
                            }
                            Finish::Drop => {
                                drop(permit);
                                model.cancel(model_permit);
                            }
                        }
                    }
                }
            }
            check(&breaker, &model, step, Some(op))?;
        }
        // Whatever is still held is cancelled, in the scope that borrows the breaker.
        let step = ops.len() + 1;
        while let Some((permit, model_permit)) = held.pop() {
            drop(permit);
            model.cancel(model_permit);
            check(&breaker, &model, step, None)?;
        }
        Ok(())
    })
}

fn config_strategy() -> impl Strategy<Value = BreakerConfig> {
    let rate = prop_oneof![
        Just(0.2),
        Just(0.25),
        Just(1.0 / 3.0),
        Just(0.5),
        Just(2.0 / 3.0),
        Just(0.75),
        Just(1.0),
        0.2f64..=1.0,
    ];
    (
        1u32..=5,
        10u64..=1000,
        prop::option::of(1u32..=4),
        prop::option::of((rate, 1u32..=6)),
        prop_oneof![(5u64..=200).prop_map(|t| t * 10), 50u64..=2000],
        1u32..=3,
        1u32..=3,
        // Short enough that held probes often outlast it.
        prop_oneof![(1u64..=30).prop_map(|t| t * 10), 10u64..=400],
    )
        .prop_map(
            |(
                failure_threshold,
                window_10ms,
                consecutive_failures,
                rate,
                recovery_ms,
                half_open_max_calls,
                success_threshold,
                half_open_max_ms,
            )| BreakerConfig {
                failure_threshold,
                window: Duration::from_millis(window_10ms * 10),
                failure_rate: rate.map(|(r, _)| r),
                minimum_calls: rate.map_or(BreakerConfig::DEFAULT.minimum_calls, |(_, m)| m),
                consecutive_failures,
                slow_call: None,
                recovery_timeout: Duration::from_millis(recovery_ms),
                half_open_max_calls,
                success_threshold,
                half_open_max_duration: Duration::from_millis(half_open_max_ms),
                timeout: None,
                // The fleet's model is tests/shared_breaker_model.rs.
                shared: false,
                sync_interval: BreakerConfig::DEFAULT.sync_interval,
            },
        )
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let finish = prop_oneof![
        Just(Finish::Success),
        Just(Finish::Failure),
        Just(Finish::Drop)
    ];
    prop_oneof![
        1 => (0u64..=5).prop_map(Op::Advance),
        2 => (1u64..=100).prop_map(Op::Advance),
        2 => (1u64..=200).prop_map(|t| Op::Advance(t * 10)),
        6 => any::<bool>().prop_map(Op::Call),
        3 => Just(Op::Hold),
        3 => (any::<Index>(), finish).prop_map(|(i, f)| Op::Release(i, f)),
    ]
}

#[test]
fn the_breaker_agrees_with_the_model() {
    let coverage = Coverage::default();
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        config_strategy(),
        prop::collection::vec(op_strategy(), 1..=40),
    );
    if let Err(failure) = runner.run(&strategy, |(config, ops)| run_case(config, &ops, &coverage)) {
        panic!("{failure}");
    }
    // Every path of the state machine was exercised, several times.
    let taken = [
        ("opened by threshold", &coverage.opened_by_threshold),
        (
            "opened by consecutive failures",
            &coverage.opened_by_consecutive,
        ),
        ("opened by failure rate", &coverage.opened_by_rate),
        ("rejected while open", &coverage.rejected_open),
        ("moved to half-open", &coverage.half_opened),
        ("rejected while half-open", &coverage.rejected_half_open),
        (
            "reopened by probes held past half_open_max_duration",
            &coverage.reopened_by_stuck_probes,
        ),
        ("reopened by a probe failure", &coverage.reopened_by_probe),
        ("closed by probe successes", &coverage.closed_by_probes),
        ("cancelled probes", &coverage.cancelled_probes),
        ("stale permits finished", &coverage.stale_finishes),
    ];
    for (what, count) in taken {
        let count = count.load(Ordering::Relaxed);
        assert!(count >= 3, "{what}: only {count} times in the whole run");
    }
}
