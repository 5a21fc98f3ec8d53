//! Default names: two different functions never share a cache, breaker or
//! timer without an explicit `name`, and the instantiations of one generic
//! function share one breaker and one timer (their caches stay apart).

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

use opguard::{breaker, cache, cacheable, circuit_breaker, monitor_performance};

mod support;
use support::Down;

struct Repo;

trait Users {
    fn get(&self, id: u64) -> String;
}

trait Orders {
    fn get(&self, id: u64) -> String;
}

impl Users for Repo {
    #[cacheable]
    fn get(&self, id: u64) -> String {
        format!("user {id}")
    }
}

impl Orders for Repo {
    #[cacheable]
    fn get(&self, id: u64) -> String {
        format!("order {id}")
    }
}

#[test]
fn two_trait_impls_of_one_method_name_have_two_caches() {
    assert_eq!(Users::get(&Repo, 1), "user 1");
    assert_eq!(Orders::get(&Repo, 1), "order 1");
    assert_eq!(Users::get(&Repo, 1), "user 1");
    assert_eq!(Orders::get(&Repo, 1), "order 1");
    let names: Vec<String> = cache::all()
        .into_iter()
        .map(|stats| stats.name)
        .filter(|name| name.contains("Repo") && name.contains("get"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The first one called keeps the readable name.
    assert!(
        names.contains(&"default_names::Repo::get".to_owned()),
        "{names:?}"
    );
}

mod a {
    pub(crate) struct Store;
}
mod b {
    pub(crate) struct Store;
}

impl a::Store {
    #[cacheable]
    fn size(&self, n: u32) -> u32 {
        n
    }
}

impl b::Store {
    // Another value type: a shared cache would panic on the first call.
    #[cacheable]
    fn size(&self, n: u32) -> String {
        format!("{n} bytes")
    }
}

#[test]
fn two_types_with_one_last_segment_have_two_caches() {
    assert_eq!(a::Store.size(7), 7);
    assert_eq!(b::Store.size(7), "7 bytes");
    assert_eq!(a::Store.size(7), 7);
    assert_eq!(b::Store.size(7), "7 bytes");
}

#[test]
fn nested_functions_of_one_name_in_two_blocks_have_two_caches() {
    let first = {
        #[cacheable]
        fn inner(n: u32) -> u32 {
            n + 1
        }
        inner(1)
    };
    let second = {
        #[cacheable]
        fn inner(n: u32) -> u32 {
            n + 100
        }
        inner(1)
    };
    assert_eq!((first, second), (2, 101));
}

struct Wrapper<T>(T);

trait Load {
    fn load(&self, fail: bool) -> Result<u32, Down>;
}

impl Load for Wrapper<u8> {
    #[circuit_breaker(failure_threshold = 1)]
    #[monitor_performance]
    fn load(&self, fail: bool) -> Result<u32, Down> {
        if fail { Err(Down) } else { Ok(8) }
    }
}

impl Load for Wrapper<u16> {
    #[circuit_breaker(failure_threshold = 1)]
    #[monitor_performance]
    fn load(&self, fail: bool) -> Result<u32, Down> {
        if fail { Err(Down) } else { Ok(16) }
    }
}

#[test]
fn impls_for_two_instantiations_of_a_type_have_two_breakers_and_timers() {
    assert!(Wrapper(0u8).load(true).is_err());
    assert!(Wrapper(0u8).load(false).is_err(), "the u8 breaker is open");
    assert_eq!(
        Wrapper(0u16).load(false).unwrap(),
        16,
        "the u16 breaker is not"
    );
    let breakers: Vec<_> = breaker::all()
        .into_iter()
        .filter(|snapshot| snapshot.name.contains("Wrapper"))
        .collect();
    assert_eq!(breakers.len(), 2, "{breakers:?}");
    let timers: Vec<_> = opguard::monitor::all()
        .into_iter()
        .filter(|timer| timer.name.contains("Wrapper"))
        .collect();
    assert_eq!(timers.len(), 2);
    for timer in &timers {
        let breaker = breakers.iter().find(|b| b.name == timer.name);
        assert!(
            breaker.is_some(),
            "timer {} has no breaker of its name",
            timer.name
        );
    }
}

static GENERIC_CALLS: AtomicU32 = AtomicU32::new(0);

#[circuit_breaker(failure_threshold = 2)]
#[cacheable]
fn generic<T: Default + Clone + Send + Sync + 'static>(fail: bool) -> Result<T, Down> {
    GENERIC_CALLS.fetch_add(1, SeqCst);
    if fail { Err(Down) } else { Ok(T::default()) }
}

#[test]
fn instantiations_of_a_generic_function_share_a_breaker_not_a_cache() {
    assert_eq!(generic::<u8>(false).unwrap(), 0);
    assert_eq!(generic::<String>(false).unwrap(), "");
    assert_eq!(GENERIC_CALLS.load(SeqCst), 2, "one cache per instantiation");
    assert!(generic::<u16>(true).is_err());
    assert!(generic::<u32>(true).is_err());
    let breaker = breaker::get("default_names::generic").unwrap();
    assert_eq!(breaker.snapshot().failures, 2);
    assert_eq!(breaker.state(), breaker::BreakerState::Open);
}
