//! The limiters: one limit ([`RateLimiter`]) or one per key
//! ([`KeyedRateLimiter`]), and what they share.

use std::borrow::Cow;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::config::RateLimitConfig;
use super::gcra::{Cell, Decision, Gcra};
use super::keyed::Keyed;
use super::snapshot::RateLimitSnapshot;
use crate::GuardError;
use crate::counters::Striped;

const ALLOWED: usize = 0;
const LIMITED: usize = 1;

/// What both kinds of limiter hold besides their TATs.
#[derive(Debug)]
pub(crate) struct Core {
    name: Cow<'static, str>,
    config: RateLimitConfig,
    gcra: Gcra,
    /// Time zero of the limiter's TATs.
    epoch: Instant,
    counts: Striped<2>,
}

impl Core {
    pub(crate) fn new(name: Cow<'static, str>, config: RateLimitConfig) -> Self {
        Self {
            name,
            gcra: Gcra::new(config.rate.interval_nanos(), config.burst()),
            config,
            epoch: Instant::now(),
            counts: Striped::new(),
        }
    }

    #[inline]
    fn now(&self) -> u64 {
        let elapsed = Instant::now().saturating_duration_since(self.epoch);
        u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Counts the decision and turns a refusal into the caller's error.
    #[inline]
    fn judge(&self, decision: Decision) -> Result<Option<u64>, GuardError> {
        match decision {
            Decision::Admit(_) => {
                self.counts.add(ALLOWED, 1);
                Ok(None)
            }
            Decision::AdmitAfter(_, wait) => Ok(Some(wait)),
            Decision::Refuse(wait) => {
                self.counts.add(LIMITED, 1);
                Err(GuardError::RateLimited {
                    name: self.name.clone(),
                    retry_after: Duration::from_nanos(wait),
                })
            }
        }
    }

    /// The fleet's decision (feature `redis`, a `shared` limiter), or
    /// `None` to decide locally: not connected, or Redis unavailable.
    #[cfg(feature = "redis")]
    async fn fleet(&self, key: Option<&str>, max_wait: Duration) -> Option<Decision> {
        if !self.config.shared || !crate::shared::rate_limit::should_ask() {
            return None;
        }
        let interval = self.gcra.interval;
        crate::shared::rate_limit::decide(
            &self.name,
            key,
            interval,
            self.config.burst(),
            nanos(max_wait),
        )
        .await
    }

    fn snapshot(&self, tracked_keys: Option<usize>) -> RateLimitSnapshot {
        RateLimitSnapshot {
            name: self.name.to_string(),
            count: self.config.rate.count(),
            period: self.config.rate.period(),
            burst: self.config.burst(),
            keyed: tracked_keys.is_some(),
            allowed: self.counts.sum(ALLOWED),
            limited: self.counts.sum(LIMITED),
            tracked_keys: tracked_keys.unwrap_or(0) as u64,
        }
    }
}

fn nanos(wait: Duration) -> u64 {
    u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX)
}

/// A reserved turn: counts as allowed when its wait ends, gives the turn back
/// if dropped before (a cancelled waiting call takes nothing from the budget).
struct Reservation<'a, F: Fn()> {
    give_back: Option<F>,
    core: &'a Core,
}

impl<F: Fn()> Reservation<'_, F> {
    fn keep(mut self) {
        self.give_back = None;
        self.core.counts.add(ALLOWED, 1);
    }
}

impl<F: Fn()> Drop for Reservation<'_, F> {
    fn drop(&mut self) {
        if let Some(give_back) = self.give_back.take() {
            give_back();
        }
    }
}

/// Waits out a reserved turn on tokio's clock.
async fn wait_turn<F: Fn()>(core: &Core, wait: Option<u64>, give_back: F) {
    if let Some(wait) = wait {
        let reservation = Reservation {
            give_back: Some(give_back),
            core,
        };
        if tokio::runtime::Handle::try_current().is_err() {
            no_tokio_timer(&core.name);
        }
        tokio::time::sleep(Duration::from_nanos(wait)).await;
        reservation.keep();
    }
}

#[cold]
#[inline(never)]
fn no_tokio_timer(name: &str) -> ! {
    panic!(
        "opguard: rate limiter `{name}` waits for a turn on tokio's timer, but this call is \
         polled outside a tokio runtime; run it inside one (`#[tokio::main]`, \
         `Runtime::block_on`, `Handle::enter`), or do not wait (`check`, no `wait` option)"
    )
}

/// At most so many calls per period, spread evenly (GCRA), for everything
/// that goes through it: lock-free, one atomic word.
///
/// ```
/// use opguard_runtime::rate_limit::{Rate, RateLimiter};
/// use opguard_runtime::GuardError;
///
/// let limiter = RateLimiter::builder("docs.partner-api").rate(Rate::per_minute(2)).build().unwrap();
/// assert!(limiter.check().is_ok());
/// assert!(limiter.check().is_ok());
/// let Err(GuardError::RateLimited { retry_after, .. }) = limiter.check() else { panic!() };
/// assert!(retry_after.as_secs() <= 30);
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    core: Core,
    cell: Cell,
}

impl RateLimiter {
    pub(crate) fn new(core: Core) -> Self {
        Self {
            core,
            cell: Cell::default(),
        }
    }

    /// Admits a call now, or refuses it with
    /// [`GuardError::RateLimited`] and how long until a call is admitted.
    #[inline]
    pub fn check(&self) -> Result<(), GuardError> {
        let decision = self.cell.decide(&self.core.gcra, self.core.now(), 0);
        self.core.judge(decision).map(drop)
    }

    /// Admits a call, waiting for its turn if that comes within `max_wait`
    /// (on tokio's clock); refuses at once otherwise. A turn is reserved when
    /// the wait starts: dropping the future before it ends gives it back.
    pub async fn wait_at_most(&self, max_wait: Duration) -> Result<(), GuardError> {
        let decision = self
            .cell
            .decide(&self.core.gcra, self.core.now(), nanos(max_wait));
        let wait = self.core.judge(decision)?;
        let interval = self.core.gcra.interval;
        wait_turn(&self.core, wait, || self.cell.give_back(interval)).await;
        Ok(())
    }

    /// Admits a call as [`wait_at_most`](Self::wait_at_most) does (with a
    /// zero `max_wait`, as [`check`](Self::check)), or, for a `shared`
    /// limiter while Redis answers, as the fleet's limit decides: one
    /// script on Redis' clock per call, within the command deadline. While
    /// Redis is unavailable the limiter decides locally at the same rate (so
    /// the fleet may then admit up to its number of instances times the
    /// rate).
    pub async fn acquire(&self, max_wait: Duration) -> Result<(), GuardError> {
        #[cfg(feature = "redis")]
        if let Some(decision) = self.core.fleet(None, max_wait).await {
            let wait = self.core.judge(decision)?;
            let (name, interval) = (&*self.core.name, self.core.gcra.interval);
            let give_back = || crate::shared::rate_limit::give_back(name, None, interval);
            wait_turn(&self.core, wait, give_back).await;
            return Ok(());
        }
        self.wait_at_most(max_wait).await
    }

    /// Waits for a turn, however long that takes.
    pub async fn until_ready(&self) {
        let _ = self.wait_at_most(Duration::MAX).await;
    }

    /// The limiter's name.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// Its settings.
    pub fn config(&self) -> &RateLimitConfig {
        &self.core.config
    }

    /// Calls allowed and limited so far.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        self.core.snapshot(None)
    }
}

/// A separate limit per key (per user, per IP, per tenant), with memory that
/// stays bounded: a key whose limit has fully recovered holds no state, and
/// [`max_keys`](RateLimitConfig::max_keys) bounds the rest.
///
/// ```
/// use opguard_runtime::rate_limit::{Rate, RateLimiter};
///
/// let per_user = RateLimiter::builder("docs.per-user")
///     .rate(Rate::per_second(1))
///     .build_keyed::<u64>()
///     .unwrap();
/// assert!(per_user.check(&1).is_ok());
/// assert!(per_user.check(&2).is_ok());
/// assert!(per_user.check(&1).is_err());
/// ```
pub struct KeyedRateLimiter<K> {
    core: Core,
    keys: Keyed<K>,
}

impl<K> std::fmt::Debug for KeyedRateLimiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedRateLimiter")
            .field("core", &self.core)
            .field("keys", &self.keys)
            .finish()
    }
}

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    pub(crate) fn new(core: Core) -> Self {
        let recovery = core
            .gcra
            .interval
            .saturating_mul(u64::from(core.config.burst()));
        Self {
            keys: Keyed::new(core.config.max_keys, recovery),
            core,
        }
    }

    /// Admits a call for `key` now, or refuses it with
    /// [`GuardError::RateLimited`].
    #[inline]
    pub fn check(&self, key: &K) -> Result<(), GuardError> {
        let decision = self.keys.decide(key, &self.core.gcra, self.core.now(), 0);
        self.core.judge(decision).map(drop)
    }

    /// As [`RateLimiter::acquire`], for `key`. A `shared` limiter names the
    /// key in Redis by its `Display` text.
    pub async fn acquire(&self, key: &K, max_wait: Duration) -> Result<(), GuardError>
    where
        K: std::fmt::Display,
    {
        #[cfg(feature = "redis")]
        if self.core.config.shared {
            let text = key.to_string();
            if let Some(decision) = self.core.fleet(Some(&text), max_wait).await {
                let wait = self.core.judge(decision)?;
                let (name, interval) = (&*self.core.name, self.core.gcra.interval);
                let give_back =
                    || crate::shared::rate_limit::give_back(name, Some(&text), interval);
                wait_turn(&self.core, wait, give_back).await;
                return Ok(());
            }
        }
        self.wait_at_most(key, max_wait).await
    }

    /// As [`RateLimiter::wait_at_most`], for `key`.
    pub async fn wait_at_most(&self, key: &K, max_wait: Duration) -> Result<(), GuardError> {
        let now = self.core.now();
        let decision = self.keys.decide(key, &self.core.gcra, now, nanos(max_wait));
        let wait = self.core.judge(decision)?;
        let interval = self.core.gcra.interval;
        wait_turn(&self.core, wait, || self.keys.give_back(key, interval)).await;
        Ok(())
    }

    /// Waits for a turn for `key`, however long that takes.
    pub async fn until_ready(&self, key: &K) {
        let _ = self.wait_at_most(key, Duration::MAX).await;
    }

    /// Forgets every key whose limit has fully recovered now (calls do this
    /// as they go; this is for a limiter that has gone quiet).
    pub fn sweep(&self) {
        self.keys.sweep(self.core.now());
    }

    /// The limiter's name.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// Its settings.
    pub fn config(&self) -> &RateLimitConfig {
        &self.core.config
    }

    /// Calls allowed and limited so far, and the keys tracked now.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        self.core.snapshot(Some(self.keys.tracked()))
    }
}

/// What the registry holds of either kind of limiter.
pub(crate) trait Limiter: std::fmt::Debug + Send + Sync + 'static {
    fn snapshot(&self) -> RateLimitSnapshot;
    fn as_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync>;
    fn kind(&self) -> &'static str;
}

impl Limiter for RateLimiter {
    fn snapshot(&self) -> RateLimitSnapshot {
        RateLimiter::snapshot(self)
    }
    fn as_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> {
        self
    }
    fn kind(&self) -> &'static str {
        "a limiter without keys"
    }
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> Limiter for KeyedRateLimiter<K> {
    fn snapshot(&self) -> RateLimitSnapshot {
        KeyedRateLimiter::snapshot(self)
    }
    fn as_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> {
        self
    }
    fn kind(&self) -> &'static str {
        std::any::type_name::<K>()
    }
}
