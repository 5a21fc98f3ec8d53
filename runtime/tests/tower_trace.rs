//! `TraceLayer`: a span named after the layer around each call, closed with
//! its outcome unless it is `ok` (with `include_elapsed`, always, and the
//! duration); failures recorded with the OpenTelemetry error status;
//! a dropped call closes as cancelled. (One test: one subscriber.)
#![cfg(feature = "tower")]

use std::future::{Pending, Ready, pending, ready};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use opguard_runtime::tower::TraceLayer;
use tower_layer::Layer;
use tower_service::Service;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Answers `Ok` for even requests, `Err` for odd ones; hangs on 99.
#[derive(Clone)]
struct Parity;

impl Service<u32> for Parity {
    type Response = u32;
    type Error = String;
    type Future = futures_either::Either<Ready<Result<u32, String>>, Pending<Result<u32, String>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, n: u32) -> Self::Future {
        match n {
            99 => futures_either::Either::Right(pending()),
            n if n % 2 == 0 => futures_either::Either::Left(ready(Ok(n))),
            n => futures_either::Either::Left(ready(Err(format!("odd request {n}")))),
        }
    }
}

mod futures_either {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// One of two futures (both `Unpin` here).
    pub(crate) enum Either<A, B> {
        Left(A),
        Right(B),
    }

    impl<A: Future + Unpin, B: Future<Output = A::Output> + Unpin> Future for Either<A, B> {
        type Output = A::Output;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
            match self.get_mut() {
                Either::Left(a) => Pin::new(a).poll(cx),
                Either::Right(b) => Pin::new(b).poll(cx),
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn spans_close_with_the_outcome_of_each_call() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut service = TraceLayer::new("tower.parity").layer(Parity);
    assert_eq!(service.call(2).await, Ok(2));
    assert_eq!(service.call(3).await, Err("odd request 3".into()));
    let dropped = tokio::time::timeout(Duration::from_millis(5), service.call(99)).await;
    assert!(dropped.is_err());
    let mut timed = TraceLayer::new("tower.timed")
        .include_elapsed(true)
        .layer(Parity);
    assert_eq!(timed.call(4).await, Ok(4));

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let closes: Vec<&str> = text.lines().filter(|l| l.contains("close")).collect();
    assert_eq!(closes.len(), 4, "{text}");
    assert!(
        closes[..3].iter().all(|l| l.contains("tower.parity")),
        "{text}"
    );
    // A success records no outcome, unless `include_elapsed` asks for it
    // with the duration.
    assert!(
        !closes[0].contains("outcome") && !closes[0].contains("elapsed_ms"),
        "{text}"
    );
    assert!(
        closes[3].contains("tower.timed")
            && closes[3].contains("outcome=\"ok\"")
            && closes[3].contains("elapsed_ms="),
        "{text}"
    );
    assert!(
        closes[1].contains("outcome=\"error\"")
            && closes[1].contains("error=\"odd request 3\"")
            && closes[1].contains("otel.status_code=\"ERROR\""),
        "{text}"
    );
    assert!(closes[2].contains("outcome=\"cancelled\""), "{text}");
    // The failure is also logged, inside the span.
    assert!(
        text.lines()
            .any(|l| l.contains("ERROR") && l.contains("odd request 3")),
        "{text}"
    );
}
