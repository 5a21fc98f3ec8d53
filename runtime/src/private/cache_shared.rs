//! What generated code of `#[cacheable(shared)]` needs (feature `redis`):
//! checks that the key parts and the value cross processes (serde),
//! reported at the user's argument, `key = ...` expression or return type,
//! and probes that put a placeholder where a check refused, so that the
//! refusal is the only error. Without the feature, `cache.rs` names the
//! local cache's checks instead (the attribute then fails on its `shared`
//! option alone, naming the feature).

use ::core::clone::Clone;
use ::core::cmp::Eq;
use ::core::hash::Hash;
use ::core::marker::{Send, Sync};
use ::serde::Serialize;
use ::serde::de::DeserializeOwned;
use ::std::borrow::ToOwned;

use super::{Adapter, RefusedKey, WholeKey};
use crate::__private::Probe;

/// A shared cache's value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be cached in Redis: the values of a `shared` cache must be `Serialize + DeserializeOwned`",
    label = "this value crosses processes through serde",
    note = "derive `serde::Serialize` and `serde::Deserialize` for it, or remove `shared` to keep the cache in this process"
)]
pub trait SharedValue: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> SharedValue for T {}

/// Checks a shared cache's value type, at the return type.
#[inline(always)]
pub fn check_shared_value<R, V: SharedValue>(_: &Adapter<R, V>) {}

/// A part of a shared cache's key, owned.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a shared cache key: keys must be owned as `Hash + Eq + Clone + Send + Sync + 'static` and `Serialize + DeserializeOwned`",
    label = "the default key is built from this argument, and stored in Redis",
    note = "derive `serde::Serialize` and `serde::Deserialize` for it, or build the key from other values with `key = ...`, e.g. `key = (user.id, page)`"
)]
pub trait SharedKeyPart: ToOwned {}

impl<T> SharedKeyPart for T
where
    T: ToOwned + ?Sized,
    T::Owned: Hash + Eq + Clone + Send + Sync + 'static + Serialize + DeserializeOwned,
{
}

/// A lone argument of a shared cache: looked up as passed, stored owned.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a shared cache key: a lone argument must be `Hash + Eq` as passed, and `Hash + Eq + Clone + Send + Sync + 'static` and `Serialize + DeserializeOwned` owned",
    label = "the default key is this argument, and it is stored in Redis",
    note = "derive `serde::Serialize` and `serde::Deserialize` for it, or build the key from other values with `key = ...`, e.g. `key = user.id`"
)]
pub trait SharedKeyLookup: SharedKeyPart {}

impl<T> SharedKeyLookup for T where T: SharedKeyPart + Hash + Eq + ?Sized {}

/// Checks an argument that is part of a shared key of several.
#[inline(always)]
pub fn check_shared_key_part<T: SharedKeyPart + ?Sized>(_: &T) {}

/// Checks a lone argument of a shared cache.
#[inline(always)]
pub fn check_shared_key_lookup<T: SharedKeyLookup + ?Sized>(_: &T) {}

/// A part that qualifies, owned (chosen before [`SharedRefused`]).
pub trait SharedOwn<'a, T: SharedKeyPart + ?Sized> {
    /// The argument, owned.
    fn __opguard_key(&self) -> T::Owned;
}

impl<'a, T: SharedKeyPart + ?Sized> SharedOwn<'a, T> for &Probe<'a, T> {
    #[inline(always)]
    fn __opguard_key(&self) -> T::Owned {
        self.0.to_owned()
    }
}

/// A lone argument that qualifies, to look up with.
pub trait SharedLookup<'a, T: ?Sized> {
    /// The argument itself.
    fn __opguard_lookup(&self) -> &'a T;
}

impl<'a, T: SharedKeyLookup + ?Sized> SharedLookup<'a, T> for &Probe<'a, T> {
    #[inline(always)]
    fn __opguard_lookup(&self) -> &'a T {
        self.0
    }
}

/// Any other argument: the placeholder, where a check already failed.
pub trait SharedRefused {
    /// The placeholder.
    fn __opguard_key(&self) -> RefusedKey;
    /// The placeholder, to look up with.
    fn __opguard_lookup(&self) -> &'static RefusedKey;
}

impl<T: ?Sized> SharedRefused for Probe<'_, T> {
    fn __opguard_key(&self) -> RefusedKey {
        ::core::unreachable!("opguard: a refused shared cache key part compiled")
    }
    fn __opguard_lookup(&self) -> &'static RefusedKey {
        ::core::unreachable!("opguard: a refused shared cache key compiled")
    }
}

/// A `key = ...` of a shared cache.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a shared cache key: keys must be `Hash + Eq + Clone + Send + Sync + 'static` and `Serialize + DeserializeOwned`",
    label = "the key built by `key = ...`, stored in Redis",
    note = "use owned values that derive `serde::Serialize` and `serde::Deserialize` (`String`, not `&str`)"
)]
pub trait SharedKey:
    Hash + Eq + Clone + Send + Sync + 'static + Serialize + DeserializeOwned
{
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static + Serialize + DeserializeOwned> SharedKey for T {}

/// Checks a shared cache's `key = ...` expression, at the expression.
#[inline(always)]
pub fn shared_key<K: SharedKey>(key: K) -> K {
    key
}

/// A `key = ...` value that qualifies: itself.
pub trait WholeSharedValid<K> {
    /// The key.
    fn __opguard_whole(self) -> K;
}

impl<K: SharedKey> WholeSharedValid<K> for WholeKey<K> {
    #[inline(always)]
    fn __opguard_whole(self) -> K {
        self.0
    }
}

/// Any other: the placeholder.
pub trait WholeSharedRefused {
    /// The placeholder.
    fn __opguard_whole(self) -> RefusedKey;
}

impl<K> WholeSharedRefused for &WholeKey<K> {
    fn __opguard_whole(self) -> RefusedKey {
        ::core::unreachable!("opguard: a refused shared `key = ...` value compiled")
    }
}
