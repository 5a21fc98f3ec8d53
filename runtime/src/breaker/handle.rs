//! The public handle of a breaker, [`Breaker`], and the registry of them.

use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use super::clock::Clock;
use super::config::BreakerConfig;
use super::events::TARGET;
use super::local::{Inner, LocalStore};
use super::machine::Machine;
use super::permit::{OwnedPermit, Permit};
use super::policy::CallPolicy;
use super::snapshot::BreakerSnapshot;
use super::state::BreakerState;
use crate::GuardError;
use crate::registry::Registry;

/// Every registered breaker, by name.
pub(super) fn registry() -> &'static Registry<Inner> {
    static BREAKERS: Registry<Inner> = Registry::new();
    &BREAKERS
}

/// A circuit breaker: fails fast while a dependency is down.
///
/// Closed, it runs calls and counts failures in a rolling window; when a
/// trigger fires it opens and rejects calls with [`GuardError::CircuitOpen`]
/// until `recovery_timeout` has passed; then it lets `half_open_max_calls`
/// probes through, and closes after `success_threshold` probe successes or
/// reopens at a probe failure. Cloning is cheap; clones share state.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::{GuardError, breaker::{Breaker, BreakerState}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let breaker = Breaker::builder("docs.payments").failure_threshold(2).build();
/// for _ in 0..2 {
///     let failed: Result<(), GuardError> = breaker
///         .call(async { Err(GuardError::Timeout { name: "upstream".into(), after: Duration::from_secs(1) }) })
///         .await;
///     assert!(failed.is_err());
/// }
/// assert_eq!(breaker.state(), BreakerState::Open);
/// let rejected: Result<(), GuardError> = breaker.call(async { Ok(()) }).await;
/// assert!(matches!(rejected, Err(GuardError::CircuitOpen { .. })));
/// # }
/// ```
#[derive(Clone)]
pub struct Breaker(pub(super) Arc<Inner>);

impl Breaker {
    pub(super) fn register(name: String, config: BreakerConfig, clock: Clock, leak: bool) -> Self {
        let (inner, created) = registry().get_or_register(&name, || {
            let owned = if leak {
                Cow::Borrowed(&*Box::leak(name.clone().into_boxed_str()))
            } else {
                Cow::Owned(name.clone())
            };
            Machine::new(owned, config, clock, LocalStore::new(config.window))
        });
        #[cfg(feature = "redis")]
        if let Some(link) = &inner.link {
            crate::shared::breaker::attach(&inner, link);
        }
        if !created && inner.config != config {
            tracing::warn!(
                target: TARGET,
                breaker = %name,
                "breaker `{name}` is already registered with other settings; the first registration wins ({:?})",
                inner.config,
            );
        }
        Breaker(inner)
    }

    /// The breaker's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The breaker's settings.
    pub fn config(&self) -> &BreakerConfig {
        &self.0.config
    }

    /// The state now. An open breaker whose recovery timeout has passed still
    /// reads `Open` until the next call moves it to half-open.
    pub fn state(&self) -> BreakerState {
        self.0.state()
    }

    /// Asks to make a call: a [`Permit`] to run it, or the rejection.
    ///
    /// The permit records the outcome when finished; dropped unfinished it
    /// records a panic (while one unwinds) or nothing (a cancelled call,
    /// whose half-open slot is freed).
    #[inline]
    pub fn acquire(&self) -> Result<Permit<'_>, GuardError> {
        let ticket = self.0.acquire()?;
        Ok(Permit::new(&self.0, ticket))
    }

    /// [`acquire`](Self::acquire), for a permit that is `'static`: it holds
    /// a share of the breaker (one reference count more), so it can move
    /// into a spawned task or a `tower` response future with an
    /// [`OwnedCallPolicy`](super::OwnedCallPolicy). It records outcomes as a
    /// [`Permit`] does.
    ///
    /// ```
    /// use opguard_runtime::breaker::Breaker;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let breaker = Breaker::builder("docs.acquire_owned").build();
    /// let permit = breaker.acquire_owned().unwrap();
    /// tokio::spawn(async move { permit.success() }).await.unwrap();
    /// assert_eq!(breaker.snapshot().successes, 1);
    /// # }
    /// ```
    pub fn acquire_owned(&self) -> Result<OwnedPermit, GuardError> {
        let ticket = self.0.acquire()?;
        Ok(OwnedPermit::new(Arc::clone(&self.0), ticket))
    }

    /// Runs `future` through the breaker: every `Err` counts as a failure,
    /// and a rejection or timeout comes back as `E::from(GuardError)`.
    pub async fn call<T, E, F>(&self, future: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
        E: From<GuardError> + Display,
    {
        let describe = |e: &E| e.to_string();
        let policy = CallPolicy::new(&|_: &E| true, &describe, &E::from);
        match self.acquire() {
            Ok(permit) => permit.run(&policy, future).await,
            Err(rejected) => Err(E::from(rejected)),
        }
    }

    /// [`call`](Self::call) for a synchronous function (`timeout` does not
    /// apply).
    pub fn call_sync<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E>
    where
        E: From<GuardError> + Display,
    {
        let describe = |e: &E| e.to_string();
        let policy = CallPolicy::new(&|_: &E| true, &describe, &E::from);
        match self.acquire() {
            Ok(permit) => permit.run_sync(&policy, f),
            Err(rejected) => Err(E::from(rejected)),
        }
    }

    /// Opens the breaker until [`force_close`](Self::force_close) or
    /// [`reset`](Self::reset), whatever calls do. Rejections then carry the
    /// recovery timeout as `retry_after`, a hint: nothing reopens it by itself.
    pub fn force_open(&self) {
        self.0.force(BreakerState::ForcedOpen, false);
    }

    /// Closes the breaker now, with an empty window, no run of consecutive
    /// failures and a failure rate counted from now, also when it was closed
    /// already. Totals (calls, failures, …) keep counting up.
    pub fn force_close(&self) {
        self.0.force(BreakerState::Closed, false);
    }

    /// Lets every call through and never opens, until `force_close` or `reset`.
    pub fn disable(&self) {
        self.0.force(BreakerState::Disabled, false);
    }

    /// Closes the breaker with an empty window and no remembered failures.
    /// Totals (calls, failures, …) keep counting up, as exported counters must.
    pub fn reset(&self) {
        self.0.force(BreakerState::Closed, true);
    }

    /// Reads the figures recorded so far.
    pub fn snapshot(&self) -> BreakerSnapshot {
        self.0.snapshot()
    }
}

impl std::fmt::Debug for Breaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Breaker")
            .field("name", &self.0.name)
            .field("state", &self.state())
            .field("config", &self.0.config)
            .finish()
    }
}
