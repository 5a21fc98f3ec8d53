//! The checks of `#[monitor_performance]` that only the macro can make:
//! none beyond reading each option (any function can be timed). The limits
//! of each setting are the runtime's, checked by the generated code.

use super::args::MonitorArgs;
use crate::diag::Errors;
use crate::signature::Function;

/// Nothing to check: every option stands alone and fits every function.
pub(crate) fn check(_args: &MonitorArgs, _function: Option<&Function>, _errors: &mut Errors) {}
