//! What a cache counts, and its snapshot.

#[cfg(feature = "serde")]
use serde::Serialize;

use crate::counters::Striped;

const HITS: usize = 0;
const MISSES: usize = 1;
const LOADS: usize = 2;

/// Counters of one cache's calls: striped counts (no shared write on the
/// hit path). What its tier knows (entries, evictions) is added by the tier.
#[derive(Default)]
pub(crate) struct Counters {
    striped: StripedCounts,
}

pub(crate) struct StripedCounts(Striped<3>);

impl Default for StripedCounts {
    fn default() -> Self {
        Self(Striped::new())
    }
}

impl Counters {
    #[inline]
    pub(crate) fn hit(&self) {
        self.striped.0.add(HITS, 1);
    }

    #[inline]
    pub(crate) fn miss(&self) {
        self.striped.0.add(MISSES, 1);
    }

    pub(crate) fn load(&self) {
        self.striped.0.add(LOADS, 1);
    }

    /// The figures of the calls; `evictions` and `entries` are the tier's
    /// to fill.
    pub(crate) fn snapshot(&self, name: &str) -> CacheStats {
        let hits = self.striped.0.sum(HITS);
        let misses = self.striped.0.sum(MISSES);
        let lookups = hits + misses;
        CacheStats {
            name: name.to_owned(),
            hits,
            misses,
            hit_rate: if lookups == 0 {
                0.0
            } else {
                hits as f64 / lookups as f64
            },
            loads: self.striped.0.sum(LOADS),
            evictions: 0,
            entries: 0,
            shared: false,
            shared_hits: 0,
            shared_misses: 0,
            shared_errors: 0,
        }
    }
}

/// What a cache has seen, read at one moment.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct CacheStats {
    /// The cache's name.
    pub name: String,
    /// Calls answered from the cache.
    pub hits: u64,
    /// Calls that found no entry (they ran the body, or waited for a call
    /// that was running it).
    pub misses: u64,
    /// `hits / (hits + misses)`, `0.0` before any call.
    pub hit_rate: f64,
    /// Times the body ran.
    pub loads: u64,
    /// Entries removed by size or expiry (moka's `RemovalCause::was_evicted`);
    /// counted as moka processes them, so possibly later than the removal.
    pub evictions: u64,
    /// Entries held (moka's estimate, exact after its pending tasks ran).
    pub entries: u64,
    /// Whether the cache has a second tier in Redis (`shared`); the three
    /// counts below stay 0 otherwise.
    pub shared: bool,
    /// Misses of this instance's memory that Redis answered with a value
    /// (directly, or after waiting for another instance's load).
    pub shared_hits: u64,
    /// Misses of this instance's memory that Redis did not answer with a
    /// value (none there, an entry of another type or format, or Redis
    /// unavailable): this instance ran the body.
    pub shared_misses: u64,
    /// Redis commands of this cache that failed or missed their deadline
    /// (the caller got its value from memory or the body all the same).
    pub shared_errors: u64,
}
