//! One TAT per key, in shards, with memory that stays bounded.
//!
//! A key's entry exists only while its limit is recovering. Entries are
//! swept from a shard (every fully recovered entry removed, spare capacity
//! returned) when the shard has doubled since its last sweep, or when a full
//! recovery time has passed since it; when a shard holds its share of
//! `max_keys` keys that are all still recovering, the eighth closest to
//! recovery is forgotten (those keys get their full burst back early).

use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Mutex, MutexGuard};

use hashbrown::HashTable;

use super::gcra::{Decision, Gcra};

/// Shards, so that calls for different keys rarely wait for each other.
const SHARDS: usize = 16;

/// The smallest shard size worth a sweep.
const MIN_SWEEP: usize = 64;

struct Shard<K> {
    /// Each key with its TAT, found by the one hash that also chose the
    /// shard (a key is hashed once per call, with std's keyed SipHash:
    /// limiter keys are often chosen by clients).
    tats: HashTable<(K, u64)>,
    /// Sweep when the shard reaches this many entries...
    sweep_len: usize,
    /// ...or when the clock reaches this.
    sweep_at: u64,
}

/// The per-key TATs of a keyed limiter.
pub(crate) struct Keyed<K> {
    shards: Box<[Mutex<Shard<K>>]>,
    hasher: RandomState,
    /// Each shard's share of `max_keys`.
    shard_max: usize,
    /// The time a full burst takes to recover (nanoseconds).
    recovery: u64,
}

impl<K> std::fmt::Debug for Keyed<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("shard_max", &self.shard_max)
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    pub(crate) fn new(max_keys: usize, recovery: u64) -> Self {
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    tats: HashTable::new(),
                    sweep_len: MIN_SWEEP,
                    sweep_at: recovery,
                })
            })
            .collect();
        Self {
            shards,
            hasher: RandomState::new(),
            shard_max: max_keys.div_ceil(SHARDS).max(1),
            recovery,
        }
    }

    /// The key's hash and its shard, locked. The shard is chosen by four
    /// bits the table inside does not lean on: below the top seven (its
    /// tag) and far above those that index its buckets.
    fn shard(&self, key: &K) -> (u64, MutexGuard<'_, Shard<K>>) {
        let hash = self.hasher.hash_one(key);
        let index = ((hash << 7) >> 60) as usize % SHARDS;
        // A panic never happens while the lock is held; take the data anyway.
        let shard = self.shards[index].lock().unwrap_or_else(|e| e.into_inner());
        (hash, shard)
    }

    /// Decides a call for `key` at `now`, waiting at most `max_wait`.
    pub(crate) fn decide(&self, key: &K, gcra: &Gcra, now: u64, max_wait: u64) -> Decision {
        let (hash, mut shard) = self.shard(key);
        if let Some((_, tat)) = shard.tats.find_mut(hash, |(k, _)| k == key) {
            let decision = gcra.decide(*tat, now, max_wait);
            if let Decision::Admit(next) | Decision::AdmitAfter(next, _) = decision {
                *tat = next;
            }
            return decision;
        }
        let decision = gcra.decide(0, now, max_wait);
        if let Decision::Admit(next) | Decision::AdmitAfter(next, _) = decision {
            self.make_room(&mut shard, now);
            let hasher = &self.hasher;
            shard
                .tats
                .insert_unique(hash, (key.clone(), next), |(k, _)| hasher.hash_one(k));
        }
        decision
    }

    /// Gives back one interval of `key` (a reserved call was cancelled); a
    /// key forgotten since holds nothing to give back.
    pub(crate) fn give_back(&self, key: &K, interval: u64) {
        let (hash, mut shard) = self.shard(key);
        if let Some((_, tat)) = shard.tats.find_mut(hash, |(k, _)| k == key) {
            *tat = tat.saturating_sub(interval);
        }
    }

    fn make_room(&self, shard: &mut Shard<K>, now: u64) {
        let len = shard.tats.len();
        if len < shard.sweep_len && now < shard.sweep_at && len < self.shard_max {
            return;
        }
        shard.tats.retain(|(_, tat)| *tat > now);
        if shard.tats.len() >= self.shard_max {
            // Every key is still recovering: forget the eighth closest to
            // recovery (amortised: the next eviction is an eighth away).
            let mut tats: Vec<u64> = shard.tats.iter().map(|(_, tat)| *tat).collect();
            let cut = (tats.len() / 8).max(1);
            let (_, &mut threshold, _) = tats.select_nth_unstable(cut - 1);
            // Exactly `cut` entries go, also when many share the threshold.
            let mut budget = cut;
            shard.tats.retain(|(_, tat)| {
                let forget = *tat <= threshold && budget > 0;
                budget -= usize::from(forget);
                !forget
            });
        }
        let len = shard.tats.len();
        if shard.tats.capacity() > 4 * len.max(MIN_SWEEP) {
            let hasher = &self.hasher;
            shard.tats.shrink_to(2 * len, |(k, _)| hasher.hash_one(k));
        }
        shard.sweep_len = (2 * len).clamp(MIN_SWEEP, self.shard_max.max(MIN_SWEEP));
        shard.sweep_at = now.saturating_add(self.recovery);
    }

    /// Keys with state now (those still recovering, and recovered ones not
    /// yet swept).
    pub(crate) fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).tats.len())
            .sum()
    }

    /// Sweeps every shard now: what a long-idle limiter still holds.
    pub(crate) fn sweep(&self, now: u64) {
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            shard.sweep_at = 0;
            self.make_room(&mut shard, now);
        }
    }

    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap().tats.capacity())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, Gcra, Keyed};

    #[test]
    fn keys_are_limited_apart() {
        let gcra = Gcra::new(100, 1);
        let keyed = Keyed::new(1000, 100);
        assert!(matches!(
            keyed.decide(&1u32, &gcra, 0, 0),
            Decision::Admit(_)
        ));
        assert!(matches!(
            keyed.decide(&2u32, &gcra, 0, 0),
            Decision::Admit(_)
        ));
        assert_eq!(keyed.decide(&1u32, &gcra, 0, 0), Decision::Refuse(100));
    }

    #[test]
    fn memory_stays_bounded_and_returns_when_keys_recover() {
        let gcra = Gcra::new(1_000, 2);
        let max_keys = 10_000;
        let keyed = Keyed::new(max_keys, 2_000);
        for key in 0..1_000_000u64 {
            assert!(matches!(
                keyed.decide(&key, &gcra, 0, 0),
                Decision::Admit(_)
            ));
        }
        let tracked = keyed.tracked();
        assert!(
            (max_keys * 3 / 4..=max_keys + 16).contains(&tracked),
            "{tracked}"
        );
        let full = keyed.capacity();
        assert!(full <= 4 * max_keys, "capacity {full}");
        // Every key has recovered: a little traffic sweeps the shards.
        for key in 0..1_000u64 {
            keyed.decide(&(1_000_000 + key), &gcra, 10_000, 0);
        }
        assert!(keyed.tracked() <= 1_000, "{}", keyed.tracked());
        assert!(
            keyed.capacity() < full / 4,
            "{} of {full}",
            keyed.capacity()
        );
        keyed.sweep(20_000);
        assert_eq!(keyed.tracked(), 0);
    }
}
