//! The right to make one call, and running the call under it.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use super::circuit::Inner;
use crate::GuardError;
use crate::watch::Watched;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PermitKind {
    Closed,
    Probe,
    Disabled,
}

/// How a call's errors are judged, and how a [`GuardError`] becomes one.
pub struct CallPolicy<'a, E> {
    is_failure: &'a (dyn Fn(&E) -> bool + Send + Sync),
    describe: &'a (dyn Fn(&E) -> String + Send + Sync),
    convert: &'a (dyn Fn(GuardError) -> E + Send + Sync),
}

impl<E> std::fmt::Debug for CallPolicy<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallPolicy").finish_non_exhaustive()
    }
}

impl<'a, E> CallPolicy<'a, E> {
    /// `is_failure` tells which errors count as failures (the others count as
    /// successes); `describe` gives a failure's text for `last_failures`;
    /// `convert` turns a timeout or rejection into the caller's error type.
    pub fn new(
        is_failure: &'a (dyn Fn(&E) -> bool + Send + Sync),
        describe: &'a (dyn Fn(&E) -> String + Send + Sync),
        convert: &'a (dyn Fn(GuardError) -> E + Send + Sync),
    ) -> Self {
        Self {
            is_failure,
            describe,
            convert,
        }
    }

    /// The caller's error for a guard error.
    pub fn convert(&self, error: GuardError) -> E {
        (self.convert)(error)
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
pub struct Permit<'a> {
    breaker: &'a Inner,
    generation: u64,
    kind: PermitKind,
    started: Option<u64>,
    panicked: AtomicBool,
    finished: bool,
}

impl std::fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permit")
            .field("breaker", &self.breaker.name)
            .field("generation", &self.generation)
            .field("probe", &self.is_probe())
            .finish_non_exhaustive()
    }
}

impl<'a> Permit<'a> {
    #[inline]
    pub(super) fn new(breaker: &'a Inner, generation: u64, kind: PermitKind) -> Self {
        Self {
            breaker,
            generation,
            kind,
            started: breaker.tracks_slow().then(|| breaker.now()),
            panicked: AtomicBool::new(false),
            finished: false,
        }
    }

    /// Whether this call is a half-open probe.
    pub fn is_probe(&self) -> bool {
        self.kind == PermitKind::Probe
    }

    /// Records a success.
    #[inline]
    pub fn success(mut self) {
        self.finished = true;
        self.breaker
            .on_success(self.generation, self.kind, self.started);
    }

    /// Records a failure with its text.
    pub fn failure(mut self, error: impl std::fmt::Display) {
        self.finished = true;
        self.breaker.on_failure(
            self.generation,
            self.kind,
            self.started,
            error.to_string(),
            false,
        );
    }

    /// Runs the call and records its outcome: `Ok` and errors `policy` does
    /// not count are successes; counted errors, a timeout (the breaker's
    /// `timeout`; the future is dropped and the converted
    /// `GuardError::Timeout` returned) and a panic are failures.
    pub async fn run<T, E, F>(self, policy: &CallPolicy<'_, E>, future: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        self.run_judged(policy, future).await.0
    }

    /// [`run`](Self::run), also telling whether the call counted as a failure.
    pub(super) async fn run_judged<T, E, F>(
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
                super::require_tokio_timer(&self.breaker.name, "timeout");
                tokio::time::timeout(after, watched)
            }
            .await
            {
                Ok(result) => result,
                Err(_) => {
                    self.finished = true;
                    let text = format!("timed out after {after:?}");
                    self.breaker
                        .on_failure(self.generation, self.kind, self.started, text, true);
                    let name = self.breaker.name.clone();
                    return (
                        Err(policy.convert(GuardError::Timeout { name, after })),
                        true,
                    );
                }
            },
        };
        let failed = self.judge(policy, &result);
        (result, failed)
    }

    /// [`run`](Self::run) for a synchronous call (no timeout).
    pub fn run_sync<T, E>(
        self,
        policy: &CallPolicy<'_, E>,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        self.run_sync_judged(policy, f).0
    }

    pub(super) fn run_sync_judged<T, E>(
        mut self,
        policy: &CallPolicy<'_, E>,
        f: impl FnOnce() -> Result<T, E>,
    ) -> (Result<T, E>, bool) {
        let result = f();
        let failed = self.judge(policy, &result);
        (result, failed)
    }

    #[inline]
    fn judge<T, E>(&mut self, policy: &CallPolicy<'_, E>, result: &Result<T, E>) -> bool {
        self.finished = true;
        match result {
            Err(error) if (policy.is_failure)(error) => {
                let text = (policy.describe)(error);
                self.breaker
                    .on_failure(self.generation, self.kind, self.started, text, false);
                true
            }
            _ => {
                self.breaker
                    .on_success(self.generation, self.kind, self.started);
                false
            }
        }
    }
}

impl Drop for Permit<'_> {
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            self.unfinished();
        }
    }
}

impl Permit<'_> {
    #[cold]
    fn unfinished(&self) {
        if self.panicked.load(Ordering::Relaxed) || std::thread::panicking() {
            self.breaker.on_failure(
                self.generation,
                self.kind,
                self.started,
                "panicked".into(),
                false,
            );
        } else {
            self.breaker.on_cancel(self.generation, self.kind);
        }
    }
}
