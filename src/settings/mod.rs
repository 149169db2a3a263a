//! Effective settings: CLI flag > environment > `$DSPY_AGENT_HOME/config.toml` > defaults.
//! Every value remembers where it came from, so `config show` can say.
//!
//! `keys` is the one table of keys that everything here reads; `value` the kinds of value and
//! their checks; `file` reads config.toml with line numbers; `docs` writes `config init`'s file
//! and the README's table from the table.

pub mod docs;
mod file;
pub mod keys;
mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

pub use file::{line_at, line_of_key, toml_error};
pub use value::{Kind, Value, is_object_name, normalize_addr, parse_bool, validate_project};

use file::FileValues;
use keys::Key;

pub const DEFAULT_PROJECT: &str = "dspy-agent";
pub const DEFAULT_ORCHESTRATOR_ADDR: &str = "127.0.0.1:9098";
pub const DEFAULT_ENV_MANAGER_ADDR: &str = "127.0.0.1:50100";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:9097";
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// Task classes the scheduler knows, in a stable order.
pub const TASK_CLASSES: [&str; 4] = ["cpu_short", "cpu_long", "gpu", "gpu_slurm"];

/// `[ports]` entries that move `serve`'s addresses rather than a service's port.
const SERVE_PORTS: [(&str, &str); 3] = [
    ("orchestrator", "orchestrator_addr"),
    ("env_manager", "env_manager_addr"),
    ("http", "http_addr"),
];

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
    pub env_file: Option<Sourced<PathBuf>>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub home: Sourced<PathBuf>,
    pub project: Sourced<String>,
    pub services_file: Sourced<PathBuf>,
    /// The `.env` file for the services file's `${VAR}`s.
    pub env_file: Sourced<PathBuf>,
    pub orchestrator_addr: Sourced<String>,
    pub env_manager_addr: Sourced<String>,
    pub http_addr: Sourced<String>,
    /// Allow GPU passthrough for services that ask for one (`gpu = "auto"`).
    pub gpu: Sourced<bool>,
    pub docker_host: Sourced<String>,
    pub log_filter: Sourced<Option<String>>,
    /// How long a command waits for the state file's lock.
    pub lock_timeout_s: Sourced<f64>,
    /// Which services `up` starts when `--services` is not given.
    pub services: BTreeMap<String, Sourced<bool>>,
    /// Host port overrides, keyed by service name.
    pub ports: BTreeMap<String, Sourced<u16>>,
    /// `serve`'s task scheduler (`[scheduler]` in config.toml).
    pub scheduler: SchedulerSettings,
    /// Deprecated keys that were set, said once by the command that loads the settings.
    pub warnings: Vec<String>,
    /// Every effective value by key, in the table's order, for `config show`.
    shown: Vec<(String, Sourced<Value>)>,
}

/// One task class: how many run at once, how long one may run, and the command that handles
/// payloads with neither `command` nor `image`.
#[derive(Debug, Clone)]
pub struct ClassSettings {
    pub concurrency: Sourced<u32>,
    pub timeout_s: Sourced<f64>,
    pub handler: Sourced<Option<String>>,
    /// Run the class's tasks as Slurm jobs (`executor = "slurm"`) rather than here.
    pub slurm: Sourced<bool>,
    /// Only pull workers (`dspy-agent worker`) run the class's tasks, `command` and `image`
    /// payloads included (`executor = "workers"`).
    pub workers: bool,
}

/// The `slurm.*` keys: how the slurm executor reaches the cluster and polls it.
#[derive(Debug, Clone)]
pub struct SlurmSettings {
    pub partition: Sourced<Option<String>>,
    pub account: Sourced<Option<String>>,
    pub qos: Sourced<Option<String>>,
    pub time_limit_s: Sourced<Option<f64>>,
    pub extra_args: Sourced<Option<String>>,
    pub workdir: Sourced<PathBuf>,
    pub poll_interval_s: Sourced<f64>,
    pub unknown_grace_s: Sourced<f64>,
    pub gpus_flag: Sourced<bool>,
    pub container_runtime: Sourced<Option<String>>,
    pub sbatch: Sourced<String>,
    pub squeue: Sourced<String>,
    pub sacct: Sourced<String>,
    pub scancel: Sourced<String>,
}

#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    pub classes: BTreeMap<String, ClassSettings>,
    pub max_payload_bytes: Sourced<u64>,
    /// Finished tasks kept (newest first); older ones are dropped from the store.
    pub retention_count: Sourced<u64>,
    /// Finished tasks older than this are dropped from the store.
    pub retention_age_s: Sourced<u64>,
    /// Finished tasks younger than this are kept whatever the count (memory budget allowing).
    pub retention_min_age_s: Sourced<u64>,
    /// Approximate bytes finished tasks may hold; past it the oldest are evicted early.
    pub retention_memory_bytes: Sourced<u64>,
    /// First retry delay; doubles per attempt, with jitter, capped at 60 s.
    pub retry_backoff_ms: Sourced<u64>,
    pub max_attempts: Sourced<u32>,
    /// How long `serve` lets running tasks finish when told to stop.
    pub shutdown_timeout_s: Sourced<f64>,
    /// Refuse to start on a damaged journal (`serve --strict-journal`).
    pub strict_journal: Sourced<bool>,
    /// How long a finished GPU task's process may hold its GPU before quarantine.
    pub gpu_release_grace_s: Sourced<f64>,
    /// Most tasks in one batch submission.
    pub max_batch_tasks: Sourced<u64>,
    pub slurm: SlurmSettings,
}

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
    /// Load settings from the process environment and the home's config.toml, and hand the
    /// lock timeout to the state file (see `crate::state::set_lock_timeout`).
    pub fn load(cli: &CliOverrides) -> Result<Settings> {
        let settings = Self::load_with(cli, &ProcessEnv)?;
        let timeout = Duration::try_from_secs_f64(settings.lock_timeout_s.value)
            .unwrap_or(Duration::from_secs(10));
        crate::state::set_lock_timeout(timeout);
        Ok(settings)
    }

    pub fn load_with(cli: &CliOverrides, env: &dyn Env) -> Result<Settings> {
        let home = match &cli.home {
            Some(home) => home.clone(),
            None => match env.var("DSPY_AGENT_HOME") {
                Some(v) => Sourced::new(PathBuf::from(v), Source::Env("DSPY_AGENT_HOME".into())),
                None => Sourced::new(default_home()?, Source::Default),
            },
        };
        let file = file::read(&home.value.join("config.toml"))?;
        let services_file = cli
            .services_file
            .clone()
            .unwrap_or_else(|| Sourced::new(home.value.join("services.toml"), Source::Default));
        let env_file = cli.env_file.clone().unwrap_or_else(|| {
            let dir = services_file.value.parent().unwrap_or(Path::new("."));
            Sourced::new(dir.join(".env"), Source::Default)
        });
        let mut r = Resolver {
            env,
            file: &file,
            cli,
            shown: Vec::new(),
            warnings: Vec::new(),
        };
        for key in keys::all() {
            match key.name.as_str() {
                "home" => r.show(key, path_value(&home)),
                "services_file" => r.show(key, path_value(&services_file)),
                "env_file" => r.show(key, path_value(&env_file)),
                _ if key.family => r.family(key)?,
                _ => r.scalar(key)?,
            }
        }
        r.move_serve_ports();

        let services = r
            .members("services")
            .map(|(name, v)| (name, v.map(|v| matches!(v, Value::Bool(true)))))
            .collect();
        let ports = r
            .members("ports")
            .filter(|(name, _)| !SERVE_PORTS.iter().any(|(p, _)| p == name))
            .map(|(name, v)| (name, v.map(|v| u16::try_from(int(&v)).unwrap_or(0))))
            .collect();
        let mut classes = BTreeMap::new();
        for class in TASK_CLASSES {
            let name = |field: &str| format!("scheduler.classes.{class}.{field}");
            classes.insert(
                class.to_string(),
                ClassSettings {
                    concurrency: r.u32(&name("concurrency")),
                    timeout_s: r.float(&name("timeout_s")),
                    handler: r.opt_text(&name("handler")),
                    slurm: r.executor(&name("executor"))?,
                    workers: r.text(&name("executor")).value == "workers",
                },
            );
        }
        let slurm = r.slurm(&home.value)?;
        let scheduler = SchedulerSettings {
            classes,
            max_payload_bytes: r.u64("scheduler.max_payload_bytes"),
            retention_count: r.u64("scheduler.retention_count"),
            retention_age_s: r.u64("scheduler.retention_age_s"),
            retention_min_age_s: r.u64("scheduler.retention_min_age_s"),
            retention_memory_bytes: r.u64("scheduler.retention_memory_bytes"),
            retry_backoff_ms: r.u64("scheduler.retry_backoff_ms"),
            max_attempts: r.u32("scheduler.max_attempts"),
            shutdown_timeout_s: r.float("scheduler.shutdown_timeout_s"),
            strict_journal: r
                .get("scheduler.strict_journal")
                .map(|v| matches!(v, Value::Bool(true))),
            gpu_release_grace_s: r.float("scheduler.gpu_release_grace_s"),
            max_batch_tasks: r.u64("scheduler.max_batch_tasks"),
            slurm,
        };
        Ok(Settings {
            project: r.text("project"),
            orchestrator_addr: r.text("orchestrator_addr"),
            env_manager_addr: r.text("env_manager_addr"),
            http_addr: r.text("http_addr"),
            gpu: r.get("gpu").map(|v| matches!(v, Value::Bool(true))),
            docker_host: r.text("docker_host"),
            log_filter: r.opt_text("log_filter"),
            lock_timeout_s: r.float("lock_timeout_s"),
            home,
            services_file,
            env_file,
            services,
            ports,
            scheduler,
            warnings: r.warnings,
            shown: r
                .shown
                .into_iter()
                .filter(|(name, _)| !is_serve_port(name))
                .collect(),
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

    /// Every effective value as (key, JSON value, source), in the table's order.
    pub fn entries(&self) -> Vec<(String, serde_json::Value, Source)> {
        self.shown
            .iter()
            .map(|(key, v)| (key.clone(), v.value.to_json(), v.source.clone()))
            .collect()
    }

    /// One key's effective value as JSON (null when unset or unknown).
    pub fn value_of(&self, key: &str) -> serde_json::Value {
        self.shown
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.value.to_json())
            .unwrap_or_default()
    }
}

/// Check a config.toml text the way loading does (used by `config set` before writing).
pub fn validate_config_text(path: &Path, text: &str) -> Result<()> {
    file::parse(path, text).map(|_| ())
}

fn path_value(p: &Sourced<PathBuf>) -> Sourced<Value> {
    p.clone()
        .map(|p| Value::Text(p.to_string_lossy().into_owned()))
}

fn is_serve_port(name: &str) -> bool {
    SERVE_PORTS
        .iter()
        .any(|(p, _)| name.strip_prefix("ports.") == Some(p))
}

fn int(v: &Value) -> u64 {
    match v {
        Value::Int(n) => *n,
        Value::Float(f) => *f as u64,
        _ => 0,
    }
}

impl<T> Sourced<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced::new(f(self.value), self.source)
    }
}

/// Works out each key's value from the layers, in the table's order.
struct Resolver<'a> {
    env: &'a dyn Env,
    file: &'a FileValues,
    cli: &'a CliOverrides,
    shown: Vec<(String, Sourced<Value>)>,
    warnings: Vec<String>,
}

impl Resolver<'_> {
    fn show(&mut self, key: &Key, value: Sourced<Value>) {
        self.shown.push((key.name.clone(), value));
    }

    /// Flag > environment > file > default, each checked by the key's kind.
    fn scalar(&mut self, key: &Key) -> Result<()> {
        let value = self.layered(key)?;
        if let Some(why) = key.deprecated {
            // Loads, so old files keep working, but does nothing: say so, and show it only
            // when something set it.
            match &value.source {
                Source::Default => return Ok(()),
                Source::File => self.warnings.push(format!(
                    "{}: deprecated and ignored ({why}); remove it",
                    self.file.locate(&key.name)
                )),
                other => self.warnings.push(format!(
                    "{}: `{}` is deprecated and ignored ({why})",
                    origin(key, other),
                    key.name
                )),
            }
        }
        self.show(key, value);
        Ok(())
    }

    fn layered(&self, key: &Key) -> Result<Sourced<Value>> {
        let set = |v: &Value| match (key.kind, v) {
            // A blank handler is no handler.
            (Kind::Command, Value::Text(s)) => !s.trim().is_empty(),
            (_, v) => *v != Value::Unset,
        };
        if key.name == "project"
            && let Some(flag) = &self.cli.project
        {
            let v = key
                .kind
                .parse(&flag.value)
                .map_err(|why| Error::usage(format!("{}: {why}", origin(key, &flag.source))))?;
            return Ok(Sourced::new(v, flag.source.clone()));
        }
        for var in &key.env {
            if let Some(text) = self.env.var(var) {
                let source = Source::Env(var.clone());
                let v = key
                    .kind
                    .parse(&text)
                    .map_err(|why| Error::usage(format!("{}: {why}", origin(key, &source))))?;
                if set(&v) {
                    return Ok(Sourced::new(v, source));
                }
            }
        }
        if let Some((v, _)) = self.file.get(&key.name)
            && set(v)
        {
            return Ok(Sourced::new(v.clone(), Source::File));
        }
        Ok(Sourced::new(
            match &key.default {
                keys::DefaultValue::Value(v) => v.clone(),
                keys::DefaultValue::Unset | keys::DefaultValue::Computed(_) => Value::Unset,
            },
            Source::Default,
        ))
    }

    /// `services.NAME` and `ports.NAME`: the built-in defaults, then the file's entries.
    fn family(&mut self, key: &Key) -> Result<()> {
        let mut members: BTreeMap<String, Sourced<Value>> = BTreeMap::new();
        if key.name == "services" {
            for (name, on) in default_enabled_services() {
                members.insert(name, Sourced::new(Value::Bool(on), Source::Default));
            }
        }
        for (name, v) in self.file.members(&key.name) {
            members.insert(name.to_string(), Sourced::new(v.clone(), Source::File));
        }
        for (name, v) in members {
            self.shown.push((format!("{}.{name}", key.name), v));
        }
        Ok(())
    }

    /// A `[ports]` entry for `serve` changes only the port of an address nobody set.
    fn move_serve_ports(&mut self) {
        for (port_name, addr_key) in SERVE_PORTS {
            let port = self
                .file
                .get(&format!("ports.{port_name}"))
                .map(|(v, _)| int(v));
            let Some(port) = port else { continue };
            if let Some((_, addr)) = self.shown.iter_mut().find(|(n, _)| n == addr_key)
                && addr.source == Source::Default
                && let Value::Text(current) = &addr.value
            {
                let host = current
                    .rsplit_once(':')
                    .map(|(h, _)| h)
                    .unwrap_or("127.0.0.1");
                *addr = Sourced::new(Value::Text(format!("{host}:{port}")), Source::File);
            }
        }
    }

    fn get(&self, name: &str) -> Sourced<Value> {
        match self.shown.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v.clone(),
            None => panic!("settings: `{name}` is not in the keys table"),
        }
    }

    fn members<'s>(
        &'s self,
        family: &'s str,
    ) -> impl Iterator<Item = (String, Sourced<Value>)> + 's {
        self.shown.iter().filter_map(move |(n, v)| {
            let member = n.strip_prefix(family)?.strip_prefix('.')?;
            Some((member.to_string(), v.clone()))
        })
    }

    fn text(&self, name: &str) -> Sourced<String> {
        self.opt_text(name).map(Option::unwrap_or_default)
    }

    fn opt_text(&self, name: &str) -> Sourced<Option<String>> {
        self.get(name).map(|v| match v {
            Value::Text(s) if !s.trim().is_empty() => Some(s),
            _ => None,
        })
    }

    fn u64(&self, name: &str) -> Sourced<u64> {
        self.get(name).map(|v| int(&v))
    }

    fn u32(&self, name: &str) -> Sourced<u32> {
        self.u64(name).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// A class's `executor`: local or slurm.
    fn executor(&self, name: &str) -> Result<Sourced<bool>> {
        let v = self.text(name);
        match v.value.as_str() {
            "local" | "workers" => Ok(v.map(|_| false)),
            "slurm" => Ok(v.map(|_| true)),
            other => Err(Error::usage(format!(
                "{name} = {other:?} ({}): expected \"local\", \"workers\" or \"slurm\"",
                v.source
            ))),
        }
    }

    fn slurm(&self, home: &Path) -> Result<SlurmSettings> {
        let runtime = self.opt_text("slurm.container_runtime");
        if let Some(rt) = &runtime.value
            && !matches!(rt.as_str(), "apptainer" | "singularity" | "docker")
        {
            return Err(Error::usage(format!(
                "slurm.container_runtime = {rt:?} ({}): expected apptainer, singularity or docker",
                runtime.source
            )));
        }
        let time_limit_s = self.get("slurm.time_limit").map(|v| match v {
            Value::Unset => None,
            Value::Float(f) => Some(f),
            other => Some(int(&other) as f64),
        });
        if let Some(t) = time_limit_s.value.filter(|t| *t < 60.0) {
            return Err(Error::usage(format!(
                "slurm.time_limit = {t} ({}): below Slurm's minimum of 60 s (limits are whole minutes)",
                time_limit_s.source
            )));
        }
        let workdir = self
            .opt_text("slurm.workdir")
            .map(|p| p.map_or_else(|| home.join("slurm"), PathBuf::from));
        Ok(SlurmSettings {
            partition: self.opt_text("slurm.partition"),
            account: self.opt_text("slurm.account"),
            qos: self.opt_text("slurm.qos"),
            time_limit_s,
            extra_args: self.opt_text("slurm.extra_args"),
            workdir,
            poll_interval_s: self.float("slurm.poll_interval_s"),
            unknown_grace_s: self.float("slurm.unknown_grace_s"),
            gpus_flag: self
                .get("slurm.gpus_flag")
                .map(|v| matches!(v, Value::Bool(true))),
            container_runtime: runtime,
            sbatch: self.text("slurm.sbatch"),
            squeue: self.text("slurm.squeue"),
            sacct: self.text("slurm.sacct"),
            scancel: self.text("slurm.scancel"),
        })
    }

    fn float(&self, name: &str) -> Sourced<f64> {
        self.get(name).map(|v| match v {
            Value::Float(f) => f,
            other => int(&other) as f64,
        })
    }
}

/// How an error names where a bad value came from (file errors carry their own line).
fn origin(key: &Key, source: &Source) -> String {
    match source {
        Source::Env(var) => format!("environment variable {var}"),
        Source::Flag => key.flag.unwrap_or("a flag").to_string(),
        Source::File => "config.toml".into(),
        Source::Default => "the default".into(),
    }
}
