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

impl CacheConfig {
    /// The longest `ttl` and `tti`: 1 000 years of 365 days, moka's limit.
    pub const MAX_EXPIRY: Duration = Duration::from_secs(1_000 * 365 * 24 * 3600);

    /// What is wrong with these settings, if anything.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opguard_runtime::cache::CacheConfig;
    ///
    /// assert!(CacheConfig::DEFAULT.validate().is_ok());
    /// let forever = CacheConfig { ttl: Duration::MAX, ..CacheConfig::DEFAULT };
    /// assert!(forever.validate().unwrap_err().contains("1000 years"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        if self.ttl > Self::MAX_EXPIRY {
            return Err(format!(
                "ttl is {:?}, longer than the most moka keeps an entry (1000 years)",
                self.ttl
            ));
        }
        if let Some(tti) = self.tti.filter(|tti| *tti > Self::MAX_EXPIRY) {
            return Err(format!(
                "tti is {tti:?}, longer than the most moka keeps an entry (1000 years)"
            ));
        }
        Ok(())
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}
