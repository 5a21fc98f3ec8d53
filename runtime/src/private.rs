//! Items used by generated code. Not public API: no stability promise.

pub use crate::naming::Site;
pub use tracing::Level;

/// Runs the function body once. Passing the body as an `FnOnce` makes it
/// infer as one, so it may return borrows of `&mut` arguments.
#[inline(always)]
pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// A reference probed by autoref specialisation: `(&&Probe(&v))` picks the
/// most specific of the traits below (and of the tracer's field traits) that
/// applies to the value's type, whatever alias names it. It splits a
/// returned value into its `Ok` and its `Err` for every attribute, records
/// a value as a `tracing` value or with `Debug` for the tracer, and builds a
/// cache key from an argument (`cache::KeyOwn`, `cache::KeyLookup`).
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// The `Ok` value and the `Err` of a returned value, whatever alias
/// names a `Result`; anything else is all `Ok`.
pub trait SplitResult<'a, T: ?Sized, E> {
    /// The `Ok` value (or the whole value).
    fn __opguard_ok(&self) -> ::core::option::Option<&'a T>;
    /// The error.
    fn __opguard_err(&self) -> ::core::option::Option<&'a E>;
}

impl<'a, T, E> SplitResult<'a, T, E> for &Probe<'a, ::core::result::Result<T, E>> {
    #[inline]
    fn __opguard_ok(&self) -> ::core::option::Option<&'a T> {
        self.0.as_ref().ok()
    }
    #[inline]
    fn __opguard_err(&self) -> ::core::option::Option<&'a E> {
        self.0.as_ref().err()
    }
}

/// The returned value is not a `Result`.
pub trait SplitOther<'a, T: ?Sized> {
    /// The whole value.
    fn __opguard_ok(&self) -> ::core::option::Option<&'a T>;
    /// Never an error.
    fn __opguard_err(&self) -> ::core::option::Option<&'a ::core::convert::Infallible>;
}

impl<'a, T: ?Sized> SplitOther<'a, T> for Probe<'a, T> {
    #[inline]
    fn __opguard_ok(&self) -> ::core::option::Option<&'a T> {
        ::core::option::Option::Some(self.0)
    }
    #[inline]
    fn __opguard_err(&self) -> ::core::option::Option<&'a ::core::convert::Infallible> {
        ::core::option::Option::None
    }
}

/// A value `include_args` / `include_result` put in a log.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged: it does not implement `Debug`",
    label = "`include_args` and `include_result` log this with `Debug`",
    note = "derive or implement `Debug` for `{Self}`, or drop the option that logs it"
)]
pub trait Loggable {
    /// The value as `dyn Debug`.
    fn __opguard_debug(&self) -> &dyn ::core::fmt::Debug;
}

impl<T: ::core::fmt::Debug> Loggable for T {
    #[inline(always)]
    fn __opguard_debug(&self) -> &dyn ::core::fmt::Debug {
        self
    }
}

/// Formats a value for a log; spanned at the value so that a missing
/// `Debug` is reported there.
#[inline(always)]
pub fn debug<T: Loggable>(value: &T) -> &dyn ::core::fmt::Debug {
    value.__opguard_debug()
}

/// An error to describe (for `last_failures`, spans and logs): `Display`, else `Debug`, else its type.
pub struct Describe<'a, T: ?Sized>(pub &'a T);

/// Chosen for `Display` errors.
pub trait DescribeDisplay {
    /// The error's text.
    fn __opguard_describe(&self) -> ::std::string::String;
}

impl<T: ::core::fmt::Display + ?Sized> DescribeDisplay for &&Describe<'_, T> {
    fn __opguard_describe(&self) -> ::std::string::String {
        ::std::string::ToString::to_string(self.0)
    }
}

/// Chosen for `Debug` errors.
pub trait DescribeDebug {
    /// The error's text.
    fn __opguard_describe(&self) -> ::std::string::String;
}

impl<T: ::core::fmt::Debug + ?Sized> DescribeDebug for &Describe<'_, T> {
    fn __opguard_describe(&self) -> ::std::string::String {
        ::std::format!("{:?}", self.0)
    }
}

/// Chosen for every other error.
pub trait DescribeAny {
    /// The error's type.
    fn __opguard_describe(&self) -> ::std::string::String;
}

impl<T: ?Sized> DescribeAny for Describe<'_, T> {
    fn __opguard_describe(&self) -> ::std::string::String {
        ::std::format!("an error of type `{}`", ::core::any::type_name::<T>())
    }
}

/// The breaker's part of generated code.
pub mod breaker {
    pub use crate::GuardError;
    pub use crate::breaker::{
        Backoff, BreakerConfig, CallPolicy, Callsite, CallsiteMeta, RetryPolicy,
    };

    /// A function's return type under `#[circuit_breaker]`: a `Result`.
    #[diagnostic::on_unimplemented(
        message = "`#[circuit_breaker]` needs a function returning `Result<T, E>`, not `{Self}`",
        label = "a rejected or timed-out call must be able to return `Err`",
        note = "return `Result<T, E>` with `impl From<opguard::GuardError> for E` (`anyhow::Error` and `Box<dyn Error + Send + Sync>` qualify)"
    )]
    pub trait GuardedOutput {
        /// The error type.
        type Err;
    }

    impl<T, E> GuardedOutput for ::core::result::Result<T, E> {
        type Err = E;
    }

    /// An error type that can carry a `GuardError`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot carry an `opguard::GuardError`",
        label = "`#[circuit_breaker]` returns `Err(GuardError.into())` when it rejects or times out a call",
        note = "add `impl From<opguard::GuardError> for {Self}` (`anyhow::Error` and `Box<dyn Error + Send + Sync>` already have it)"
    )]
    pub trait FromGuardError {
        /// `From::from`.
        fn __opguard_from(error: GuardError) -> Self;
    }

    impl<E: ::core::convert::From<GuardError>> FromGuardError for E {
        #[inline(always)]
        fn __opguard_from(error: GuardError) -> Self {
            E::from(error)
        }
    }

    /// The conversion of a guard error into the function's error type: the one
    /// place generated code needs `E: From<GuardError>`, checked at the
    /// return type.
    #[inline(always)]
    pub fn converter<E: FromGuardError>() -> fn(GuardError) -> E {
        E::__opguard_from
    }

    /// Types a failure predicate as `Fn(&E) -> bool`, so that a closure's
    /// parameter is inferred and a wrong signature is reported at it.
    #[inline(always)]
    pub fn judge<E, F: Fn(&E) -> bool + Send + Sync>(predicate: F) -> F {
        predicate
    }

    /// Types the error-describing closure as `Fn(&E) -> String`.
    #[inline(always)]
    pub fn describer<E, F: Fn(&E) -> ::std::string::String + Send + Sync>(describe: F) -> F {
        describe
    }

    /// An argument a retried call passes again.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be passed to a retried call again: it is not `Clone`",
        label = "`retries` re-runs the body with a clone of this argument",
        note = "take the argument by reference, make its type `Clone`, or remove `retries`"
    )]
    pub trait Reusable: ::core::clone::Clone {}

    impl<T: ::core::clone::Clone> Reusable for T {}

    /// A clone of an argument for the next attempt.
    #[inline(always)]
    pub fn reuse<T: Reusable>(value: &T) -> T {
        value.clone()
    }

    pub use super::{Describe, DescribeAny, DescribeDebug, DescribeDisplay};
}

/// The cache's part of generated code.
pub mod cache {
    use ::core::marker::PhantomData;

    pub use crate::cache::{Adapter, CacheConfig, Callsite, CallsiteMeta};

    /// Picks the [`Adapter`] for a return type by autoref specialisation:
    /// `(&&&&Shape::<R>::new()).__opguard_adapter()`.
    pub struct Shape<R>(PhantomData<fn() -> R>);

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
}

/// The tracer's part of generated code.
pub mod trace {
    pub use crate::trace::call::{Instrumented, disabled_end, instrument, run, untraced, with_end};
    pub use crate::trace::{Callsite, CallsiteMeta, TraceCall};
    pub use tracing::Metadata;
    pub use tracing::field::Value;

    /// A span with its fields' values, all of them in order (`None` for the
    /// fields recorded later).
    #[inline]
    pub fn span(
        metadata: &'static tracing::Metadata<'static>,
        values: &[::core::option::Option<&dyn Value>],
    ) -> tracing::Span {
        tracing::Span::new(metadata, &metadata.fields().value_set_all(values))
    }

    pub use super::Probe;

    /// Chosen for `tracing` values (`(&&&Probe(&v)).__opguard_field()`).
    pub trait FieldAsValue<'a, T: ?Sized> {
        /// The value as a field.
        fn __opguard_field(&self) -> &'a T;
    }

    impl<'a, T: Value + ?Sized> FieldAsValue<'a, T> for &&Probe<'a, T> {
        #[inline]
        fn __opguard_field(&self) -> &'a T {
            self.0
        }
    }

    /// Chosen for other `Debug` values.
    pub trait FieldAsDebug<'a, T: ::core::fmt::Debug + ?Sized> {
        /// The value as a `Debug` field.
        fn __opguard_field(&self) -> tracing::field::DebugValue<&'a T>;
    }

    impl<'a, T: ::core::fmt::Debug + ?Sized> FieldAsDebug<'a, T> for &Probe<'a, T> {
        #[inline]
        fn __opguard_field(&self) -> tracing::field::DebugValue<&'a T> {
            tracing::field::debug(self.0)
        }
    }

    /// Chosen for anything else, which [`check`] has already refused at the
    /// user's token: it keeps the expansion free of a second, less helpful
    /// error about the method. Never runs (the program does not compile).
    pub trait FieldRefused<'a, T: ?Sized> {
        /// A placeholder.
        fn __opguard_field(&self) -> &'static str;
    }

    impl<'a, T: ?Sized> FieldRefused<'a, T> for Probe<'a, T> {
        #[inline]
        fn __opguard_field(&self) -> &'static str {
            "<not Debug>"
        }
    }

    /// A value `include_args`, `include_result` or `fields(..)` records.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be recorded on the span: it does not implement `Debug`",
        label = "`#[trace_operation]` records this with `Debug`",
        note = "derive or implement `Debug`, or leave it out with `skip(..)` (or drop `include_result`)"
    )]
    pub trait Recordable: ::core::fmt::Debug {}

    impl<T: ::core::fmt::Debug + ?Sized> Recordable for T {}

    /// Checks a recorded value, at the user's token.
    #[inline(always)]
    pub fn check<T: Recordable + ?Sized>(_: &T) {}
}
