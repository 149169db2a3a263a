//! Command-line types only (clap derive). No logic lives here: `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dspy-agent",
    version,
    about = "Run the infrastructure under DSPy agents: services, state and a task scheduler",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Print machine-readable JSON on stdout instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only data and errors: no progress, no warnings
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Project name: prefixes container, network and volume names
    #[arg(long, global = true, env = "DSPY_AGENT_PROJECT", value_name = "NAME")]
    pub project: Option<String>,
    /// Home directory holding config.toml, services.toml and state.json [default: ~/.dspy-agent]
    #[arg(long, global = true, env = "DSPY_AGENT_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Services file to use instead of $DSPY_AGENT_HOME/services.toml
    #[arg(
        long,
        global = true,
        env = "DSPY_AGENT_SERVICES_FILE",
        value_name = "PATH"
    )]
    pub services_file: Option<PathBuf>,
    /// Progress of up, down, restart, pull and build: a live view on a terminal (tty), a line
    /// per step (plain) or NDJSON events on stderr (json); auto picks json with --json, tty
    /// when stderr is a terminal, plain otherwise
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ProgressArg::Auto,
        value_name = "MODE"
    )]
    pub progress: ProgressArg,
    /// Variables for `${VAR}` in the services file [default: .env beside the services file]
    #[arg(long, global = true, env = "DSPY_AGENT_ENV_FILE", value_name = "PATH")]
    pub env_file: Option<PathBuf>,
}

/// `--progress`: how lifecycle commands show their progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    #[default]
    Auto,
    Plain,
    Tty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start services (and their dependencies), health-gated
    Up(UpArgs),
    /// Stop and remove services (and what depends on them)
    Down(DownArgs),
    /// Restart services in dependency order, health-gated; what depends on them follows
    Restart(RestartArgs),
    /// Pull the services' images ahead of `up`, with progress
    Pull(PullArgs),
    /// Build the images of services with a `build` section, with progress
    Build(BuildArgs),
    /// Show the project's services: state, health, ports, uptime
    #[command(visible_alias = "status")]
    Ps(PsArgs),
    /// Show the services' logs, merged
    Logs(LogsArgs),
    /// Show the host endpoints of running services
    Ports(PortsArgs),
    /// Run a command inside a running service's container (a TTY when stdin is one); exits
    /// with the command's exit code
    Exec(ExecArgs),
    /// Show the NVIDIA GPUs (NVML, or the simulated inventory) and whose processes use them
    Gpu(GpuArgs),
    /// Show or change settings and the service catalog
    Config(ConfigArgs),
    /// Run the task scheduler (gRPC and HTTP) in the foreground, or with --detach
    Serve(ServeArgs),
    /// Check the task journal, or repair it, without starting the scheduler
    Store(StoreArgs),
    /// Manage the scheduler's access tokens (named tokens with a role)
    Auth(AuthArgs),
    /// Print the scheduler's audit log (mutating calls: who, what, outcome)
    Audit(AuditArgs),
    /// Submit a task to the running scheduler
    Submit(SubmitArgs),
    /// Run tasks of a (possibly remote) scheduler on this machine: a pull worker
    Worker(WorkerArgs),
    /// List the pull workers registered with the scheduler: state, last seen, tasks
    Workers,
    /// Print a one-time login link to the running scheduler's web dashboard
    Ui(UiArgs),
    /// List, inspect and cancel the scheduler's tasks
    Tasks(TasksArgs),
    /// Create DAG workflows and start, follow, retry and cancel their runs
    #[command(visible_alias = "workflow")]
    Workflows(WorkflowsArgs),
    /// Measure the scheduler: durable submit throughput, latencies, start delay, idle memory
    #[command(hide = true)]
    Bench(BenchArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write man pages into a directory
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Services to start, comma separated [default: those enabled in config.toml]
    #[arg(long, short = 's', value_delimiter = ',', value_name = "A,B")]
    pub services: Vec<String>,
    /// Never pull: fail when an image is not present locally
    #[arg(long)]
    pub no_pull: bool,
    /// Recreate containers even when their definition is unchanged
    #[arg(long)]
    pub recreate: bool,
    /// Build the images of services with a `build` section even when present and current
    #[arg(long)]
    pub build: bool,
    /// Override every service's health timeout, in seconds
    #[arg(long, value_name = "S")]
    pub wait_timeout: Option<f64>,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Services whose images to pull, comma separated [default: those enabled in config.toml]
    #[arg(long, short = 's', value_delimiter = ',', value_name = "A,B")]
    pub services: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Services whose images to build, comma separated [default: every service with a `build`
    /// section]
    #[arg(long, short = 's', value_delimiter = ',', value_name = "A,B")]
    pub services: Vec<String>,
    /// Build without the engine's layer cache
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Services to restart, comma separated; their dependents restart too [default: those
    /// enabled in config.toml]
    #[arg(long, short = 's', value_delimiter = ',', value_name = "A,B")]
    pub services: Vec<String>,
    /// Seconds to wait for a container to stop before killing it
    #[arg(long, short = 't', default_value_t = 10, value_name = "S")]
    pub timeout: u32,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Services to stop, comma separated; their dependents stop too [default: all]
    #[arg(long, short = 's', value_delimiter = ',', value_name = "A,B")]
    pub services: Vec<String>,
    /// Also remove the project's named volumes
    #[arg(long)]
    pub volumes: bool,
    /// Seconds to wait for a container to stop before killing it
    #[arg(long, short = 't', default_value_t = 10, value_name = "S")]
    pub timeout: u32,
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Also show services of the catalog that have no container
    #[arg(long, short = 'a')]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Keep following new lines (and services that start later) until Ctrl-C
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Lines to show from the end of each service's log
    #[arg(long = "tail", short = 'n', value_name = "N")]
    pub tail: Option<u64>,
    /// Only lines newer than this: seconds since the epoch, or a duration such as 30s, 5m, 2h
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Show each line's timestamp
    #[arg(long, short = 't')]
    pub timestamps: bool,
    /// Only these services (repeatable)
    #[arg(long = "service", value_name = "S")]
    pub services: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The service whose container runs the command
    pub service: String,
    /// The command and its arguments (after `--`)
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Never allocate a TTY, even when stdin is a terminal
    #[arg(long, short = 'T')]
    pub no_tty: bool,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    /// Print NAME_URL=... lines a shell can evaluate (not with --json)
    #[arg(long)]
    pub env: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every effective setting with its source (default, file, env, flag)
    Show,
    /// Write a commented default config.toml
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print where the files are
    Path,
    /// Validate and write one setting to config.toml (e.g. `ports.redis 6380`)
    Set {
        /// A key as `config show` lists it: e.g. gpu, services.NAME, ports.NAME,
        /// scheduler.max_attempts, scheduler.classes.CLASS.concurrency
        key: String,
        value: String,
    },
    /// Print the resolved service catalog (defaults merged with the services file)
    Services,
}

#[derive(Debug, Args)]
pub struct UiArgs {
    /// Also open the link in the desktop's browser (xdg-open, or open on macOS)
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    /// Run in the background (log under $DSPY_AGENT_HOME/logs/); return once it answers
    #[arg(long, short = 'd')]
    pub detach: bool,
    /// Refuse to start when the journal is damaged, instead of keeping a copy and failing the
    /// tasks it loses [setting: scheduler.strict_journal]
    #[arg(long)]
    pub strict_journal: bool,
    /// Listen on a non-loopback address without TLS (tokens and tasks then cross the network
    /// in clear text); warned about on every start
    #[arg(long)]
    pub insecure_bind: bool,
}

#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Report on the running scheduler
    Status,
    /// Stop the running scheduler gracefully: no new tasks, running ones may finish
    Stop {
        /// Seconds running tasks may take to finish; unfinished ones stay queued for the next start
        /// [default: scheduler.shutdown_timeout_s]
        #[arg(
            long,
            short = 't',
            value_name = "S",
            allow_negative_numbers = true,
            value_parser = parse_seconds
        )]
        timeout: Option<f64>,
    },
}

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Named tokens: create (printed once), list, revoke
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (only its hash is stored)
    Create {
        /// The token's name, as the audit log and task records show it
        name: String,
        /// admin (everything), submit (submit, read, cancel its own tasks), worker (lease,
        /// complete, extend) or read (status, metrics, events)
        #[arg(long, value_parser = ["admin", "submit", "worker", "read"])]
        role: String,
    },
    /// List the named tokens (names, roles, creation times; never the tokens)
    List,
    /// Revoke a named token: calls with it are refused from then on
    Revoke { name: String },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries at or after T: an RFC 3339 time (2026-01-02T03:04:05Z) or an age (10m, 2h)
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check the journal, reading only: exit 0 when clean, 1 when records are lost
    Check,
    /// Write a clean journal, keeping the damaged one as journal.ndjson.corrupt-<time>; the
    /// tasks it names come back failed with `journal record lost`
    Repair,
}

#[derive(Debug, Args)]
pub struct GpuArgs {
    /// Redraw every S seconds until Ctrl-C (NDJSON, one document a line, off a terminal or
    /// with --json)
    #[arg(
        long,
        short = 'w',
        value_name = "S",
        num_args = 0..=1,
        default_missing_value = "2",
        value_parser = parse_seconds
    )]
    pub watch: Option<f64>,
    /// Exit 1 when there is no GPU (for CI gates)
    #[arg(long)]
    pub require: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Task class: cpu_short, cpu_long, gpu or gpu_slurm
    #[arg(long, short = 'c', default_value = "cpu_short", value_name = "C")]
    pub class: String,
    /// Task id [default: generated by the scheduler]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Higher runs first
    #[arg(
        long,
        short = 'p',
        default_value_t = 0,
        allow_negative_numbers = true,
        value_name = "N"
    )]
    pub priority: i32,
    /// The payload, a JSON object (e.g. '{"command": ["echo", "hi"]}')
    #[arg(long, value_name = "JSON", conflicts_with = "payload_file")]
    pub payload: Option<String>,
    /// Read the payload from a file, or from stdin with `-`
    #[arg(long, value_name = "PATH|-")]
    pub payload_file: Option<PathBuf>,
    /// Attempts before the task fails [default: scheduler.max_attempts]
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,
    /// Seconds the task may run [default: the class's timeout]
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        value_parser = parse_seconds
    )]
    pub timeout: Option<f64>,
    /// GPUs the task needs [default: 1 for the gpu class, 0 otherwise]
    #[arg(long, value_name = "N")]
    pub gpus: Option<u32>,
    /// Free memory each of its GPUs must have, in MiB [default: any]
    #[arg(long, value_name = "M")]
    pub gpu_memory_mb: Option<u64>,
    /// Follow the task to its end and print its result (exit 6 when it failed or was cancelled)
    #[arg(long, short = 'w')]
    pub wait: bool,
    /// Submit many tasks: NDJSON lines of {task_id?, class?, priority?, payload, ...} from a
    /// file or stdin (`-`); prints one NDJSON result line per task
    #[arg(
        long,
        value_name = "FILE|-",
        conflicts_with_all = ["id", "payload", "payload_file", "wait"]
    )]
    pub batch: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The scheduler's gRPC address (HOST:PORT); TLS when DSPY_AGENT_TLS_CA or the home's tls/ca.pem names its CA
    #[arg(long, value_name = "HOST:PORT")]
    pub server: String,
    /// Task classes to take, comma-separated [default: every class]
    #[arg(long, value_delimiter = ',', value_name = "C,..")]
    pub classes: Vec<String>,
    /// Tasks run at once
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// GPUs offered: none, auto (this machine's GPUs, as `dspy-agent gpu` lists them), or
    /// comma-separated UUIDs
    #[arg(long, default_value = "none", value_name = "auto|none|UUIDS")]
    pub gpus: String,
    /// The worker's name [default: HOST-PID]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Lease length in seconds (extended while a task runs)
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    pub lease_seconds: f64,
    /// After SIGTERM, seconds running tasks may take before they are stopped and handed back
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    pub drain_seconds: f64,
}

#[derive(Debug, Args)]
pub struct TasksArgs {
    #[command(subcommand)]
    pub command: Option<TasksCommand>,
    /// Only tasks in this status: queued, running, completed, failed, cancelled
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// Only tasks of this class
    #[arg(long, value_name = "C")]
    pub class: Option<String>,
    /// At most this many, newest first
    #[arg(long, short = 'n', default_value_t = 100, value_name = "N")]
    pub limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Show one task with its result
    Show { id: String },
    /// Cancel a queued or running task
    Cancel { id: String },
    /// Queue a failed or cancelled task again, with its attempts granted again (the attempt
    /// number keeps counting) and its original payload
    Retry { id: String },
    /// Say what holds a task back: its class's limit, tasks ahead, GPUs, workers, a retry
    /// backoff or its Slurm job's reason
    Why { id: String },
}

#[derive(Debug, Args)]
pub struct WorkflowsArgs {
    #[command(subcommand)]
    pub command: WorkflowsCommand,
}

#[derive(Debug, Subcommand)]
pub enum WorkflowsCommand {
    /// Check a spec (JSON, or TOML when the file ends in .toml) and store it on the server
    Create {
        /// The spec file; - reads JSON from stdin
        file: PathBuf,
    },
    /// Start a run of a workflow (idempotent with --run-id)
    Run {
        /// The workflow's name
        name: String,
        /// The run's id; the same id, spec and params give back the existing run
        #[arg(long, value_name = "ID")]
        run_id: Option<String>,
        /// A param as KEY=VALUE (VALUE is JSON, or else a string); repeatable
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// What an existing run id with another spec or params does: error, or allow_if_failed
        /// (a new attempt of a failed or cancelled run)
        #[arg(long, value_name = "POLICY")]
        on_conflict: Option<String>,
        /// Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled
        #[arg(long)]
        wait: bool,
    },
    /// Show a run as a tree of steps with status, duration and map counts
    Status { run: String },
    /// Run again what failed (or, with --from, a step and everything downstream)
    Retry {
        run: String,
        /// Run this step and everything downstream of it again
        #[arg(long = "from", value_name = "STEP")]
        from: Option<String>,
        /// Override a param for the re-run as KEY=VALUE; repeatable
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// Wait for the run to end: exit 0 when it completes, 6 when it fails or is cancelled
        #[arg(long)]
        wait: bool,
    },
    /// Cancel a run: queued tasks are dropped, running ones killed
    Cancel { run: String },
    /// List runs, newest first
    List {
        /// Only runs of this workflow
        #[arg(long, value_name = "NAME")]
        workflow: Option<String>,
        /// At most this many
        #[arg(long, short = 'n', default_value_t = 100, value_name = "N")]
        limit: u32,
    },
    /// Draw a run's graph, coloured by status, for Graphviz or a Markdown page
    Show {
        run: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Submissions for the throughput run
    #[arg(long, default_value_t = 50_000)]
    pub submissions: usize,
    /// Requests in flight for the throughput run
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Samples for each single-client latency run
    #[arg(long, default_value_t = 2000)]
    pub samples: usize,
    /// Tasks for the submission-to-start run
    #[arg(long, default_value_t = 200)]
    pub starts: usize,
    /// Also measure throughput and SubmitTask latency with a named `submit` token (tokens are
    /// always checked; the first run uses the home's own), on a second server in the same run
    #[arg(long)]
    pub auth: bool,
    /// Also measure throughput and SubmitTask latency over TLS (self-signed, verified), on a
    /// second server in the same run
    #[arg(long)]
    pub tls: bool,
    /// Instead: N no-op gpu_slurm tasks on the Slurm cluster, against a naive sbatch loop
    /// with per-job squeue polling
    #[arg(long, value_name = "N")]
    pub slurm: Option<usize>,
    /// slurm.poll_interval_s of the server in the --slurm run
    #[arg(long, value_name = "S", default_value_t = 10.0, requires = "slurm")]
    pub slurm_poll_interval_s: f64,
    /// Measure workflows instead: a chain of no-op steps and a map on 4 pull workers, beside
    /// the scheduler's own task rate on the same workers
    #[arg(long)]
    pub workflows: bool,
    /// Steps in the workflow chain
    #[arg(long, default_value_t = 1000)]
    pub chain_steps: usize,
    /// Items in the workflow map
    #[arg(long, default_value_t = 10_000)]
    pub map_items: usize,
    /// Measure batch submission and remote workers instead: SubmitTasks throughput, then
    /// no-op command tasks run by serve itself and by 3 `dspy-agent worker` processes
    #[arg(long)]
    pub workers: bool,
    /// Tasks submitted in the SubmitTasks throughput run
    #[arg(long, default_value_t = 300_000, requires = "workers")]
    pub batch_submissions: usize,
    /// Tasks per SubmitTasks call
    #[arg(long, default_value_t = 1000, requires = "workers")]
    pub batch_size: usize,
    /// SubmitTasks calls in flight in the throughput run, each on its own connection
    #[arg(long, default_value_t = 4, requires = "workers", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub batch_in_flight: u16,
    /// No-op tasks in each end-to-end run (serve itself, then the workers)
    #[arg(long, default_value_t = 20_000, requires = "workers")]
    pub worker_tasks: usize,
    /// Measure the web dashboard instead: its pages over HTTP with this many tasks stored,
    /// then durable submissions/s (--submissions, --concurrency) with 0 and with 5 live
    /// dashboards open
    #[arg(long, value_name = "TASKS")]
    pub ui: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write the pages into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// A number of seconds, 0 or more: negative numbers, NaN and infinity get a sentence, not
/// clap's "unexpected argument '-1'".
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds (e.g. 30 or 0.5)"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!(
            "{s:?} is not a number of seconds: give 0 or more (e.g. 30 or 0.5)"
        ));
    }
    Ok(v)
}
