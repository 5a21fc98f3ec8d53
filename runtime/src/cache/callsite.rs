//! The per-callsite `static` that `#[cacheable]` expands to: one typed cache
//! per monomorphisation of the function, found by `TypeId`.

use std::any::{Any, TypeId, type_name};
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
    /// Whether the function has type parameters: each instantiation then
    /// gets its own cache, named `name<Key, Value>`.
    pub generic: bool,
}

type Slot = (TypeId, &'static (dyn Any + Send + Sync));

/// A `static` per annotated function.
#[derive(Debug)]
pub struct Callsite {
    meta: CallsiteMeta,
    first: OnceLock<Slot>,
    others: Mutex<Vec<Slot>>,
}

impl Callsite {
    /// A callsite not yet registered.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            first: OnceLock::new(),
            others: Mutex::new(Vec::new()),
        }
    }

    /// The cache of a synchronous function returning `R`, stored as `V`.
    ///
    /// # Panics
    ///
    /// On the first call, when another function already registered the
    /// cache's name (the message names both).
    #[inline]
    pub fn sync_cache<K, R, V>(&'static self, _: &Adapter<R, V>) -> &'static SyncCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.typed((type_name::<K>(), type_name::<V>()), |builder| {
            builder.build_sync::<K, V>()
        })
    }

    /// The cache of an async function returning `R`, stored as `V`.
    ///
    /// # Panics
    ///
    /// As [`sync_cache`](Self::sync_cache).
    #[inline]
    pub fn async_cache<K, R, V>(&'static self, _: &Adapter<R, V>) -> &'static AsyncCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.typed((type_name::<K>(), type_name::<V>()), |builder| {
            builder.build_async::<K, V>()
        })
    }

    #[inline]
    fn typed<C: Any + Send + Sync>(
        &'static self,
        types: (&'static str, &'static str),
        build: impl FnOnce(CacheBuilder) -> Result<C, super::CacheError>,
    ) -> &'static C {
        // `downcast_ref` checks the type: one comparison on the hit path.
        if let Some(cache) = self
            .first
            .get()
            .and_then(|(_, cache)| cache.downcast_ref::<C>())
        {
            return cache;
        }
        self.typed_slow(TypeId::of::<C>(), types, build)
    }

    #[cold]
    fn typed_slow<C: Any + Send + Sync>(
        &'static self,
        id: TypeId,
        (key, value): (&'static str, &'static str),
        build: impl FnOnce(CacheBuilder) -> Result<C, super::CacheError>,
    ) -> &'static C {
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        let found = self
            .first
            .get()
            .into_iter()
            .chain(others.iter())
            .find(|(slot, _)| *slot == id);
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
        if self.meta.generic {
            name = format!("{name}<{key}, {value}>");
        }
        let builder = CacheBuilder::new(name)
            .config(self.meta.config)
            .owned_by(owner);
        let cache: &'static C = match build(builder) {
            Ok(cache) => Box::leak(Box::new(cache)),
            Err(error) => panic!("{error}"),
        };
        let slot: Slot = (id, cache);
        if self.first.set(slot).is_err() {
            others.push(slot);
        }
        cache
    }
}
