//! All four attributes stacked in each of the 24 orders, on sync and async
//! free functions, sync and async methods, and a method of an
//! `#[async_trait]` impl: every order compiles, and behaviour follows
//! position — with `#[cacheable]` above `#[circuit_breaker]` a hit is served
//! while the breaker is open; below it, the open breaker rejects first.

#[derive(Debug, PartialEq)]
struct Down;

impl From<opguard::GuardError> for Down {
    fn from(_: opguard::GuardError) -> Self {
        Down
    }
}

/// What the `#[async_trait]` impls implement.
#[async_trait::async_trait]
trait Api {
    async fn fetch(&self, key: u32, down: bool) -> Result<u32, Down>;
}

/// The answer of every shape: `key`, or `Down` when `down`.
fn answer(key: u32, down: bool) -> Result<u32, Down> {
    if down { Err(Down) } else { Ok(key) }
}

/// A module per order with the five shapes, and one test of all of them.
macro_rules! orders {
    ($($order:ident, $cache_above:expr, [$($attr:meta),*];)*) => {
        $(
            mod $order {
                use super::{Api, Down, answer};

                $(#[$attr])*
                pub(super) fn free(key: u32, down: bool) -> Result<u32, Down> {
                    answer(key, down)
                }

                $(#[$attr])*
                pub(super) async fn free_async(key: u32, down: bool) -> Result<u32, Down> {
                    tokio::task::yield_now().await;
                    answer(key, down)
                }

                pub(super) struct Svc;

                impl Svc {
                    $(#[$attr])*
                    pub(super) fn get(&self, key: u32, down: bool) -> Result<u32, Down> {
                        answer(key, down)
                    }

                    $(#[$attr])*
                    pub(super) async fn get_async(&self, key: u32, down: bool) -> Result<u32, Down> {
                        tokio::task::yield_now().await;
                        answer(key, down)
                    }
                }

                #[async_trait::async_trait]
                impl Api for Svc {
                    $(#[$attr])*
                    async fn fetch(&self, key: u32, down: bool) -> Result<u32, Down> {
                        tokio::task::yield_now().await;
                        answer(key, down)
                    }
                }
            }
        )*

        /// Every shape of every order: a success, a failure that opens the
        /// breaker (threshold 1), then the first key again, which the cache
        /// serves only when it is above the breaker; and one timer, breaker
        /// and cache under the shape's name.
        #[tokio::test]
        async fn every_order_and_shape_compiles_and_behaves_by_position() {
            $(
                let order = stringify!($order);
                let expected = if $cache_above { Ok(1) } else { Err(Down) };
                let svc = $order::Svc;

                assert_eq!($order::free(1, false), Ok(1), "{order}::free");
                assert_eq!($order::free(2, true), Err(Down), "{order}::free");
                assert_eq!($order::free(1, false), expected, "{order}::free");

                assert_eq!($order::free_async(1, false).await, Ok(1), "{order}::free_async");
                assert_eq!($order::free_async(2, true).await, Err(Down), "{order}::free_async");
                assert_eq!($order::free_async(1, false).await, expected, "{order}::free_async");

                assert_eq!(svc.get(1, false), Ok(1), "{order}::Svc::get");
                assert_eq!(svc.get(2, true), Err(Down), "{order}::Svc::get");
                assert_eq!(svc.get(1, false), expected, "{order}::Svc::get");

                assert_eq!(svc.get_async(1, false).await, Ok(1), "{order}::Svc::get_async");
                assert_eq!(svc.get_async(2, true).await, Err(Down), "{order}::Svc::get_async");
                assert_eq!(svc.get_async(1, false).await, expected, "{order}::Svc::get_async");

                assert_eq!(svc.fetch(1, false).await, Ok(1), "{order}: Api::fetch");
                assert_eq!(svc.fetch(2, true).await, Err(Down), "{order}: Api::fetch");
                assert_eq!(svc.fetch(1, false).await, expected, "{order}: Api::fetch");

                for name in ["free", "free_async", "Svc::get", "Svc::get_async", "Svc::fetch"] {
                    let name = format!("stacking_orders::{order}::{name}");
                    assert!(opguard::monitor::get(&name).is_some(), "timer {name}");
                    assert!(opguard::breaker::get(&name).is_some(), "breaker {name}");
                    assert!(opguard::cache::get(&name).is_some(), "cache {name}");
                }
            )*
        }
    };
}

orders! {
    order_tmcb, true, [opguard::trace_operation, opguard::monitor_performance, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_tmbc, false, [opguard::trace_operation, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable];
    order_tcmb, true, [opguard::trace_operation, opguard::cacheable, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_tcbm, true, [opguard::trace_operation, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance];
    order_tbmc, false, [opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::cacheable];
    order_tbcm, false, [opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::monitor_performance];
    order_mtcb, true, [opguard::monitor_performance, opguard::trace_operation, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_mtbc, false, [opguard::monitor_performance, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable];
    order_mctb, true, [opguard::monitor_performance, opguard::cacheable, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_mcbt, true, [opguard::monitor_performance, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation];
    order_mbtc, false, [opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::cacheable];
    order_mbct, false, [opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::trace_operation];
    order_ctmb, true, [opguard::cacheable, opguard::trace_operation, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_ctbm, true, [opguard::cacheable, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance];
    order_cmtb, true, [opguard::cacheable, opguard::monitor_performance, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_cmbt, true, [opguard::cacheable, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation];
    order_cbtm, true, [opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::monitor_performance];
    order_cbmt, true, [opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::trace_operation];
    order_btmc, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::monitor_performance, opguard::cacheable];
    order_btcm, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::cacheable, opguard::monitor_performance];
    order_bmtc, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::trace_operation, opguard::cacheable];
    order_bmct, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::cacheable, opguard::trace_operation];
    order_bctm, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::trace_operation, opguard::monitor_performance];
    order_bcmt, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::monitor_performance, opguard::trace_operation];
}
