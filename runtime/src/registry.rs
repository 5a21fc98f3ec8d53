//! A process-wide map from operation names to the primitives that serve them.
//!
//! Registration takes a write lock once per name; generated code then keeps
//! an `Arc` in a per-callsite `static`, so the call path never touches the map.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Named items of one kind (timers, breakers or caches), sorted by name.
pub(crate) struct Registry<T> {
    items: OnceLock<RwLock<BTreeMap<String, Arc<T>>>>,
}

impl<T> Registry<T> {
    pub(crate) const fn new() -> Self {
        Self {
            items: OnceLock::new(),
        }
    }

    fn map(&self) -> &RwLock<BTreeMap<String, Arc<T>>> {
        self.items.get_or_init(|| RwLock::new(BTreeMap::new()))
    }

    /// The item registered under `name`, or the one `make` builds, registered
    /// now. The flag tells whether this call registered it.
    pub(crate) fn get_or_register(&self, name: &str, make: impl FnOnce() -> T) -> (Arc<T>, bool) {
        if let Some(found) = self.get(name) {
            return (found, false);
        }
        let mut map = self.map().write().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = map.get(name) {
            return (Arc::clone(found), false);
        }
        let item = Arc::new(make());
        map.insert(name.to_owned(), Arc::clone(&item));
        (item, true)
    }

    pub(crate) fn get(&self, name: &str) -> Option<Arc<T>> {
        let map = self.map().read().unwrap_or_else(|e| e.into_inner());
        map.get(name).cloned()
    }

    /// Forgets the item registered under `name`; whoever holds it keeps it.
    pub(crate) fn remove(&self, name: &str) -> Option<Arc<T>> {
        let mut map = self.map().write().unwrap_or_else(|e| e.into_inner());
        map.remove(name)
    }

    pub(crate) fn all(&self) -> Vec<Arc<T>> {
        let map = self.map().read().unwrap_or_else(|e| e.into_inner());
        map.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Registry;

    #[test]
    fn first_registration_wins_and_items_come_back_sorted() {
        let registry: Registry<u32> = Registry::new();
        let (a, new_a) = registry.get_or_register("b", || 1);
        let (again, new_again) = registry.get_or_register("b", || 2);
        let (_, new_c) = registry.get_or_register("a", || 3);
        assert!(new_a && !new_again && new_c);
        assert_eq!((*a, *again), (1, 1));
        let all: Vec<u32> = registry.all().iter().map(|v| **v).collect();
        assert_eq!(all, vec![3, 1]);
        assert!(registry.get("missing").is_none());
    }
}
