//! `#[circuit_breaker]` on functions: trips, rejects without running the
//! body, recovers through a probe, judges errors, retries, falls back, times
//! out, and converts `GuardError` into the function's error type.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use async_trait::async_trait;
use opguard::breaker::{self, BreakerState};
use opguard::{GuardError, circuit_breaker};

#[derive(Debug, Clone, PartialEq)]
enum DbError {
    Timeout,
    NotFound(u64),
    Io(String),
    Guard(GuardError),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Timeout => f.write_str("db timeout"),
            DbError::NotFound(id) => write!(f, "row {id} not found"),
            DbError::Io(e) => write!(f, "io: {e}"),
            DbError::Guard(e) => write!(f, "{e}"),
        }
    }
}

impl From<GuardError> for DbError {
    fn from(error: GuardError) -> Self {
        DbError::Guard(error)
    }
}

static RUNS: AtomicU32 = AtomicU32::new(0);

#[circuit_breaker(name = "attr.flaky", failure_threshold = 2, recovery_timeout = "1s")]
async fn flaky(fail: bool) -> Result<u32, DbError> {
    RUNS.fetch_add(1, SeqCst);
    tokio::task::yield_now().await;
    if fail {
        Err(DbError::Io("reset".into()))
    } else {
        Ok(7)
    }
}

#[tokio::test(start_paused = true)]
async fn trips_rejects_without_running_and_recovers_through_a_probe() {
    let mut events = breaker::events();
    assert_eq!(flaky(false).await, Ok(7));
    assert!(flaky(true).await.is_err());
    assert!(flaky(true).await.is_err());
    let b = breaker::get("attr.flaky").unwrap();
    assert_eq!(b.state(), BreakerState::Open);

    let runs = RUNS.load(SeqCst);
    match flaky(false).await {
        Err(DbError::Guard(GuardError::CircuitOpen { name, retry_after })) => {
            assert_eq!(&*name, "attr.flaky");
            assert_eq!(retry_after, Duration::from_secs(1));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        RUNS.load(SeqCst),
        runs,
        "a rejected call does not run the body"
    );

    tokio::time::advance(Duration::from_millis(999)).await;
    assert!(matches!(
        flaky(false).await,
        Err(DbError::Guard(GuardError::CircuitOpen { .. }))
    ));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(flaky(false).await, Ok(7), "the probe runs");
    assert_eq!(b.state(), BreakerState::Closed);

    let s = b.snapshot();
    assert_eq!((s.calls, s.successes, s.failures, s.rejected), (4, 2, 2, 2));
    assert_eq!(s.last_failures.len(), 2);
    assert_eq!(
        s.last_failures[0].error, "io: reset",
        "Display of the error"
    );

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if &*event.name == "attr.flaky" {
            seen.push((event.from, event.to));
        }
    }
    use BreakerState::*;
    assert_eq!(seen, [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]);
}

#[circuit_breaker(name = "attr.expected", failure_threshold = 1, expected_errors = [DbError::Timeout | DbError::Io(_)])]
fn lookup(id: u64) -> Result<u64, DbError> {
    match id {
        0 => Err(DbError::NotFound(0)),
        1 => Err(DbError::Timeout),
        _ => Ok(id),
    }
}

#[test]
fn only_expected_errors_count_and_others_are_successes() {
    assert_eq!(lookup(0), Err(DbError::NotFound(0)));
    assert_eq!(lookup(0), Err(DbError::NotFound(0)));
    let b = breaker::get("attr.expected").unwrap();
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!((b.snapshot().successes, b.snapshot().failures), (2, 0));
    assert_eq!(lookup(1), Err(DbError::Timeout));
    assert_eq!(b.state(), BreakerState::Open);
    assert!(matches!(
        lookup(5),
        Err(DbError::Guard(GuardError::CircuitOpen { .. }))
    ));
}

fn transient(error: &DbError) -> bool {
    matches!(error, DbError::Io(_))
}

#[circuit_breaker(name = "attr.failure_if", failure_threshold = 1, failure_if = transient)]
fn with_predicate(error: Option<DbError>) -> Result<(), DbError> {
    error.map_or(Ok(()), Err)
}

#[circuit_breaker(name = "attr.failure_if_closure", failure_threshold = 1, failure_if = |e| matches!(e, DbError::Timeout))]
fn with_closure(error: Option<DbError>) -> Result<(), DbError> {
    error.map_or(Ok(()), Err)
}

#[test]
fn failure_if_takes_a_path_or_a_closure() {
    let _ = with_predicate(Some(DbError::Timeout));
    assert_eq!(
        breaker::get("attr.failure_if").unwrap().state(),
        BreakerState::Closed
    );
    let _ = with_predicate(Some(DbError::Io("x".into())));
    assert_eq!(
        breaker::get("attr.failure_if").unwrap().state(),
        BreakerState::Open
    );
    let _ = with_closure(Some(DbError::Io("x".into())));
    assert_eq!(
        breaker::get("attr.failure_if_closure").unwrap().state(),
        BreakerState::Closed
    );
    let _ = with_closure(Some(DbError::Timeout));
    assert_eq!(
        breaker::get("attr.failure_if_closure").unwrap().state(),
        BreakerState::Open
    );
}

struct Users {
    calls: AtomicU32,
}

impl Users {
    #[circuit_breaker(failure_threshold = 1, recovery_timeout = "1m", fallback = Self::cached)]
    async fn get(&self, id: u64, region: &str) -> Result<String, DbError> {
        self.calls.fetch_add(1, SeqCst);
        Err(DbError::Io(format!("{region} down for {id}")))
    }

    async fn cached(&self, id: u64, region: &str) -> Result<String, DbError> {
        Ok(format!("cached {id}@{region}"))
    }

    #[circuit_breaker(
        retries = 3,
        retry_delay = "100ms",
        max_retry_delay = "1s",
        failure_threshold = 100
    )]
    async fn fetch(&self, key: String, mut budget: u32) -> Result<String, DbError> {
        budget -= 1;
        let attempt = self.calls.fetch_add(1, SeqCst) + 1;
        if attempt < 3 {
            Err(DbError::Timeout)
        } else {
            Ok(format!("{key}:{attempt}:{budget}"))
        }
    }
}

#[tokio::test(start_paused = true)]
async fn fallback_gets_the_same_arguments_and_default_names_are_type_qualified() {
    let users = Users {
        calls: AtomicU32::new(0),
    };
    assert!(users.get(1, "eu").await.is_err());
    assert_eq!(users.get(2, "us").await, Ok("cached 2@us".into()));
    assert_eq!(
        users.calls.load(SeqCst),
        1,
        "the fallback ran instead of the body"
    );
    let b = breaker::get("breaker_attribute::Users::get").expect("named Type::method");
    assert_eq!(b.snapshot().rejected, 1);
}

#[tokio::test(start_paused = true)]
async fn retries_rerun_the_body_with_fresh_arguments_after_jittered_delays() {
    let users = Users {
        calls: AtomicU32::new(0),
    };
    let started = tokio::time::Instant::now();
    assert_eq!(users.fetch("k".into(), 10).await, Ok("k:3:9".into()));
    assert_eq!(users.calls.load(SeqCst), 3, "two failures, then a success");
    let waited = started.elapsed();
    assert!(
        waited <= Duration::from_millis(100 + 200),
        "full jitter stays under the curve: {waited:?}"
    );
    let s = breaker::get("breaker_attribute::Users::fetch")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.failures, s.successes),
        (2, 1),
        "each attempt is recorded"
    );
}

static SYNC_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[circuit_breaker(
    name = "attr.sync_retry",
    retries = 2,
    retry_delay = "0ms",
    backoff = "fixed",
    failure_threshold = 2
)]
fn always_fails(tag: &str) -> Result<(), DbError> {
    SYNC_ATTEMPTS.fetch_add(1, SeqCst);
    Err(DbError::Io(tag.to_owned()))
}

#[test]
fn sync_retries_stop_when_the_breaker_opens_and_return_the_last_failure() {
    assert_eq!(always_fails("a"), Err(DbError::Io("a".into())));
    assert_eq!(
        SYNC_ATTEMPTS.load(SeqCst),
        2,
        "the second failure opened the breaker: no third attempt"
    );
    assert!(matches!(
        always_fails("b"),
        Err(DbError::Guard(GuardError::CircuitOpen { .. }))
    ));
    assert_eq!(
        SYNC_ATTEMPTS.load(SeqCst),
        2,
        "a rejected call is never retried"
    );
}

#[circuit_breaker(name = "attr.timeout", timeout = "50ms", failure_threshold = 10)]
async fn slow(millis: u64) -> Result<u64, DbError> {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    Ok(millis)
}

#[tokio::test(start_paused = true)]
async fn a_timeout_abandons_the_call_and_counts_a_failure() {
    assert_eq!(slow(10).await, Ok(10));
    match slow(80).await {
        Err(DbError::Guard(GuardError::Timeout { name, after })) => {
            assert_eq!((&*name, after), ("attr.timeout", Duration::from_millis(50)));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    let s = breaker::get("attr.timeout").unwrap().snapshot();
    assert_eq!((s.successes, s.failures, s.timeouts), (1, 1, 1));
}

#[circuit_breaker(name = "attr.anyhow", failure_threshold = 1)]
fn with_anyhow(fail: bool) -> anyhow::Result<u8> {
    if fail { anyhow::bail!("boom") } else { Ok(1) }
}

#[circuit_breaker(name = "attr.boxed", failure_threshold = 1)]
async fn with_box(fail: bool) -> Result<u8, Box<dyn std::error::Error + Send + Sync>> {
    if fail { Err("boom".into()) } else { Ok(1) }
}

#[tokio::test]
async fn guard_errors_convert_into_anyhow_and_boxed_errors() {
    assert!(with_anyhow(true).is_err());
    let rejected = with_anyhow(false).unwrap_err();
    assert!(matches!(
        rejected.downcast_ref::<GuardError>(),
        Some(GuardError::CircuitOpen { .. })
    ));
    assert!(with_box(true).await.is_err());
    let rejected = with_box(false).await.unwrap_err();
    assert!(
        rejected
            .to_string()
            .starts_with("circuit breaker `attr.boxed` is open"),
        "{rejected}"
    );
}

#[circuit_breaker(name = "attr.shared", failure_threshold = 2)]
fn first_user() -> Result<(), DbError> {
    Err(DbError::Timeout)
}

#[circuit_breaker(name = "attr.shared", failure_threshold = 2)]
fn second_user() -> Result<(), DbError> {
    Ok(())
}

#[test]
fn functions_naming_one_breaker_share_it() {
    let _ = first_user();
    let _ = first_user();
    assert!(matches!(
        second_user(),
        Err(DbError::Guard(GuardError::CircuitOpen { .. }))
    ));
}

#[circuit_breaker(name = "attr.panics", failure_threshold = 1)]
async fn panics() -> Result<(), DbError> {
    tokio::task::yield_now().await;
    panic!("inside the breaker");
}

#[tokio::test]
async fn a_panic_is_a_failure_and_keeps_unwinding() {
    assert!(tokio::spawn(panics()).await.unwrap_err().is_panic());
    let s = breaker::get("attr.panics").unwrap().snapshot();
    assert_eq!(s.failures, 1);
    assert_eq!(s.last_failures[0].error, "panicked");
    assert_eq!(s.state, BreakerState::Open);
}

#[circuit_breaker(name = "attr.generic", failure_threshold = 1)]
fn parse_as<T: std::str::FromStr, E: From<GuardError>>(text: &str, error: E) -> Result<T, E> {
    text.parse().map_err(|_| error)
}

#[test]
fn generic_functions_and_generic_errors() {
    assert_eq!(parse_as::<u8, DbError>("7", DbError::Timeout), Ok(7));
    assert_eq!(
        parse_as::<u8, DbError>("x", DbError::Timeout),
        Err(DbError::Timeout)
    );
    assert!(matches!(
        parse_as::<u8, DbError>("7", DbError::Timeout),
        Err(DbError::Guard(_))
    ));
}

#[async_trait]
trait Store {
    async fn load(&self, id: u64) -> Result<u64, DbError>;
}

struct Remote;

#[async_trait]
impl Store for Remote {
    #[circuit_breaker(failure_threshold = 1)]
    async fn load(&self, id: u64) -> Result<u64, DbError> {
        if id == 0 {
            Err(DbError::NotFound(0))
        } else {
            Ok(id)
        }
    }
}

#[tokio::test]
async fn async_trait_methods_are_guarded() {
    let remote: Arc<dyn Store + Send + Sync> = Arc::new(Remote);
    assert_eq!(remote.load(1).await, Ok(1));
    assert!(remote.load(0).await.is_err());
    assert!(matches!(remote.load(1).await, Err(DbError::Guard(_))));
    assert!(breaker::get("breaker_attribute::Remote::load").is_some());
}

fn default_quote(symbol: &str) -> Result<String, DbError> {
    Ok(format!("{symbol}: last close"))
}

#[circuit_breaker(name = "attr.free_fallback", failure_threshold = 1, fallback = default_quote)]
fn quote(symbol: &str) -> Result<String, DbError> {
    Err(DbError::Io(format!("no quote for {symbol}")))
}

#[test]
fn a_free_function_fallback_gets_the_same_arguments() {
    assert_eq!(quote("ACME"), Err(DbError::Io("no quote for ACME".into())));
    assert_eq!(quote("INITECH"), Ok("INITECH: last close".into()));
}

/// Everything logged in this test binary: one global subscriber, installed
/// once, so that no test races another's scoped subscriber for a callsite's
/// cached interest. Tests pick out their own breaker's lines.
fn global_log() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};
    static LOG: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        struct Writer(&'static Mutex<Vec<u8>>);
        impl std::io::Write for Writer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Writer(log))
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("the only global subscriber of this binary");
        log
    })
}

#[circuit_breaker(name = "attr.logged", failure_threshold = 1, recovery_timeout = "10ms")]
async fn logged(fail: bool) -> Result<(), DbError> {
    if fail { Err(DbError::Timeout) } else { Ok(()) }
}

#[tokio::test(start_paused = true)]
async fn transitions_are_tracing_events_warn_on_open_info_otherwise() {
    let log = global_log();
    assert!(logged(true).await.is_err());
    tokio::time::advance(Duration::from_millis(10)).await;
    assert!(logged(false).await.is_ok());

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("breaker=attr.logged"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains("WARN") && lines[0].contains("circuit breaker opened"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("INFO") && lines[1].contains("to=\"half_open\""),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("INFO") && lines[2].contains("circuit breaker closed"),
        "{}",
        lines[2]
    );
    assert!(
        lines.iter().all(|l| l.contains("opguard::breaker")),
        "target: {text}"
    );
}
