//! Counters that many threads bump without sharing a cache line.
//!
//! A counter set is split into [`STRIPES`] cache-line-aligned stripes. Each
//! live thread holds a number, taken the first time it counts and given back
//! when it exits (a `const` thread-local without a destructor, so reading it
//! is one load). Numbers `1 .. STRIPES` own a stripe each: their holder is
//! its only writer, so an add is a plain load and store, with no atomic
//! read-modify-write and no contention. A thread numbered while all 15 of
//! those are held gets a higher number, which owns no stripe, and keeps it
//! for life; such threads, and a thread counting from its thread-local
//! destructors after its number is given back, share stripe 0 with an atomic
//! add. A read sums the stripes.
//!
//! Exact: every add lands in one stripe, either by its only writer or
//! atomically; a number passes to another thread only through a lock, after
//! its last holder's last add.
//!
//! Why not the `thread_local` crate's slot per thread (used before): its
//! lookup is a call to a thread-id accessor, a bucket load and a presence
//! check, about 18 instructions on every call of a guarded function, and its
//! cold path put a 128-byte-aligned slot on the caller's stack, which made
//! every caller realign its frame.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Stripes per counter set: 16 cache lines, 2 KiB per set of up to 16
/// counters; 15 threads count at once without sharing one.
pub(crate) const STRIPES: usize = 16;

/// Aligned so that two stripes never share a cache line.
#[repr(align(128))]
struct Stripe<const N: usize>([AtomicU64; N]);

thread_local! {
    /// This thread's number: [`NONE`] until it first asks, [`GIVEN_BACK`]
    /// once its thread-local destructors have given it back. No destructor
    /// of its own, so reading it is one load, also during thread exit.
    static NUMBER: Cell<usize> = const { Cell::new(NONE) };
    /// Gives the thread's number back when the thread exits; touched once,
    /// when the number is taken, so that its destructor is registered.
    static GIVE_BACK: GiveBack = const { GiveBack };
}

const NONE: usize = 0;
const GIVEN_BACK: usize = usize::MAX;

struct GiveBack;

impl Drop for GiveBack {
    fn drop(&mut self) {
        let number = NUMBER.replace(GIVEN_BACK);
        if (1..STRIPES).contains(&number) {
            FREE.lock().unwrap_or_else(|e| e.into_inner()).push(number);
        }
    }
}

/// Numbers given back by threads that exited, taken before new ones.
static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// The next new number.
static NEXT: AtomicUsize = AtomicUsize::new(1);

/// This thread's number: what picks its stripe here and its home stripe in
/// a timer's histogram. Never [`NONE`]; [`GIVEN_BACK`] (which owns no
/// stripe) from the thread's exit on.
#[inline(always)]
pub(crate) fn thread_number() -> usize {
    match NUMBER.get() {
        NONE => take_number(),
        number => number,
    }
}

#[cold]
#[inline(never)]
fn take_number() -> usize {
    // A thread already past its `GiveBack` destructor could not give a
    // number back: it gets none.
    let number = if GIVE_BACK.try_with(|_| ()).is_err() {
        GIVEN_BACK
    } else {
        let freed = FREE.lock().unwrap_or_else(|e| e.into_inner()).pop();
        freed.unwrap_or_else(|| match NEXT.fetch_add(1, Relaxed) {
            // The sequence wrapped (after 2^64 threads): share stripe 0.
            NONE | GIVEN_BACK => GIVEN_BACK,
            number => number,
        })
    };
    NUMBER.set(number);
    number
}

/// `N` counters, kept in stripes.
pub(crate) struct Striped<const N: usize> {
    stripes: [Stripe<N>; STRIPES],
}

impl<const N: usize> std::fmt::Debug for Striped<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sums: Vec<u64> = (0..N).map(|i| self.sum(i)).collect();
        f.debug_tuple("Striped").field(&sums).finish()
    }
}

impl<const N: usize> Striped<N> {
    pub(crate) fn new() -> Self {
        Self {
            stripes: std::array::from_fn(|_| Stripe(std::array::from_fn(|_| AtomicU64::new(0)))),
        }
    }

    /// Adds `n` to counter `index` (wrapping, so that differences such as
    /// started − finished stay right when a task moves between threads).
    #[inline(always)]
    pub(crate) fn add(&self, index: usize, n: u64) {
        let number = thread_number();
        if number < STRIPES {
            // This thread is the stripe's only writer.
            let counter = &self.stripes[number].0[index];
            counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
        } else {
            self.stripes[0].0[index].fetch_add(n, Relaxed);
        }
    }

    /// The sum of counter `index` over all stripes.
    pub(crate) fn sum(&self, index: usize) -> u64 {
        self.stripes.iter().fold(0u64, |sum, stripe| {
            sum.wrapping_add(stripe.0[index].load(Relaxed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{STRIPES, Striped, thread_number};
    use std::sync::Arc;

    /// The tests that hold many numbers at once, one at a time, so that
    /// `numbers_are_given_back_at_exit` finds owning numbers free.
    static MANY_THREADS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn numbers_are_given_back_at_exit() {
        let _serial = MANY_THREADS.lock().unwrap_or_else(|e| e.into_inner());
        // Far more threads, one after another, than there are owning
        // numbers: without give-back the last would get a number > 15.
        let counters = Striped::<1>::new();
        let owning = (0..10 * STRIPES)
            .map(|_| {
                std::thread::scope(|s| {
                    s.spawn(|| {
                        counters.add(0, 1);
                        thread_number() < STRIPES
                    })
                    .join()
                    .unwrap()
                })
            })
            .filter(|&owns| owns)
            .count();
        assert_eq!(counters.sum(0), 10 * STRIPES as u64);
        // Other tests' threads may hold numbers for a while; most of these
        // threads still got an owning one.
        assert!(
            owning > 9 * STRIPES,
            "{owning} of {} owned a stripe",
            10 * STRIPES
        );
    }

    #[test]
    fn sums_are_exact_across_threads() {
        let _serial = MANY_THREADS.lock().unwrap_or_else(|e| e.into_inner());
        // More threads than stripes, so some share a stripe.
        let threads = 2 * STRIPES + 3;
        let counters = Arc::new(Striped::<2>::new());
        let barrier = Arc::new(std::sync::Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let counters = counters.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..10_000 {
                        counters.add(0, 1);
                    }
                    counters.add(1, 3);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(counters.sum(0), threads as u64 * 10_000);
        assert_eq!(counters.sum(1), threads as u64 * 3);
    }

    #[test]
    fn live_threads_hold_distinct_numbers() {
        let _serial = MANY_THREADS.lock().unwrap_or_else(|e| e.into_inner());
        let threads = STRIPES - 1;
        let barrier = Arc::new(std::sync::Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let number = thread_number();
                    // Every thread holds its number until all have one.
                    barrier.wait();
                    assert_eq!(thread_number(), number, "a thread keeps its number");
                    number
                })
            })
            .collect();
        let mut numbers: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(!numbers.contains(&super::NONE));
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), threads, "two live threads shared a number");
    }

    /// A value whose drop counts, in a thread-local registered before the
    /// thread's number, so it is dropped after the number is given back.
    struct CountOnExit(Arc<Striped<1>>);

    impl Drop for CountOnExit {
        fn drop(&mut self) {
            self.0.add(0, 1);
        }
    }

    thread_local! {
        static ON_EXIT: std::cell::RefCell<Option<CountOnExit>> = const { std::cell::RefCell::new(None) };
    }

    #[test]
    fn counts_from_thread_local_destructors_after_the_number_is_given_back_are_kept() {
        let counters = Arc::new(Striped::<1>::new());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let counters = counters.clone();
                std::thread::spawn(move || {
                    // Registered first, so destroyed last.
                    ON_EXIT.with(|slot| *slot.borrow_mut() = Some(CountOnExit(counters.clone())));
                    counters.add(0, 10);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(counters.sum(0), 4 * 11);
    }

    #[test]
    fn differences_survive_wrapping() {
        let counters = Striped::<2>::new();
        counters.add(0, 5);
        std::thread::scope(|s| {
            s.spawn(|| counters.add(1, 5));
        });
        assert_eq!(counters.sum(0).wrapping_sub(counters.sum(1)), 0);
    }
}
