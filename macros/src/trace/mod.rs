//! `#[trace_operation]`: options in [`args`], generated code in [`expand`].

pub(crate) mod args;
pub(crate) mod expand;
