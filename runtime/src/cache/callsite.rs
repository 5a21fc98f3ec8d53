//! The per-callsite `static` that `#[cacheable]` expands to: one typed cache
//! per instantiation of the function, found by the instantiation's name.

use std::any::Any;
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

use super::{Adapter, AsyncCache, CacheBuilder, CacheConfig, SyncCache};
use crate::naming::Site;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// Where the function is.
    pub site: Site,
    /// The cache's settings.
    pub config: CacheConfig,
}

/// An instantiation's name (the type name of a closure in the function's
/// body, which carries every generic argument: the function's, and those of
/// a generic `impl` around it) and its cache.
type Slot = (&'static str, &'static (dyn Any + Send + Sync));

/// Instantiations found without a lock: the first one, then this many more.
const LOCK_FREE: usize = 7;

/// A `static` per annotated function.
#[derive(Debug)]
pub struct Callsite {
    meta: CallsiteMeta,
    /// The first instantiations' caches, filled in order (under `others`'
    /// lock) and read without a lock.
    slots: [OnceLock<Slot>; 1 + LOCK_FREE],
    /// Instantiations past those, found under a lock.
    others: Mutex<Vec<Slot>>,
}

impl Callsite {
    /// A callsite not yet registered.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            slots: [const { OnceLock::new() }; 1 + LOCK_FREE],
            others: Mutex::new(Vec::new()),
        }
    }

    /// The cache of a synchronous function returning `R`, stored as `V`, for
    /// the instantiation named `instance`.
    ///
    /// # Panics
    ///
    /// On the first call, when another function already registered the
    /// cache's name (the message names both).
    #[inline]
    pub fn sync_cache<K, R, V>(
        &'static self,
        _: &Adapter<R, V>,
        instance: &'static str,
    ) -> &'static SyncCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.typed(instance, |builder| builder.build_sync::<K, V>())
    }

    /// The cache of an async function returning `R`, stored as `V`, for the
    /// instantiation named `instance`.
    ///
    /// # Panics
    ///
    /// As [`sync_cache`](Self::sync_cache).
    #[inline]
    pub fn async_cache<K, R, V>(
        &'static self,
        _: &Adapter<R, V>,
        instance: &'static str,
    ) -> &'static AsyncCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.typed(instance, |builder| builder.build_async::<K, V>())
    }

    /// The two-tier cache of an async function with `shared` (feature
    /// `redis`), for the instantiation named `instance`.
    ///
    /// # Panics
    ///
    /// As [`sync_cache`](Self::sync_cache).
    #[cfg(feature = "redis")]
    #[inline]
    pub fn shared_cache<K, R, V>(
        &'static self,
        _: &Adapter<R, V>,
        instance: &'static str,
    ) -> &'static super::SharedCache<K, V>
    where
        K: super::Shareable + Hash + Eq,
        V: super::Shareable,
    {
        self.typed(instance, |builder| builder.build_shared::<K, V>())
    }

    /// Without the `redis` feature `shared` is refused at compile time (by
    /// the settings' rules), so this is never called: it lets the rest of
    /// the generated code compile, so that the refusal is the only error.
    #[cfg(not(feature = "redis"))]
    #[doc(hidden)]
    pub fn shared_cache<K, R, V>(
        &'static self,
        adapter: &Adapter<R, V>,
        instance: &'static str,
    ) -> &'static AsyncCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.async_cache(adapter, instance)
    }

    #[inline]
    fn typed<C: Any + Send + Sync>(
        &'static self,
        instance: &'static str,
        build: impl FnOnce(CacheBuilder) -> Result<C, super::CacheError>,
    ) -> &'static C {
        // An instantiation's name is the same `&'static str` on every call:
        // the first slot is the usual case, a function with one
        // instantiation; the next few cost a pointer comparison each.
        for slot in &self.slots {
            let Some((name, cache)) = slot.get() else {
                break;
            };
            if std::ptr::eq(*name, instance)
                && let Some(cache) = cache.downcast_ref::<C>()
            {
                return cache;
            }
        }
        self.typed_slow(instance, build)
    }

    #[cold]
    fn typed_slow<C: Any + Send + Sync>(
        &'static self,
        instance: &'static str,
        build: impl FnOnce(CacheBuilder) -> Result<C, super::CacheError>,
    ) -> &'static C {
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        let found = self
            .slots
            .iter()
            .filter_map(OnceLock::get)
            .chain(others.iter())
            .find(|(name, _)| *name == instance);
        if let Some(cache) = found.and_then(|(_, cache)| cache.downcast_ref::<C>()) {
            return cache;
        }
        let site = &self.meta.site;
        let owner = Site {
            name: None,
            ..*site
        }
        .operation()
        .name;
        let mut name = site.operation().name;
        if let Some(arguments) = generic_arguments(instance) {
            name = format!("{name}<{arguments}>");
        }
        let builder = CacheBuilder::new(name)
            .config(self.meta.config)
            .owned_by(owner);
        let cache: &'static C = match build(builder) {
            Ok(cache) => Box::leak(Box::new(cache)),
            Err(error) => panic!("{error}"),
        };
        let slot: Slot = (instance, cache);
        // Under the lock, so the slots fill in order, without gaps.
        if !self.slots.iter().any(|free| free.set(slot).is_ok()) {
            others.push(slot);
        }
        cache
    }
}

/// The generic arguments in an instantiation's name, in order, or `None`
/// when it has none: `m::f<u8, 3>::{{closure}}` gives `u8, 3`, and
/// `m::Repo<u8>::get<i32>::{{closure}}` gives `u8, i32`. Lifetimes, which
/// `#[async_trait]` methods show as `'_`, are left out: they do not make
/// another instantiation.
fn generic_arguments(instance: &str) -> Option<String> {
    let bytes = instance.as_bytes();
    let mut arguments = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        // `<` right after a name opens its arguments; `<impl ..>` does not.
        let opens = bytes[at] == b'<'
            && at > 0
            && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        at += 1;
        if !opens {
            continue;
        }
        let start = at;
        let mut depth = 1;
        while at < bytes.len() && depth > 0 {
            match bytes[at] {
                b'<' => depth += 1,
                // Not the `>` of a `->` in a function pointer type.
                b'>' if bytes[at - 1] != b'-' => depth -= 1,
                _ => {}
            }
            at += 1;
        }
        let group = &instance[start..at.saturating_sub(1).max(start)];
        arguments.extend(top_level(group).filter(|argument| !argument.starts_with('\'')));
    }
    (!arguments.is_empty()).then(|| arguments.join(", "))
}

/// The comma-separated items of `group` outside any nested `<..>`,
/// `(..)` or `[..]`, trimmed.
fn top_level(group: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (at, c) in group.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' if group[..at].ends_with('-') => {}
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(group[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(group[start..].trim());
    items.into_iter().filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::generic_arguments;

    #[test]
    fn generic_arguments_are_read_off_the_instantiation_name() {
        assert_eq!(generic_arguments("m::f::{{closure}}"), None);
        assert_eq!(
            generic_arguments("m::f<u16, 3>::{{closure}}").as_deref(),
            Some("u16, 3")
        );
        assert_eq!(
            generic_arguments("m::Repo<alloc::vec::Vec<u8>>::get<i32>::{{closure}}").as_deref(),
            Some("alloc::vec::Vec<u8>, i32")
        );
        assert_eq!(
            generic_arguments("m::f<fn(u8) -> u8>::{{closure}}::{{closure}}").as_deref(),
            Some("fn(u8) -> u8")
        );
        assert_eq!(
            generic_arguments("m::<impl m::Tr for m::S>::get::{{closure}}"),
            None
        );
        assert_eq!(
            generic_arguments("<m::S as m::Api>::fetch<'_, '_>::{{closure}}::{{closure}}"),
            None
        );
        assert_eq!(
            generic_arguments("m::f<'_, (u8, u16), [u8; 2]>::{{closure}}").as_deref(),
            Some("(u8, u16), [u8; 2]")
        );
    }
}
