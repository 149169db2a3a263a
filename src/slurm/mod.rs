//! Slurm, the one outside system of the `slurm` executor: its commands (sbatch, squeue, sacct,
//! scancel), run with a deadline, and what they print, parsed. Nothing here knows of tasks or
//! the scheduler; `server::slurm_jobs` drives it.
//!
//! The polling discipline cluster admins ask for (toil#3018, submitit#1759) lives in the
//! caller: one `squeue` per interval for all of a server's jobs (they share one job name), one
//! `sacct` for the jobs that left squeue. This module only offers those batched calls.

pub mod parse;
pub mod script;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use parse::{JobState, QueueRow};
pub use script::{JobRequest, JobScript};

/// How to reach the cluster and what every job asks for.
#[derive(Debug, Clone)]
pub struct Config {
    pub sbatch: PathBuf,
    pub squeue: PathBuf,
    pub sacct: PathBuf,
    pub scancel: PathBuf,
    pub partition: Option<String>,
    pub account: Option<String>,
    pub qos: Option<String>,
    /// Extra sbatch arguments, split on whitespace.
    pub extra_args: Vec<String>,
    /// `--gpus=N` instead of `--gres=gpu:N`.
    pub use_gpus_flag: bool,
    /// How an `image` payload runs inside the job: apptainer, singularity or docker.
    pub container_runtime: Option<String>,
    /// How long one command may take before it counts as "controller unreachable".
    pub command_timeout: Duration,
}

/// Which command a call ran, for `slurm_commands_total{command}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Command {
    Sbatch,
    Squeue,
    Sacct,
    Scancel,
}

impl Command {
    pub const ALL: [Command; 4] = [
        Command::Sbatch,
        Command::Squeue,
        Command::Sacct,
        Command::Scancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Command::Sbatch => "sbatch",
            Command::Squeue => "squeue",
            Command::Sacct => "sacct",
            Command::Scancel => "scancel",
        }
    }
}

/// Why a command gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlurmError {
    /// The binary is not there (or not executable): a configuration error, named by setting.
    Missing(String),
    /// slurmctld did not answer (down, slow, or the network): try again later.
    Unreachable(String),
    /// The command answered with a refusal (sbatch rejected the job, say).
    Rejected(String),
}

impl SlurmError {
    pub fn message(&self) -> &str {
        match self {
            SlurmError::Missing(m) | SlurmError::Unreachable(m) | SlurmError::Rejected(m) => m,
        }
    }
}

/// One command's answer and how long it took.
pub struct Answer {
    pub stdout: String,
    pub took: Duration,
}

/// What slurmctld's clients print when it does not answer; anything else is a refusal.
fn is_unreachable(stderr: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "Unable to contact slurm controller",
        "Socket timed out",
        "Connection refused",
        "Slurm temporarily unable",
        "Zero Bytes were transmitted",
        "Communication connection failure",
    ];
    SIGNS.iter().any(|s| stderr.contains(s))
}

impl Default for Config {
    /// The commands on PATH, no partition, account or extra arguments.
    fn default() -> Config {
        Config {
            sbatch: "sbatch".into(),
            squeue: "squeue".into(),
            sacct: "sacct".into(),
            scancel: "scancel".into(),
            partition: None,
            account: None,
            qos: None,
            extra_args: vec![],
            use_gpus_flag: false,
            container_runtime: None,
            command_timeout: Duration::from_secs(30),
        }
    }
}

impl Config {
    pub fn from_settings(s: &crate::settings::SlurmSettings) -> Config {
        Config {
            sbatch: PathBuf::from(&s.sbatch.value),
            squeue: PathBuf::from(&s.squeue.value),
            sacct: PathBuf::from(&s.sacct.value),
            scancel: PathBuf::from(&s.scancel.value),
            partition: s.partition.value.clone(),
            account: s.account.value.clone(),
            qos: s.qos.value.clone(),
            extra_args: s
                .extra_args
                .value
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            use_gpus_flag: s.gpus_flag.value,
            container_runtime: s.container_runtime.value.clone(),
            command_timeout: Duration::from_secs(30),
        }
    }

    fn path(&self, command: Command) -> &PathBuf {
        match command {
            Command::Sbatch => &self.sbatch,
            Command::Squeue => &self.squeue,
            Command::Sacct => &self.sacct,
            Command::Scancel => &self.scancel,
        }
    }

    /// Where `command`'s binary is, or why it is not usable (naming the setting).
    pub fn resolve(&self, command: Command) -> Result<PathBuf, SlurmError> {
        let path = self.path(command);
        let found = if path.components().count() > 1 {
            is_executable(path).then(|| path.clone())
        } else {
            std::env::var_os("PATH").and_then(|dirs| {
                std::env::split_paths(&dirs)
                    .map(|d| d.join(path))
                    .find(|p| is_executable(p))
            })
        };
        found.ok_or_else(|| {
            SlurmError::Missing(format!(
                "slurm.{name}: {} is not an executable file{}; install Slurm's client commands or set slurm.{name}",
                path.display(),
                if path.components().count() > 1 {
                    ""
                } else {
                    " on PATH"
                },
                name = command.as_str(),
            ))
        })
    }

    /// Run one command with the deadline; stdin is closed.
    pub async fn run(&self, command: Command, args: &[String]) -> Result<Answer, SlurmError> {
        let path = self.resolve(command)?;
        let started = Instant::now();
        let mut cmd = tokio::process::Command::new(&path);
        cmd.args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let out = match tokio::time::timeout(self.command_timeout, cmd.output()).await {
            Err(_) => {
                return Err(SlurmError::Unreachable(format!(
                    "{} did not answer within {:.0}s",
                    command.as_str(),
                    self.command_timeout.as_secs_f64()
                )));
            }
            Ok(Err(e)) => {
                return Err(SlurmError::Missing(format!(
                    "slurm.{}: cannot run {}: {e}",
                    command.as_str(),
                    path.display()
                )));
            }
            Ok(Ok(out)) => out,
        };
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !out.status.success() {
            let msg = format!(
                "{} failed ({}): {}",
                command.as_str(),
                out.status,
                if stderr.is_empty() {
                    stdout.trim()
                } else {
                    &stderr
                }
            );
            return Err(if is_unreachable(&stderr) {
                SlurmError::Unreachable(msg)
            } else {
                SlurmError::Rejected(msg)
            });
        }
        Ok(Answer {
            stdout,
            took: started.elapsed(),
        })
    }

    /// Submit a written script: the job id (`--parsable` prints `id[;cluster]`).
    pub async fn sbatch(&self, script: &JobScript) -> Result<(String, Answer), SlurmError> {
        let mut args = vec!["--parsable".to_string()];
        args.extend(script.args.iter().cloned());
        args.push(script.path.to_string_lossy().into_owned());
        let answer = self.run(Command::Sbatch, &args).await?;
        let id = answer
            .stdout
            .trim()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(SlurmError::Rejected(format!(
                "sbatch printed no job id: {:?}",
                answer.stdout.trim()
            )));
        }
        Ok((id, answer))
    }

    /// All of this user's jobs named `job_name`, array elements one per row, recently ended
    /// ones included (slurmctld keeps them for MinJobAge): one RPC however many jobs there are.
    pub async fn squeue(&self, job_name: &str) -> Result<(Vec<QueueRow>, Answer), SlurmError> {
        let args = [
            "--me",
            "-h",
            "-r",
            "--states=all",
            &format!("--name={job_name}"),
            "-o",
            parse::SQUEUE_FORMAT,
        ]
        .map(str::to_string);
        let answer = self.run(Command::Squeue, &args).await?;
        Ok((parse::squeue(&answer.stdout), answer))
    }

    /// The final states of jobs that left squeue, from accounting. `Ok(None)` when the site has
    /// no accounting (slurmdbd): the job's own files are then the only record.
    pub async fn sacct(
        &self,
        ids: &[String],
        start_time: &str,
    ) -> Result<Option<Vec<QueueRow>>, SlurmError> {
        let args = [
            "-X".to_string(),
            "-n".into(),
            "-P".into(),
            "-j".into(),
            ids.join(","),
            format!("--starttime={start_time}"),
            "-o".into(),
            "JobID,State,Reason,NodeList".into(),
        ];
        match self.run(Command::Sacct, &args).await {
            Ok(answer) => Ok(Some(parse::sacct(&answer.stdout))),
            Err(SlurmError::Rejected(m)) if m.contains("accounting storage is disabled") => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Cancel jobs, all in one call.
    pub async fn scancel(&self, ids: &[String]) -> Result<(), SlurmError> {
        self.run(Command::Scancel, ids).await.map(|_| ())
    }
}

/// slurmctld's count of job-info RPCs since its start (REQUEST_JOB_INFO, what one squeue for
/// many jobs sends, plus REQUEST_JOB_INFO_SINGLE, what `squeue -j ID` sends), from `sdiag`; 0
/// when sdiag does not answer. For benchmarks: what a client costs the controller.
pub fn sdiag_job_info_rpcs() -> u64 {
    let out = std::process::Command::new("sdiag")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("REQUEST_JOB_INFO ") || l.starts_with("REQUEST_JOB_INFO_SINGLE ")
        })
        .filter_map(|l| {
            l.split("count:")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
