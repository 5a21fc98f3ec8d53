//! A future wrapper that notices a panic inside `poll`.
//!
//! tokio catches a task's panic and drops the future afterwards, when no panic
//! is unwinding any more, so a guard's `Drop` alone cannot tell a panicked call
//! from a cancelled one. [`Watched`] sets a flag while the panic passes through
//! its `poll`, and the guard reads it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// A future watched for panics; from [`CallGuard::watch`](crate::monitor::CallGuard::watch)
    /// and the breaker's permits.
    pub struct Watched<'a, F> {
        #[pin]
        future: F,
        panicked: &'a AtomicBool,
    }
}

impl<'a, F> Watched<'a, F> {
    /// Wraps `future`; `panicked` is set if a panic unwinds through its `poll`.
    pub fn new(future: F, panicked: &'a AtomicBool) -> Self {
        Self { future, panicked }
    }
}

impl<F: Future> Future for Watched<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _unwinding = OnUnwind(this.panicked);
        this.future.poll(cx)
    }
}

/// Sets the flag if it is dropped while a panic unwinds.
pub(crate) struct OnUnwind<'a>(&'a AtomicBool);

impl<'a> OnUnwind<'a> {
    #[inline]
    pub(crate) fn new(flag: &'a AtomicBool) -> Self {
        Self(flag)
    }
}

impl Drop for OnUnwind<'_> {
    #[inline]
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}
