//! dspy-agent: the infrastructure under DSPy agents, as one binary.
//!
//! `cli` holds the clap types, `commands` one file per subcommand, and the rest one module per
//! concept or outside system (settings, state file, catalog, graph, Docker runtime, health probes,
//! host ports, GPUs, output, and `os` for processes and signals).

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod error;
pub mod gpu;
pub mod graph;
pub mod health;
pub mod lifecycle;
pub mod os;
pub mod output;
pub mod ports;
pub mod progress;
pub mod proto;
pub mod runtime;
pub mod server;
pub mod settings;
pub mod slurm;
pub mod state;
pub mod worker;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, parser::ValueSource};

use crate::cli::Cli;
use crate::error::{Code, Error};
use crate::output::Printer;
use crate::settings::{CliOverrides, Source, Sourced};

/// Parse the command line, run the command, and turn the outcome into an exit code.
pub fn run() -> ExitCode {
    // The scheduler's task reaper (see os::reaper) and a task's cgroup-joining helper (see
    // os::cgroup::joining_argv), before any parsing and before the environment is touched.
    match std::env::args_os().nth(1) {
        Some(a) if a == os::reaper::ARG => return os::reaper::main(),
        Some(a) if a == os::cgroup::JOIN_ARG => return os::cgroup::join_main(),
        _ => {}
    }
    ignore_empty_env_vars();
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::SUCCESS;
            }
            // Scripts that asked for JSON get the error as JSON on stdout too. args_os: an
            // argument that is not UTF-8 is a usage error like any other, not a panic.
            if std::env::args_os().any(|a| a == "--json") {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
                let _ = Printer::new(true, true).json_document(
                    serde_json::json!({"error": {"code": Code::Usage as u8, "message": message}}),
                );
            }
            return ExitCode::from(Code::Usage as u8);
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(Code::Usage as u8);
        }
    };
    let mut printer = Printer::new(cli.global.json, cli.global.quiet);
    match progress::choose(cli.global.progress, cli.global.json) {
        Ok(mode) => printer.progress = mode,
        Err(e) => return report(&printer, e),
    }
    init_tracing(cli.global.verbose, cli.global.quiet);
    let overrides = cli_overrides(&cli, &matches);
    match commands::dispatch(cli, overrides, printer.clone()) {
        Ok(status) => status.into(),
        Err(e) => report(&printer, e),
    }
}

/// An empty DSPY_AGENT_* variable means "unset", as for the settings read in settings.rs
/// (clap would otherwise say "a value is required for --home" about a flag nobody passed).
fn ignore_empty_env_vars() {
    for var in [
        "DSPY_AGENT_HOME",
        "DSPY_AGENT_PROJECT",
        "DSPY_AGENT_SERVICES_FILE",
    ] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            // SAFETY: called first thing in `run`, before any other thread exists.
            unsafe { std::env::remove_var(var) };
        }
    }
}

fn report(printer: &Printer, e: Error) -> ExitCode {
    if e.code == Code::Quiet {
        return ExitCode::SUCCESS;
    }
    stderr_line(format_args!("error: {}", e.message));
    if printer.json {
        let mut doc = serde_json::json!({
            "error": {"code": e.code as u8, "message": e.message},
        });
        if let Some(detail) = e.detail {
            doc["error"]["detail"] = detail;
        }
        let _ = printer.json_document(doc);
    }
    ExitCode::from(e.code as u8)
}

/// Which of the clap-read values came from a flag and which from an environment variable.
fn cli_overrides(cli: &Cli, matches: &ArgMatches) -> CliOverrides {
    // Global flags given after the subcommand live in the subcommand's matches.
    let source_of = |id: &str| -> Source {
        let mut m = matches;
        loop {
            if let Some(ValueSource::EnvVariable) = m.value_source(id) {
                return Source::Env(env_name(id).into());
            }
            match m.subcommand() {
                Some((_, sub)) => m = sub,
                None => return Source::Flag,
            }
        }
    };
    let g = &cli.global;
    CliOverrides {
        project: g.project.clone().map(|v| Sourced {
            value: v,
            source: source_of("project"),
        }),
        home: g.home.clone().map(|v| Sourced {
            value: v,
            source: source_of("home"),
        }),
        services_file: g.services_file.clone().map(|v| Sourced {
            value: v,
            source: source_of("services_file"),
        }),
        env_file: g.env_file.clone().map(|v| Sourced {
            value: v,
            source: source_of("env_file"),
        }),
    }
}

fn env_name(id: &str) -> &'static str {
    match id {
        "project" => "DSPY_AGENT_PROJECT",
        "home" => "DSPY_AGENT_HOME",
        "env_file" => "DSPY_AGENT_ENV_FILE",
        _ => "DSPY_AGENT_SERVICES_FILE",
    }
}

/// Logs go to stderr. RUST_LOG wins over -v; -q keeps only errors.
fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        (_, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("dspy_agent={level},warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LossyStderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()) && output::color_allowed())
        .with_target(false)
        .try_init();
}

/// A line on stderr that never panics: `eprintln!` panics when stderr is full (`/dev/full`, a
/// full disk) or closed, and a server must keep serving whatever its stderr is.
pub fn stderr_line(args: std::fmt::Arguments) {
    let _ = std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("{args}\n"));
}

/// The log writer: stderr, with write errors dropped. tracing-subscriber reports a failed write
/// with `eprintln!`, which panics on the same full stderr, and would take the calling thread
/// (the store's writer, say) down with it.
struct LossyStderr;

impl std::io::Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}
