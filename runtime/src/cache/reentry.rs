//! A cached function that calls itself with the key it is loading would wait
//! for its own load for ever (the inner call coalesces with the outer one).
//! Each thread keeps the loads its current call stack is running; a load
//! that finds its own cache and key there fails at once, naming the cache.
//!
//! An async load marks itself while it is polled, so a recursive call made
//! by its body (awaited in the same task) is seen; one handed to another
//! task is not, and waits like any other caller.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

type Marker = (usize, Arc<dyn Any + Send + Sync>);

thread_local! {
    static LOADING: RefCell<Vec<Marker>> = const { RefCell::new(Vec::new()) };
}

/// One load in progress: cache identity and key.
pub(super) struct Load(Marker);

impl Load {
    pub(super) fn new<K: Clone + Send + Sync + 'static>(cache: usize, key: &K) -> Self {
        Load((cache, Arc::new(key.clone())))
    }

    /// Marks this load as running on this thread until the guard drops
    /// (also when the body panics).
    pub(super) fn enter(&self) -> Entered {
        LOADING.with(|loading| loading.borrow_mut().push(self.0.clone()));
        Entered(())
    }
}

/// Unmarks the innermost load on drop.
pub(super) struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        LOADING.with(|loading| {
            loading.borrow_mut().pop();
        });
    }
}

/// Panics when this thread is already loading `key` into the cache
/// identified by `cache` (named `name`) further up its stack.
#[inline]
pub(super) fn check<K: PartialEq + 'static>(cache: usize, key: &K, name: &str) {
    let recursive = LOADING.with(|loading| {
        loading.borrow().iter().any(|(id, loading)| {
            *id == cache && loading.downcast_ref::<K>().is_some_and(|k| k == key)
        })
    });
    if recursive {
        recursion(name);
    }
}

#[cold]
#[inline(never)]
fn recursion(name: &str) -> ! {
    panic!(
        "opguard: cache `{name}` was asked for a key that this very call is loading: the function \
         called itself with the same key, and the inner call would wait for the outer one for ever; \
         give the inner call another key, or call the uncached code for it"
    )
}

pin_project_lite::pin_project! {
    /// A load's future, marked as running whenever it is polled.
    pub(super) struct Marked<F> {
        load: Load,
        #[pin]
        future: F,
    }
}

impl<F> Marked<F> {
    pub(super) fn new(load: Load, future: F) -> Self {
        Self { load, future }
    }
}

impl<F: Future> Future for Marked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.load.enter();
        this.future.poll(cx)
    }
}
