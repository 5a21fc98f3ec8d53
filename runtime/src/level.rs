//! `tracing`'s macros take their level as a constant; opguard's levels are
//! chosen per attribute. [`at_level!`] runs an expression with the level as
//! a constant of that name, once per level.

/// `at_level!(level, |LEVEL| expr)`: `expr` with `LEVEL` a `const` of the
/// run-time `level`, e.g. `at_level!(l, |L| tracing::event_enabled!(L))`.
macro_rules! at_level {
    ($level:expr, |$name:ident| $body:expr) => {
        match $level {
            ::tracing::Level::ERROR => {
                const $name: ::tracing::Level = ::tracing::Level::ERROR;
                $body
            }
            ::tracing::Level::WARN => {
                const $name: ::tracing::Level = ::tracing::Level::WARN;
                $body
            }
            ::tracing::Level::INFO => {
                const $name: ::tracing::Level = ::tracing::Level::INFO;
                $body
            }
            ::tracing::Level::DEBUG => {
                const $name: ::tracing::Level = ::tracing::Level::DEBUG;
                $body
            }
            _ => {
                const $name: ::tracing::Level = ::tracing::Level::TRACE;
                $body
            }
        }
    };
}

pub(crate) use at_level;
