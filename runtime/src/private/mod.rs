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

impl<T: ?Sized> std::fmt::Debug for Probe<'_, T> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("Probe")
    }
}

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

impl<T: ?Sized> std::fmt::Debug for Describe<'_, T> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("Describe")
    }
}

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

pub mod breaker;

pub mod cache;

pub mod monitor;

pub mod rate_limit;

pub mod trace;
