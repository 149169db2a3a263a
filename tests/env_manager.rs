//! The EnvManagerService over real gRPC, against a real `dspy-agent serve` and the real Docker
//! engine (test images from scripts/build-test-images.sh): its RPCs answer as `up` and `logs`
//! do, because they call the same library code.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Env, test_stack};
use dspy_agent::proto::env_manager as em;

/// A `serve` process on free ports over an `Env`'s home; on drop it is killed and the
/// project's containers, network and volumes are removed.
struct Server {
    env: Env,
    child: Child,
    addr: String,
}

impl Server {
    fn start(env: Env) -> Server {
        let log = std::fs::File::create(env.home().join("server.log")).unwrap();
        let child = env
            .command(&["serve"])
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .env_remove("ORCHESTRATOR_GRPC_ADDR")
            .env_remove("ENV_MANAGER_GRPC_ADDR")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        // Ready once state.json names this process and its env manager address.
        let mut child = child;
        let log_path = env.home().join("server.log");
        let serve = common::wait_for_serve(&mut child, env.home(), Duration::from_secs(20), || {
            std::fs::read_to_string(&log_path).unwrap_or_default()
        });
        Server {
            addr: serve["env_manager_addr"].as_str().unwrap().into(),
            env,
            child,
        }
    }

    async fn client(&self) -> common::EnvClient {
        common::env_manager(&self.addr, self.env.home()).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.env.run(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.env.project);
        for kind in ["container", "volume", "network"] {
            let all: &[&str] = if kind == "container" { &["-a"] } else { &[] };
            if let Ok(out) = Command::new("docker")
                .args([kind, "ls", "-q", "--filter", &label])
                .args(all)
                .output()
            {
                for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("docker").args([kind, "rm", "-f", id]).output();
                }
            }
        }
    }
}

#[tokio::test]
async fn start_services_and_pull_images_refuse_unknown_names_as_up_does() {
    let env = Env::new("em-unknown").with_services(&test_stack(42300));
    // config.toml enables a service the catalog lacks: `up` without names exits 2 for it.
    std::fs::write(env.home().join("config.toml"), "[services]\nnope = true\n").unwrap();
    let out = env.run(&["up"]).code(2);
    assert!(out.stderr.contains("services.nope"), "{}", out.stderr);
    let server = Server::start(env);
    let mut e = server.client().await;

    // A named unknown service: refused at the call, naming it, as `up --services` exits 2.
    let err = e
        .start_services(em::StartServicesRequest {
            services: vec!["redis".into(), "no-such-service".into()],
            no_pull: true,
            recreate: false,
            wait_timeout_seconds: 5.0,
        })
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("no-such-service"), "{err:?}");

    // The default set (config.toml's [services]) is resolved by the same function as `up`'s.
    let err = e
        .start_services(em::StartServicesRequest {
            services: vec![],
            no_pull: true,
            recreate: false,
            wait_timeout_seconds: 5.0,
        })
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("services.nope"), "{err:?}");
    // PullImages used to drop the unknown name silently and pull the rest.
    let err = e
        .pull_images(em::PullImagesRequest { services: vec![] })
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("services.nope"), "{err:?}");

    // Nothing was started.
    let out = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=dspy-agent.project={}", server.env.project),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[tokio::test]
async fn stream_logs_follows_into_services_started_later_as_logs_f_does() {
    let server = Server::start(Env::new("em-logs").with_services(&test_stack(42310)));
    let mut e = server.client().await;
    // Nothing runs yet: a follower must wait for services, not end at once.
    let mut logs = e
        .stream_logs(em::StreamLogsRequest {
            services: vec![],
            follow: true,
            tail: 0,
            since: 0,
        })
        .await
        .unwrap()
        .into_inner();

    let mut progress = e
        .start_services(em::StartServicesRequest {
            services: vec!["reddb".into()],
            no_pull: true,
            recreate: false,
            wait_timeout_seconds: 30.0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(m) = progress.message().await.unwrap() {
        last = Some(m);
    }
    let last = last.unwrap();
    assert_eq!(
        (last.r#type.as_str(), last.status.as_str()),
        ("done", "ok"),
        "{last:?}"
    );

    // busybox httpd -v logs the health probe's request; the follower attaches within a second.
    let line = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let line = logs
                .message()
                .await
                .unwrap()
                .expect("the follow stream ended");
            if line.service == "reddb" && line.message.contains("response:200") {
                return line;
            }
        }
    })
    .await
    .expect("reddb's log lines never reached StreamLogs");
    assert!(line.timestamp.starts_with("20"), "{line:?}");
}
