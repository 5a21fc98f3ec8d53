//! The generic cell rate algorithm on one atomic word.
//!
//! A limiter keeps one number per limit: the theoretical arrival time (TAT),
//! when the limit would be fully recovered, in nanoseconds since the
//! limiter's epoch. A call at `now` is admitted when `TAT - now` leaves room
//! for one more interval within the burst (`TAT - now ≤ (burst - 1) ×
//! interval`), and then moves the TAT one interval on. A TAT at or before
//! `now` is a fully recovered limit: it holds nothing a new state would not.

use std::sync::atomic::{AtomicU64, Ordering};

/// The two numbers GCRA decides with, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gcra {
    /// Time between two calls at the steady rate.
    pub(crate) interval: u64,
    /// How far ahead of `now` the TAT may be for a call to be admitted:
    /// `(burst - 1) × interval`.
    tolerance: u64,
}

/// What a call may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Admitted: store this TAT.
    Admit(u64),
    /// Admitted after this wait (a reservation): store the TAT; the caller
    /// sleeps first and gives the interval back if it is cancelled.
    AdmitAfter(u64, u64),
    /// Refused: the limit admits a call again after this long.
    Refuse(u64),
}

impl Gcra {
    /// `burst` ≥ 1 and `interval × burst` within range (checked by the config).
    pub(crate) fn new(interval: u64, burst: u32) -> Self {
        Self {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.max(1)) - 1),
        }
    }

    /// The decision for a call at `now` against `tat`, waiting at most
    /// `max_wait` for a turn (zero: never waits).
    #[inline]
    pub(crate) fn decide(&self, tat: u64, now: u64, max_wait: u64) -> Decision {
        let tat = tat.max(now);
        let wait = (tat - now).saturating_sub(self.tolerance);
        if wait == 0 {
            Decision::Admit(tat + self.interval)
        } else if wait <= max_wait {
            Decision::AdmitAfter(tat + self.interval, wait)
        } else {
            Decision::Refuse(wait)
        }
    }
}

/// One limit's TAT.
#[derive(Debug, Default)]
pub(crate) struct Cell(AtomicU64);

impl Cell {
    /// Decides a call and stores the new TAT if admitted (lock-free: a
    /// compare-and-swap loop, retried only when another call moved the TAT).
    #[inline]
    pub(crate) fn decide(&self, gcra: &Gcra, now: u64, max_wait: u64) -> Decision {
        let mut current = self.0.load(Ordering::Acquire);
        loop {
            let decision = gcra.decide(current, now, max_wait);
            let next = match decision {
                Decision::Admit(next) | Decision::AdmitAfter(next, _) => next,
                Decision::Refuse(_) => return decision,
            };
            match self
                .0
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return decision,
                Err(actual) => current = actual,
            }
        }
    }

    /// Gives back one interval: a reserved call was cancelled before its turn.
    pub(crate) fn give_back(&self, interval: u64) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tat| {
                Some(tat.saturating_sub(interval))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, Decision, Gcra};

    #[test]
    fn a_burst_then_one_call_per_interval() {
        let gcra = Gcra::new(10, 3);
        let cell = Cell::default();
        for _ in 0..3 {
            assert!(matches!(cell.decide(&gcra, 0, 0), Decision::Admit(_)));
        }
        assert_eq!(cell.decide(&gcra, 0, 0), Decision::Refuse(10));
        assert_eq!(cell.decide(&gcra, 4, 0), Decision::Refuse(6));
        assert!(matches!(cell.decide(&gcra, 10, 0), Decision::Admit(_)));
        assert_eq!(cell.decide(&gcra, 10, 0), Decision::Refuse(10));
    }

    #[test]
    fn a_reservation_waits_and_can_be_given_back() {
        let gcra = Gcra::new(10, 1);
        let cell = Cell::default();
        assert_eq!(cell.decide(&gcra, 0, 5), Decision::Admit(10));
        assert_eq!(cell.decide(&gcra, 0, 5), Decision::Refuse(10));
        assert_eq!(cell.decide(&gcra, 0, 10), Decision::AdmitAfter(20, 10));
        cell.give_back(10);
        assert_eq!(cell.decide(&gcra, 0, 10), Decision::AdmitAfter(20, 10));
    }
}
