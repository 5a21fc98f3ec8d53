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
    /// A second tier in Redis that every instance reads and fills (feature
    /// `redis`; `CacheBuilder::build_shared`).
    pub shared: bool,
    /// How long a shared cache keeps an entry in this instance's memory
    /// (`None`: `ttl`, which also bounds it); `ttl` is then Redis' time to live.
    pub local_ttl: Option<Duration>,
    /// How long an instance waits for another instance loading the same key
    /// of a shared cache before it runs the body itself.
    pub load_timeout: Duration,
    /// How soon every instance forgets an entry invalidated elsewhere (a
    /// shared cache polls for invalidations it missed this often).
    pub sync_interval: Duration,
}

impl CacheConfig {
    /// Five minutes to live, no idle limit, 10 000 entries, not shared (and
    /// for a shared cache: `local_ttl` = `ttl`, `load_timeout` 5 s,
    /// `sync_interval` 100 ms).
    pub const DEFAULT: Self = Self {
        ttl: Duration::from_secs(300),
        tti: None,
        max_capacity: 10_000,
        shared: false,
        local_ttl: None,
        load_timeout: Duration::from_secs(5),
        sync_interval: Duration::from_millis(100),
    };

    /// How long this instance's memory keeps an entry: `local_ttl`, else `ttl`.
    pub const fn memory_ttl(&self) -> Duration {
        match self.local_ttl {
            Some(local) => local,
            None => self.ttl,
        }
    }
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
        let local = self.memory_ttl();
        rules! { option;
            ["ttl"] !self.ttl.is_zero() => "`ttl` must be longer than zero";
            ["ttl"] self.ttl.as_nanos() <= max
                => "`ttl` must be at most 1000 years, the most moka keeps an entry";
            ["tti"] !tti.is_zero() => "`tti` must be longer than zero";
            ["tti"] tti.as_nanos() <= max
                => "`tti` must be at most 1000 years, the most moka keeps an entry";
            ["max_capacity"] self.max_capacity >= 1 => "`max_capacity` must be at least 1";
            ["shared"] !self.shared || cfg!(feature = "redis")
                => "`shared` needs opguard's `redis` feature: `opguard = { version = \"0.1\", features = [\"redis\"] }`";
            ["local_ttl"] match self.local_ttl { Some(local) => !local.is_zero(), None => true }
                => "`local_ttl` must be longer than zero";
            ["local_ttl", "ttl"] local.as_nanos() <= self.ttl.as_nanos()
                => "`local_ttl` must be at most `ttl`: an entry stays in memory no longer than in Redis";
            ["load_timeout"] !self.load_timeout.is_zero() => "`load_timeout` must be longer than zero";
            ["sync_interval"] !self.sync_interval.is_zero() => "`sync_interval` must be longer than zero";
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

    #[test]
    fn shared_settings_have_their_rules() {
        let shared = CacheConfig {
            shared: true,
            ..CacheConfig::DEFAULT
        };
        assert_eq!(shared.validate().is_ok(), cfg!(feature = "redis"));
        if !cfg!(feature = "redis") {
            let message = shared.validate().unwrap_err().message;
            assert!(message.contains("`redis` feature"), "{message}");
        }
        let longer = CacheConfig {
            ttl: Duration::from_secs(60),
            local_ttl: Some(Duration::from_secs(61)),
            ..CacheConfig::DEFAULT
        };
        // Reported at either option, as both are part of the rule.
        assert_eq!(
            longer.check(Some("local_ttl")).unwrap_err().option,
            "local_ttl"
        );
        assert!(longer.check(Some("ttl")).is_err());
        assert_eq!(longer.memory_ttl(), Duration::from_secs(61));
        assert_eq!(CacheConfig::DEFAULT.memory_ttl(), CacheConfig::DEFAULT.ttl);
        for (option, config) in [
            (
                "local_ttl",
                CacheConfig {
                    local_ttl: Some(Duration::ZERO),
                    ..CacheConfig::DEFAULT
                },
            ),
            (
                "load_timeout",
                CacheConfig {
                    load_timeout: Duration::ZERO,
                    ..CacheConfig::DEFAULT
                },
            ),
            (
                "sync_interval",
                CacheConfig {
                    sync_interval: Duration::ZERO,
                    ..CacheConfig::DEFAULT
                },
            ),
        ] {
            assert_eq!(config.validate().unwrap_err().option, option);
        }
    }
}
