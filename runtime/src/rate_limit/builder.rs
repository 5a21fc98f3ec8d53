//! Building a limiter without the macro, and registering it by name.

use std::borrow::Cow;
use std::hash::Hash;
use std::sync::Arc;

use super::config::{Rate, RateLimitConfig};
use super::limiter::{Core, KeyedRateLimiter, Limiter, RateLimiter};
use super::registry;
use crate::ConfigError;

/// Why a limiter could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitError {
    /// No [`rate`](RateLimiterBuilder::rate) was given.
    NoRate {
        /// The limiter's name.
        name: String,
    },
    /// A setting is out of range.
    Config(ConfigError),
    /// The name is taken by a limiter of another kind (with keys of another
    /// type, or without keys).
    Taken {
        /// The name.
        name: String,
        /// What the registered limiter keeps: a key type, or "a limiter
        /// without keys".
        holds: &'static str,
    },
}

impl std::fmt::Display for RateLimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RateLimitError::NoRate { name } => write!(
                f,
                "rate limiter `{name}` has no rate: call `.rate(Rate::per_second(..))`"
            ),
            RateLimitError::Config(invalid) => invalid.fmt(f),
            RateLimitError::Taken { name, holds } => write!(
                f,
                "the name `{name}` is taken by a rate limiter of another kind ({holds}); \
                 give this one another name"
            ),
        }
    }
}

impl std::error::Error for RateLimitError {}

/// Settings of a limiter before it is built: [`RateLimiter::builder`].
///
/// The first limiter built under a name is registered and serves every
/// later build of that name (of the same kind), whatever their settings: a
/// name is one limit.
#[derive(Debug, Clone)]
#[must_use]
pub struct RateLimiterBuilder {
    name: Cow<'static, str>,
    rate: Option<Rate>,
    config: Option<RateLimitConfig>,
    burst: Option<u32>,
    max_keys: Option<usize>,
    shared: bool,
}

impl RateLimiter {
    /// A builder for the limiter named `name`.
    pub fn builder(name: impl Into<Cow<'static, str>>) -> RateLimiterBuilder {
        RateLimiterBuilder {
            name: name.into(),
            rate: None,
            config: None,
            burst: None,
            max_keys: None,
            shared: false,
        }
    }
}

impl RateLimiterBuilder {
    /// The steady rate (required).
    pub fn rate(mut self, rate: Rate) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Calls allowed at once after an idle period (default: the rate's count).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = Some(burst);
        self
    }

    /// One limit for every instance using this name and Redis (feature
    /// `redis`, after `opguard::shared::connect`): decided per call by one
    /// script on Redis' clock in [`RateLimiter::acquire`] and
    /// [`KeyedRateLimiter::acquire`](super::KeyedRateLimiter::acquire);
    /// locally, at the same rate, while Redis is unavailable.
    pub fn shared(mut self) -> Self {
        self.shared = true;
        self
    }

    /// The most keys a keyed limiter tracks (default
    /// [`RateLimitConfig::DEFAULT_MAX_KEYS`]).
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = Some(max_keys);
        self
    }

    /// Every setting at once (the macro's way); later calls override parts.
    pub fn config(mut self, config: RateLimitConfig) -> Self {
        self.config = Some(config);
        self
    }

    fn core(&self) -> Result<Core, RateLimitError> {
        let mut config = match (self.config, self.rate) {
            (_, Some(rate)) => RateLimitConfig {
                rate,
                ..self.config.unwrap_or(RateLimitConfig::new(rate))
            },
            (Some(config), None) => config,
            (None, None) => {
                return Err(RateLimitError::NoRate {
                    name: self.name.to_string(),
                });
            }
        };
        if let Some(burst) = self.burst {
            config.burst = Some(burst);
        }
        if let Some(max_keys) = self.max_keys {
            config.max_keys = max_keys;
        }
        config.shared |= self.shared;
        config.validate().map_err(RateLimitError::Config)?;
        Ok(Core::new(self.name.clone(), config))
    }

    /// The limiter without keys registered under the name, built now if there
    /// is none.
    pub fn build(self) -> Result<Arc<RateLimiter>, RateLimitError> {
        let core = self.core()?;
        registered(&self.name, || Arc::new(RateLimiter::new(core)))
    }

    /// The limiter with a limit per key of type `K` registered under the
    /// name, built now if there is none.
    pub fn build_keyed<K>(self) -> Result<Arc<KeyedRateLimiter<K>>, RateLimitError>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
    {
        let core = self.core()?;
        registered(&self.name, || Arc::new(KeyedRateLimiter::new(core)))
    }
}

/// The limiter of type `L` under `name`, registered by `make` if absent.
fn registered<L: Limiter>(
    name: &str,
    make: impl FnOnce() -> Arc<L>,
) -> Result<Arc<L>, RateLimitError> {
    let (entry, _) = registry().get_or_register(name, || registry::Entry(make()));
    let holds = entry.0.kind();
    Arc::clone(&entry.0)
        .as_any()
        .downcast::<L>()
        .map_err(|_| RateLimitError::Taken {
            name: name.to_owned(),
            holds,
        })
}
