//! The right to make one call, and running the call under it: borrowed from
//! the breaker ([`Permit`], what generated code uses) or owning a share of it
//! ([`OwnedPermit`], for `'static` futures). Both are one [`Core`] over a
//! different hold on the breaker, so they record outcomes the same way.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::clock::require_tokio_timer;
use super::local::Inner;
use super::machine::{PermitKind, Ticket};
use super::policy::CallPolicy;
use crate::GuardError;
use crate::timeout::Timeout;
use crate::watch::Watched;

/// A granted call on a breaker held as `B` (`&Inner` or `Arc<Inner>`).
struct Core<B: Deref<Target = Inner>> {
    breaker: B,
    ticket: Ticket,
    started: Option<u64>,
    panicked: AtomicBool,
    finished: bool,
}

impl<B: Deref<Target = Inner>> Core<B> {
    #[inline]
    fn new(breaker: B, ticket: Ticket) -> Self {
        Self {
            started: breaker.started(),
            breaker,
            ticket,
            panicked: AtomicBool::new(false),
            finished: false,
        }
    }

    fn is_probe(&self) -> bool {
        self.ticket.kind == PermitKind::Probe
    }

    #[inline]
    fn success(mut self) {
        self.finished = true;
        self.breaker.on_success(self.ticket, self.started);
    }

    /// Records a failure by timeout (also counted in `timeouts`) and
    /// returns the error the caller gets.
    fn timed_out(mut self, after: std::time::Duration) -> GuardError {
        self.finished = true;
        let name = self.breaker.name.clone();
        let error = GuardError::Timeout { name, after };
        self.breaker
            .on_failure(self.ticket, self.started, error.to_string(), true);
        error
    }

    fn failure(mut self, error: impl std::fmt::Display) {
        self.finished = true;
        let text = error.to_string();
        self.breaker
            .on_failure(self.ticket, self.started, text, false);
    }

    /// Runs the call under the breaker's `timeout` and records its outcome;
    /// also tells whether it counted as a failure.
    async fn run_judged<T, E, F>(
        mut self,
        policy: &CallPolicy<'_, E>,
        future: F,
    ) -> (Result<T, E>, bool)
    where
        F: Future<Output = Result<T, E>>,
    {
        let watched = Watched::new(future, &self.panicked);
        let result = match self.breaker.config.timeout {
            None => watched.await,
            Some(after) => match {
                require_tokio_timer(&self.breaker.name, "timeout");
                Timeout::new(after).run(watched)
            }
            .await
            {
                Ok(result) => result,
                Err(elapsed) => {
                    self.finished = true;
                    let text = elapsed.to_string();
                    self.breaker
                        .on_failure(self.ticket, self.started, text, true);
                    let name = self.breaker.name.clone();
                    return (
                        Err(policy.convert(GuardError::Timeout { name, after })),
                        true,
                    );
                }
            },
        };
        self.judge(policy, result)
    }

    #[inline]
    fn run_sync_judged<T, E>(
        mut self,
        policy: &CallPolicy<'_, E>,
        f: impl FnOnce() -> Result<T, E>,
    ) -> (Result<T, E>, bool) {
        let result = f();
        self.judge(policy, result)
    }

    /// Records the outcome of a call that returned `result`, and gives it
    /// back with whether it counted as a failure. The `Ok` value is taken
    /// out and put back, so the caller's `Result` is built where it is
    /// returned; a copy of the whole `Result` right after the callee wrote
    /// it in parts stalls store-to-load forwarding (about 4 ns a call).
    #[inline(always)]
    fn judge<T, E>(
        &mut self,
        policy: &CallPolicy<'_, E>,
        result: Result<T, E>,
    ) -> (Result<T, E>, bool) {
        self.finished = true;
        match result {
            Ok(value) => {
                self.breaker.on_success(self.ticket, self.started);
                (Ok(value), false)
            }
            Err(error) => {
                let failed = (policy.is_failure)(&error);
                if failed {
                    let text = (policy.describe)(&error);
                    self.breaker
                        .on_failure(self.ticket, self.started, text, false);
                } else {
                    self.breaker.on_success(self.ticket, self.started);
                }
                (Err(error), failed)
            }
        }
    }

    #[cold]
    fn unfinished(&self) {
        if self.panicked.load(Ordering::Relaxed) || std::thread::panicking() {
            let text = "panicked".into();
            self.breaker
                .on_failure(self.ticket, self.started, text, false);
        } else {
            self.breaker.on_cancel(self.ticket);
        }
    }

    fn debug(&self, f: &mut std::fmt::Formatter<'_>, name: &str) -> std::fmt::Result {
        f.debug_struct(name)
            .field("breaker", &self.breaker.name)
            .field("generation", &self.ticket.generation)
            .field("probe", &self.is_probe())
            .finish_non_exhaustive()
    }
}

impl<B: Deref<Target = Inner>> Drop for Core<B> {
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            self.unfinished();
        }
    }
}

/// Permission to make one call, from [`Breaker::acquire`](super::Breaker::acquire).
///
/// Finish it with [`success`](Self::success) / [`failure`](Self::failure),
/// or let [`run`](Self::run) do it. Dropped unfinished, it records a failure
/// if a panic is unwinding (or went through the future it ran), and otherwise
/// nothing: a cancelled call is neither success nor failure, and a half-open
/// probe frees its slot.
#[must_use = "a permit dropped at once counts as a cancelled call"]
pub struct Permit<'a>(Core<&'a Inner>);

/// A [`Permit`] that holds a share of its breaker, so that it is `'static`
/// and may move into a spawned task or a `tower` response future; from
/// [`Breaker::acquire_owned`](super::Breaker::acquire_owned). It records
/// outcomes exactly as a [`Permit`] does, also when dropped unfinished.
#[must_use = "a permit dropped at once counts as a cancelled call"]
pub struct OwnedPermit(Core<Arc<Inner>>);

impl<'a> Permit<'a> {
    #[inline]
    pub(super) fn new(breaker: &'a Inner, ticket: Ticket) -> Self {
        Self(Core::new(breaker, ticket))
    }

    /// [`run`](Self::run), also telling whether the call counted as a failure.
    pub(super) async fn run_judged<T, E, F>(
        self,
        policy: &CallPolicy<'_, E>,
        future: F,
    ) -> (Result<T, E>, bool)
    where
        F: Future<Output = Result<T, E>>,
    {
        self.0.run_judged(policy, future).await
    }

    /// [`run_sync`](Self::run_sync), also telling whether the call counted
    /// as a failure.
    #[inline]
    pub(super) fn run_sync_judged<T, E>(
        self,
        policy: &CallPolicy<'_, E>,
        f: impl FnOnce() -> Result<T, E>,
    ) -> (Result<T, E>, bool) {
        self.0.run_sync_judged(policy, f)
    }
}

impl OwnedPermit {
    pub(super) fn new(breaker: Arc<Inner>, ticket: Ticket) -> Self {
        Self(Core::new(breaker, ticket))
    }
}

/// The methods of both permits, written once.
macro_rules! permit_api {
    ($permit:ty, $name:literal) => {
        impl $permit {
            /// Whether this call is a half-open probe.
            pub fn is_probe(&self) -> bool {
                self.0.is_probe()
            }

            /// Records a success.
            #[inline]
            pub fn success(self) {
                self.0.success();
            }

            /// Records a failure with its text.
            pub fn failure(self, error: impl std::fmt::Display) {
                self.0.failure(error);
            }

            /// Records that the call ran out of time (a failure, counted in
            /// `timeouts` too) and returns the [`GuardError::Timeout`] for
            /// the caller; for callers that time calls out themselves.
            pub fn timed_out(self, after: std::time::Duration) -> GuardError {
                self.0.timed_out(after)
            }

            /// Runs the call and records its outcome: `Ok` and errors
            /// `policy` does not count are successes; counted errors, a
            /// timeout (the breaker's `timeout`; the future is dropped and
            /// the converted `GuardError::Timeout` returned) and a panic are
            /// failures.
            pub async fn run<T, E, F>(self, policy: &CallPolicy<'_, E>, future: F) -> Result<T, E>
            where
                F: Future<Output = Result<T, E>>,
            {
                self.0.run_judged(policy, future).await.0
            }

            /// [`run`](Self::run) for a synchronous call (no timeout).
            #[inline]
            pub fn run_sync<T, E>(
                self,
                policy: &CallPolicy<'_, E>,
                f: impl FnOnce() -> Result<T, E>,
            ) -> Result<T, E> {
                self.0.run_sync_judged(policy, f).0
            }
        }

        impl std::fmt::Debug for $permit {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.debug(f, $name)
            }
        }
    };
}

permit_api!(Permit<'_>, "Permit");
permit_api!(OwnedPermit, "OwnedPermit");
