//! Batch submission against the real `serve`: gRPC SubmitTasks (tonic), HTTP
//! POST /queue/submit-batch (curl, NDJSON and a JSON array) and `submit --batch` (the CLI).
//! One bad task is an error in its own result; the others are durable.

mod common;

use dspy_agent::proto::orchestrator as pb;
use serde_json::{Value, json};

use common::server::Server;

fn worker_task(id: String) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id,
        payload_json: json!({"n": 1}).to_string(),
        ..Default::default()
    }
}

#[tokio::test]
async fn one_invalid_task_among_999_valid_ones_is_refused_alone() {
    let s = Server::start("");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let mut tasks: Vec<_> = (0..1000).map(|i| worker_task(format!("b-{i}"))).collect();
    tasks[500].class = "no_such_class".into();
    let results = c
        .submit_tasks(pb::SubmitTasksRequest {
            tasks: tasks.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(results.len(), 1000);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.task_id, format!("b-{i}"));
        if i == 500 {
            assert_eq!(r.outcome, "error");
            assert!(r.error.contains("unknown task class"), "{}", r.error);
            assert_eq!(r.code, "InvalidArgument");
        } else {
            assert_eq!(r.outcome, "created", "{r:?}");
        }
    }
    let listed = c
        .list_tasks(pb::ListTasksRequest {
            limit: 2000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total, 999);

    // The same batch again: idempotent, each valid task `existing`.
    let again = c
        .submit_tasks(pb::SubmitTasksRequest { tasks })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(
        again.iter().filter(|r| r.outcome == "existing").count(),
        999
    );

    // Over scheduler.max_batch_tasks: the whole call is refused, naming the setting.
    let too_many = (0..1001).map(|i| worker_task(format!("x-{i}"))).collect();
    let e = c
        .submit_tasks(pb::SubmitTasksRequest { tasks: too_many })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(
        e.message().contains("scheduler.max_batch_tasks"),
        "{}",
        e.message()
    );
}

#[tokio::test]
async fn http_takes_ndjson_and_a_json_array_and_a_read_token_may_not_submit() {
    let s = Server::start("");
    let admin = common::token(s.home());
    let ndjson = "{\"task_id\":\"h-1\",\"payload\":{\"zip\":\"10001\"}}\n\nnot json\n{\"task_id\":\"h-2\",\"payload\":{}}\n";
    let (code, body) = s.curl(
        Some(&admin),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/x-ndjson",
            "--data-binary",
            ndjson,
        ],
        "/queue/submit-batch",
    );
    assert_eq!(code, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (doc["created"].clone(), doc["errors"].clone()),
        (json!(2), json!(1)),
        "{doc}"
    );
    assert_eq!(doc["results"][1]["outcome"], "error");
    assert!(
        doc["results"][1]["error"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{doc}"
    );

    let array = json!([{"task_id": "h-2", "payload": {}}, {"task_id": "h-3", "class": "nope"}]);
    let (code, body) = s.curl(
        Some(&admin),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &array.to_string(),
        ],
        "/queue/submit-batch",
    );
    assert_eq!(code, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["results"][0]["outcome"], "existing", "{doc}");
    assert_eq!(doc["results"][1]["outcome"], "error", "{doc}");

    let reader = s.token("reader", "read");
    let (code, _) = s.curl(
        Some(&reader),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            "[]",
        ],
        "/queue/submit-batch",
    );
    assert_eq!(code, 403);
    let mut c = s.orch_as(Some(&reader)).await;
    let e = c
        .submit_tasks(pb::SubmitTasksRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied);
}

#[tokio::test]
async fn the_cli_reads_ndjson_and_prints_one_result_line_per_task() {
    let s = Server::start("");
    let input = s.home().join("tasks.ndjson");
    let mut text = String::new();
    for i in 0..2500 {
        text.push_str(
            &json!({"task_id": format!("c-{i}"), "priority": i % 3, "payload": {"flag": "true"}})
                .to_string(),
        );
        text.push('\n');
    }
    text.push_str("{\"task_id\": \"c-typo\", \"paylod\": {}}\n");
    std::fs::write(&input, text).unwrap();
    let run = s
        .cli(&["submit", "--batch", input.to_str().unwrap()])
        .code(1);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2501);
    assert!(lines[..2500].iter().all(|l| l["outcome"] == "created"));
    assert_eq!(lines[2500]["outcome"], "error");
    assert!(
        lines[2500]["error"].as_str().unwrap().contains("paylod"),
        "{}",
        lines[2500]
    );
    assert!(
        run.stderr.contains("1 of 2501 tasks were not submitted"),
        "{}",
        run.stderr
    );
}
