//! A cache's settings.

use std::time::Duration;

use crate::config_error::{ConfigError, rules};

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

    /// What is wrong with these settings, if anything: the first broken
    /// rule. The builder and the attribute (at compile time) use these rules.
    ///
    /// ```
    /// use std::time::Duration;
    /// use opguard_runtime::cache::CacheConfig;
    ///
    /// assert!(CacheConfig::DEFAULT.validate().is_ok());
    /// let forever = CacheConfig { ttl: Duration::MAX, ..CacheConfig::DEFAULT };
    /// assert!(forever.validate().unwrap_err().to_string().contains("1000 years"));
    /// ```
    pub const fn validate(&self) -> Result<(), ConfigError> {
        self.check(None)
    }

    /// The first broken rule that involves `option` (every rule for `None`).
    pub(crate) const fn check(&self, option: Option<&str>) -> Result<(), ConfigError> {
        let max = Self::MAX_EXPIRY.as_nanos();
        let tti = match self.tti {
            Some(tti) => tti,
            None => Duration::from_secs(1),
        };
        rules! { option;
            ["ttl"] !self.ttl.is_zero() => "`ttl` must be longer than zero";
            ["ttl"] self.ttl.as_nanos() <= max
                => "`ttl` must be at most 1000 years, the most moka keeps an entry";
            ["tti"] !tti.is_zero() => "`tti` must be longer than zero";
            ["tti"] tti.as_nanos() <= max
                => "`tti` must be at most 1000 years, the most moka keeps an entry";
            ["max_capacity"] self.max_capacity >= 1 => "`max_capacity` must be at least 1";
        }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::CacheConfig;
    use crate::config_error::number_in;
    use std::time::Duration;

    #[test]
    fn the_expiry_limit_named_is_the_limit() {
        let years = CacheConfig::MAX_EXPIRY.as_secs() / (365 * 24 * 3600);
        let long = Duration::from_secs(1001 * 365 * 24 * 3600);
        let ttl = CacheConfig {
            ttl: long,
            ..CacheConfig::DEFAULT
        };
        let tti = CacheConfig {
            tti: Some(long),
            ..CacheConfig::DEFAULT
        };
        assert_eq!(number_in(ttl.validate().unwrap_err().message), years);
        assert_eq!(tti.check(Some("tti")).unwrap_err().option, "tti");
        assert_eq!(number_in(tti.validate().unwrap_err().message), years);
        assert!(tti.check(Some("ttl")).is_ok());
    }

    #[test]
    fn zero_settings_are_refused() {
        let zero = CacheConfig {
            ttl: Duration::ZERO,
            ..CacheConfig::DEFAULT
        };
        assert_eq!(zero.validate().unwrap_err().option, "ttl");
        let none = CacheConfig {
            max_capacity: 0,
            ..CacheConfig::DEFAULT
        };
        assert_eq!(none.validate().unwrap_err().option, "max_capacity");
    }
}
