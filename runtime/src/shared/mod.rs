//! The shared tier (feature `redis`, SPEC §9): instances of one service
//! share breaker state through Redis.
//!
//! [`connect`] once at start-up; every breaker built with `shared` (the
//! attribute's flag, or [`BreakerBuilder::shared`](crate::breaker::BreakerBuilder::shared))
//! then follows one fleet-wide state:
//!
//! - The closed path never waits on Redis: each call is decided by the
//!   local breaker, which holds the fleet state it last learned.
//! - Outcomes are counted locally and added to the fleet's counters at
//!   least every `sync_interval`, as cumulative totals per instance, so a
//!   retried or lost flush never loses or double-counts one.
//! - Transitions are one generation-checked Lua script on Redis' clock
//!   (`TIME`); they are announced on pub/sub, with polling as the backstop.
//! - Half-open probes are fleet-wide leases that expire with their instance.
//! - While Redis is unavailable every breaker protects with its local
//!   window and reconciles when Redis is back.
//!
//! Every key of one breaker carries one `{hash tag}`, so that a Redis
//! Cluster keeps it in one slot; scripts are loaded once and run by `EVALSHA`
//! (reloaded on `NOSCRIPT`); every command has a deadline.
//!
//! ```no_run
//! # async fn start() -> Result<(), opguard_runtime::shared::ConnectError> {
//! opguard_runtime::shared::connect("redis://127.0.0.1:6379/0").await?;
//! assert!(opguard_runtime::shared::status().connected);
//! # Ok(()) }
//! ```

pub(crate) mod breaker;
pub(crate) mod cache;
mod config;
mod conn;
mod error;
mod pubsub;
pub(crate) mod rate_limit;
mod status;

pub use config::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, SharedConfig};
pub use conn::SHARED_CHECK;
pub use error::{ConnectError, ConnectErrorKind};
pub use status::{SharedStatus, status};

/// Connects this process to the Redis at `url` (or to a Cluster through
/// several node URLs separated by commas, as in `OPGUARD_REDIS_URL`), with
/// the command deadline
/// and key prefix of the environment (`OPGUARD_REDIS_TIMEOUT`,
/// `OPGUARD_REDIS_PREFIX`) or their defaults. Call it once, at start-up,
/// inside the tokio runtime that is to run the tier's background work.
///
/// A bad URL, an unreachable server or a refused password is an `Err` that
/// says which and why (no password in it). After start-up a lost
/// connection is never an error of a guarded call.
pub async fn connect(url: &str) -> Result<(), ConnectError> {
    connect_with(SharedConfig::from_url_list(url).with_env()?).await
}

/// [`connect`] with every setting from the environment:
/// `OPGUARD_REDIS_URL` (comma-separated nodes for a Cluster),
/// `OPGUARD_REDIS_TIMEOUT`, `OPGUARD_REDIS_PREFIX`, `OPGUARD_INSTANCE`.
pub async fn connect_from_env() -> Result<(), ConnectError> {
    connect_with(SharedConfig::from_env()?).await
}

/// [`connect`] with settings from code.
pub async fn connect_with(config: SharedConfig) -> Result<(), ConnectError> {
    config.check()?;
    conn::open(config).await
}

/// Sends every shared breaker's outcomes not yet in Redis now, and learns
/// the fleet's state: before a planned shutdown, so that nothing counted is
/// lost. Returns whether every flush reached Redis.
pub async fn flush() -> bool {
    breaker::sync_all().await
}
