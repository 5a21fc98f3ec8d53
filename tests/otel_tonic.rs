//! W3C trace context over gRPC (feature `otel`): a `tonic` client whose
//! channel is wrapped in `InjectLayer` calls a real `tonic` server on
//! loopback whose routes are wrapped in `PropagationLayer`; the server's
//! request span and the handler's `#[trace_operation]` span continue the
//! client's trace, and a call that sampling left out is left out on the
//! server too.
//!
//! The service is OpenTelemetry's own OTLP trace service (its generated
//! client and server in `opentelemetry-proto`), so that no code is
//! generated here. One global subscriber (this binary's own process) sends
//! both sides' spans to the SDK's in-memory exporter.

#![cfg(feature = "otel")]

mod support;

use opentelemetry::trace::SpanKind;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opguard::otel::{InjectLayer, PropagationLayer};
use opguard::trace_operation;
use support::otel::exported;
use tonic::transport::{Channel, Server};
use tower_layer::Layer as _;

/// The request span `PropagationLayer` makes for the gRPC method.
const METHOD: &str = "POST /opentelemetry.proto.collector.trace.v1.TraceService/Export";

struct Back;

#[trace_operation]
fn handled() -> u32 {
    7
}

#[tonic::async_trait]
impl TraceService for Back {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        // The context came as metadata.
        assert!(request.metadata().get("traceparent").is_some());
        handled();
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// The server, on a loopback port; the client's channel to it.
async fn serve() -> Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(
        Server::builder()
            .layer(PropagationLayer::new())
            .add_service(TraceServiceServer::new(Back))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    Channel::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .expect("the server accepts")
}

async fn call(channel: Channel) {
    let mut client = TraceServiceClient::new(InjectLayer::new().layer(channel));
    client
        .export(ExportTraceServiceRequest::default())
        .await
        .expect("the call succeeds");
}

#[trace_operation]
async fn front(channel: Channel) {
    call(channel).await
}

#[trace_operation(sample_rate = 0.0)]
async fn front_sampled_out(channel: Channel) {
    call(channel).await
}

#[tokio::test]
async fn a_grpc_server_continues_the_clients_trace() {
    support::otel::install("otel_tonic", None);
    let channel = serve().await;
    front(channel.clone()).await;

    let [client] = exported("::front").try_into().expect("one client span");
    let [request] = exported(METHOD).try_into().expect("one request span");
    let [handler] = exported("::handled").try_into().expect("one handler span");
    assert_eq!(request.span_kind, SpanKind::Server);
    assert_eq!(
        request.span_context.trace_id(),
        client.span_context.trace_id(),
        "one trace across the gRPC hop"
    );
    assert_eq!(request.parent_span_id, client.span_context.span_id());
    assert!(request.parent_span_is_remote, "the parent came as metadata");
    assert_eq!(handler.parent_span_id, request.span_context.span_id());

    // Left out at the root: "not sampled" goes out, the server leaves its
    // part out too.
    front_sampled_out(channel).await;
    assert!(exported("::front_sampled_out").is_empty());
    assert_eq!(exported(METHOD).len(), 1, "no second request span");
    assert_eq!(exported("::handled").len(), 1, "no second handler span");
}
