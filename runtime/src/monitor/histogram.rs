//! A latency histogram that many threads record into without sharing a lock.
//!
//! HdrHistogram (two significant digits, so quantiles are within 1%) is not
//! thread-safe, so each timer holds one per stripe behind its own mutex. A
//! thread starts at its own stripe and moves on to the next free one when that
//! is busy (short-lived threads may share a home stripe), so with as many
//! stripes as cores recording rarely waits; a snapshot merges the stripes.

use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::counters::thread_number;

const SIGNIFICANT_DIGITS: u8 = 2;

pub(crate) struct StripedHistogram {
    stripes: Box<[Mutex<Histogram<u64>>]>,
}

impl StripedHistogram {
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        let stripes = cores.clamp(1, 16).next_power_of_two();
        Self {
            stripes: (0..stripes).map(|_| Mutex::new(empty())).collect(),
        }
    }

    /// Records one latency, in nanoseconds.
    #[inline]
    pub(crate) fn record(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let mask = self.stripes.len() - 1;
        let home = thread_number();
        for offset in 0..self.stripes.len() {
            if let Ok(mut histogram) = self.stripes[(home + offset) & mask].try_lock() {
                // Auto-resizing histograms only fail beyond the u64 range.
                let _ = histogram.record(nanos);
                return;
            }
        }
        let mut histogram = self.stripes[home & mask]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let _ = histogram.record(nanos);
    }

    /// `read` of the recorded latencies: of the one stripe holding any when
    /// only one does (the common case of a timer called from one thread, or
    /// never), which copies nothing; of all stripes merged otherwise.
    pub(crate) fn read<R>(&self, read: impl FnOnce(&Histogram<u64>) -> R) -> R {
        let lock = |stripe: &Mutex<Histogram<u64>>| {
            !stripe.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
        };
        let mut holding = self.stripes.iter().filter(|stripe| lock(stripe));
        match (holding.next(), holding.next()) {
            (None, _) => read(&self.stripes[0].lock().unwrap_or_else(|e| e.into_inner())),
            (Some(only), None) => {
                let histogram = only.lock().unwrap_or_else(|e| e.into_inner());
                read(&histogram)
            }
            _ => read(&self.merged()),
        }
    }

    /// All stripes merged into one histogram.
    pub(crate) fn merged(&self) -> Histogram<u64> {
        let mut total = empty();
        for stripe in self.stripes.iter() {
            let histogram = stripe.lock().unwrap_or_else(|e| e.into_inner());
            let _ = total.add(&*histogram);
        }
        total
    }
}

fn empty() -> Histogram<u64> {
    // `new` auto-resizes, so any latency fits; the constant is in range.
    Histogram::new(SIGNIFICANT_DIGITS)
        .unwrap_or_else(|_| unreachable!("2 significant digits is valid"))
}

#[cfg(test)]
mod tests {
    use super::StripedHistogram;
    use std::time::Duration;

    #[test]
    fn stripes_merge_into_exact_counts_and_close_quantiles() {
        let histogram = std::sync::Arc::new(StripedHistogram::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let histogram = histogram.clone();
                std::thread::spawn(move || {
                    for ms in 1..=1000u64 {
                        histogram.record(Duration::from_millis(ms));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let merged = histogram.merged();
        assert_eq!(merged.len(), 4000);
        let p50 = merged.value_at_quantile(0.5) as f64 / 1e6;
        let p99 = merged.value_at_quantile(0.99) as f64 / 1e6;
        assert!((p50 - 500.0).abs() <= 500.0 * 0.01, "p50 = {p50}");
        assert!((p99 - 990.0).abs() <= 990.0 * 0.01, "p99 = {p99}");
    }

    #[test]
    fn read_sees_every_stripe_whether_one_or_several_hold_latencies() {
        let histogram = StripedHistogram::new();
        assert_eq!(histogram.read(|h| h.len()), 0);
        histogram.record(Duration::from_millis(3));
        assert_eq!(
            histogram.read(|h| (h.len(), h.max())),
            (1, histogram.merged().max())
        );
        if histogram.stripes.len() > 1 {
            // A second stripe holding latencies: the read is of both.
            let _ = histogram.stripes[1].lock().unwrap().record(7_000_000);
            let _ = histogram.stripes[0].lock().unwrap().record(1_000_000);
            assert_eq!(histogram.read(|h| h.len()), 3);
            assert!(histogram.read(|h| h.max()) >= 7_000_000);
        }
    }
}
