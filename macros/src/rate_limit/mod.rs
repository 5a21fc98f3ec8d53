//! `#[rate_limit]`: options read in [`args`], checked in [`valid`],
//! generated code in [`expand`]; this module is the driver's `Layer`
//! (`layer::attribute!`).

pub(crate) mod args;
pub(crate) mod expand;
pub(crate) mod valid;

crate::layer::attribute!(RateLimitArgs);
