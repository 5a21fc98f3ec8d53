//! Making and registering breakers by hand: [`Breaker::builder`].

use std::time::Duration;

use super::clock::Clock;
use super::config::BreakerConfig;
use super::handle::Breaker;

impl Breaker {
    /// Starts configuring a breaker named `name`.
    pub fn builder(name: impl Into<String>) -> BreakerBuilder {
        BreakerBuilder::new(name.into())
    }
}

/// Builds (or finds) a [`Breaker`]; from [`Breaker::builder`].
///
/// The first registration of a name wins: building a name that exists returns
/// the registered breaker, and if the settings differ a `warn` event says so.
#[derive(Debug, Clone)]
#[must_use]
pub struct BreakerBuilder {
    pub(super) name: String,
    pub(super) config: BreakerConfig,
    clock: Clock,
}

impl BreakerBuilder {
    pub(super) fn new(name: String) -> Self {
        Self {
            name,
            config: BreakerConfig::DEFAULT,
            clock: Clock::tokio(),
        }
    }

    /// Starts from these settings.
    pub fn config(mut self, config: BreakerConfig) -> Self {
        self.config = config;
        self
    }

    /// Open after this many failures within the window (default 5).
    pub fn failure_threshold(mut self, failures: u32) -> Self {
        self.config.failure_threshold = failures;
        self
    }

    /// The rolling window (default 60 s).
    pub fn window(mut self, window: Duration) -> Self {
        self.config.window = window;
        self
    }

    /// Also open at this failure share, once `minimum_calls` were made.
    pub fn failure_rate(mut self, rate: f64, minimum_calls: u32) -> Self {
        self.config.failure_rate = Some(rate);
        self.config.minimum_calls = minimum_calls;
        self
    }

    /// Also open after this many failures in a row.
    pub fn consecutive_failures(mut self, failures: u32) -> Self {
        self.config.consecutive_failures = Some(failures);
        self
    }

    /// Also open when `rate` of the calls in the window take longer than `duration`.
    pub fn slow_calls(mut self, duration: Duration, rate: f64) -> Self {
        self.config.slow_call = Some((duration, rate));
        self
    }

    /// Time open before a probe is let through (default 30 s).
    pub fn recovery_timeout(mut self, timeout: Duration) -> Self {
        self.config.recovery_timeout = timeout;
        self
    }

    /// Probes at once while half-open (default 1).
    pub fn half_open_max_calls(mut self, calls: u32) -> Self {
        self.config.half_open_max_calls = calls;
        self
    }

    /// Probe successes that close it (default 1).
    pub fn success_threshold(mut self, successes: u32) -> Self {
        self.config.success_threshold = successes;
        self
    }

    /// The longest the breaker stays half-open with every probe slot taken
    /// (default 60 s); then it reopens.
    pub fn half_open_max_duration(mut self, duration: Duration) -> Self {
        self.config.half_open_max_duration = duration;
        self
    }

    /// Abandon async calls after this long, counting a failure.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = Some(timeout);
        self
    }

    /// The clock the breaker reads (default: tokio's). Only a breaker this
    /// builder registers takes it: one registered already keeps its own.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opguard_runtime::breaker::{Breaker, Clock};
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// // An instance whose clock runs two seconds ahead of tokio's.
    /// let ahead = Clock::from_fn(|| Instant::now() + Duration::from_secs(2));
    /// let breaker = Breaker::builder("docs.clock").clock(ahead).build();
    /// # let _ = breaker;
    /// # }
    /// ```
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// One state for every instance using this name and Redis (SPEC §9;
    /// feature `redis`): outcomes are added to the fleet's counters every
    /// `sync_interval` (default 100 ms), the fleet's transitions are
    /// followed, probes are fleet-wide. Until
    /// `opguard::shared::connect` succeeds, and while Redis is unavailable,
    /// the breaker protects with its local window.
    pub fn shared(mut self, sync_interval: Duration) -> Self {
        self.config.shared = true;
        self.config.sync_interval = sync_interval;
        self
    }

    /// Registers the breaker, or returns the one registered under this name.
    ///
    /// # Panics
    ///
    /// When the settings are invalid (see [`BreakerConfig::validate`]); the
    /// attribute checks the same rules at compile time.
    pub fn build(self) -> Breaker {
        if let Err(problem) = self.config.validate() {
            panic!("invalid settings for breaker `{}`: {problem}", self.name);
        }
        Breaker::register(self.name, self.config, self.clock, false)
    }
}
