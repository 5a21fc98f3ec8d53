//! The runtime of [opguard](https://docs.rs/opguard): the timers (and, as they
//! land, breakers and caches) that opguard's attributes expand into calls of.
//!
//! Use it through the `opguard` crate; every type here also works without the
//! macros, through its builder.

#![forbid(unsafe_code)]

pub mod breaker;
mod counters;
mod error;
pub mod monitor;
pub mod naming;
mod outcome;
mod registry;
mod watch;

pub use error::GuardError;
pub use outcome::{Classify, Outcome};

/// Items used by generated code. Not public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use tracing::Level;

    /// Runs the function body once. Passing the body as an `FnOnce` makes it
    /// infer as one, so it may return borrows of `&mut` arguments.
    #[inline(always)]
    pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
        body()
    }

    /// Wraps a reference to a return value; `ErrProbe(&v).is_err_value()`
    /// tells an `Err` from anything else by autoref specialisation, whatever
    /// alias names the `Result` type.
    pub struct ErrProbe<'a, T: ?Sized>(pub &'a T);

    /// Chosen for `Result` values.
    pub trait ResultProbe {
        /// `true` for an `Err`.
        fn __opguard_is_err(&self) -> bool;
    }

    impl<T, E> ResultProbe for ErrProbe<'_, ::core::result::Result<T, E>> {
        #[inline(always)]
        fn __opguard_is_err(&self) -> bool {
            self.0.is_err()
        }
    }

    /// Chosen for every other value.
    pub trait OtherProbe {
        /// Always `false`.
        #[inline(always)]
        fn __opguard_is_err(&self) -> bool {
            false
        }
    }

    impl<T: ?Sized> OtherProbe for &ErrProbe<'_, T> {}

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
}
