//! What can go wrong with a cache, as an error value.

/// Why a cache operation could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheError {
    /// The key is not of the cache's key type.
    KeyType {
        /// The cache.
        cache: String,
        /// Its key type.
        expected: &'static str,
        /// The type given.
        given: &'static str,
    },
    /// `invalidate_blocking` on the cache of an async function: await
    /// [`CacheHandle::invalidate`](super::CacheHandle::invalidate) instead.
    AsyncCache {
        /// The cache.
        cache: String,
    },
    /// The settings are out of range (see [`CacheConfig::validate`](super::CacheConfig::validate)).
    Config {
        /// The cache.
        cache: String,
        /// What is wrong.
        problem: String,
    },
    /// Two functions (or a function and a builder) registered one name.
    NameTaken {
        /// The name.
        name: String,
        /// Who registered it first.
        first: String,
        /// Who asked for it again.
        second: String,
    },
}

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheError::KeyType {
                cache,
                expected,
                given,
            } => {
                write!(
                    f,
                    "cache `{cache}` has keys of type `{expected}`, not `{given}`"
                )
            }
            CacheError::AsyncCache { cache } => {
                write!(
                    f,
                    "cache `{cache}` belongs to an async function: await `invalidate` instead"
                )
            }
            CacheError::Config { cache, problem } => {
                write!(f, "invalid settings for cache `{cache}`: {problem}")
            }
            CacheError::NameTaken {
                name,
                first,
                second,
            } => write!(
                f,
                "cache name `{name}` is used by both `{first}` and `{second}`; give one of them another `name`"
            ),
        }
    }
}

impl std::error::Error for CacheError {}
