//! All four attributes stacked in each of the 24 orders, on sync and async
//! functions: every order compiles, and behaviour follows position — with
//! `#[cacheable]` above `#[circuit_breaker]` a hit is served while the
//! breaker is open; below it, the open breaker rejects first.

#[derive(Debug, PartialEq)]
struct Down;

impl From<opguard::GuardError> for Down {
    fn from(_: opguard::GuardError) -> Self {
        Down
    }
}

/// One sync and one async function per order, and a test of both.
macro_rules! orders {
    ($($sync:ident, $async_fn:ident, $cache_above:expr, [$($attr:meta),*];)*) => {
        $(
            $(#[$attr])*
            fn $sync(key: u32, down: bool) -> Result<u32, Down> {
                if down { Err(Down) } else { Ok(key) }
            }

            $(#[$attr])*
            async fn $async_fn(key: u32, down: bool) -> Result<u32, Down> {
                tokio::task::yield_now().await;
                if down { Err(Down) } else { Ok(key) }
            }
        )*

        #[test]
        fn every_order_compiles_and_behaves_by_position() {
            $(
                assert_eq!($sync(1, false), Ok(1), "{}", stringify!($sync));
                assert_eq!($sync(2, true), Err(Down), "{}", stringify!($sync));
                let expected = if $cache_above { Ok(1) } else { Err(Down) };
                assert_eq!($sync(1, false), expected, "{}: cache above the breaker: {}", stringify!($sync), $cache_above);
                assert!(opguard::monitor::get(concat!("stacking_orders::", stringify!($sync))).is_some());
                assert!(opguard::breaker::get(concat!("stacking_orders::", stringify!($sync))).is_some());
                assert!(opguard::cache::get(concat!("stacking_orders::", stringify!($sync))).is_some());
            )*
        }

        #[tokio::test]
        async fn every_async_order_compiles_and_behaves_by_position() {
            $(
                assert_eq!($async_fn(1, false).await, Ok(1), "{}", stringify!($async_fn));
                assert_eq!($async_fn(2, true).await, Err(Down), "{}", stringify!($async_fn));
                let expected = if $cache_above { Ok(1) } else { Err(Down) };
                assert_eq!($async_fn(1, false).await, expected, "{}", stringify!($async_fn));
            )*
        }
    };
}

orders! {
    order_tmcb, order_tmcb_async, true, [opguard::trace_operation, opguard::monitor_performance, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_tmbc, order_tmbc_async, false, [opguard::trace_operation, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable];
    order_tcmb, order_tcmb_async, true, [opguard::trace_operation, opguard::cacheable, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_tcbm, order_tcbm_async, true, [opguard::trace_operation, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance];
    order_tbmc, order_tbmc_async, false, [opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::cacheable];
    order_tbcm, order_tbcm_async, false, [opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::monitor_performance];
    order_mtcb, order_mtcb_async, true, [opguard::monitor_performance, opguard::trace_operation, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_mtbc, order_mtbc_async, false, [opguard::monitor_performance, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable];
    order_mctb, order_mctb_async, true, [opguard::monitor_performance, opguard::cacheable, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_mcbt, order_mcbt_async, true, [opguard::monitor_performance, opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation];
    order_mbtc, order_mbtc_async, false, [opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::cacheable];
    order_mbct, order_mbct_async, false, [opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::trace_operation];
    order_ctmb, order_ctmb_async, true, [opguard::cacheable, opguard::trace_operation, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_ctbm, order_ctbm_async, true, [opguard::cacheable, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance];
    order_cmtb, order_cmtb_async, true, [opguard::cacheable, opguard::monitor_performance, opguard::trace_operation, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h")];
    order_cmbt, order_cmbt_async, true, [opguard::cacheable, opguard::monitor_performance, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation];
    order_cbtm, order_cbtm_async, true, [opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::monitor_performance];
    order_cbmt, order_cbmt_async, true, [opguard::cacheable, opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::trace_operation];
    order_btmc, order_btmc_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::monitor_performance, opguard::cacheable];
    order_btcm, order_btcm_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::trace_operation, opguard::cacheable, opguard::monitor_performance];
    order_bmtc, order_bmtc_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::trace_operation, opguard::cacheable];
    order_bmct, order_bmct_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::monitor_performance, opguard::cacheable, opguard::trace_operation];
    order_bctm, order_bctm_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::trace_operation, opguard::monitor_performance];
    order_bcmt, order_bcmt_async, false, [opguard::circuit_breaker(failure_threshold = 1, recovery_timeout = "1h"), opguard::cacheable, opguard::monitor_performance, opguard::trace_operation];
}
