//! One file per subcommand. Each reads settings, calls library code and prints through the Printer.

pub mod audit;
pub mod auth;
pub mod bench;
pub mod bench_slurm;
pub mod bench_ui;
pub mod bench_ui_live;
pub mod bench_ui_runs;
pub mod bench_workers;
pub mod bench_workflows;
pub mod build;
pub mod client;
pub mod completions;
pub mod config;
pub mod down;
pub mod exec;
pub mod gpu;
pub mod logs;
pub mod man;
pub mod ports;
pub mod ps;
pub mod pull;
pub mod restart;
pub mod serve;
pub mod store;
pub mod submit;
pub mod submit_batch;
pub mod tasks;
pub mod ui;
pub mod up;
pub mod worker;
pub mod workers;
pub mod workflows;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command};
use crate::error::{Error, ExitStatus, Result};
use crate::lifecycle::Stack;
use crate::output::Printer;
use crate::settings::{CliOverrides, Settings};

/// What every command gets: where the flag-or-env values came from, and the printer.
pub struct Ctx {
    pub overrides: CliOverrides,
    pub printer: Printer,
}

impl Ctx {
    pub fn settings(&self) -> Result<Settings> {
        let settings = Settings::load(&self.overrides)?;
        // Deprecated keys are said once per run, however often a command loads its settings.
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            for w in &settings.warnings {
                self.printer.warn(w);
            }
        });
        Ok(settings)
    }

    /// The resolved catalog, as `up` runs it.
    pub fn catalog(&self, settings: &Settings) -> Result<Catalog> {
        crate::catalog::resolve(settings)
    }

    /// Settings, catalog and a connected Docker client: what the lifecycle commands share.
    pub async fn stack(&self) -> Result<Stack> {
        Stack::from_settings(&self.settings()?).await
    }
}

/// Run the command. `Ok` carries how it ended, an expected failure included (see ExitStatus).
pub fn dispatch(cli: Cli, overrides: CliOverrides, printer: Printer) -> Result<ExitStatus> {
    let ctx = Ctx { overrides, printer };
    match cli.command {
        Command::Config(args) => config::run(&ctx, args.command),
        Command::Completions(args) => completions::run(&ctx, args),
        Command::Man(args) => man::run(&ctx, args),
        Command::Up(args) => block_on(up::run(&ctx, args)),
        Command::Down(args) => block_on(down::run(&ctx, args)),
        Command::Restart(args) => block_on(restart::run(&ctx, args)),
        Command::Pull(args) => block_on(pull::run(&ctx, args)),
        Command::Build(args) => block_on(build::run(&ctx, args)),
        Command::Ps(args) => block_on(ps::run(&ctx, args)),
        Command::Logs(args) => block_on(logs::run(&ctx, args)),
        Command::Ports(args) => block_on(ports::run(&ctx, args)),
        Command::Exec(args) => block_on(exec::run(&ctx, args)),
        Command::Gpu(args) => block_on(gpu::run(&ctx, args)),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Store(args) => store::run(&ctx, args),
        Command::Auth(args) => auth::run(&ctx, args),
        Command::Audit(args) => audit::run(&ctx, args),
        Command::Submit(args) => block_on(submit::run(&ctx, args)),
        Command::Worker(args) => block_on(worker::run(&ctx, args)),
        Command::Workers => block_on(workers::run(&ctx)),
        Command::Ui(args) => block_on(ui::run(&ctx, args)),
        Command::Tasks(args) => block_on(tasks::run(&ctx, args)),
        Command::Workflows(args) => block_on(workflows::run(&ctx, args.command)),
        Command::Bench(args) => block_on(bench::run(&ctx, args)),
    }
}

/// Commands that talk to Docker run on a small tokio runtime built only for them.
fn block_on<F: std::future::Future<Output = Result<ExitStatus>>>(fut: F) -> Result<ExitStatus> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::runtime(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(fut)
}
