//! A small builder around the real `dspy-agent` binary, in a temporary home.
#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

/// One isolated environment: its own home, project name and services file.
pub struct Env {
    pub home: tempfile::TempDir,
    pub project: String,
    pub services_file: Option<PathBuf>,
    pub envs: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
    #[track_caller]
    pub fn code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

impl Env {
    pub fn new(name: &str) -> Env {
        let project = format!("t{}-{}", std::process::id(), name)
            .to_lowercase()
            .replace('_', "-");
        Env {
            home: tempfile::tempdir().expect("temp dir"),
            project,
            services_file: None,
            envs: vec![],
        }
    }

    pub fn with_services(mut self, toml: &str) -> Env {
        let path = self.home.path().join("test-services.toml");
        std::fs::write(&path, toml).unwrap();
        self.services_file = Some(path);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Env {
        self.envs.push((key.into(), value.into()));
        self
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--home")
            .arg(self.home.path())
            .arg("--project")
            .arg(&self.project);
        if let Some(f) = &self.services_file {
            cmd.arg("--services-file").arg(f);
        }
        cmd.args(args)
            .env_remove("DSPY_AGENT_HOME")
            .env_remove("DSPY_AGENT_PROJECT")
            .env_remove("DSPY_AGENT_SERVICES_FILE")
            .env_remove("DSPY_AGENT_ENV_FILE")
            // A developer's own server credentials must not reach the test's server.
            .env_remove("DSPY_AGENT_TOKEN")
            .env_remove("DSPY_AGENT_TLS_CA")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run dspy-agent");
        to_run(out)
    }
}

pub fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The default stack mapped onto the local test images, on host ports from `base`.
pub fn test_stack(base: u16) -> String {
    let http = |name: &str, port: u16, host: u16| {
        format!(
            "[services.{name}]\nimage = \"dspy-test/busybox:latest\"\ncommand = [\"httpd\", \"-f\", \"-v\", \"-p\", \"{port}\", \"-h\", \"/www\"]\nports = [\"{host}:{port}\"]\n\n"
        )
    };
    let mut s = format!(
        "[services.redis]\nimage = \"dspy-test/redis:latest\"\nports = [\"{}:6379\"]\n\n",
        base
    );
    s += &http("reddb", 8080, base + 1);
    s += &http("infermesh-node-a", 19001, base + 2);
    s += &http("infermesh-node-b", 19002, base + 3);
    s += &http("infermesh-router", 19000, base + 4);
    s += &http("ollama", 11434, base + 5);
    s
}

/// Wait until `home`'s state.json names `child` as its running `serve`, and return that entry
/// (addresses, pid). Panics with `log()` when the server exits first or `within` passes.
pub fn wait_for_serve(
    child: &mut std::process::Child,
    home: &Path,
    within: std::time::Duration,
    log: impl Fn() -> String,
) -> serde_json::Value {
    let pid = u64::from(child.id());
    let deadline = std::time::Instant::now() + within;
    loop {
        let state: serde_json::Value = std::fs::read_to_string(home.join("state.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if state["serve"]["pid"].as_u64() == Some(pid) {
            return state["serve"].clone();
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early ({status}): {}", log());
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server did not start: {}",
            log()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The home's own admin token (`$HOME/auth/token`), waiting up to 10 s for serve to write it.
pub fn token(home: &Path) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Ok(t) = std::fs::read_to_string(home.join("auth/token"))
            && !t.trim().is_empty()
        {
            return t.trim().to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no token in {}",
            home.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `Authorization` header value with the home's admin token.
pub fn bearer(home: &Path) -> String {
    format!("Bearer {}", token(home))
}

/// curl arguments that send the home's admin token.
pub fn curl_auth(home: &Path) -> Vec<String> {
    vec!["-H".into(), format!("Authorization: {}", bearer(home))]
}

/// The orchestrator client the CLI uses (the token sent on every call).
pub type Orch = dspy_agent::commands::client::Client;
pub type EnvClient =
    dspy_agent::proto::env_manager::env_manager_service_client::EnvManagerServiceClient<
        tonic::service::interceptor::InterceptedService<
            tonic::transport::Channel,
            dspy_agent::commands::client::Bearer,
        >,
    >;

fn plain(addr: &str) -> dspy_agent::commands::client::Target {
    dspy_agent::commands::client::Target {
        addr: addr.to_string(),
        tls: false,
    }
}

/// An orchestrator client for `addr`, authenticated with `token`.
pub async fn orch_with(addr: &str, home: &Path, token: Option<&str>) -> Orch {
    let (channel, _) = dspy_agent::commands::client::channel(home, &plain(addr))
        .await
        .unwrap_or_else(|e| panic!("connect {addr}: {}", e.message));
    dspy_agent::commands::client::with_bearer(
        channel,
        dspy_agent::commands::client::Bearer::new(token),
    )
}

/// An orchestrator client for `addr` with `home`'s admin token.
pub async fn orch(addr: &str, home: &Path) -> Orch {
    orch_with(addr, home, Some(&token(home))).await
}

/// An env manager client for `addr` with `home`'s admin token.
pub async fn env_manager(addr: &str, home: &Path) -> EnvClient {
    let (channel, _) = dspy_agent::commands::client::channel(home, &plain(addr))
        .await
        .unwrap_or_else(|e| panic!("connect {addr}: {}", e.message));
    dspy_agent::proto::env_manager::env_manager_service_client::EnvManagerServiceClient::with_interceptor(
        channel,
        dspy_agent::commands::client::Bearer::new(Some(&token(home))),
    )
}

/// A reqwest client that sends `home`'s admin token on every request.
pub fn http(home: &Path) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        bearer(home).parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}
