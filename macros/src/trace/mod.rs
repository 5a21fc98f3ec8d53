//! `#[trace_operation]`: options in [`args`] (its `fields(..)` in
//! [`fields`]), generated code in [`expand`].

pub(crate) mod args;
pub(crate) mod expand;
pub(crate) mod fields;
