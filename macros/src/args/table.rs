//! The declarative side of an attribute's options: each attribute lists its
//! options as [`Opt`] rows, which the reader ([`super::read`]) and the parser
//! fuzz test both walk.

/// One option of an attribute.
#[derive(Clone, Copy)]
pub(crate) struct Opt {
    /// The key, as written.
    pub(crate) key: &'static str,
    /// What its value is, and so how it is read.
    pub(crate) kind: Kind,
    /// A valid use of the option on its own (with what it needs), on
    /// `async fn lookup(&self, id: u64) -> Result<u64, E>`, which the
    /// fuzz test expands and mutates; empty for an option with no valid
    /// use in this build (one whose part is not built yet).
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the fuzz test"))]
    pub(crate) example: &'static str,
}

/// The kind of an option's value. Only the syntax is checked here: limits of
/// a setting are the runtime's (its `Config::validate`), checked at compile
/// time by the generated code.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `"text"`, not empty.
    Text,
    /// `"text"` or a path to a `&'static str` constant.
    TextOrConst,
    /// `"500ms"`: a duration with a unit.
    Duration,
    /// A whole number up to `max` (the setting's type's largest).
    Int { max: u64 },
    /// A number, integer or float.
    Number,
    /// A number in `min..=max` (for options that are not runtime settings).
    Rate { min: f64, max: f64 },
    /// `key`, or `key = true` / `key = false`.
    Flag,
    /// A `tracing` level.
    Level,
    /// One of a list of words (what they are, the words).
    Choice(&'static str, &'static [&'static str]),
    /// `[Pattern, ..]`.
    Patterns,
    /// A closure or a path to a function.
    Predicate,
    /// A path to a function.
    FnPath,
    /// Any expression.
    Expr,
    /// `key(a, b)`: identifiers.
    Idents,
    /// Read by the attribute itself (kept as written).
    Custom,
}

/// The largest `u32`, for options of settings typed `u32`.
pub(crate) const U32: Kind = Kind::Int {
    max: u32::MAX as u64,
};
