//! What one load for a key hands the callers that waited for it.
//!
//! Concurrent misses on a key are coalesced by the tier's `get_or_load`
//! (moka's `try_get_with`): one caller runs its body, the others wait. A
//! cacheable value is cached and every waiter gets a clone. A load that
//! caches nothing is an `Err` for the tier, which hands it to every waiter
//! at once: a value `condition`
//! refused and the `None` of an `Option` are shared, so are errors of a
//! `Clone + Send + Sync` type; any other error cannot be copied, so each
//! waiter then runs its own body, all at once rather than one after
//! another.

use super::Adapter;
use super::shape::SharedReturn;

/// A load that cached nothing, as its waiters see it.
pub(crate) enum Uncached<V> {
    /// `condition` refused this value.
    Refused(V),
    /// A copy of what the body returned.
    Returned(SharedReturn),
    /// Nothing to share: each waiter runs its own body.
    Unshared,
}

/// Splits what a body returned into the value to cache, or into what its
/// waiters get and what its own caller returns.
pub(crate) fn settle<R, V: Clone>(
    adapter: &Adapter<R, V>,
    keep: &impl Fn(&V) -> bool,
    returned: R,
) -> Result<V, (Uncached<V>, R)> {
    match adapter.split(returned) {
        Ok(value) if keep(&value) => Ok(value),
        Ok(value) => {
            let own = adapter.wrap(value.clone());
            Err((Uncached::Refused(value), own))
        }
        Err(returned) => {
            let shared = adapter
                .share(&returned)
                .map_or(Uncached::Unshared, Uncached::Returned);
            Err((shared, returned))
        }
    }
}

/// What a caller that waited for a load that cached nothing returns, or
/// `None` when it must run its own body.
pub(crate) fn waited<R, V: Clone>(adapter: &Adapter<R, V>, uncached: &Uncached<V>) -> Option<R> {
    match uncached {
        Uncached::Refused(value) => Some(adapter.wrap(value.clone())),
        Uncached::Returned(shared) => adapter.unshare(shared.as_ref()),
        Uncached::Unshared => None,
    }
}
