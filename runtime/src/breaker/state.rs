//! Breaker states, and the atomic word that holds the state with its
//! generation (incremented at every transition).

use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(feature = "serde")]
use serde::Serialize;

/// Where a breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum BreakerState {
    /// Calls run; failures are counted.
    Closed,
    /// Calls are rejected until `recovery_timeout` has passed.
    Open,
    /// A limited number of probe calls run; their results close or reopen it.
    HalfOpen,
    /// Rejecting every call until [`Breaker::force_close`](super::Breaker::force_close)
    /// or [`reset`](super::Breaker::reset).
    ForcedOpen,
    /// Letting every call through and never opening, until `force_close` or `reset`.
    Disabled,
}

impl BreakerState {
    /// The lower-case name used in events, logs and exports.
    pub const fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
            BreakerState::ForcedOpen => "forced_open",
            BreakerState::Disabled => "disabled",
        }
    }

    /// Every state, in a fixed order (for exports: one gauge per state).
    pub const ALL: [BreakerState; 5] = [
        BreakerState::Closed,
        BreakerState::Open,
        BreakerState::HalfOpen,
        BreakerState::ForcedOpen,
        BreakerState::Disabled,
    ];

    pub(crate) const fn code(self) -> u64 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
            BreakerState::ForcedOpen => 3,
            BreakerState::Disabled => 4,
        }
    }

    /// The state of a [`code`](Self::code); `None` for a code no state has.
    pub(crate) const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => BreakerState::Closed,
            1 => BreakerState::Open,
            2 => BreakerState::HalfOpen,
            3 => BreakerState::ForcedOpen,
            4 => BreakerState::Disabled,
            _ => return None,
        })
    }
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// State and generation in one atomic word: `generation << 3 | state`.
pub(crate) struct StateWord(AtomicU64);

impl StateWord {
    pub(crate) const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    #[inline]
    pub(crate) fn load(&self) -> (BreakerState, u64) {
        let word = self.0.load(Ordering::Acquire);
        // Only `store` writes the word, so the low bits are always a code.
        // Closed is 0 alone, so that every call's closed check is one test
        // of the low bits.
        let state = BreakerState::from_code(word & 0b111).unwrap_or(BreakerState::Disabled);
        (state, word >> 3)
    }

    pub(crate) fn store(&self, state: BreakerState, generation: u64) {
        self.0
            .store(generation << 3 | state.code(), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::{BreakerState, StateWord};

    #[test]
    fn every_state_round_trips_through_its_code_and_no_other_code_is_a_state() {
        for state in BreakerState::ALL {
            assert_eq!(BreakerState::from_code(state.code()), Some(state));
        }
        for code in 5..8 {
            assert_eq!(BreakerState::from_code(code), None);
        }
    }

    #[test]
    fn the_word_keeps_state_and_generation_apart() {
        let word = StateWord::new();
        assert_eq!(word.load(), (BreakerState::Closed, 0));
        for state in BreakerState::ALL {
            word.store(state, 41);
            assert_eq!(word.load(), (state, 41));
        }
    }
}
