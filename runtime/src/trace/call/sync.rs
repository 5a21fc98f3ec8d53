//! The sync driver: a function's work run bare when nobody traces the call,
//! under its call otherwise, and finished with its value; and the ends that
//! the async path shares (a call nobody traces still logs an `Err`).

use super::{Callsite, State, TraceCall};

/// Runs a synchronous function's work: bare when nobody traces the call
/// (no `call`: its level is disabled, no subscriber wants the span, or it
/// runs inside a sampled-out call), so that path is a branch, the work and,
/// for a `Result`, the `is_err` check of [`disabled_end`]; under `call`
/// otherwise. `end` finishes the call with the value.
#[inline]
pub fn run<R>(
    callsite: &'static Callsite,
    mut call: Option<TraceCall>,
    body: impl FnOnce() -> R,
    is_err: impl FnOnce(&R) -> bool,
    end: impl FnOnce(&mut TraceCall, &R),
) -> R {
    if call.is_some() {
        // Lent, not moved: moving the call (72 bytes) copied it right after
        // `start` wrote it, and the copy stalled on store forwarding. A
        // panic in `body` unwinds through here with `call` still owned, and
        // its drop closes the span as panicked.
        let value = run_traced(&mut call, body, end);
        // Emptied by `run_traced`: nothing to drop.
        std::mem::forget(call);
        return value;
    }
    untraced(call);
    let value = body();
    disabled_end(callsite, &value, is_err, end);
    value
}

/// Consumes the call of a call that is not traced, which is `None`:
/// nothing to drop, so no drop code on the disabled path.
#[inline(always)]
pub fn untraced(call: Option<TraceCall>) {
    debug_assert!(call.is_none());
    std::mem::forget(call);
}

/// Ends a call that is not traced (its level is disabled, or nobody traces
/// it): there is no span, but an `Err`
/// (`is_err`) is still logged at `error` level when that level is enabled.
/// For a value that is not a `Result`, `is_err` is `false` and this is
/// nothing at all.
#[inline(always)]
pub fn disabled_end<R>(
    callsite: &'static Callsite,
    value: &R,
    is_err: impl FnOnce(&R) -> bool,
    end: impl FnOnce(&mut TraceCall, &R),
) {
    if is_err(value) {
        disabled_failed(callsite, value, end);
    }
}

#[cold]
#[inline(never)]
fn disabled_failed<R>(
    callsite: &'static Callsite,
    value: &R,
    end: impl FnOnce(&mut TraceCall, &R),
) {
    let mut call = TraceCall {
        callsite,
        state: State::Untraced,
    };
    end(&mut call, value);
}

/// The traced path of [`run`], out of line so that the bare path stays
/// small where it is inlined.
#[inline(never)]
fn run_traced<R>(
    slot: &mut Option<TraceCall>,
    body: impl FnOnce() -> R,
    end: impl FnOnce(&mut TraceCall, &R),
) -> R {
    let Some(call) = slot else {
        unreachable!("`run` lends a call that is there")
    };
    let value = match &call.state {
        // No panic flag: a panic in a sync body unwinds through this frame
        // and `run`'s, which drops the call: its drop sees
        // `std::thread::panicking()`.
        State::Traced(active) => {
            let _entered = active.span.enter();
            body()
        }
        State::Untraced | State::SampledOut => call.in_scope(body),
    };
    end(call, &value);
    // Left empty for `run`. `finish` leaves a traced call untraced, which
    // holds nothing: no drop to call.
    let finished = slot.take();
    if matches!(&finished, Some(call) if matches!(call.state, State::Untraced)) {
        std::mem::forget(finished);
    } else {
        drop(finished);
    }
    value
}
