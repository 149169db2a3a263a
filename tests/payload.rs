//! The typed payload (SubmitTaskRequest.payload_json): strings that look like JSON ("true",
//! "10001", "null"), nulls, nested objects and lists reach a pull worker's lease unchanged,
//! whether submitted over gRPC, HTTP (curl) or the CLI. The legacy map keeps its documented
//! rule. Real `serve`, real clients.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use dspy_agent::proto::orchestrator as pb;
use serde_json::{Value, json};

use common::server::Server;

/// Every value a map-of-strings payload would have turned into something else.
fn tricky() -> Value {
    json!({
        "flag": "true",
        "zip": "10001",
        "nothing": "null",
        "real_null": null,
        "number": 10001,
        "big": 9007199254740993u64,
        "nested": {"a": [1, "2", {"b": "false", "c": []}], "d": {}},
        "list": ["true", 10001, null, [["x"]]],
    })
}

fn typed(id: &str, payload: &Value) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload_json: payload.to_string(),
        max_attempts: 1,
        ..Default::default()
    }
}

/// Lease every task waiting for a worker, until `n` arrived or 10 s passed.
async fn lease_all(c: &mut common::Orch, n: usize) -> HashMap<String, Value> {
    let mut got = HashMap::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while got.len() < n {
        assert!(std::time::Instant::now() < deadline, "only {got:?} leased");
        let leased = c
            .lease_tasks(pb::LeaseTasksRequest {
                worker_id: "payload-test".into(),
                max: 10,
                lease_seconds: 30.0,
                wait_ms: 500,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        for t in leased.tasks {
            let v: Value = serde_json::from_str(&t.payload_json).unwrap();
            got.insert(t.task_id, v);
        }
    }
    got
}

#[tokio::test]
async fn the_typed_payload_round_trips_through_grpc_http_and_the_cli_to_a_worker() {
    let s = Server::start("");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let payload = tricky();

    c.submit_task(typed("via-grpc", &payload)).await.unwrap();

    let body = json!({"task_id": "via-http", "max_attempts": 1, "payload": payload}).to_string();
    let admin = common::token(s.home());
    let (code, answer) = s.curl(
        Some(&admin),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &body,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201, "{answer}");

    s.cli(&[
        "submit",
        "--id",
        "via-cli",
        "--max-attempts",
        "1",
        "--payload",
        &payload.to_string(),
    ])
    .ok();

    let leased = lease_all(&mut c, 3).await;
    for id in ["via-grpc", "via-http", "via-cli"] {
        assert_eq!(leased.get(id), Some(&payload), "{id} changed on the way");
    }

    // The same task again through the legacy map (each value JSON-encoded, as the CLI used
    // to send it) is the same payload: an idempotent resubmission, not a conflict.
    let legacy: HashMap<String, String> = payload
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let again = c
        .submit_task(pb::SubmitTaskRequest {
            task_id: "via-grpc".into(),
            payload: legacy,
            max_attempts: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!again.created);
}

#[tokio::test]
async fn a_plain_command_true_is_a_command_in_payload_json_and_the_field_wins_over_the_map() {
    let s = Server::start("");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    // The map's rule reads "true" as the boolean true, which is no command.
    let legacy = c
        .submit_task(pb::SubmitTaskRequest {
            task_id: "legacy".into(),
            payload: HashMap::from([("command".to_string(), "true".to_string())]),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(legacy.code(), tonic::Code::InvalidArgument);
    // payload_json wins: the map beside it (the same bad command) is ignored.
    let typed = c
        .submit_task(pb::SubmitTaskRequest {
            task_id: "typed".into(),
            payload: HashMap::from([("command".to_string(), "true".to_string())]),
            payload_json: json!({"command": "true"}).to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(typed.created);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let st = c
            .get_task_status(pb::GetTaskStatusRequest {
                task_id: "typed".into(),
            })
            .await
            .unwrap()
            .into_inner();
        if st.status == "completed" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{st:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn payload_json_that_is_not_an_object_is_refused_naming_the_field() {
    let s = Server::start("");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    for (text, says) in [
        ("[1,2]", "payload_json must be a JSON object, not an array"),
        ("\"x\"", "payload_json must be a JSON object, not a string"),
        ("{\"a\":", "payload_json is not valid JSON"),
    ] {
        let e = c
            .submit_task(pb::SubmitTaskRequest {
                task_id: "bad".into(),
                payload_json: text.into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{text}");
        assert!(e.message().contains(says), "{text}: {}", e.message());
    }
    let listed = c
        .list_tasks(pb::ListTasksRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.tasks.is_empty(), "nothing was kept: {listed:?}");
}
