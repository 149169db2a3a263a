//! Limits a client cannot talk its way past, against the real `serve`: the cap on open gRPC
//! streams (shared by both services) and the bound on CompleteTask's result and error.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::server::Server;
use dspy_agent::proto::env_manager as em;
use dspy_agent::proto::orchestrator as pb;

fn events() -> pb::StreamEventsRequest {
    pb::StreamEventsRequest {
        event_types: vec![],
        since_timestamp: 0,
    }
}

#[tokio::test]
async fn streams_past_the_cap_get_resource_exhausted_until_one_closes() {
    let s = Server::start("[grpc]\nmax_streams = 2\n");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let a = c.stream_events(events()).await.unwrap().into_inner();
    let b = c
        .stream_task_results(pb::StreamTaskResultsRequest {
            task_ids: vec!["nothing".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let refused = c.stream_events(events()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    assert!(
        refused.message().contains("grpc.max_streams is 2"),
        "{refused}"
    );
    // The cap is the server's, not one service's.
    let mut env = s.env_as(Some(&common::token(s.home()))).await;
    let health = env
        .stream_health(em::StreamHealthRequest { interval_ms: 1000 })
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(health.code(), tonic::Code::ResourceExhausted);
    let logs = env
        .stream_logs(em::StreamLogsRequest::default())
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(logs.code(), tonic::Code::ResourceExhausted);
    // Unary calls are not streams.
    c.list_tasks(pb::ListTasksRequest::default()).await.unwrap();
    // A client that leaves frees its place (the server drops the stream when the reset
    // arrives).
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match c.stream_events(events()).await {
            Ok(_) => break,
            Err(e) => assert_eq!(e.code(), tonic::Code::ResourceExhausted),
        }
        assert!(Instant::now() < deadline, "the place was never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(b);
}

#[tokio::test]
async fn complete_task_result_and_error_are_bounded_by_max_payload_bytes() {
    let s = Server::start("[scheduler]\nmax_payload_bytes = 1000\n");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    c.submit_task(pb::SubmitTaskRequest {
        task_id: "big".into(),
        payload: HashMap::from([("data".to_string(), "1".to_string())]),
        class: String::new(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let leased = c
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "w".into(),
            classes: vec![],
            max: 1,
            lease_seconds: 30.0,
            wait_ms: 2000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    let lease_id = leased[0].lease_id.clone();
    let complete = |result: HashMap<String, String>, error: String| pb::CompleteTaskRequest {
        task_id: "big".into(),
        lease_id: lease_id.clone(),
        success: error.is_empty(),
        result,
        error,
        hand_back: false,
    };
    for (result, error) in [
        (HashMap::new(), "e".repeat(2000)),
        (
            HashMap::from([("r".to_string(), "x".repeat(2000))]),
            String::new(),
        ),
        (
            HashMap::from([("r".to_string(), "x".repeat(600))]),
            "e".repeat(600),
        ),
    ] {
        let e = c.complete_task(complete(result, error)).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert!(e.message().contains("max_payload_bytes"), "{e}");
    }
    // Within the bound it completes.
    c.complete_task(complete(
        HashMap::from([("r".to_string(), "ok".to_string())]),
        String::new(),
    ))
    .await
    .unwrap();
}
