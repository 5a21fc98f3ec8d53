//! `#[trace_operation]`: options read in [`args`] (its `fields(..)` in
//! [`fields`]), checked in [`valid`], generated code in [`expand`]; this
//! module is the driver's `Layer` (`layer::attribute!`).

pub(crate) mod args;
pub(crate) mod expand;
pub(crate) mod fields;
pub(crate) mod valid;

crate::layer::attribute!(TraceArgs);
