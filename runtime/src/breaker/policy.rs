//! How a call's errors are judged: borrowed for one stack frame (what
//! generated code builds), or owned behind an `Arc` for `'static` futures.

use crate::GuardError;
use std::fmt::Display;

type IsFailure<'a, E> = dyn Fn(&E) -> bool + Send + Sync + 'a;
type Describe<'a, E> = dyn Fn(&E) -> String + Send + Sync + 'a;
type Convert<'a, E> = dyn Fn(GuardError) -> E + Send + Sync + 'a;

/// How a call's errors are judged, and how a [`GuardError`] becomes one.
pub struct CallPolicy<'a, E> {
    pub(super) is_failure: &'a IsFailure<'a, E>,
    pub(super) describe: &'a Describe<'a, E>,
    convert: &'a Convert<'a, E>,
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
        is_failure: &'a IsFailure<'a, E>,
        describe: &'a Describe<'a, E>,
        convert: &'a Convert<'a, E>,
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

/// A [`CallPolicy`] that owns its functions, to share in an `Arc` with
/// futures that must be `'static` (a `tower` service's response future):
/// [`policy`](Self::policy) lends the borrowed form for one call.
///
/// ```
/// use std::sync::Arc;
/// use opguard_runtime::{GuardError, breaker::{Breaker, OwnedCallPolicy}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let breaker = Breaker::builder("docs.owned_policy").build();
/// let policy: Arc<OwnedCallPolicy<GuardError>> = Arc::new(OwnedCallPolicy::every_error());
/// let permit = breaker.acquire_owned().unwrap();
/// let task = tokio::spawn({
///     let policy = Arc::clone(&policy);
///     async move { permit.run(&policy.policy(), async { Ok::<_, GuardError>(7) }).await }
/// });
/// assert_eq!(task.await.unwrap(), Ok(7));
/// assert_eq!(breaker.snapshot().successes, 1);
/// # }
/// ```
pub struct OwnedCallPolicy<E> {
    is_failure: Box<IsFailure<'static, E>>,
    describe: Box<Describe<'static, E>>,
    convert: Box<Convert<'static, E>>,
}

impl<E> std::fmt::Debug for OwnedCallPolicy<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedCallPolicy").finish_non_exhaustive()
    }
}

impl<E> OwnedCallPolicy<E> {
    /// The functions of [`CallPolicy::new`], owned.
    pub fn new(
        is_failure: impl Fn(&E) -> bool + Send + Sync + 'static,
        describe: impl Fn(&E) -> String + Send + Sync + 'static,
        convert: impl Fn(GuardError) -> E + Send + Sync + 'static,
    ) -> Self {
        Self {
            is_failure: Box::new(is_failure),
            describe: Box::new(describe),
            convert: Box::new(convert),
        }
    }

    /// Every error counts as a failure, described with `Display` and made
    /// from a guard error with `From`: what [`Breaker::call`](super::Breaker::call) uses.
    pub fn every_error() -> Self
    where
        E: From<GuardError> + Display + 'static,
    {
        Self::new(|_| true, |e: &E| e.to_string(), E::from)
    }

    /// The borrowed form, for [`Permit::run`](super::Permit::run) and
    /// [`OwnedPermit::run`](super::OwnedPermit::run).
    pub fn policy(&self) -> CallPolicy<'_, E> {
        CallPolicy::new(&*self.is_failure, &*self.describe, &*self.convert)
    }
}
