//! Registered health checks, run concurrently with their own deadlines, and
//! their results reused for a second.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::HealthStatus;
use crate::duration::IntoDuration;
use crate::registry::Registry;

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A check as registered.
struct Check {
    name: String,
    run: Box<dyn Fn() -> CheckFuture + Send + Sync>,
    timeout_nanos: AtomicU64,
    critical: AtomicBool,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("timeout", &self.timeout())
            .field("critical", &self.critical.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Check {
    fn timeout(&self) -> Duration {
        Duration::from_nanos(self.timeout_nanos.load(Ordering::Relaxed))
    }
}

fn checks() -> &'static Registry<Check> {
    static CHECKS: Registry<Check> = Registry::new();
    &CHECKS
}

/// The default deadline of a check.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a run's results answer later requests.
pub const REUSE_FOR: Duration = Duration::from_secs(1);

/// Registers the check `name` (replacing one of that name): `check` returns
/// a future whose `Err(e)` makes it unhealthy with `e`'s `Display`. It runs
/// on the tokio runtime of whoever asks for the report, concurrently with
/// the other checks, bounded by its [`timeout`](CheckHandle::timeout)
/// (default 5 s); a check that times out or panics is unhealthy with that
/// reason. Checks are [`critical`](CheckHandle::critical) by default.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use opguard_runtime::health;
///
/// health::register("docs.database", || async { Ok::<_, std::io::Error>(()) })
///     .timeout("2s")
///     .critical(true);
/// let report = health::run().await;
/// assert_eq!(report.checks["docs.database"].status, health::HealthStatus::Healthy);
/// # }
/// ```
pub fn register<F, Fut, T, E>(name: impl Into<String>, check: F) -> CheckHandle
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    E: std::fmt::Display,
{
    let name = name.into();
    let run = Box::new(move || -> CheckFuture {
        let future = check();
        Box::pin(async move { future.await.map(drop).map_err(|e| e.to_string()) })
    });
    let check = Check {
        name: name.clone(),
        run,
        timeout_nanos: AtomicU64::new(DEFAULT_TIMEOUT.as_nanos() as u64),
        critical: AtomicBool::new(true),
    };
    checks().remove(&name);
    let (check, _) = checks().get_or_register(&name, || check);
    forget_results();
    CheckHandle(check)
}

/// Removes the check `name`; whether there was one.
pub fn unregister(name: &str) -> bool {
    let removed = checks().remove(name).is_some();
    forget_results();
    removed
}

/// A registered check's settings.
#[derive(Debug, Clone)]
pub struct CheckHandle(Arc<Check>);

impl CheckHandle {
    /// The check's deadline: a [`Duration`] or a duration string (`"2s"`;
    /// a string that cannot be read panics, naming it).
    #[track_caller]
    pub fn timeout(self, timeout: impl IntoDuration) -> Self {
        let nanos = u64::try_from(timeout.into_duration().as_nanos()).unwrap_or(u64::MAX);
        self.0.timeout_nanos.store(nanos, Ordering::Relaxed);
        self
    }

    /// Whether its failure makes the service unhealthy (and not ready);
    /// otherwise it only degrades it.
    pub fn critical(self, critical: bool) -> Self {
        self.0.critical.store(critical, Ordering::Relaxed);
        self
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// The check's name.
    pub name: String,
    /// `healthy` or `unhealthy` (the built-in `memory` check may be `degraded`).
    pub status: HealthStatus,
    /// How long it took (its timeout when it timed out).
    pub response_time: Duration,
    /// Whether it is critical.
    pub critical: bool,
    /// Why it is not healthy.
    pub error: Option<String>,
}

type Results = Arc<[CheckResult]>;

static LAST: Mutex<Option<(Instant, Results)>> = Mutex::new(None);

fn fresh() -> Option<Results> {
    let last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    last.as_ref()
        .filter(|(at, _)| at.elapsed() < REUSE_FOR)
        .map(|(_, results)| Arc::clone(results))
}

fn forget_results() {
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Every check's result: the last run's if it is under a second old, else a
/// new run. Concurrent callers share one run.
pub(crate) async fn results() -> Results {
    static RUN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    if let Some(results) = fresh() {
        return results;
    }
    let _running = RUN.lock().await;
    if let Some(results) = fresh() {
        return results;
    }
    let results: Results = run_all().await.into();
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), Arc::clone(&results)));
    results
}

async fn run_all() -> Vec<CheckResult> {
    let start = Instant::now();
    let running: Vec<_> = checks()
        .all()
        .into_iter()
        .map(|check| {
            let future = (check.run)();
            let task = tokio::spawn(async move {
                let began = Instant::now();
                let outcome = future.await;
                (outcome, began.elapsed())
            });
            (check, task)
        })
        .collect();
    let mut results = vec![super::memory::check()];
    for (check, mut task) in running {
        let timeout = check.timeout();
        let (error, response_time) = match tokio::time::timeout_at(start + timeout, &mut task).await
        {
            Ok(Ok((outcome, took))) => (outcome.err(), took),
            Ok(Err(join)) => (Some(panic_reason(join)), start.elapsed()),
            Err(_) => {
                task.abort();
                (Some(format!("timed out after {timeout:?}")), timeout)
            }
        };
        results.push(CheckResult {
            name: check.name.clone(),
            status: if error.is_some() {
                HealthStatus::Unhealthy
            } else {
                HealthStatus::Healthy
            },
            response_time,
            critical: check.critical.load(Ordering::Relaxed),
            error,
        });
    }
    results
}

fn panic_reason(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned());
            format!("panicked: {}", text.as_deref().unwrap_or("(no message)"))
        }
        Err(_) => "cancelled".to_owned(),
    }
}
