//! A `serve` process of the built binary on free loopback ports, with its own home and
//! config.toml, and the clients a test talks to it with.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dspy_agent::proto::env_manager as em;

/// A `serve` process on free loopback ports with its own home and config.toml; killed on drop.
pub struct Server {
    pub child: Child,
    pub home: tempfile::TempDir,
    pub orch: String,
    pub env: String,
    pub http: String,
    /// What it was started with, for [`Server::restart`].
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

pub fn serve_cmd(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(super::BIN);
    cmd.arg("serve")
        .args(args)
        .env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_PROJECT", format!("auth{}", std::process::id()))
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env(
            "DSPY_AGENT_SERVICES_FILE",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
        )
        .env_remove("DSPY_AGENT_TOKEN")
        .env_remove("DSPY_AGENT_TLS_CA")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

impl Server {
    pub fn start(config: &str) -> Server {
        Server::start_with(config, &[], &[])
    }

    pub fn start_with(config: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config.toml"), config).unwrap();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let envs: Vec<(String, String)> = envs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (child, serve) = spawn(home.path(), &args, &envs);
        Server {
            child,
            orch: serve["orchestrator_addr"].as_str().unwrap().into(),
            env: serve["env_manager_addr"].as_str().unwrap().into(),
            http: serve["http_addr"].as_str().unwrap().into(),
            home,
            args,
            envs,
        }
    }

    /// Stop it with `signal` (TERM: a clean stop; KILL: a crash), wait for it, and start it
    /// again on the same home, arguments and environment. Fixed addresses (set in the
    /// environment) keep their ports; `:0` ones get new ones.
    pub fn restart(&mut self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        self.child.wait().unwrap();
        let (child, serve) = spawn(self.home(), &self.args, &self.envs);
        self.child = child;
        self.orch = serve["orchestrator_addr"].as_str().unwrap().into();
        self.env = serve["env_manager_addr"].as_str().unwrap().into();
        self.http = serve["http_addr"].as_str().unwrap().into();
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("server.log")).unwrap_or_default()
    }

    /// The CLI on this home, with no token or CA from the test's environment.
    pub fn cli(&self, args: &[&str]) -> super::Run {
        let out = Command::new(super::BIN)
            .args(args)
            .env("DSPY_AGENT_HOME", self.home())
            .env_remove("DSPY_AGENT_TOKEN")
            .env_remove("DSPY_AGENT_TLS_CA")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        super::to_run(out)
    }

    /// A named token with `role`, made by the CLI.
    pub fn token(&self, name: &str, role: &str) -> String {
        let run = self
            .cli(&["auth", "token", "create", name, "--role", role, "--json"])
            .ok();
        run.json()["token"].as_str().unwrap().to_string()
    }

    /// `curl -s` with `token` (or none); the status code and the body.
    pub fn curl(&self, token: Option<&str>, args: &[&str], path: &str) -> (u16, String) {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "--max-time", "10", "-w", "\n%{http_code}"]);
        if let Some(t) = token {
            cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
        }
        let out = cmd
            .args(args)
            .arg(format!("http://{}{path}", self.http))
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    pub async fn orch_as(&self, token: Option<&str>) -> super::Orch {
        super::orch_with(&self.orch, self.home(), token).await
    }

    pub async fn env_as(&self, token: Option<&str>) -> super::EnvClient {
        let (channel, _) = dspy_agent::commands::client::channel(
            self.home(),
            &dspy_agent::commands::client::Target {
                addr: self.env.clone(),
                tls: false,
            },
        )
        .await
        .unwrap();
        em::env_manager_service_client::EnvManagerServiceClient::with_interceptor(
            channel,
            dspy_agent::commands::client::Bearer::new(token),
        )
    }
}

/// A free loopback port, for a server that must keep its address across a restart.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(home: &Path, args: &[String], envs: &[(String, String)]) -> (Child, serde_json::Value) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = serve_cmd(home, &args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    // Appended to, so that a restarted server's log follows the first one's.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home.join("server.log"))
        .unwrap();
    let mut child = cmd.stderr(log).spawn().unwrap();
    let log_path = home.join("server.log");
    let serve = super::wait_for_serve(&mut child, home, Duration::from_secs(20), || {
        std::fs::read_to_string(&log_path).unwrap_or_default()
    });
    (child, serve)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
