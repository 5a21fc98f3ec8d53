//! How a function's return value maps to what is cached: the `Ok` of a
//! `Result`, the `Some` of an `Option`, or the value itself.

/// Splits a return value `R` into a value to cache (`Ok(V)`) or one to hand
/// back uncached (`Err(R)`), and rebuilds `R` from a cached `V`.
pub struct Adapter<R, V> {
    split: fn(R) -> Result<V, R>,
    wrap: fn(V) -> R,
}

impl<R, V> Adapter<R, V> {
    /// An adapter from its two halves.
    pub const fn new(split: fn(R) -> Result<V, R>, wrap: fn(V) -> R) -> Self {
        Self { split, wrap }
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

    /// Types a `condition` as `Fn(&V) -> bool` (so a closure's parameter is
    /// inferred, and a wrong signature reported at it).
    #[inline(always)]
    pub fn keep<F: Fn(&V) -> bool>(&self, condition: F) -> F {
        condition
    }
}

impl<T, E> Adapter<Result<T, E>, T> {
    /// Caches the `Ok` value; an `Err` is returned, never cached.
    pub const RESULT: Self = Self::new(
        |r| match r {
            Ok(value) => Ok(value),
            Err(error) => Err(Err(error)),
        },
        Ok,
    );
}

impl<T> Adapter<Option<T>, T> {
    /// Caches the `Some` value; `None` is returned, never cached.
    pub const OPTION: Self = Self::new(
        |o| match o {
            Some(value) => Ok(value),
            None => Err(None),
        },
        Some,
    );
}

impl<T> Adapter<T, T> {
    /// Caches the value itself (also an `Option`'s `None`, with `cache_none`).
    pub const VALUE: Self = Self::new(Ok, |value| value);
}
