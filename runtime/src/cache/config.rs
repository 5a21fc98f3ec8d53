//! A cache's settings.

use std::time::Duration;

/// How a cache keeps entries. `const`, so that generated code keeps it in a
/// `static`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Time to live of an entry.
    pub ttl: Duration,
    /// Time to idle: an entry not read for this long expires.
    pub tti: Option<Duration>,
    /// Entries kept; beyond it the least useful are evicted (moka's TinyLFU).
    pub max_capacity: u64,
}

impl CacheConfig {
    /// Five minutes to live, no idle limit, 10 000 entries.
    pub const DEFAULT: Self = Self {
        ttl: Duration::from_secs(300),
        tti: None,
        max_capacity: 10_000,
    };
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}
