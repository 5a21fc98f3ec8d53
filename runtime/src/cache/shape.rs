//! How a function's return value maps to what is cached: the `Ok` of a
//! `Result`, the `Some` of an `Option`, or the value itself; and which
//! uncached return values can be handed to the callers that waited for them.

use std::any::Any;

/// A copy of an uncached return value, for the callers that waited for it.
pub(crate) type SharedReturn = Box<dyn Any + Send + Sync>;

/// Splits a return value `R` into a value to cache (`Ok(V)`) or one to hand
/// back uncached (`Err(R)`), and rebuilds `R` from a cached `V`.
///
/// It also says whether an uncached return value can be copied for the
/// callers that waited on the same key: `None` of an `Option` always, the
/// `Err` of a `Result` when the error type is `Clone + Send + Sync`
/// ([`Adapter::RESULT_SHARED`]).
pub struct Adapter<R, V> {
    split: fn(R) -> Result<V, R>,
    wrap: fn(V) -> R,
    share: fn(&R) -> Option<SharedReturn>,
    unshare: fn(&(dyn Any + Send + Sync)) -> Option<R>,
}

impl<R, V> std::fmt::Debug for Adapter<R, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapter").finish_non_exhaustive()
    }
}

impl<R, V> Adapter<R, V> {
    /// An adapter from its two halves; uncached return values are not
    /// shared with waiting callers (each runs its own body).
    pub const fn new(split: fn(R) -> Result<V, R>, wrap: fn(V) -> R) -> Self {
        Self {
            split,
            wrap,
            share: |_| None,
            unshare: |_| None,
        }
    }

    /// The value to cache, or the return value to hand back uncached.
    #[inline]
    pub fn split(&self, returned: R) -> Result<V, R> {
        (self.split)(returned)
    }

    /// The return value for a cached value.
    #[inline]
    pub fn wrap(&self, cached: V) -> R {
        (self.wrap)(cached)
    }

    /// A copy of an uncached return value for waiting callers, if one can
    /// be made.
    pub(crate) fn share(&self, returned: &R) -> Option<SharedReturn> {
        (self.share)(returned)
    }

    /// The return value a waiting caller gets from a shared copy.
    pub(crate) fn unshare(&self, shared: &(dyn Any + Send + Sync)) -> Option<R> {
        (self.unshare)(shared)
    }

    /// Types a `condition` as `Fn(&V) -> bool` (so a closure's parameter is
    /// inferred, and a wrong signature reported at it).
    #[inline(always)]
    pub fn keep<F: Fn(&V) -> bool>(&self, condition: F) -> F {
        condition
    }
}

impl<T, E> Adapter<Result<T, E>, T> {
    /// Caches the `Ok` value; an `Err` is returned, never cached, and not
    /// shared: each caller that waited runs its own body.
    pub const RESULT: Self = Self::new(
        |r| match r {
            Ok(value) => Ok(value),
            Err(error) => Err(Err(error)),
        },
        Ok,
    );
}

impl<T, E: Clone + Send + Sync + 'static> Adapter<Result<T, E>, T> {
    /// [`RESULT`](Self::RESULT) for an error type that can be cloned: the
    /// callers that waited for a call that failed get a clone of its error.
    pub const RESULT_SHARED: Self = Self {
        share: |r| match r {
            Err(error) => Some(Box::new(error.clone())),
            Ok(_) => None,
        },
        unshare: |shared| shared.downcast_ref::<E>().map(|error| Err(error.clone())),
        ..Self::RESULT
    };
}

impl<T> Adapter<Option<T>, T> {
    /// Caches the `Some` value; `None` is returned, never cached, and handed
    /// to the callers that waited for it.
    pub const OPTION: Self = Self {
        share: |r| r.is_none().then(|| Box::new(()) as SharedReturn),
        unshare: |_| Some(None),
        ..Self::new(
            |o| match o {
                Some(value) => Ok(value),
                None => Err(None),
            },
            Some,
        )
    };
}

impl<T> Adapter<T, T> {
    /// Caches the value itself (also an `Option`'s `None`, with `cache_none`).
    pub const VALUE: Self = Self::new(Ok, |value| value);
}
