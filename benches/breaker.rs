//! Cost of `#[opguard::circuit_breaker]` on a tiny function, next to the same
//! function bare and called through the `failsafe` and `recloser` breakers.
//!
//! Groups:
//!
//! * `breaker/closed` and `breaker/closed_2_threads`, each with the functions
//!   `plain`, `opguard`, `failsafe` and `recloser`: the cost of a call that the
//!   closed breaker lets through and records as a success, on one thread and
//!   with two threads calling the same breaker at once;
//! * `breaker/closed_small_error`: `plain`, `hand_written` and `opguard` again,
//!   on functions whose error type keeps no detail of a rejection, so their
//!   `Result` is 16 bytes (it is still returned through memory, as the
//!   48-byte one is);
//! * `breaker/open`, with `opguard`, `failsafe` and `recloser`: the cost of a
//!   call that the open breaker rejects without running the body.
//!
//! Every variant runs the same `#[inline(never)]` function, `work`, so each
//! pays one real call; `plain` calls it directly.
//!
//! * `hand_written` (closed groups) is the least a breaker check can be: one
//!   atomic load of a state flag before the call and one shared atomic
//!   counter bumped after it, written by hand.
//!
//! * `opguard` is `#[circuit_breaker(name = "bench.closed")]` with the default
//!   options on a function whose body calls `work`. In the `open` group it is
//!   a second function, `"bench.open"` with a one-hour `recovery_timeout`,
//!   whose body fails on the key `u64::MAX`: it is opened by failing calls
//!   (the default five failures in a minute) and stays open. Like the peers'
//!   open breakers, it then reads the clock on each call to see whether its
//!   recovery timeout has passed.
//! * `failsafe` is `failsafe::Config::new().build()` (its default policy:
//!   success rate over a time window, or else consecutive failures) calling
//!   `work` through `CircuitBreaker::call`. In the `open` group it is opened by
//!   consecutive failures with a one-hour constant backoff, so it stays open.
//! * `recloser` is `recloser::Recloser::default()` calling `work` through
//!   `Recloser::call`. In the `open` group it has the default thresholds and a
//!   one-hour `open_wait`, and is opened by failing calls.
//!
//! Before and after measuring, each variant is checked: opguard's closed
//! breaker must count the call as a success (`snapshot().successes`), the
//! closed failsafe and recloser breakers must run the body and return its
//! value (neither exposes a success count), and every open breaker must reject
//! the call with its own error without running the body. Any other outcome
//! panics.
//!
//! In `closed_2_threads` two threads make `iters` calls each at the same time;
//! the reported time is the slower thread's, so per iteration it is the
//! latency of one call while another thread calls the same breaker.
//!
//! Run with `cargo bench -p opguard-benches --bench breaker`.

use std::fmt;
use std::hint::black_box;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use failsafe::CircuitBreaker as _;
use failsafe::{backoff, failure_policy};
use opguard::GuardError;
use opguard::breaker::{self, BreakerState};
use opguard_benches::two_threads;
use recloser::Recloser;

/// How long the peer breakers stay open once tripped: longer than the run.
const STAY_OPEN: Duration = Duration::from_secs(3600);

/// The error type of the benchmarked functions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BenchError {
    /// What `fail` returns, to trip the peer breakers.
    Failed,
    /// opguard rejected the call.
    Guard(GuardError),
}

impl From<GuardError> for BenchError {
    fn from(error: GuardError) -> Self {
        BenchError::Guard(error)
    }
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Failed => f.write_str("failed"),
            BenchError::Guard(error) => write!(f, "{error}"),
        }
    }
}

// ---- the work ---------------------------------------------------------------

/// The work every variant does (and `plain` is).
#[inline(never)]
fn work(x: u64) -> Result<u64, BenchError> {
    Ok(black_box(x).wrapping_mul(31))
}

/// A failing call, only used to trip the open breakers.
#[inline(never)]
fn fail(_x: u64) -> Result<u64, BenchError> {
    Err(BenchError::Failed)
}

/// The hand-written check's state (0: closed) and success count.
static HAND_STATE: AtomicU8 = AtomicU8::new(0);
static HAND_SUCCESSES: AtomicU64 = AtomicU64::new(0);

/// The least a breaker check can be: one load, one shared counter, around
/// `work`; `rejected` when the state says open.
#[inline(always)]
fn hand_check<E>(x: u64, work: fn(u64) -> Result<u64, E>, rejected: E) -> Result<u64, E> {
    if HAND_STATE.load(Ordering::Acquire) != 0 {
        return Err(rejected);
    }
    let result = work(x);
    if result.is_ok() {
        HAND_SUCCESSES.fetch_add(1, Ordering::Relaxed);
    }
    result
}

/// The hand-written check around `work`.
#[inline(never)]
fn hand_written(x: u64) -> Result<u64, BenchError> {
    hand_check(x, work, BenchError::Failed)
}

#[opguard::circuit_breaker(name = "bench.closed")]
fn with_opguard(x: u64) -> Result<u64, BenchError> {
    work(x)
}

/// The key on which `with_opguard_open` fails, to trip its breaker.
const FAILING: u64 = u64::MAX;

#[opguard::circuit_breaker(name = "bench.open", recovery_timeout = "1h")]
fn with_opguard_open(x: u64) -> Result<u64, BenchError> {
    if x == FAILING { fail(x) } else { work(x) }
}

// ---- a small error type ------------------------------------------------------

/// An error that keeps no detail of a rejection, so `Result<u64, Small>` is
/// 16 bytes (`BenchError`'s is 48). Both come back through memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Small {
    /// What `work_small` would return on failure (never, here).
    #[allow(dead_code)]
    Failed,
    /// opguard rejected the call.
    Rejected,
}

impl From<GuardError> for Small {
    fn from(_: GuardError) -> Self {
        Small::Rejected
    }
}

impl fmt::Display for Small {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Small::Failed => "failed",
            Small::Rejected => "rejected",
        })
    }
}

/// `work` with the small error type.
#[inline(never)]
fn work_small(x: u64) -> Result<u64, Small> {
    Ok(black_box(x).wrapping_mul(31))
}

/// `hand_written` with the small error type.
#[inline(never)]
fn hand_written_small(x: u64) -> Result<u64, Small> {
    hand_check(x, work_small, Small::Rejected)
}

#[opguard::circuit_breaker(name = "bench.closed_small")]
fn with_opguard_small(x: u64) -> Result<u64, Small> {
    work_small(x)
}

// ---- the peer breakers ------------------------------------------------------

/// `failsafe`'s default breaker.
fn failsafe_closed() -> impl failsafe::CircuitBreaker + Send + Sync {
    failsafe::Config::new().build()
}

/// A `failsafe` breaker that opens after three consecutive failures and stays
/// open for an hour; tripped here.
fn failsafe_open() -> impl failsafe::CircuitBreaker + Send + Sync {
    let breaker = failsafe::Config::new()
        .failure_policy(failure_policy::consecutive_failures(
            3,
            backoff::constant(STAY_OPEN),
        ))
        .build();
    for _ in 0..1_000 {
        if !breaker.is_call_permitted() {
            return breaker;
        }
        let _ = breaker.call(|| fail(0));
    }
    panic!("failsafe did not open after 1000 failures");
}

/// A `recloser` breaker with the default thresholds that stays open for an
/// hour; tripped here.
fn recloser_open() -> Recloser {
    let breaker = Recloser::custom().open_wait(STAY_OPEN).build();
    for _ in 0..1_000 {
        match breaker.call(|| fail(0)) {
            Err(recloser::Error::Inner(BenchError::Failed)) => {}
            Err(recloser::Error::Rejected) => return breaker,
            other => panic!("recloser: unexpected {other:?} while tripping"),
        }
    }
    panic!("recloser did not open after 1000 failures");
}

// ---- checks -----------------------------------------------------------------

/// The breakers under test.
struct Breakers<FC, FO> {
    failsafe_closed: FC,
    failsafe_open: FO,
    recloser_closed: Recloser,
    recloser_open: Recloser,
}

/// Panics unless every closed variant runs and records the call and every
/// open variant rejects it without running the body.
fn check<FC, FO>(breakers: &Breakers<FC, FO>)
where
    FC: failsafe::CircuitBreaker,
    FO: failsafe::CircuitBreaker,
{
    assert_eq!(work(1), Ok(31), "plain");

    // opguard, closed: the call runs and counts as a success.
    let closed = breaker::get("bench.closed").expect("`bench.closed` is registered");
    assert_eq!(closed.state(), BreakerState::Closed, "opguard closed state");
    let before = closed.snapshot();
    assert_eq!(with_opguard(1), Ok(31), "opguard closed call");
    let after = closed.snapshot();
    assert_eq!(
        after.successes - before.successes,
        1,
        "opguard did not record the success"
    );
    assert_eq!(
        after.calls - before.calls,
        1,
        "opguard did not count the call"
    );

    // The same with the small error type.
    assert_eq!(work_small(1), Ok(31), "plain, small error");
    assert_eq!(hand_written_small(1), Ok(31), "hand-written, small error");
    let small = breaker::get("bench.closed_small").expect("`bench.closed_small` is registered");
    let before = small.snapshot().successes;
    assert_eq!(with_opguard_small(1), Ok(31), "opguard, small error");
    assert_eq!(
        small.snapshot().successes - before,
        1,
        "opguard (small error) did not record the success"
    );

    // failsafe and recloser, closed: the call runs and returns its value.
    assert!(
        breakers.failsafe_closed.is_call_permitted(),
        "failsafe closed permits calls"
    );
    let result = breakers.failsafe_closed.call(|| work(1));
    assert!(matches!(result, Ok(31)), "failsafe closed call: {result:?}");
    let result = breakers.recloser_closed.call(|| work(1));
    assert!(matches!(result, Ok(31)), "recloser closed call: {result:?}");

    // opguard, open: rejected with `CircuitOpen`, counted as rejected.
    let open = breaker::get("bench.open").expect("`bench.open` is registered");
    assert_eq!(open.state(), BreakerState::Open, "opguard open state");
    let before = open.snapshot();
    match with_opguard_open(1) {
        Err(BenchError::Guard(GuardError::CircuitOpen { name, .. })) => {
            assert_eq!(&*name, "bench.open");
        }
        other => panic!("opguard open: expected a rejection, got {other:?}"),
    }
    let after = open.snapshot();
    assert_eq!(
        (
            after.rejected - before.rejected,
            after.successes - before.successes
        ),
        (1, 0),
        "opguard open: one rejection, the body not run"
    );

    // failsafe and recloser, open: rejected, the body not run.
    let mut ran = false;
    let result = breakers.failsafe_open.call(|| {
        ran = true;
        work(1)
    });
    assert!(
        matches!(result, Err(failsafe::Error::Rejected)) && !ran,
        "failsafe open: expected a rejection, got {result:?} (body ran: {ran})"
    );
    let mut ran = false;
    let result = breakers.recloser_open.call(|| {
        ran = true;
        work(1)
    });
    assert!(
        matches!(result, Err(recloser::Error::Rejected)) && !ran,
        "recloser open: expected a rejection, got {result:?} (body ran: {ran})"
    );
}

// ---- benchmarks -------------------------------------------------------------

fn bench_closed<FC, FO>(c: &mut Criterion, breakers: &Breakers<FC, FO>)
where
    FC: failsafe::CircuitBreaker,
{
    let mut group = c.benchmark_group("breaker/closed");
    group.bench_function("plain", |b| b.iter(|| work(black_box(7))));
    group.bench_function("hand_written", |b| b.iter(|| hand_written(black_box(7))));
    group.bench_function("opguard", |b| b.iter(|| with_opguard(black_box(7))));
    group.bench_function("failsafe", |b| {
        b.iter(|| breakers.failsafe_closed.call(|| work(black_box(7))))
    });
    group.bench_function("recloser", |b| {
        b.iter(|| breakers.recloser_closed.call(|| work(black_box(7))))
    });
    group.finish();
}

/// The closed path with a 16-byte `Result`.
fn bench_closed_small(c: &mut Criterion) {
    let mut group = c.benchmark_group("breaker/closed_small_error");
    group.bench_function("plain", |b| b.iter(|| work_small(black_box(7))));
    group.bench_function("hand_written", |b| {
        b.iter(|| hand_written_small(black_box(7)))
    });
    group.bench_function("opguard", |b| b.iter(|| with_opguard_small(black_box(7))));
    group.finish();
}

fn bench_closed_two_threads<FC, FO>(c: &mut Criterion, breakers: &Breakers<FC, FO>)
where
    FC: failsafe::CircuitBreaker + Sync,
{
    let mut group = c.benchmark_group("breaker/closed_2_threads");
    two_threads(&mut group, "plain", work);
    two_threads(&mut group, "hand_written", hand_written);
    two_threads(&mut group, "opguard", with_opguard);
    let failsafe = &breakers.failsafe_closed;
    two_threads(&mut group, "failsafe", move |x| failsafe.call(|| work(x)));
    let recloser = &breakers.recloser_closed;
    two_threads(&mut group, "recloser", move |x| recloser.call(|| work(x)));
    group.finish();
}

fn bench_open<FC, FO>(c: &mut Criterion, breakers: &Breakers<FC, FO>)
where
    FO: failsafe::CircuitBreaker,
{
    let mut group = c.benchmark_group("breaker/open");
    group.bench_function("opguard", |b| b.iter(|| with_opguard_open(black_box(7))));
    group.bench_function("failsafe", |b| {
        b.iter(|| breakers.failsafe_open.call(|| work(black_box(7))))
    });
    group.bench_function("recloser", |b| {
        b.iter(|| breakers.recloser_open.call(|| work(black_box(7))))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    // A state the compiler cannot know: with no store anywhere, it folded
    // the hand-written check's load of `HAND_STATE` away.
    HAND_STATE.store(black_box(0), Ordering::Release);
    // Register both opguard breakers by a first call, then trip one open.
    assert_eq!(with_opguard(1), Ok(31), "opguard first call");
    assert_eq!(with_opguard_open(1), Ok(31), "opguard open: first call");
    assert_eq!(with_opguard_small(1), Ok(31), "opguard small: first call");
    let open = breaker::get("bench.open").expect("`bench.open` is registered by its first call");
    for _ in 0..1000 {
        if open.state() == BreakerState::Open {
            break;
        }
        assert!(
            with_opguard_open(FAILING).is_err(),
            "opguard open: a failing call"
        );
    }
    assert_eq!(
        open.state(),
        BreakerState::Open,
        "opguard open: tripped by failures"
    );

    let breakers = Breakers {
        failsafe_closed: failsafe_closed(),
        failsafe_open: failsafe_open(),
        recloser_closed: Recloser::default(),
        recloser_open: recloser_open(),
    };

    check(&breakers);
    bench_closed(c, &breakers);
    bench_closed_small(c);
    bench_closed_two_threads(c, &breakers);
    bench_open(c, &breakers);
    check(&breakers);
}

criterion_group!(breaker_benches, benches);
criterion_main!(breaker_benches);
