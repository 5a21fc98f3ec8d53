//! The half-open state's accounting in one atomic word:
//! `generation << 36 | slow << 24 | in_flight << 12 | successes`, so that
//! taking a probe slot and counting a probe's outcome are each one
//! compare-and-swap that fails once the breaker has left that half-open
//! state (its generation).

const PROBE_BITS: u32 = 12;
const PROBE_MASK: u64 = (1 << PROBE_BITS) - 1;
const GEN_MASK: u64 = (1 << 28) - 1;

/// The half-open word of one generation's probes: how many run, how many
/// succeeded, and how many of those were slow.
#[derive(Clone, Copy)]
pub(crate) struct Probes {
    pub(super) generation: u64,
    pub(super) slow: u64,
    pub(super) in_flight: u64,
    pub(super) successes: u64,
}

impl Probes {
    pub(super) fn of(generation: u64) -> Self {
        Self {
            generation: generation & GEN_MASK,
            slow: 0,
            in_flight: 0,
            successes: 0,
        }
    }

    pub(super) fn pack(self) -> u64 {
        self.generation << (3 * PROBE_BITS)
            | self.slow << (2 * PROBE_BITS)
            | self.in_flight << PROBE_BITS
            | self.successes
    }

    pub(super) fn unpack(word: u64) -> Self {
        Self {
            generation: word >> (3 * PROBE_BITS),
            slow: word >> (2 * PROBE_BITS) & PROBE_MASK,
            in_flight: word >> PROBE_BITS & PROBE_MASK,
            successes: word & PROBE_MASK,
        }
    }

    pub(super) fn belongs_to(self, generation: u64) -> bool {
        self.generation == generation & GEN_MASK
    }
}
