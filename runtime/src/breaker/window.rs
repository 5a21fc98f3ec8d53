//! The rolling time window: ten buckets of `window / 10` each, indexed by
//! time, so recording and summing are O(1) and allocate nothing.
//!
//! Each bucket counter packs the bucket's epoch (which `window / 10` slice of
//! time it counts) with the count, so a stale bucket is recycled by the same
//! compare-and-swap that counts into it.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

pub(crate) const BUCKETS: u64 = 10;
/// `MAX_WINDOW_COUNT` is the largest count.
const COUNT_BITS: u32 = 24;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// What a bucket counts.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Calls = 0,
    Failures = 1,
    Slow = 2,
}

pub(crate) struct Window {
    width: u64,
    buckets: [[AtomicU64; 3]; BUCKETS as usize],
}

/// Counts within the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) calls: u64,
    pub(crate) failures: u64,
    pub(crate) slow: u64,
}

impl Window {
    pub(crate) fn new(window: Duration) -> Self {
        let nanos = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        Self {
            width: (nanos / BUCKETS).max(1),
            buckets: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
        }
    }

    /// The bucket epoch of a time (nanoseconds since the breaker's start).
    pub(crate) fn epoch(&self, now: u64) -> u64 {
        now / self.width
    }

    pub(crate) fn add(&self, kind: Kind, now: u64) {
        let epoch = self.epoch(now);
        let cell = &self.buckets[(epoch % BUCKETS) as usize][kind as usize];
        let _ = cell.fetch_update(Relaxed, Relaxed, |packed| {
            Some(if packed >> COUNT_BITS == epoch {
                packed + u64::from(packed & COUNT_MASK < COUNT_MASK)
            } else {
                epoch << COUNT_BITS | 1
            })
        });
    }

    pub(crate) fn counts(&self, now: u64) -> Counts {
        let current = self.epoch(now);
        let count = |kind: Kind| {
            self.buckets
                .iter()
                .map(|bucket| bucket[kind as usize].load(Relaxed))
                .filter(|packed| {
                    let epoch = packed >> COUNT_BITS;
                    epoch <= current && current - epoch < BUCKETS
                })
                .map(|packed| packed & COUNT_MASK)
                .sum()
        };
        Counts {
            calls: count(Kind::Calls),
            failures: count(Kind::Failures),
            slow: count(Kind::Slow),
        }
    }

    /// Forgets everything counted so far.
    pub(crate) fn clear(&self) {
        for bucket in &self.buckets {
            for cell in bucket {
                // An epoch no time maps to: `now / width` is never `u64::MAX >> 24`
                // for any `now` a breaker lives to see.
                cell.store(u64::MAX << COUNT_BITS, Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, Window};
    use std::time::Duration;

    const MS: u64 = 1_000_000;

    #[test]
    fn counts_what_falls_inside_the_window_only() {
        let window = Window::new(Duration::from_secs(10)); // 1 s buckets
        window.add(Kind::Failures, 0);
        window.add(Kind::Failures, 500 * MS);
        window.add(Kind::Calls, 9_999 * MS);
        assert_eq!(window.counts(9_999 * MS).failures, 2);
        assert_eq!(window.counts(9_999 * MS).calls, 1);
        // At 10 s the first bucket (0..1 s) has left the window.
        assert_eq!(window.counts(10_000 * MS).failures, 0);
        assert_eq!(window.counts(10_000 * MS).calls, 1);
        // A bucket is recycled when its slot comes round again.
        window.add(Kind::Failures, 10_100 * MS);
        assert_eq!(window.counts(10_100 * MS).failures, 1);
    }

    #[test]
    fn clear_forgets_everything() {
        let window = Window::new(Duration::from_secs(1));
        window.add(Kind::Slow, 0);
        window.clear();
        assert_eq!(window.counts(0).slow, 0);
        window.add(Kind::Slow, 0);
        assert_eq!(window.counts(0).slow, 1);
    }
}
