//! Effective settings: CLI flag > environment > `$DSPY_AGENT_HOME/config.toml` > defaults.
//! Every value remembers where it came from, so `config show` can say.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const DEFAULT_PROJECT: &str = "dspy-agent";
pub const DEFAULT_ORCHESTRATOR_ADDR: &str = "127.0.0.1:9098";
pub const DEFAULT_ENV_MANAGER_ADDR: &str = "127.0.0.1:50100";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:9097";
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Default,
    File,
    /// The environment variable that set it.
    Env(String),
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File => f.write_str("file"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag => f.write_str("flag"),
        }
    }
}

/// A value with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// What the command line said about the values that clap reads (flag or env var).
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub project: Option<Sourced<String>>,
    pub home: Option<Sourced<PathBuf>>,
    pub services_file: Option<Sourced<PathBuf>>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub home: Sourced<PathBuf>,
    pub project: Sourced<String>,
    pub services_file: Sourced<PathBuf>,
    pub workspace: Sourced<String>,
    pub orchestrator_addr: Sourced<String>,
    pub env_manager_addr: Sourced<String>,
    pub http_addr: Sourced<String>,
    /// Allow GPU passthrough for services that ask for one (`gpu = "auto"`).
    pub gpu: Sourced<bool>,
    pub docker_host: Sourced<String>,
    pub log_filter: Sourced<Option<String>>,
    /// Which services `up` starts when `--services` is not given.
    pub services: BTreeMap<String, Sourced<bool>>,
    /// Host port overrides, keyed by service name.
    pub ports: BTreeMap<String, Sourced<u16>>,
    /// `serve`'s task scheduler (`[scheduler]` in config.toml).
    pub scheduler: SchedulerSettings,
}

/// Task classes the scheduler knows, in a stable order.
pub const TASK_CLASSES: [&str; 4] = ["cpu_short", "cpu_long", "gpu", "gpu_slurm"];

/// One task class: how many run at once, how long one may run, and the command that handles
/// payloads with neither `command` nor `image`.
#[derive(Debug, Clone)]
pub struct ClassSettings {
    pub concurrency: Sourced<u32>,
    pub timeout_s: Sourced<f64>,
    pub handler: Sourced<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    pub classes: BTreeMap<String, ClassSettings>,
    pub max_payload_bytes: Sourced<u64>,
    /// Finished tasks kept (newest first); older ones are dropped from the store.
    pub retention_count: Sourced<u64>,
    /// Finished tasks older than this are dropped from the store.
    pub retention_age_s: Sourced<u64>,
    /// First retry delay; doubles per attempt, with jitter, capped at 60 s.
    pub retry_backoff_ms: Sourced<u64>,
    pub max_attempts: Sourced<u32>,
    /// How long `serve` lets running tasks finish when told to stop.
    pub shutdown_timeout_s: Sourced<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchedulerFile {
    max_payload_bytes: Option<u64>,
    retention_count: Option<u64>,
    retention_age_s: Option<u64>,
    retry_backoff_ms: Option<u64>,
    max_attempts: Option<u32>,
    shutdown_timeout_s: Option<f64>,
    classes: Option<BTreeMap<String, ClassFile>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    concurrency: Option<u32>,
    timeout_s: Option<f64>,
    handler: Option<String>,
}

fn default_class(name: &str) -> (u32, f64) {
    match name {
        "cpu_short" => (4, 300.0),
        "cpu_long" => (2, 3600.0),
        "gpu" => (1, 3600.0),
        _ => (1, 86400.0),
    }
}

/// The config.toml format (ARCHITECTURE.md, "Configuration File").
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    workspace: Option<toml::Spanned<String>>,
    project: Option<toml::Spanned<String>>,
    orchestrator_addr: Option<toml::Spanned<String>>,
    env_manager_addr: Option<toml::Spanned<String>>,
    http_addr: Option<toml::Spanned<String>>,
    gpu: Option<bool>,
    services: Option<BTreeMap<String, bool>>,
    ports: Option<BTreeMap<String, toml::Spanned<u16>>>,
    scheduler: Option<SchedulerFile>,
}

/// The keys `config set` accepts, with a short description for error messages.
pub const SETTABLE_KEYS: &str = "workspace, project, orchestrator_addr, env_manager_addr, http_addr, gpu, services.NAME, ports.NAME, scheduler.KEY, scheduler.classes.CLASS.{concurrency,timeout_s,handler}";

/// Services `up` starts by default, as in ARCHITECTURE.md's example config.
pub fn default_enabled_services() -> BTreeMap<String, bool> {
    [
        ("redis", true),
        ("reddb", true),
        ("infermesh-router", true),
        ("ollama", false),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub fn default_home() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|dirs| dirs.home_dir().join(".dspy-agent"))
        .ok_or_else(|| {
            Error::usage("cannot find the home directory: set DSPY_AGENT_HOME or pass --home")
        })
}

/// Reads the process environment; tests pass their own map instead.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Settings {
    /// Load settings from the process environment and the home's config.toml.
    pub fn load(cli: &CliOverrides) -> Result<Settings> {
        Self::load_with(cli, &ProcessEnv)
    }

    pub fn load_with(cli: &CliOverrides, env: &dyn Env) -> Result<Settings> {
        let home = match &cli.home {
            Some(home) => home.clone(),
            None => Sourced::new(default_home()?, Source::Default),
        };
        let config_path = home.value.join("config.toml");
        let file = read_config_file(&config_path)?;

        let layered = |flag: Option<Sourced<String>>,
                       env_vars: &[&str],
                       from_file: Option<String>,
                       default: &str|
         -> Sourced<String> {
            if let Some(v) = flag {
                return v;
            }
            for var in env_vars {
                if let Some(v) = env.var(var) {
                    return Sourced::new(v, Source::Env(var.to_string()));
                }
            }
            match from_file {
                Some(v) => Sourced::new(v, Source::File),
                None => Sourced::new(default.to_string(), Source::Default),
            }
        };
        let spanned = |v: &Option<toml::Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone());

        let project = layered(
            cli.project.clone(),
            &[],
            spanned(&file.project),
            DEFAULT_PROJECT,
        );
        validate_project(&project.value).map_err(|e| match project.source {
            Source::File => locate(&config_path, e.context("key `project`")),
            _ => e.context(source_label(&project, &config_path)),
        })?;

        let services_file = cli
            .services_file
            .clone()
            .unwrap_or_else(|| Sourced::new(home.value.join("services.toml"), Source::Default));

        let workspace = layered(
            None,
            &["DSPY_AGENT_WORKSPACE"],
            spanned(&file.workspace),
            ".",
        );
        let addr = |vars: &[&str],
                    from_file: &Option<toml::Spanned<String>>,
                    default: &str,
                    port_key: &str|
         -> Result<Sourced<String>> {
            let mut v = layered(None, vars, spanned(from_file), default);
            v.value =
                normalize_addr(&v.value).map_err(|e| e.context(source_label(&v, &config_path)))?;
            // A [ports] entry changes only the port of a value that was not set explicitly.
            if v.source == Source::Default
                && let Some(port) = file.ports.as_ref().and_then(|p| p.get(port_key))
            {
                let host = v
                    .value
                    .rsplit_once(':')
                    .map(|(h, _)| h)
                    .unwrap_or("127.0.0.1");
                v = Sourced::new(format!("{host}:{}", port.get_ref()), Source::File);
            }
            Ok(v)
        };
        let orchestrator_addr = addr(
            &["DSPY_AGENT_ORCHESTRATOR_ADDR", "ORCHESTRATOR_GRPC_ADDR"],
            &file.orchestrator_addr,
            DEFAULT_ORCHESTRATOR_ADDR,
            "orchestrator",
        )?;
        let env_manager_addr = addr(
            &["DSPY_AGENT_ENV_MANAGER_ADDR", "ENV_MANAGER_GRPC_ADDR"],
            &file.env_manager_addr,
            DEFAULT_ENV_MANAGER_ADDR,
            "env_manager",
        )?;
        let http_addr = addr(
            &["DSPY_AGENT_HTTP_ADDR"],
            &file.http_addr,
            DEFAULT_HTTP_ADDR,
            "http",
        )?;

        let gpu = match env.var("DSPY_AGENT_GPU") {
            Some(v) => Sourced::new(
                parse_bool(&v).ok_or_else(|| {
                    Error::usage(format!(
                        "environment variable DSPY_AGENT_GPU: expected true or false, got {v:?}"
                    ))
                })?,
                Source::Env("DSPY_AGENT_GPU".into()),
            ),
            None => match file.gpu {
                Some(v) => Sourced::new(v, Source::File),
                None => Sourced::new(true, Source::Default),
            },
        };
        let docker_host = layered(None, &["DOCKER_HOST"], None, DEFAULT_DOCKER_HOST);
        let log_filter = match env.var("RUST_LOG") {
            Some(v) => Sourced::new(Some(v), Source::Env("RUST_LOG".into())),
            None => Sourced::new(None, Source::Default),
        };

        let mut services: BTreeMap<String, Sourced<bool>> = default_enabled_services()
            .into_iter()
            .map(|(k, v)| (k, Sourced::new(v, Source::Default)))
            .collect();
        for (name, on) in file.services.unwrap_or_default() {
            services.insert(name, Sourced::new(on, Source::File));
        }
        let mut ports = BTreeMap::new();
        for (name, port) in file.ports.unwrap_or_default() {
            if *port.get_ref() == 0 {
                return Err(Error::usage(format!(
                    "{}:{}: key `ports.{name}`: port 0 is not a valid host port",
                    config_path.display(),
                    line_of(&config_path, port.span().start)
                )));
            }
            if !["orchestrator", "env_manager", "http"].contains(&name.as_str()) {
                ports.insert(name, Sourced::new(*port.get_ref(), Source::File));
            }
        }

        let scheduler = scheduler_settings(file.scheduler.unwrap_or_default(), env)
            .map_err(|e| locate(&config_path, e))?;

        Ok(Settings {
            scheduler,
            home,
            project,
            services_file,
            workspace,
            orchestrator_addr,
            env_manager_addr,
            http_addr,
            gpu,
            docker_host,
            log_filter,
            services,
            ports,
        })
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.value.join("config.toml")
    }
    pub fn state_path(&self) -> PathBuf {
        self.home.value.join("state.json")
    }
    pub fn logs_dir(&self) -> PathBuf {
        self.home.value.join("logs")
    }

    /// Every effective value as (key, JSON value, source), in a stable order.
    pub fn entries(&self) -> Vec<(String, serde_json::Value, Source)> {
        use serde_json::json;
        let mut out = vec![
            (
                "home".into(),
                json!(self.home.value),
                self.home.source.clone(),
            ),
            (
                "project".into(),
                json!(self.project.value),
                self.project.source.clone(),
            ),
            (
                "services_file".into(),
                json!(self.services_file.value),
                self.services_file.source.clone(),
            ),
            (
                "workspace".into(),
                json!(self.workspace.value),
                self.workspace.source.clone(),
            ),
            (
                "orchestrator_addr".into(),
                json!(self.orchestrator_addr.value),
                self.orchestrator_addr.source.clone(),
            ),
            (
                "env_manager_addr".into(),
                json!(self.env_manager_addr.value),
                self.env_manager_addr.source.clone(),
            ),
            (
                "http_addr".into(),
                json!(self.http_addr.value),
                self.http_addr.source.clone(),
            ),
            ("gpu".into(), json!(self.gpu.value), self.gpu.source.clone()),
            (
                "docker_host".into(),
                json!(self.docker_host.value),
                self.docker_host.source.clone(),
            ),
            (
                "log_filter".into(),
                json!(self.log_filter.value),
                self.log_filter.source.clone(),
            ),
        ];
        for (name, on) in &self.services {
            out.push((
                format!("services.{name}"),
                json!(on.value),
                on.source.clone(),
            ));
        }
        for (name, port) in &self.ports {
            out.push((
                format!("ports.{name}"),
                json!(port.value),
                port.source.clone(),
            ));
        }
        let s = &self.scheduler;
        for (key, value, source) in [
            (
                "max_payload_bytes",
                json!(s.max_payload_bytes.value),
                &s.max_payload_bytes.source,
            ),
            (
                "retention_count",
                json!(s.retention_count.value),
                &s.retention_count.source,
            ),
            (
                "retention_age_s",
                json!(s.retention_age_s.value),
                &s.retention_age_s.source,
            ),
            (
                "retry_backoff_ms",
                json!(s.retry_backoff_ms.value),
                &s.retry_backoff_ms.source,
            ),
            (
                "max_attempts",
                json!(s.max_attempts.value),
                &s.max_attempts.source,
            ),
            (
                "shutdown_timeout_s",
                json!(s.shutdown_timeout_s.value),
                &s.shutdown_timeout_s.source,
            ),
        ] {
            out.push((format!("scheduler.{key}"), value, source.clone()));
        }
        for (name, c) in &s.classes {
            let prefix = format!("scheduler.classes.{name}");
            out.push((
                format!("{prefix}.concurrency"),
                json!(c.concurrency.value),
                c.concurrency.source.clone(),
            ));
            out.push((
                format!("{prefix}.timeout_s"),
                json!(c.timeout_s.value),
                c.timeout_s.source.clone(),
            ));
            out.push((
                format!("{prefix}.handler"),
                json!(c.handler.value),
                c.handler.source.clone(),
            ));
        }
        out
    }
}

/// `[scheduler]` from the file, then the DSPY_AGENT_* environment overrides.
fn scheduler_settings(file: SchedulerFile, env: &dyn Env) -> Result<SchedulerSettings> {
    fn pick<T: std::str::FromStr>(
        env: &dyn Env,
        var: &str,
        from_file: Option<T>,
        default: T,
    ) -> Result<Sourced<T>> {
        if let Some(v) = env.var(var) {
            let parsed = v.trim().parse::<T>().map_err(|_| {
                Error::usage(format!("environment variable {var}: bad number {v:?}"))
            })?;
            return Ok(Sourced::new(parsed, Source::Env(var.into())));
        }
        Ok(match from_file {
            Some(v) => Sourced::new(v, Source::File),
            None => Sourced::new(default, Source::Default),
        })
    }
    let mut file_classes = file.classes.unwrap_or_default();
    if let Some(unknown) = file_classes
        .keys()
        .find(|k| !TASK_CLASSES.contains(&k.as_str()))
    {
        return Err(Error::usage(format!(
            "key `scheduler.classes.{unknown}`: unknown task class (expected one of {})",
            TASK_CLASSES.join(", ")
        )));
    }
    let mut classes = BTreeMap::new();
    for name in TASK_CLASSES {
        let f = file_classes.remove(name).unwrap_or_default();
        let (conc, timeout) = default_class(name);
        let upper = name.to_ascii_uppercase();
        let concurrency = pick(
            env,
            &format!("DSPY_AGENT_{upper}_CONCURRENCY"),
            f.concurrency,
            conc,
        )?;
        if concurrency.value == 0 || concurrency.value > 10_000 {
            return Err(Error::usage(format!(
                "key `scheduler.classes.{name}.concurrency`: expected 1-10000, got {}",
                concurrency.value
            )));
        }
        let timeout_s = pick(
            env,
            &format!("DSPY_AGENT_{upper}_TIMEOUT_S"),
            f.timeout_s,
            timeout,
        )?;
        if !(timeout_s.value > 0.0 && timeout_s.value.is_finite()) {
            return Err(Error::usage(format!(
                "key `scheduler.classes.{name}.timeout_s`: expected a positive number of seconds"
            )));
        }
        let handler = match f.handler.filter(|h| !h.trim().is_empty()) {
            Some(h) => Sourced::new(Some(h), Source::File),
            None => Sourced::new(None, Source::Default),
        };
        classes.insert(
            name.to_string(),
            ClassSettings {
                concurrency,
                timeout_s,
                handler,
            },
        );
    }
    let max_payload_bytes = pick(
        env,
        "DSPY_AGENT_MAX_PAYLOAD_BYTES",
        file.max_payload_bytes,
        1024 * 1024,
    )?;
    if max_payload_bytes.value == 0 || max_payload_bytes.value > 64 * 1024 * 1024 {
        return Err(Error::usage(
            "key `scheduler.max_payload_bytes`: expected 1 to 67108864 bytes",
        ));
    }
    let max_attempts = pick(env, "DSPY_AGENT_MAX_ATTEMPTS", file.max_attempts, 3)?;
    if max_attempts.value == 0 || max_attempts.value > 100 {
        return Err(Error::usage(
            "key `scheduler.max_attempts`: expected 1 to 100",
        ));
    }
    let shutdown_timeout_s = pick(
        env,
        "DSPY_AGENT_SHUTDOWN_TIMEOUT_S",
        file.shutdown_timeout_s,
        30.0,
    )?;
    if !(shutdown_timeout_s.value >= 0.0 && shutdown_timeout_s.value.is_finite()) {
        return Err(Error::usage(
            "key `scheduler.shutdown_timeout_s`: expected a number of seconds >= 0",
        ));
    }
    let retention_count = pick(
        env,
        "DSPY_AGENT_RETENTION_COUNT",
        file.retention_count,
        10_000,
    )?;
    if retention_count.value == 0 {
        // Zero would forget every result the moment it exists: nothing could wait on a task.
        return Err(Error::usage(
            "key `scheduler.retention_count`: expected at least 1 finished task to keep",
        ));
    }
    Ok(SchedulerSettings {
        classes,
        max_payload_bytes,
        retention_count,
        retention_age_s: pick(
            env,
            "DSPY_AGENT_RETENTION_AGE_S",
            file.retention_age_s,
            7 * 24 * 3600,
        )?,
        retry_backoff_ms: pick(
            env,
            "DSPY_AGENT_RETRY_BACKOFF_MS",
            file.retry_backoff_ms,
            500,
        )?,
        max_attempts,
        shutdown_timeout_s,
    })
}

fn source_label<T>(value: &Sourced<T>, config_path: &Path) -> String {
    match &value.source {
        Source::File => format!("{}", config_path.display()),
        other => format!("value from {other}"),
    }
}

/// Parse config.toml if it exists. Errors name the file, the line and the key.
fn read_config_file(path: &Path) -> Result<ConfigFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => return Err(Error::usage(format!("cannot read {}: {e}", path.display()))),
    };
    parse_config_text(path, &text)
}

/// Check a config.toml text the way loading does (used by `config set` before writing).
pub fn validate_config_text(path: &Path, text: &str) -> Result<()> {
    let file = parse_config_text(path, text)?;
    let no_env: BTreeMap<String, String> = BTreeMap::new();
    scheduler_settings(file.scheduler.unwrap_or_default(), &no_env)
        .map(|_| ())
        .map_err(|e| locate(path, e))
}

fn parse_config_text(path: &Path, text: &str) -> Result<ConfigFile> {
    let text = text.to_string();
    let file: ConfigFile = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    for (key, value) in [
        ("orchestrator_addr", &file.orchestrator_addr),
        ("env_manager_addr", &file.env_manager_addr),
        ("http_addr", &file.http_addr),
    ] {
        if let Some(value) = value {
            normalize_addr(value.get_ref()).map_err(|e| {
                Error::usage(format!(
                    "{}:{}: key `{key}`: {}",
                    path.display(),
                    line_at(&text, value.span().start),
                    e.message
                ))
            })?;
        }
    }
    Ok(file)
}

/// Turn a toml error into "FILE:LINE: message" with exit code 2.
/// When the message does not say which key, the key is read off the offending line.
pub fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    let line = line_at(text, offset);
    let message = e.message().trim_end();
    let key = key_at_line(text, line);
    match key {
        Some(key) if !message.contains(key.rsplit('.').next().unwrap_or(&key)) => {
            Error::usage(format!("{}:{line}: key `{key}`: {message}", path.display()))
        }
        _ => Error::usage(format!("{}:{line}: {message}", path.display())),
    }
}

/// The dotted key assigned on a 1-based line, with its enclosing [table] header.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let (key, _) = lines.get(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let table = lines[..line - 1].iter().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(|t| t.trim_matches(['[', ']']).trim().to_string())
    });
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// 1-based line number of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn line_of(path: &Path, offset: usize) -> usize {
    std::fs::read_to_string(path)
        .map(|t| line_at(&t, offset))
        .unwrap_or(1)
}

/// Prefix an error about "key `a.b.c`: ..." with the file and the line that sets the key.
fn locate(path: &Path, e: Error) -> Error {
    let key = e
        .message
        .strip_prefix("key `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key.to_string());
    let line = key.and_then(|key| {
        let (table, name) = key.rsplit_once('.').unwrap_or(("", &key));
        line_of_key(path, table, name)
    });
    match line {
        Some(line) => e.context(format!("{}:{line}", path.display())),
        None => e.context(path.display()),
    }
}

/// The 1-based line where `key` is assigned inside `[table]` of a TOML file, if it is.
pub fn line_of_key(path: &Path, table: &str, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            current = name.trim().to_string();
        } else if let Some((k, _)) = t.split_once('=')
            && current == table
            && k.trim().trim_matches('"') == key
        {
            return Some(i + 1);
        }
    }
    None
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Accept `host:port`, `:port` (Go style, as in ORCHESTRATOR_GRPC_ADDR=":9098") and `[v6]:port`.
/// A missing host means loopback: this tool never listens on all interfaces unless told to.
/// Port 0 lets `serve` pick free ports (tests do this); the bound ones are recorded in the state.
pub fn normalize_addr(addr: &str) -> Result<String> {
    let addr = addr.trim();
    let (host, port) = addr.rsplit_once(':').ok_or_else(|| {
        Error::usage(format!("address {addr:?} has no port (expected HOST:PORT)"))
    })?;
    let port: u16 = port.parse().ok().ok_or_else(|| {
        Error::usage(format!(
            "address {addr:?} has a bad port (expected 0-65535)"
        ))
    })?;
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    if host.contains(char::is_whitespace) || host.contains('/') {
        return Err(Error::usage(format!("address {addr:?} has a bad host")));
    }
    Ok(format!("{host}:{port}"))
}

/// Project names become Docker object names, so keep them to what Docker accepts.
pub fn validate_project(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "project name {name:?} is invalid: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit"
        )))
    }
}

/// The text `config init` writes: every key, commented, with its default.
pub const DEFAULT_CONFIG_TOML: &str = r#"# dspy-agent settings. Precedence: CLI flag > environment > this file > defaults.
# `dspy-agent config show` prints every effective value and where it came from.

# Working directory handed to agents.
# workspace = "."

# Project name: prefixes container, network and volume names (env DSPY_AGENT_PROJECT).
# project = "dspy-agent"

# Where `serve` listens and clients connect (env ORCHESTRATOR_GRPC_ADDR, ENV_MANAGER_GRPC_ADDR,
# DSPY_AGENT_HTTP_ADDR). Loopback by default.
# orchestrator_addr = "127.0.0.1:9098"
# env_manager_addr = "127.0.0.1:50100"
# http_addr = "127.0.0.1:9097"

# Pass NVIDIA GPUs to services that ask for one, when a GPU is present (env DSPY_AGENT_GPU).
# gpu = true

# Services `dspy-agent up` starts when --services is not given. Dependencies come along.
[services]
redis = true
reddb = true
infermesh-router = true
ollama = false

# Host ports, by service (and orchestrator, env_manager, http for `serve`).
# A busy port is moved to the next free one at `up` time.
[ports]
# redis = 6379
# reddb = 8080
# infermesh-router = 19000
# ollama = 11434
# orchestrator = 9098
# env_manager = 50100

# The task scheduler of `dspy-agent serve`.
[scheduler]
# max_payload_bytes = 1048576      # env DSPY_AGENT_MAX_PAYLOAD_BYTES
# retention_count = 10000          # finished tasks kept (env DSPY_AGENT_RETENTION_COUNT)
# retention_age_s = 604800         # and for at most this long (env DSPY_AGENT_RETENTION_AGE_S)
# retry_backoff_ms = 500           # first retry delay, doubled per attempt, with jitter
# max_attempts = 3                 # default for tasks that do not say
# shutdown_timeout_s = 30          # running tasks may finish this long on `serve stop`

# Per class: concurrency, timeout_s, and a handler command (run by `sh -c`) for payloads with
# neither `command` nor `image`. Without a handler such tasks wait for a pull worker.
# Env: DSPY_AGENT_<CLASS>_CONCURRENCY, DSPY_AGENT_<CLASS>_TIMEOUT_S.
# [scheduler.classes.cpu_short]
# concurrency = 4
# timeout_s = 300
# handler = "python3 handle_task.py"
# [scheduler.classes.cpu_long]
# concurrency = 2
# timeout_s = 3600
# [scheduler.classes.gpu]
# concurrency = 1
# timeout_s = 3600
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn home_with(config: &str) -> (tempfile::TempDir, CliOverrides) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let cli = CliOverrides {
            home: Some(Sourced::new(dir.path().to_path_buf(), Source::Flag)),
            ..Default::default()
        };
        (dir, cli)
    }

    #[test]
    fn precedence_is_flag_env_file_default() {
        let (_dir, mut cli) = home_with(
            "project = \"from-file\"\norchestrator_addr = \"127.0.0.1:1111\"\nworkspace = \"/w\"\n",
        );
        let e = env(&[("ORCHESTRATOR_GRPC_ADDR", ":2222")]);
        let s = Settings::load_with(&cli, &e).unwrap();
        assert_eq!(s.project.value, "from-file");
        assert_eq!(s.project.source, Source::File);
        assert_eq!(s.orchestrator_addr.value, "127.0.0.1:2222");
        assert_eq!(
            s.orchestrator_addr.source,
            Source::Env("ORCHESTRATOR_GRPC_ADDR".into())
        );
        assert_eq!(s.workspace.value, "/w");
        assert_eq!(s.env_manager_addr.value, DEFAULT_ENV_MANAGER_ADDR);
        assert_eq!(s.env_manager_addr.source, Source::Default);

        cli.project = Some(Sourced::new("from-flag".into(), Source::Flag));
        let s = Settings::load_with(&cli, &e).unwrap();
        assert_eq!(s.project.value, "from-flag");
        assert_eq!(s.project.source, Source::Flag);
    }

    #[test]
    fn dspy_agent_env_beats_architecture_env_name() {
        let (_dir, cli) = home_with("");
        let e = env(&[
            ("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:3"),
            ("ORCHESTRATOR_GRPC_ADDR", ":4"),
        ]);
        let s = Settings::load_with(&cli, &e).unwrap();
        assert_eq!(s.orchestrator_addr.value, "127.0.0.1:3");
    }

    #[test]
    fn ports_map_moves_default_addresses_and_service_ports() {
        let (_dir, cli) =
            home_with("[ports]\norchestrator = 7000\nredis = 6380\n[services]\nollama = true\n");
        let s = Settings::load_with(&cli, &env(&[])).unwrap();
        assert_eq!(s.orchestrator_addr.value, "127.0.0.1:7000");
        assert_eq!(s.orchestrator_addr.source, Source::File);
        assert_eq!(s.ports["redis"].value, 6380);
        assert!(s.services["ollama"].value);
        assert_eq!(s.services["ollama"].source, Source::File);
        assert_eq!(s.services["redis"].source, Source::Default);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let (dir, cli) = home_with("workspace = \".\"\n\ncolour = true\n");
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage);
        let path = dir.path().join("config.toml");
        assert!(
            err.message.starts_with(&format!("{}:3:", path.display())),
            "{}",
            err.message
        );
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn wrong_type_and_malformed_file_are_usage_errors() {
        let (_d, cli) = home_with("gpu = \"yes\"\n");
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert!(
            err.message.contains(":1:") && err.message.contains("gpu"),
            "{}",
            err.message
        );
        let (_d, cli) = home_with("[ports\nredis = 1\n");
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage);
        let (_d, cli) = home_with("\n[ports]\nredis = 70000\n");
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert!(err.message.contains(":3:"), "{}", err.message);
        let (_d, cli) = home_with("orchestrator_addr = \"nope\"\n");
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert!(
            err.message.contains(":1: key `orchestrator_addr`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn addresses_normalize() {
        assert_eq!(normalize_addr(":9098").unwrap(), "127.0.0.1:9098");
        assert_eq!(normalize_addr("0.0.0.0:50100").unwrap(), "0.0.0.0:50100");
        assert!(normalize_addr("localhost").is_err());
        assert_eq!(normalize_addr("h:0").unwrap(), "h:0");
        assert!(normalize_addr("h:x").is_err());
    }

    #[test]
    fn scheduler_table_env_and_validation() {
        let (_d, cli) = home_with(
            "[scheduler]\nmax_payload_bytes = 2048\n[scheduler.classes.gpu]\nconcurrency = 3\nhandler = \"run.sh\"\n",
        );
        let s = Settings::load_with(&cli, &env(&[("DSPY_AGENT_GPU_TIMEOUT_S", "9.5")])).unwrap();
        let gpu = &s.scheduler.classes["gpu"];
        assert_eq!(
            (gpu.concurrency.value, gpu.concurrency.source.clone()),
            (3, Source::File)
        );
        assert_eq!(gpu.timeout_s.value, 9.5);
        assert_eq!(
            gpu.timeout_s.source,
            Source::Env("DSPY_AGENT_GPU_TIMEOUT_S".into())
        );
        assert_eq!(gpu.handler.value.as_deref(), Some("run.sh"));
        assert_eq!(s.scheduler.max_payload_bytes.value, 2048);
        assert_eq!(
            s.scheduler.classes["cpu_short"].concurrency.source,
            Source::Default
        );
        assert!(
            s.entries()
                .iter()
                .any(|(k, _, _)| k == "scheduler.classes.gpu.handler")
        );
        for bad in [
            "[scheduler.classes.tpu]\nconcurrency = 1\n",
            "[scheduler.classes.gpu]\nconcurrency = 0\n",
            "[scheduler]\nmax_payload_bytes = 0\n",
            "[scheduler]\nbogus = 1\n",
        ] {
            let (_d, cli) = home_with(bad);
            let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
            assert_eq!(err.code, crate::error::Code::Usage, "{bad}");
        }
        let (_d, cli) = home_with("");
        let err =
            Settings::load_with(&cli, &env(&[("DSPY_AGENT_MAX_ATTEMPTS", "lots")])).unwrap_err();
        assert!(
            err.message.contains("DSPY_AGENT_MAX_ATTEMPTS"),
            "{}",
            err.message
        );
    }

    #[test]
    fn default_config_file_parses() {
        let (_dir, cli) = home_with(DEFAULT_CONFIG_TOML);
        let s = Settings::load_with(&cli, &env(&[])).unwrap();
        assert!(s.services["redis"].value);
    }
}
