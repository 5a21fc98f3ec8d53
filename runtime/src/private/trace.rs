//! The tracer's part of generated code.

pub use crate::trace::call::{Instrumented, disabled_end, instrument, run, untraced, with_end};
pub use crate::trace::{Callsite, CallsiteMeta, TraceCall};
pub use tracing::Metadata;
pub use tracing::field::Value;

/// A span none of whose fields has a value yet (no recorded argument, no
/// `fields(..)`): an empty value set, which a subscriber visits without
/// walking the fields recorded later.
#[inline]
pub fn span_without_values(metadata: &'static tracing::Metadata<'static>) -> tracing::Span {
    let values: [(&tracing::field::Field, ::core::option::Option<&dyn Value>); 0] = [];
    tracing::Span::new(metadata, &metadata.fields().value_set(&values))
}

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

/// A value recorded with `Display` (`%` in `fields(..)`, `ret(Display)`,
/// `err(Display)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded with `Display`: it does not implement `Display`",
    label = "`%` (or `Display` in `ret(..)`/`err(..)`) records this with `Display`",
    note = "implement `Display`, or record it with `Debug` (`?` instead of `%`)"
)]
pub trait Displayable: ::core::fmt::Display {}

impl<T: ::core::fmt::Display + ?Sized> Displayable for T {}

/// Checks a value recorded with `Display`, at the user's token, and
/// hands it back.
#[inline(always)]
pub fn check_display<T: Displayable + ?Sized>(value: &T) -> &T {
    value
}

/// Chosen for `%expr` in `fields(..)` on a `Display` value.
pub trait FieldShown<'a, T: ::core::fmt::Display + ?Sized> {
    /// The value as a `Display` field.
    fn __opguard_shown(&self) -> tracing::field::DisplayValue<&'a T>;
}

impl<'a, T: ::core::fmt::Display + ?Sized> FieldShown<'a, T> for &Probe<'a, T> {
    #[inline]
    fn __opguard_shown(&self) -> tracing::field::DisplayValue<&'a T> {
        tracing::field::display(self.0)
    }
}

/// Chosen for `?expr` in `fields(..)` on a `Debug` value (also one that
/// is a `tracing` value).
pub trait FieldDebugged<'a, T: ::core::fmt::Debug + ?Sized> {
    /// The value as a `Debug` field.
    fn __opguard_debugged(&self) -> tracing::field::DebugValue<&'a T>;
}

impl<'a, T: ::core::fmt::Debug + ?Sized> FieldDebugged<'a, T> for &Probe<'a, T> {
    #[inline]
    fn __opguard_debugged(&self) -> tracing::field::DebugValue<&'a T> {
        tracing::field::debug(self.0)
    }
}

/// Chosen for a `%` or `?` value without the trait, which
/// [`check_display`] or [`check`] has already refused at the user's
/// token (no second error). Never runs.
pub trait FieldFormatRefused<'a, T: ?Sized> {
    /// A placeholder.
    fn __opguard_shown(&self) -> &'static str;
    /// A placeholder.
    fn __opguard_debugged(&self) -> &'static str;
}

impl<'a, T: ?Sized> FieldFormatRefused<'a, T> for Probe<'a, T> {
    fn __opguard_shown(&self) -> &'static str {
        "<not Display>"
    }
    fn __opguard_debugged(&self) -> &'static str {
        "<not Debug>"
    }
}

/// [`span`] with an explicit parent (`parent = ..`).
#[inline]
pub fn child_span(
    metadata: &'static tracing::Metadata<'static>,
    parent: impl Into<::core::option::Option<tracing::Id>>,
    values: &[::core::option::Option<&dyn Value>],
) -> tracing::Span {
    tracing::Span::child_of(parent, metadata, &metadata.fields().value_set_all(values))
}
