//! Counters that many threads bump without sharing a cache line.
//!
//! Each thread owns a cache-line-aligned slot and is its only writer, so an
//! increment is a plain load and store (no atomic read-modify-write, no
//! contention); a read sums the slots. Exact: every increment lands in exactly
//! one slot, and a slot outlives its thread (a later thread may reuse it).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use thread_local::ThreadLocal;

/// Aligned so that two threads' slots never share a cache line.
#[repr(align(128))]
struct Slot<const N: usize>([AtomicU64; N]);

impl<const N: usize> Default for Slot<N> {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

/// `N` counters, kept per thread.
pub(crate) struct PerThread<const N: usize> {
    slots: ThreadLocal<Slot<N>>,
}

impl<const N: usize> std::fmt::Debug for PerThread<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sums: Vec<u64> = (0..N).map(|i| self.sum(i)).collect();
        f.debug_tuple("PerThread").field(&sums).finish()
    }
}

impl<const N: usize> PerThread<N> {
    pub(crate) fn new() -> Self {
        Self {
            slots: ThreadLocal::new(),
        }
    }

    /// Adds `n` to counter `index` (wrapping, so that differences such as
    /// started − finished stay right when a task moves between threads).
    #[inline(always)]
    pub(crate) fn add(&self, index: usize, n: u64) {
        let counter = &self.slots.get_or_default().0[index];
        // This thread is the slot's only writer.
        counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
    }

    /// The sum of counter `index` over all threads.
    pub(crate) fn sum(&self, index: usize) -> u64 {
        self.slots.iter().fold(0u64, |sum, slot| {
            sum.wrapping_add(slot.0[index].load(Relaxed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PerThread;
    use std::sync::Arc;

    #[test]
    fn sums_are_exact_across_threads() {
        let counters = Arc::new(PerThread::<2>::new());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let counters = counters.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        counters.add(0, 1);
                    }
                    counters.add(1, 3);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(counters.sum(0), 80_000);
        assert_eq!(counters.sum(1), 24);
    }

    #[test]
    fn differences_survive_wrapping() {
        let counters = PerThread::<2>::new();
        counters.add(0, 5);
        std::thread::scope(|s| {
            s.spawn(|| counters.add(1, 5));
        });
        assert_eq!(counters.sum(0).wrapping_sub(counters.sum(1)), 0);
    }
}
