//! The one table of settings. Loading, `config show`, `config set`, `config init`'s commented
//! file and the README's settings table all read it: a new key is one row here, plus a field
//! in `Settings` when code reads it.

use std::sync::OnceLock;

use super::value::{Kind, Value};
use super::{
    DEFAULT_DOCKER_HOST, DEFAULT_ENV_MANAGER_ADDR, DEFAULT_HTTP_ADDR, DEFAULT_ORCHESTRATOR_ADDR,
    DEFAULT_PROJECT, TASK_CLASSES,
};

/// A key's value when nothing sets it.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Value(Value),
    /// No value.
    Unset,
    /// Worked out at load time; the text says how, for the docs.
    Computed(&'static str),
}

#[derive(Debug, Clone)]
pub struct Key {
    /// Dotted name, as in config.toml and `config show` (`scheduler.classes.gpu.concurrency`).
    /// A family (`services`, `ports`) stands for `NAME.<anything>`.
    pub name: String,
    pub family: bool,
    /// The task class of a per-class key.
    pub class: Option<&'static str>,
    pub kind: Kind,
    pub default: DefaultValue,
    /// Environment variables that set it, strongest first.
    pub env: Vec<String>,
    /// The flag that sets it (clap reads these, with their environment variable).
    pub flag: Option<&'static str>,
    /// Whether config.toml may set it (home cannot live in its own file, for one).
    pub in_file: bool,
    /// Why the key is ignored, for one that still loads (with a warning) but does nothing.
    pub deprecated: Option<&'static str>,
    /// One line for `config init` and the README.
    pub doc: &'static str,
    /// What `config init` shows: a line for a family (`redis = 6379`), a value for a key
    /// without a default.
    pub example: Option<&'static str>,
}

fn key(name: &str, kind: Kind, default: DefaultValue, doc: &'static str) -> Key {
    Key {
        name: name.into(),
        family: false,
        class: None,
        kind,
        default,
        env: vec![],
        flag: None,
        in_file: true,
        deprecated: None,
        doc,
        example: None,
    }
}

impl Key {
    fn env(mut self, vars: &[&str]) -> Self {
        self.env = vars.iter().map(|v| v.to_string()).collect();
        self
    }
    fn flag(mut self, flag: &'static str) -> Self {
        self.flag = Some(flag);
        self
    }
    fn not_in_file(mut self) -> Self {
        self.in_file = false;
        self
    }
    fn family(mut self, example: Option<&'static str>) -> Self {
        self.family = true;
        self.example = example;
        self
    }
    /// What `config init` shows for a key without a default.
    fn example(mut self, example: &'static str) -> Self {
        self.example = Some(example);
        self
    }
    fn deprecated(mut self, why: &'static str) -> Self {
        self.deprecated = Some(why);
        self
    }

    /// Whether `name` is this key, or a member of this family.
    pub fn matches(&self, name: &str) -> bool {
        if !self.family {
            return self.name == name;
        }
        name.strip_prefix(self.name.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|member| !member.is_empty() && !member.contains('.'))
    }

    /// How people write it: `services.NAME`, `scheduler.classes.CLASS.concurrency`.
    pub fn pattern(&self) -> String {
        match (self.family, self.class) {
            (true, _) => format!("{}.NAME", self.name),
            (_, Some(class)) => self.name.replace(&format!(".{class}."), ".CLASS."),
            _ => self.name.clone(),
        }
    }

    /// Where else it can be set: `--home, env DSPY_AGENT_HOME`.
    pub fn sources(&self) -> String {
        let mut out: Vec<String> = self.flag.map(str::to_string).into_iter().collect();
        if !self.env.is_empty() {
            out.push(format!("env {}", self.env.join(", ")));
        }
        out.join(", ")
    }
}

fn text(s: &str) -> DefaultValue {
    DefaultValue::Value(Value::Text(s.into()))
}

/// Concurrency and timeout of each task class when nothing else says.
fn class_defaults(class: &str) -> (u64, f64) {
    match class {
        "cpu_short" => (4, 300.0),
        "cpu_long" => (2, 3600.0),
        "gpu" => (1, 3600.0),
        _ => (1, 86400.0),
    }
}

const ANY_WHOLE: Kind = Kind::Int {
    min: 0,
    max: u64::MAX,
};

fn build() -> Vec<Key> {
    use DefaultValue::{Computed, Unset};
    let int = |n: u64| DefaultValue::Value(Value::Int(n));
    let secs = |s: f64| DefaultValue::Value(Value::Float(s));
    let mut keys = vec![
        key(
            "home",
            Kind::Path,
            Computed("~/.dspy-agent"),
            "Directory holding config.toml, services.toml, state.json, logs/ and store/",
        )
        .flag("--home")
        .env(&["DSPY_AGENT_HOME"])
        .not_in_file(),
        key(
            "project",
            Kind::Project,
            text(DEFAULT_PROJECT),
            "Project name: prefixes container, network and volume names",
        )
        .flag("--project")
        .env(&["DSPY_AGENT_PROJECT"]),
        key(
            "services_file",
            Kind::Path,
            Computed("$DSPY_AGENT_HOME/services.toml"),
            "Service overrides and additions to the default catalog",
        )
        .flag("--services-file")
        .env(&["DSPY_AGENT_SERVICES_FILE"])
        .not_in_file(),
        key(
            "env_file",
            Kind::Path,
            Computed(".env beside the services file"),
            "Variables for `${VAR}` in the services file (the environment wins over it)",
        )
        .flag("--env-file")
        .env(&["DSPY_AGENT_ENV_FILE"])
        .not_in_file(),
        key(
            "workspace",
            Kind::Text,
            Unset,
            "Working directory handed to agents",
        )
        .env(&["DSPY_AGENT_WORKSPACE"])
        .deprecated("nothing reads it"),
        key(
            "orchestrator_addr",
            Kind::Addr,
            text(DEFAULT_ORCHESTRATOR_ADDR),
            "Where `serve` listens for OrchestratorService gRPC and clients connect (\":9098\" means loopback)",
        )
        .env(&["DSPY_AGENT_ORCHESTRATOR_ADDR", "ORCHESTRATOR_GRPC_ADDR"]),
        key(
            "env_manager_addr",
            Kind::Addr,
            text(DEFAULT_ENV_MANAGER_ADDR),
            "Where `serve` listens for EnvManagerService gRPC",
        )
        .env(&["DSPY_AGENT_ENV_MANAGER_ADDR", "ENV_MANAGER_GRPC_ADDR"]),
        key(
            "http_addr",
            Kind::Addr,
            text(DEFAULT_HTTP_ADDR),
            "Where `serve` listens for HTTP",
        )
        .env(&["DSPY_AGENT_HTTP_ADDR"]),
        key(
            "gpu",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(true)),
            "Pass NVIDIA GPUs to services with gpu = \"auto\" when a GPU is present",
        )
        .env(&["DSPY_AGENT_GPU"]),
        key(
            "lock_timeout_s",
            Kind::Seconds {
                zero_ok: true,
                max: 3600.0,
            },
            secs(10.0),
            "How long a command waits for the lock on state.json before failing with the holder's pid",
        )
        .env(&["DSPY_AGENT_LOCK_TIMEOUT_S"]),
        key(
            "docker_host",
            Kind::Text,
            text(DEFAULT_DOCKER_HOST),
            "The Docker engine",
        )
        .env(&["DOCKER_HOST"])
        .not_in_file(),
        key(
            "log_filter",
            Kind::Text,
            Unset,
            "Log filter (tracing EnvFilter syntax); wins over -v",
        )
        .env(&["RUST_LOG"])
        .not_in_file(),
        key(
            "services",
            Kind::Bool,
            Computed("redis, reddb, infermesh-router on; ollama off"),
            "Services `up` starts without --services (dependencies come along)",
        )
        .family(None),
        key(
            "ports",
            Kind::Port,
            Computed("the catalog's"),
            "Host port of a service (its first mapping), or of `serve`'s orchestrator, env_manager and http; a busy one moves to the next free port at `up` time",
        )
        .family(Some("redis = 6379")),
        key(
            "http.allowed_origins",
            Kind::Text,
            Unset,
            "Comma-separated browser origins (scheme://host:port) the HTTP API answers besides its own; any other Origin gets 403",
        )
        .env(&["DSPY_AGENT_HTTP_ALLOWED_ORIGINS"]),
        key(
            "http.allowed_hosts",
            Kind::Text,
            Unset,
            "Comma-separated host names the HTTP API answers besides loopback and its bound address; any other Host gets 403 (stops DNS rebinding)",
        )
        .env(&["DSPY_AGENT_HTTP_ALLOWED_HOSTS"]),
        key(
            "http.max_connections",
            Kind::Int { min: 1, max: 65_536 },
            int(1024),
            "Open HTTP connections at most; one more gets 503 and is closed",
        )
        .env(&["DSPY_AGENT_HTTP_MAX_CONNECTIONS"]),
        key(
            "http.max_sse_subscribers",
            Kind::Int { min: 1, max: 65_536 },
            int(64),
            "Concurrent GET /events streams at most; one more gets 503",
        )
        .env(&["DSPY_AGENT_HTTP_MAX_SSE_SUBSCRIBERS"]),
        key(
            "http.body_timeout_s",
            Kind::Seconds {
                zero_ok: false,
                max: 3600.0,
            },
            secs(30.0),
            "How long a client may take to send a request body before it gets 408",
        )
        .env(&["DSPY_AGENT_HTTP_BODY_TIMEOUT_S"]),
        // Security (issue 9): metrics access, TLS, audit log, stream caps, Docker over TCP.
        key(
            "http.metrics_public",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(false)),
            "Serve GET /metrics without a token (otherwise a token with the read role)",
        )
        .env(&["DSPY_AGENT_HTTP_METRICS_PUBLIC"]),
        key(
            "tls.self_signed",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(false)),
            "Serve TLS with a certificate made for the bound names ($DSPY_AGENT_HOME/tls/)",
        )
        .env(&["DSPY_AGENT_TLS_SELF_SIGNED"]),
        key(
            "tls.cert_file",
            Kind::Path,
            Unset,
            "PEM certificate chain for TLS on all three listeners (with tls.key_file)",
        )
        .env(&["DSPY_AGENT_TLS_CERT_FILE"]),
        key(
            "tls.key_file",
            Kind::Path,
            Unset,
            "PEM private key for tls.cert_file",
        )
        .env(&["DSPY_AGENT_TLS_KEY_FILE"]),
        key(
            "audit.max_bytes",
            Kind::Int {
                min: 4096,
                max: 1 << 40,
            },
            int(10 * 1024 * 1024),
            "Size at which logs/audit.ndjson is rotated",
        )
        .env(&["DSPY_AGENT_AUDIT_MAX_BYTES"]),
        key(
            "audit.keep",
            Kind::Int { min: 0, max: 1000 },
            int(5),
            "Rotated audit files kept (audit.ndjson.1 is the newest)",
        )
        .env(&["DSPY_AGENT_AUDIT_KEEP"]),
        key(
            "grpc.max_streams",
            Kind::Int { min: 1, max: 65_536 },
            int(256),
            "Open server streams (events, results, health, logs, workflow status) at most; one more gets RESOURCE_EXHAUSTED",
        )
        .env(&["DSPY_AGENT_GRPC_MAX_STREAMS"]),
        key(
            "docker.allow_plain_tcp",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(false)),
            "Allow a tcp:// DOCKER_HOST on another machine without TLS (DOCKER_TLS_VERIFY)",
        )
        .env(&["DSPY_AGENT_DOCKER_ALLOW_PLAIN_TCP"]),
        key(
            "docker.max_build_context_bytes",
            Kind::Int {
                min: 1,
                max: 16 * 1024 * 1024 * 1024,
            },
            int(512 * 1024 * 1024),
            "Largest build context (the files a service's `build` sends to the engine, after .dockerignore), in bytes",
        )
        .env(&["DSPY_AGENT_MAX_BUILD_CONTEXT_BYTES"]),
        // The dashboard (issue 16): login codes and sessions.
        key(
            "ui.login_code_ttl_s",
            Kind::Seconds {
                zero_ok: false,
                max: 3600.0,
            },
            secs(60.0),
            "How long a `dspy-agent ui` login link stays good (it is good once)",
        )
        .env(&["DSPY_AGENT_UI_LOGIN_CODE_TTL_S"]),
        key(
            "ui.session_ttl_s",
            Kind::Seconds {
                zero_ok: false,
                max: 2_592_000.0,
            },
            secs(28_800.0),
            "How long a dashboard session lasts after its login, whatever it does",
        )
        .env(&["DSPY_AGENT_UI_SESSION_TTL_S"]),
        key(
            "scheduler.max_payload_bytes",
            Kind::Int {
                min: 1,
                max: 64 * 1024 * 1024,
            },
            int(1024 * 1024),
            "Largest task payload, in bytes",
        )
        .env(&["DSPY_AGENT_MAX_PAYLOAD_BYTES"]),
        key(
            "scheduler.retention_count",
            // Zero would forget every result the moment it exists: nothing could wait on a task.
            // At most half the scheduler's task cap, so retained results never refuse work.
            Kind::Int {
                min: 1,
                max: 500_000,
            },
            int(100_000),
            "Finished tasks kept (newest first) once older than retention_min_age_s",
        )
        .env(&["DSPY_AGENT_RETENTION_COUNT"]),
        key(
            "scheduler.retention_age_s",
            ANY_WHOLE,
            int(7 * 24 * 3600),
            "Finished tasks older than this are dropped",
        )
        .env(&["DSPY_AGENT_RETENTION_AGE_S"]),
        key(
            "scheduler.retention_min_age_s",
            ANY_WHOLE,
            int(3600),
            "Finished tasks younger than this are kept whatever retention_count says",
        )
        .env(&["DSPY_AGENT_RETENTION_MIN_AGE_S"]),
        key(
            "scheduler.retention_memory_bytes",
            Kind::Int {
                min: 1024,
                max: 64 << 30,
            },
            int(256 << 20),
            "Memory finished tasks may hold; past it the oldest go early (tasks_evicted_total)",
        )
        .env(&["DSPY_AGENT_RETENTION_MEMORY_BYTES"]),
        key(
            "scheduler.retry_backoff_ms",
            ANY_WHOLE,
            int(500),
            "First retry delay; doubles per attempt, with jitter, capped at 60 s",
        )
        .env(&["DSPY_AGENT_RETRY_BACKOFF_MS"]),
        key(
            "scheduler.max_attempts",
            Kind::Int { min: 1, max: 100 },
            int(3),
            "Attempts of a task that does not say",
        )
        .env(&["DSPY_AGENT_MAX_ATTEMPTS"]),
        key(
            "scheduler.shutdown_timeout_s",
            Kind::Seconds {
                zero_ok: true,
                max: f64::MAX,
            },
            secs(30.0),
            "How long running tasks may finish when `serve` is told to stop",
        )
        .env(&["DSPY_AGENT_SHUTDOWN_TIMEOUT_S"]),
        key(
            "scheduler.strict_journal",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(false)),
            "Refuse to start on a damaged journal instead of keeping a copy and failing the tasks it loses (`serve --strict-journal`)",
        )
        .env(&["DSPY_AGENT_STRICT_JOURNAL"]),
        key(
            "scheduler.gpu_release_grace_s",
            Kind::Seconds {
                zero_ok: true,
                max: 3600.0,
            },
            secs(10.0),
            "After a GPU task ends, how long a process of it may still hold the GPU before the GPU is quarantined until it lets go",
        )
        .env(&["DSPY_AGENT_GPU_RELEASE_GRACE_S"]),
        // Remote workers and batch submission (issue 14).
        key(
            "scheduler.max_batch_tasks",
            Kind::Int { min: 1, max: 100_000 },
            int(1000),
            "Most tasks one SubmitTasks call or POST /queue/submit-batch may carry",
        )
        .env(&["DSPY_AGENT_MAX_BATCH_TASKS"]),
        key(
            "slurm.partition",
            Kind::Text,
            Unset,
            "Slurm partition of the jobs (sbatch --partition); unset: the cluster's default",
        )
        .env(&["DSPY_AGENT_SLURM_PARTITION"]),
        key(
            "slurm.account",
            Kind::Text,
            Unset,
            "Slurm account charged for the jobs (sbatch --account)",
        )
        .env(&["DSPY_AGENT_SLURM_ACCOUNT"]),
        key(
            "slurm.qos",
            Kind::Text,
            Unset,
            "Slurm quality of service of the jobs (sbatch --qos)",
        )
        .env(&["DSPY_AGENT_SLURM_QOS"]),
        key(
            "slurm.time_limit",
            Kind::Seconds {
                zero_ok: false,
                max: f64::MAX,
            },
            Unset,
            "Time limit of jobs whose task gives no timeout, in seconds (whole minutes, at least 60); unset: the class's timeout_s",
        )
        .env(&["DSPY_AGENT_SLURM_TIME_LIMIT"])
        .example("7200"),
        key(
            "slurm.extra_args",
            Kind::Text,
            Unset,
            "More sbatch arguments for every job, split on whitespace (\"--constraint=a100 --exclusive\")",
        )
        .env(&["DSPY_AGENT_SLURM_EXTRA_ARGS"]),
        key(
            "slurm.workdir",
            Kind::Path,
            Computed("$DSPY_AGENT_HOME/slurm"),
            "Where job scripts, outputs and exit-code files go; on a real cluster it must be on storage the nodes share",
        )
        .env(&["DSPY_AGENT_SLURM_WORKDIR"]),
        key(
            "slurm.poll_interval_s",
            Kind::Seconds {
                zero_ok: false,
                max: 3600.0,
            },
            secs(10.0),
            "Seconds between squeue calls (one call for all jobs); stretched to 5x the last call's duration",
        )
        .env(&["DSPY_AGENT_SLURM_POLL_INTERVAL_S"]),
        key(
            "slurm.unknown_grace_s",
            Kind::Seconds {
                zero_ok: true,
                max: f64::MAX,
            },
            secs(120.0),
            "How long a job found in neither squeue nor sacct (nor its exit file) is checked again before its attempt fails",
        )
        .env(&["DSPY_AGENT_SLURM_UNKNOWN_GRACE_S"]),
        key(
            "slurm.gpus_flag",
            Kind::Bool,
            DefaultValue::Value(Value::Bool(false)),
            "Ask for GPUs with --gpus=N instead of --gres=gpu:N",
        )
        .env(&["DSPY_AGENT_SLURM_GPUS_FLAG"]),
        key(
            "slurm.container_runtime",
            Kind::Text,
            Unset,
            "How a payload `image` runs in a job: apptainer, singularity or docker; unset: image payloads are refused",
        )
        .env(&["DSPY_AGENT_SLURM_CONTAINER_RUNTIME"]),
        key("slurm.sbatch", Kind::Path, text("sbatch"), "The sbatch command")
            .env(&["DSPY_AGENT_SLURM_SBATCH"]),
        key("slurm.squeue", Kind::Path, text("squeue"), "The squeue command")
            .env(&["DSPY_AGENT_SLURM_SQUEUE"]),
        key("slurm.sacct", Kind::Path, text("sacct"), "The sacct command")
            .env(&["DSPY_AGENT_SLURM_SACCT"]),
        key("slurm.scancel", Kind::Path, text("scancel"), "The scancel command")
            .env(&["DSPY_AGENT_SLURM_SCANCEL"]),
    ];
    for class in TASK_CLASSES {
        let (concurrency, timeout) = class_defaults(class);
        let upper = class.to_ascii_uppercase();
        let name = |field: &str| format!("scheduler.classes.{class}.{field}");
        let per_class = |k: Key| Key {
            class: Some(class),
            ..k
        };
        keys.push(per_class(
            key(
                &name("concurrency"),
                Kind::Int {
                    min: 1,
                    max: 10_000,
                },
                int(concurrency),
                "Tasks of the class that run at once (gpu, when not set: one per GPU in the inventory; not applied to slurm classes)",
            )
            .env(&[&format!("DSPY_AGENT_{upper}_CONCURRENCY")]),
        ));
        keys.push(per_class(
            key(
                &name("timeout_s"),
                Kind::Seconds {
                    zero_ok: false,
                    max: f64::MAX,
                },
                secs(timeout),
                "How long one task of the class may run",
            )
            .env(&[&format!("DSPY_AGENT_{upper}_TIMEOUT_S")]),
        ));
        keys.push(per_class(Key {
            example: Some("\"python3 handle_task.py\""),
            ..key(
                &name("handler"),
                Kind::Command,
                Unset,
                "Command (run by sh -c) for payloads with neither command nor image; without one they wait for a pull worker",
            )
        }));
        keys.push(per_class(
            key(
                &name("executor"),
                Kind::Text,
                text(if class == "gpu_slurm" { "slurm" } else { "local" }),
                "Where the class's tasks run: local (process or container here), workers (only pull workers, dspy-agent worker, even command and image payloads) or slurm (a job on the Slurm cluster)",
            )
            .env(&[&format!("DSPY_AGENT_{upper}_EXECUTOR")]),
        ));
    }
    keys
}

/// Every key, in the order `config show` lists them.
pub fn all() -> &'static [Key] {
    static KEYS: OnceLock<Vec<Key>> = OnceLock::new();
    KEYS.get_or_init(build)
}

/// The key a dotted name sets (or the family it belongs to).
pub fn find(name: &str) -> Option<&'static Key> {
    all().iter().find(|k| k.matches(name))
}

/// Whether `path` is a table of config.toml that holds keys (`scheduler`, `scheduler.classes`).
pub fn is_section(path: &str) -> bool {
    let prefix = format!("{path}.");
    all()
        .iter()
        .any(|k| k.in_file && (k.name.starts_with(&prefix) || (k.family && k.name == path)))
}

/// The names config.toml accepts directly inside table `path` ("" for the top level).
pub fn children(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in all().iter().filter(|k| k.in_file && k.deprecated.is_none()) {
        let rest = if path.is_empty() {
            Some(k.name.as_str())
        } else {
            k.name.strip_prefix(path).and_then(|r| r.strip_prefix('.'))
        };
        if let Some(first) = rest.and_then(|r| r.split('.').next())
            && !out.iter().any(|o| o == first)
        {
            out.push(first.to_string());
        }
    }
    out
}

/// The keys `config set` takes, for error messages.
pub fn settable() -> String {
    let mut out: Vec<String> = Vec::new();
    for k in all().iter().filter(|k| k.in_file && k.deprecated.is_none()) {
        let p = k.pattern();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.join(", ")
}
