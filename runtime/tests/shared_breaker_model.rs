//! Property test: a fleet of two instances (child processes, one real
//! `redis-server`) against a single breaker fed the merged stream.
//!
//! Random calls (successes, failures) and manual moves go to random
//! instances; after each, both instances sync, and both must be in the
//! state that one breaker of this process (the reference; itself checked
//! against a model in `tests/breaker_model.rs`) reaches on the same stream.
//! Time-driven moves (half-open) are the fleet tests' subject; the
//! recovery timeout here is long.

#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::Duration;

use fleet::{Instance, Setup};
use opguard_runtime::GuardError;
use opguard_runtime::breaker::Breaker;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use redis_server::RedisServer;

const ENTRY: &str = "instance";

/// The child instance's entry point (run only as a child of this test).
#[test]
#[ignore = "a child instance, started by the test of this file"]
fn instance() {
    fleet::child_main();
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Ok(usize),
    Fail(usize),
    ForceOpen(usize),
    ForceClose(usize),
    Reset(usize),
    Disable(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..2;
    prop_oneof![
        6 => who.clone().prop_map(Op::Ok),
        8 => who.clone().prop_map(Op::Fail),
        1 => who.clone().prop_map(Op::ForceOpen),
        1 => who.clone().prop_map(Op::ForceClose),
        1 => who.clone().prop_map(Op::Reset),
        1 => who.prop_map(Op::Disable),
    ]
}

fn apply(reference: &Breaker, op: Op) {
    let call = |fail: bool| {
        let _: Result<(), GuardError> = reference.call_sync(|| {
            if fail {
                Err(GuardError::Timeout {
                    name: "upstream".into(),
                    after: Duration::from_millis(1),
                })
            } else {
                Ok(())
            }
        });
    };
    match op {
        Op::Ok(_) => call(false),
        Op::Fail(_) => call(true),
        Op::ForceOpen(_) => reference.force_open(),
        Op::ForceClose(_) => reference.force_close(),
        Op::Reset(_) => reference.reset(),
        Op::Disable(_) => reference.disable(),
    }
}

fn command(op: Op) -> (usize, &'static str) {
    match op {
        Op::Ok(i) => (i, "ok 1"),
        Op::Fail(i) => (i, "fail 1"),
        Op::ForceOpen(i) => (i, "force_open"),
        Op::ForceClose(i) => (i, "force_close"),
        Op::Reset(i) => (i, "reset"),
        Op::Disable(i) => (i, "disable"),
    }
}

#[test]
fn a_fleet_reaches_the_states_of_one_breaker_on_the_merged_stream() {
    let redis = RedisServer::start();
    let mut setup = Setup::new(redis.url(), "model.0");
    setup.threshold = 3;
    setup.recovery_ms = 600_000;
    // `run` takes an `Fn`: the instances and the case number in cells.
    let fleet = std::cell::RefCell::new([
        Instance::spawn(ENTRY, "a", &setup),
        Instance::spawn(ENTRY, "b", &setup),
    ]);
    let case = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..30), |ops| {
            case.set(case.get() + 1);
            let case = case.get();
            let fleet = &mut *fleet.borrow_mut();
            let name = format!("model.{case}");
            for instance in fleet.iter_mut() {
                prop_assert_eq!(instance.ask(&format!("use {name}")), "done");
            }
            let reference = Breaker::builder(format!("reference.{case}"))
                .failure_threshold(3)
                .recovery_timeout(Duration::from_secs(600))
                .build();
            for (step, op) in ops.iter().enumerate() {
                apply(&reference, *op);
                let (actor, text) = command(*op);
                prop_assert!(fleet[actor].ask(text).starts_with("done"));
                // The actor's sync first, then the other's: the merged
                // stream in order.
                prop_assert_eq!(fleet[actor].ask("flush"), "flushed true");
                prop_assert_eq!(fleet[1 - actor].ask("flush"), "flushed true");
                let expected = format!("{} fleet", reference.state());
                for (i, instance) in fleet.iter_mut().enumerate() {
                    let state = instance.ask("state");
                    if state != expected {
                        return Err(TestCaseError::fail(format!(
                            "after step {step} ({op:?}) of {ops:?}: instance {i} is {state:?}, \
                             the single breaker {expected:?}"
                        )));
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
