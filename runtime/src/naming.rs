//! Default operation names: `module::path::fn_name`, and `module::Type::method`
//! for methods.
//!
//! A proc macro on a method cannot see the `impl` it sits in, so generated code
//! declares a local item `fn __opguard_here()` and, once per callsite, hands its
//! [`core::any::type_name`] here, which reads the enclosing type off the path.
//!
//! # Two functions never share a default name
//!
//! The readable name can be the same for two different functions: two trait
//! impls with a method of one name on one type (`impl Users for Repo` and
//! `impl Orders for Repo`), two types with one last segment (`a::Store` and
//! `b::Store`) implemented in one module, `impl Load for Wrapper<u8>` and
//! `impl Load for Wrapper<u16>`, or two nested functions of one name in
//! different blocks. A function is identified by its full path (self type
//! with its generic arguments, trait, nesting) and the place of its name in
//! the source; the first function to ask for a readable name gets it, and a
//! different function asking for the same one later gets a longer name:
//!
//! 1. its full path, as the compiler prints it (`<a::Wrapper<u16> as
//!    a::Load>::load`), with the module in front when it is not there;
//! 2. if that is taken too (nested functions in different blocks), the same
//!    followed by `@file:line:column` of the function's name.
//!
//! Every attribute of one function asks with the same identity, so its span,
//! timer, cache and breaker keep one name. Which of two colliding functions
//! keeps the short name depends on which is called first, so a `warn` event
//! names both and suggests `name = "..."`, which makes names stable.
//!
//! The instantiations of one generic function are one function: they share
//! one name, so one timer and one breaker (a breaker guards the dependency
//! the code calls, whatever the types); `#[cacheable]` keeps one cache per
//! instantiation on top of this name, since their values differ in type.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Where an annotated function is, as its attribute knows at compile time.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// `name = "..."`, if given.
    pub name: Option<&'static str>,
    /// `module_path!()` at the function.
    pub module: &'static str,
    /// The function's own name.
    pub fn_name: &'static str,
    /// Returns the type name of a marker item inside the function; read once
    /// to find `Type::method`.
    pub locate: fn() -> &'static str,
    /// `file:line:column` of the function's name, which tells apart nested
    /// functions whose paths are the same.
    pub location: &'static str,
}

impl Site {
    /// The operation name: the explicit one, or the default read off
    /// `locate`, made unique among default names (see the [module
    /// docs](self)).
    pub fn operation(&self) -> OperationName {
        match self.name {
            Some(name) => OperationName::explicit(self.module, name),
            None => defaults().resolve(self),
        }
    }
}

/// The default names handed out so far, and to which function.
#[derive(Default)]
struct Defaults {
    /// Identity (full path and location) to the name it was given.
    given: HashMap<(String, &'static str), OperationName>,
    /// Names taken, to the identity that took them.
    taken: HashMap<String, (String, &'static str)>,
}

fn defaults() -> MutexGuard<'static, Defaults> {
    static DEFAULTS: OnceLock<Mutex<Defaults>> = OnceLock::new();
    DEFAULTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

impl Defaults {
    fn resolve(&mut self, site: &Site) -> OperationName {
        let path = full_path(site.module, (site.locate)());
        let identity = (path.clone(), site.location);
        if let Some(given) = self.given.get(&identity) {
            return given.clone();
        }
        let readable = OperationName::from_locator(site.module, (site.locate)(), site.fn_name);
        let function = path
            .strip_prefix(site.module)
            .and_then(|rest| rest.strip_prefix("::"))
            .unwrap_or(&path);
        // The located name carries the identity itself: nobody else has it.
        let located = OperationName::new(site.module, format!("{function}@{}", site.location));
        let name = [
            readable.clone(),
            OperationName::new(site.module, function.to_owned()),
        ]
        .into_iter()
        .find(|candidate| {
            self.taken
                .get(&candidate.name)
                .is_none_or(|owner| *owner == identity)
        })
        .unwrap_or(located);
        if name != readable
            && let Some((first, first_at)) = self.taken.get(&readable.name)
        {
            tracing::warn!(
                target: "opguard::naming",
                name = %readable.name,
                "two functions have the default name `{}`: `{first}` at {first_at} has it, so `{path}` at {} is named `{}`; give each `name = \"...\"` to choose stable names",
                readable.name,
                site.location,
                name.name,
            );
        }
        self.taken.insert(name.name.clone(), identity.clone());
        self.given.insert(identity, name.clone());
        name
    }
}

/// The function's path as the compiler prints it, without the marker item
/// and closures, with the module in front when the path does not start with
/// it (a qualified `<T as Trait>::method`).
fn full_path(module: &str, locator: &str) -> String {
    let path = function_item(locator).unwrap_or_else(|| locator.to_owned());
    if path.starts_with(module) || module.is_empty() {
        path
    } else {
        format!("{module}::{path}")
    }
}

/// The path of the function a marker item sits in: the locator without its
/// closures and its last segment (the marker).
fn function_item(locator: &str) -> Option<String> {
    let path = locator.replace("::{{closure}}", "");
    path.rsplit_once("::")
        .map(|(head, _marker)| head.to_owned())
}

/// The name parts of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationName {
    /// The full name, `module::path::fn_name` or `module::path::Type::method`.
    pub name: String,
    /// The name without the module: `fn_name` or `Type::method`
    /// (the `function` label of the `metrics` facade).
    pub function: String,
    /// The module path (the `module` label).
    pub module: String,
}

impl OperationName {
    /// The default name of the function whose local marker item has the type
    /// name `locator`, declared in module `module`. `fn_name` is used when the
    /// path cannot be read.
    ///
    /// ```
    /// use opguard_runtime::naming::OperationName;
    /// let n = OperationName::from_locator("app::db", "<app::db::Repo as app::Store>::load::__opguard_here", "load");
    /// assert_eq!(n.name, "app::db::Repo::load");
    /// assert_eq!(n.function, "Repo::load");
    /// ```
    pub fn from_locator(module: &str, locator: &str, fn_name: &str) -> Self {
        let function = function_path(module, locator).unwrap_or_else(|| fn_name.to_owned());
        Self::new(module, function)
    }

    /// A name given explicitly (`name = "..."`): the function label is the name
    /// itself.
    pub fn explicit(module: &str, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            function: name.to_owned(),
            module: module.to_owned(),
        }
    }

    pub(crate) fn new(module: &str, function: String) -> Self {
        let name = if module.is_empty() {
            function.clone()
        } else {
            format!("{module}::{function}")
        };
        Self {
            name,
            function,
            module: module.to_owned(),
        }
    }
}

/// `Type::method` or `fn_name` (or `outer::inner` for a nested fn), read off the
/// locator's type name.
fn function_path(module: &str, locator: &str) -> Option<String> {
    let path = function_item(locator)?;
    let path = path.as_str();
    if let Some(qualified) = path.strip_prefix('<') {
        // `<Self as Trait>::method`: keep the self type's last segment.
        let close = matching_angle(qualified)?;
        let inside = &qualified[..close];
        let self_ty = split_top_level_as(inside).unwrap_or(inside);
        let method = qualified[close + 1..].strip_prefix("::")?;
        let self_ty = strip_generics(self_ty);
        let ty = last_segment(&self_ty);
        if ty.is_empty() {
            return None;
        }
        return Some(format!("{ty}::{}", strip_generics(method)));
    }
    let plain = strip_generics(path);
    let function = match plain
        .strip_prefix(module)
        .and_then(|r| r.strip_prefix("::"))
    {
        Some(rest) => rest.to_owned(),
        None => last_segment(&plain).to_owned(),
    };
    (!function.is_empty()).then_some(function)
}

/// Index of the `>` closing a `<` already consumed.
fn matching_angle(s: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn split_top_level_as(s: &str) -> Option<&str> {
    let mut depth = 0usize;
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ' ' if depth == 0 && bytes[i..].starts_with(b" as ") => return Some(&s[..i]),
            _ => {}
        }
    }
    None
}

fn strip_generics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn last_segment(path: &str) -> &str {
    let path = path
        .trim_start_matches('&')
        .trim_start_matches("mut ")
        .trim();
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::{OperationName, Site};

    fn function(module: &str, locator: &str) -> String {
        OperationName::from_locator(module, locator, "fallback").function
    }

    #[test]
    fn free_functions_and_inherent_methods() {
        assert_eq!(function("app::db", "app::db::load::__opguard_here"), "load");
        assert_eq!(
            function("app::db", "app::db::Repo::load::__opguard_here"),
            "Repo::load"
        );
        let n = OperationName::from_locator(
            "app",
            "app::Repo<_>::get::{{closure}}::__opguard_here",
            "get",
        );
        assert_eq!(
            (n.name.as_str(), n.function.as_str(), n.module.as_str()),
            ("app::Repo::get", "Repo::get", "app")
        );
    }

    #[test]
    fn trait_impls_use_the_self_type() {
        assert_eq!(
            function("app", "<app::Repo as app::Store>::get::__opguard_here"),
            "Repo::get"
        );
        assert_eq!(
            function(
                "app",
                "<alloc::vec::Vec<_> as app::Store>::get::__opguard_here"
            ),
            "Vec::get"
        );
        assert_eq!(
            function("app", "<&app::Repo as app::Store>::get::__opguard_here"),
            "Repo::get"
        );
    }

    fn site(module: &'static str, locate: fn() -> &'static str, location: &'static str) -> Site {
        Site {
            name: None,
            module,
            fn_name: "load",
            locate,
            location,
        }
    }

    #[test]
    fn colliding_default_names_are_told_apart_and_stay_put() {
        // One `macro_rules!` expansion in two modules: one location.
        let a = site("t1::a", || "t1::a::load::__opguard_here", "src/m.rs:1:1");
        let b = site("t1::b", || "t1::b::load::__opguard_here", "src/m.rs:1:1");
        assert_eq!(a.operation().name, "t1::a::load");
        assert_eq!(b.operation().name, "t1::b::load");
        // Two impls of one trait for two instantiations of one type.
        let u8s = site(
            "t2",
            || "<t2::W<u8> as t2::L>::load::__opguard_here",
            "src/w.rs:3:8",
        );
        let u16s = site(
            "t2",
            || "<t2::W<u16> as t2::L>::load::__opguard_here",
            "src/w.rs:9:8",
        );
        assert_eq!(u8s.operation().name, "t2::W::load");
        assert_eq!(u16s.operation().name, "t2::<t2::W<u16> as t2::L>::load");
        // Asked again (another attribute of the same function): the same name.
        assert_eq!(u16s.operation().name, "t2::<t2::W<u16> as t2::L>::load");
        assert_eq!(u8s.operation().name, "t2::W::load");
        // Nested functions with one path in two blocks: the location decides.
        let first = site("t3", || "t3::outer::inner::__opguard_here", "src/n.rs:2:12");
        let second = site("t3", || "t3::outer::inner::__opguard_here", "src/n.rs:6:12");
        assert_eq!(first.operation().name, "t3::outer::inner");
        assert_eq!(second.operation().name, "t3::outer::inner@src/n.rs:6:12");
    }

    #[test]
    fn unreadable_paths_fall_back_to_the_fn_name() {
        assert_eq!(function("app", "nonsense"), "fallback");
        assert_eq!(function("app", "<broken::__opguard_here"), "fallback");
        assert_eq!(OperationName::explicit("app", "user-db").name, "user-db");
    }
}
