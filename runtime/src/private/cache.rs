//! The cache's part of generated code.

use ::core::marker::PhantomData;

pub use crate::cache::{Adapter, CacheConfig, Callsite, CallsiteMeta};

#[cfg(feature = "redis")]
#[path = "cache_shared.rs"]
mod shared;
#[cfg(feature = "redis")]
pub use shared::*;

// Without the `redis` feature `shared` is refused by the settings' rules;
// the rest of its generated code then uses the local cache's checks, so that
// the refusal is the only error.
#[cfg(not(feature = "redis"))]
pub use self::{
    KeyLookup as SharedLookup, KeyOwn as SharedOwn, KeyRefused as SharedRefused,
    WholeRefused as WholeSharedRefused, WholeValid as WholeSharedValid,
    check_key_lookup as check_shared_key_lookup, check_key_part as check_shared_key_part,
    key as shared_key,
};

/// Without the `redis` feature, no check: `shared` itself is refused.
#[cfg(not(feature = "redis"))]
#[inline(always)]
pub fn check_shared_value<R, V>(_: &Adapter<R, V>) {}

/// The message of a rule of [`CacheConfig::validate`] that involves `option`
/// and that `config` breaks: generated code panics with it in a `const`, at
/// the option's tokens.
pub const fn problem(config: &CacheConfig, option: &str) -> Option<&'static str> {
    match config.check(Some(option)) {
        Err(error) => Some(error.message),
        Ok(()) => None,
    }
}

/// Picks the [`Adapter`] for a return type by autoref specialisation:
/// `(&&&&Shape::<R>::new()).__opguard_adapter()`.
pub struct Shape<R>(PhantomData<fn() -> R>);

impl<R> ::core::fmt::Debug for Shape<R> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("Shape")
    }
}

impl<R> Shape<R> {
    /// The probe.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

/// Chosen for a `Result` whose error can be cloned: the `Ok` value is
/// cached, and an `Err` is handed to the callers that waited for it.
pub trait ShapeResultShared<T, E> {
    /// The adapter.
    fn __opguard_adapter(&self) -> Adapter<::core::result::Result<T, E>, T>;
}

impl<T, E> ShapeResultShared<T, E> for &&&Shape<::core::result::Result<T, E>>
where
    E: ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
{
    fn __opguard_adapter(&self) -> Adapter<::core::result::Result<T, E>, T> {
        Adapter::RESULT_SHARED
    }
}

/// Chosen for `Result`: the `Ok` value is cached.
pub trait ShapeResult<T, E> {
    /// The adapter.
    fn __opguard_adapter(&self) -> Adapter<::core::result::Result<T, E>, T>;
}

impl<T, E> ShapeResult<T, E> for &&Shape<::core::result::Result<T, E>> {
    fn __opguard_adapter(&self) -> Adapter<::core::result::Result<T, E>, T> {
        Adapter::RESULT
    }
}

/// Chosen for `Option`: the `Some` value is cached.
pub trait ShapeOption<T> {
    /// The adapter.
    fn __opguard_adapter(&self) -> Adapter<::core::option::Option<T>, T>;
}

impl<T> ShapeOption<T> for &Shape<::core::option::Option<T>> {
    fn __opguard_adapter(&self) -> Adapter<::core::option::Option<T>, T> {
        Adapter::OPTION
    }
}

/// Chosen for every other type: the value is cached.
pub trait ShapeValue<T> {
    /// The adapter.
    fn __opguard_adapter(&self) -> Adapter<T, T>;
}

impl<T> ShapeValue<T> for Shape<T> {
    fn __opguard_adapter(&self) -> Adapter<T, T> {
        Adapter::VALUE
    }
}

/// A cached value's requirements.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be cached: cached values must be `Clone + Send + Sync + 'static`",
    label = "every hit hands out a clone of the cached value, from any thread",
    note = "wrap it in `Arc<..>` to share it cheaply, or derive `Clone`"
)]
pub trait CacheValue:
    ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static
{
}

impl<T: ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static> CacheValue
    for T
{
}

/// Checks the cached value type, at the return type.
#[inline(always)]
pub fn check_value<R, V: CacheValue>(_: &Adapter<R, V>) {}

/// A value that can be (part of) a cache key, owned.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a cache key: keys must be owned as `Hash + Eq + Clone + Send + Sync + 'static`",
    label = "the default key is built from this argument",
    note = "build the key from other values with `key = ...`, e.g. `key = (user.id, page)`"
)]
pub trait CacheKeyPart: ::std::borrow::ToOwned {}

impl<T> CacheKeyPart for T
where
    T: ::std::borrow::ToOwned + ?Sized,
    T::Owned: ::core::hash::Hash
        + ::core::cmp::Eq
        + ::core::clone::Clone
        + ::core::marker::Send
        + ::core::marker::Sync
        + 'static,
{
}

/// A lone argument, which is also looked up as itself (borrowed), so it
/// must be `Hash + Eq` as it is, not only owned.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a cache key: a lone argument must be `Hash + Eq` as passed, and `Hash + Eq + Clone + Send + Sync + 'static` owned",
    label = "the default key is this argument",
    note = "build the key from other values with `key = ...`, e.g. `key = user.id`"
)]
pub trait CacheKeyLookup: CacheKeyPart {}

impl<T> CacheKeyLookup for T where T: CacheKeyPart + ::core::hash::Hash + ::core::cmp::Eq + ?Sized {}

/// Checks an argument that is part of a key of several, at the argument,
/// before anything else can report its type.
#[inline(always)]
pub fn check_key_part<T: CacheKeyPart + ?Sized>(_: &T) {}

/// Checks a lone argument, looked up borrowed and owned only on a miss,
/// at the argument, before anything else can report its type.
#[inline(always)]
pub fn check_key_lookup<T: CacheKeyLookup + ?Sized>(_: &T) {}

/// A placeholder key for an argument that `check_key_part` or
/// `check_key_lookup` refused, which keeps the cache's own bounds from
/// adding errors to theirs. It never exists at run time: a program that
/// selects it does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "redis", derive(serde::Serialize, serde::Deserialize))]
pub struct RefusedKey;

/// A key part that qualifies, owned. Chosen before [`KeyRefused`] by
/// method resolution (`(&&Probe(&arg)).__opguard_key()`), as it takes one
/// reference more.
pub trait KeyOwn<'a, T: CacheKeyPart + ?Sized> {
    /// The argument, owned (`&str` becomes `String`).
    fn __opguard_key(&self) -> T::Owned;
}

impl<'a, T: CacheKeyPart + ?Sized> KeyOwn<'a, T> for &super::Probe<'a, T> {
    #[inline(always)]
    fn __opguard_key(&self) -> T::Owned {
        self.0.to_owned()
    }
}

/// A lone argument that qualifies, to look the cache up with. Chosen
/// before [`KeyRefused`], as [`KeyOwn`] is.
pub trait KeyLookup<'a, T: ?Sized> {
    /// The argument itself.
    fn __opguard_lookup(&self) -> &'a T;
}

impl<'a, T: CacheKeyLookup + ?Sized> KeyLookup<'a, T> for &super::Probe<'a, T> {
    #[inline(always)]
    fn __opguard_lookup(&self) -> &'a T {
        self.0
    }
}

/// Any other argument: a placeholder, selected only where a check has
/// already made the function fail to compile.
pub trait KeyRefused {
    /// The placeholder.
    fn __opguard_key(&self) -> RefusedKey;
    /// The placeholder, to look up with.
    fn __opguard_lookup(&self) -> &'static RefusedKey;
}

impl<T: ?Sized> KeyRefused for super::Probe<'_, T> {
    fn __opguard_key(&self) -> RefusedKey {
        unreachable!("opguard: a refused cache key part compiled")
    }
    fn __opguard_lookup(&self) -> &'static RefusedKey {
        unreachable!("opguard: a refused cache key compiled")
    }
}

/// The whole key given with `key = ...`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a cache key: keys must be `Hash + Eq + Clone + Send + Sync + 'static`",
    label = "the key built by `key = ...`",
    note = "use owned values (`String`, not `&str`; `.clone()` or `.to_owned()` borrowed ones)"
)]
pub trait CacheKey:
    ::core::hash::Hash
    + ::core::cmp::Eq
    + ::core::clone::Clone
    + ::core::marker::Send
    + ::core::marker::Sync
    + 'static
{
}

impl<
    T: ::core::hash::Hash
        + ::core::cmp::Eq
        + ::core::clone::Clone
        + ::core::marker::Send
        + ::core::marker::Sync
        + 'static,
> CacheKey for T
{
}

/// Checks a `key = ...` expression's type, at the expression.
#[inline(always)]
pub fn key<K: CacheKey>(key: K) -> K {
    key
}

/// A `key = ...` value, passed through [`WholeValid`] as itself when it
/// qualifies, and replaced by a [`RefusedKey`] by [`WholeRefused`] when
/// `key` has already refused it, so that the refusal is the only error.
pub struct WholeKey<K>(pub K);

impl<K> ::core::fmt::Debug for WholeKey<K> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("WholeKey")
    }
}

/// A key that qualifies: itself. Chosen first (by value).
pub trait WholeValid<K> {
    /// The key.
    fn __opguard_whole(self) -> K;
}

impl<K: CacheKey> WholeValid<K> for WholeKey<K> {
    #[inline(always)]
    fn __opguard_whole(self) -> K {
        self.0
    }
}

/// Any other key: a placeholder (by reference, so chosen second).
pub trait WholeRefused {
    /// The placeholder.
    fn __opguard_whole(self) -> RefusedKey;
}

impl<K> WholeRefused for &WholeKey<K> {
    fn __opguard_whole(self) -> RefusedKey {
        unreachable!("opguard: a refused `key = ...` value compiled")
    }
}
