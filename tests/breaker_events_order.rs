//! `breaker::events()` delivers one breaker's transitions in the order they
//! happened, also when threads race to move it: each event leaves the state
//! the previous one entered.

use opguard_runtime::breaker::{self, Breaker};

#[test]
fn racing_transitions_arrive_in_order() {
    let breaker = Breaker::builder("breaker_events_order.race").build();
    for round in 0..40 {
        let mut events = breaker::events();
        let start = breaker.state();
        std::thread::scope(|scope| {
            for thread in 0..3 {
                let breaker = &breaker;
                scope.spawn(move || {
                    for i in 0..100 {
                        match (thread + i) % 3 {
                            0 => breaker.force_open(),
                            1 => breaker.force_close(),
                            _ => breaker.disable(),
                        }
                    }
                });
            }
        });
        let mut state = start;
        let mut seen = 0;
        while let Ok(event) = events.try_recv() {
            if &*event.name != breaker.name() {
                continue;
            }
            assert_eq!(
                event.from, state,
                "round {round}, event {seen}: {:?} -> {:?} after entering {state:?}",
                event.from, event.to
            );
            state = event.to;
            seen += 1;
        }
        assert!(seen > 0);
        assert_eq!(state, breaker.state(), "the last event is the state now");
    }
}
