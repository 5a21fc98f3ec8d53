//! The per-call guard: it records the call exactly once, also when the future
//! is dropped or the body panics.

use std::fmt::Debug;
use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::time::Instant;

use super::Timer;
use crate::Outcome;
use crate::watch::Watched;

/// One call being timed on a timer held as `T` (`&Timer` or `Arc<Timer>`).
struct Core<T: Deref<Target = Timer>> {
    timer: T,
    started: Instant,
    args: Option<String>,
    panicked: AtomicBool,
    finished: bool,
}

impl<T: Deref<Target = Timer>> Core<T> {
    #[inline]
    fn new(timer: T) -> Self {
        Self {
            timer,
            started: Instant::now(),
            args: None,
            panicked: AtomicBool::new(false),
            finished: false,
        }
    }

    fn record_args(&mut self, format: impl FnOnce() -> String) {
        if self.timer.slow_log_enabled() {
            self.args = Some(format());
        }
    }

    #[inline]
    fn finish(mut self, is_error: bool, value: Option<&dyn Debug>) {
        self.finished = true;
        let outcome = if is_error {
            Outcome::Error
        } else {
            Outcome::Ok
        };
        let elapsed = self.started.elapsed();
        self.timer
            .record(outcome, elapsed, self.args.as_deref(), value);
    }
}

impl<T: Deref<Target = Timer>> Drop for Core<T> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let outcome = if self.panicked.load(Ordering::Relaxed) || std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        };
        self.timer
            .record(outcome, self.started.elapsed(), None, None);
    }
}

/// One call being timed, from [`Timer::start`].
///
/// [`finish`](Self::finish) records the outcome. Dropped unfinished, the guard
/// records the call as `panicked` if a panic is unwinding (or one went through
/// a future [`watch`](Self::watch)ed by it), and as `cancelled` otherwise. The
/// in-flight count always goes back down.
#[must_use = "a guard dropped at once records a cancelled call"]
pub struct CallGuard<'a>(Core<&'a Timer>);

impl<'a> CallGuard<'a> {
    #[inline]
    pub(super) fn new(timer: &'a Timer) -> Self {
        Self(Core::new(timer))
    }
}

/// The `'static` form of a [`CallGuard`], from [`Timer::start_owned`]: it
/// holds a share of its timer, so it may move into a spawned task or a
/// `tower` response future, and records the call just as a [`CallGuard`]
/// does (also dropped unfinished).
#[must_use = "a guard dropped at once records a cancelled call"]
pub struct OwnedCallGuard(Core<Arc<Timer>>);

impl OwnedCallGuard {
    #[inline]
    pub(super) fn new(timer: Arc<Timer>) -> Self {
        Self(Core::new(timer))
    }
}

/// The methods of both guards, written once.
macro_rules! guard_api {
    ($guard:ty, $name:literal) => {
        impl $guard {
            /// Keeps the call's arguments, as text, for the slow-call log.
            /// `format` runs only when a slow-call event could be recorded.
            pub fn record_args(&mut self, format: impl FnOnce() -> String) {
                self.0.record_args(format);
            }

            /// Wraps the future that does the call's work, so that a panic
            /// inside it is recorded as `panicked` even when the future is
            /// dropped only after the panic was caught (as tokio does with a
            /// task).
            pub fn watch<F: Future>(&self, future: F) -> Watched<'_, F> {
                Watched::new(future, &self.0.panicked)
            }

            /// Records a returned call: an error when `is_error`.
            #[inline]
            pub fn finish(self, is_error: bool) {
                self.0.finish(is_error, None);
            }

            /// Like [`finish`](Self::finish), with the returned value for the
            /// slow-call log (formatted only if the call is slow and logged).
            #[inline]
            pub fn finish_with(self, is_error: bool, value: &dyn Debug) {
                self.0.finish(is_error, Some(value));
            }
        }

        impl std::fmt::Debug for $guard {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct($name)
                    .field("timer", &self.0.timer.name())
                    .finish_non_exhaustive()
            }
        }
    };
}

guard_api!(CallGuard<'_>, "CallGuard");
guard_api!(OwnedCallGuard, "OwnedCallGuard");
