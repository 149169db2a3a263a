//! The files of a Slurm job: each task's directory (its command, environment and payload, and
//! later its stdout, stderr and exit code) and the batch script sbatch runs, for one task or for
//! an array of tasks that ask for the same resources (the same "shape").
//!
//! The batch script writes the exit code to `exit_code` by rename, so a reader sees the whole
//! number or no file: the job's own record of how it ended, which outlives slurmctld's memory
//! (MinJobAge) and does not need accounting (slurmdbd).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::Config;

/// The least time limit Slurm keeps: limits are whole minutes.
pub const MIN_TIME_LIMIT_S: f64 = 60.0;

/// What one task asks of the cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobRequest {
    pub time_limit_s: f64,
    pub gpus: u32,
    pub gpu_memory_mb: u64,
    pub cpus: Option<u32>,
    pub memory_mb: Option<u64>,
}

impl JobRequest {
    /// The resource arguments: tasks whose arguments are equal can share one array.
    pub fn shape(&self, cfg: &Config) -> Vec<String> {
        let minutes = (self.time_limit_s / 60.0).ceil().max(1.0) as u64;
        let mut args = vec![format!("--time={minutes}")];
        if self.gpus > 0 {
            args.push(if cfg.use_gpus_flag {
                format!("--gpus={}", self.gpus)
            } else {
                format!("--gres=gpu:{}", self.gpus)
            });
        }
        let mem = self.memory_mb.unwrap_or(0).max(self.gpu_memory_mb);
        if mem > 0 {
            args.push(format!("--mem={mem}M"));
        }
        if let Some(c) = self.cpus.filter(|c| *c > 0) {
            args.push(format!("--cpus-per-task={c}"));
        }
        args
    }
}

/// What a task runs inside its job.
#[derive(Debug, Clone)]
pub enum Payload {
    Argv(Vec<String>),
    Image {
        image: String,
        command: Option<Vec<String>>,
    },
}

/// One task's attempt: where its files go and what it runs.
#[derive(Debug, Clone)]
pub struct TaskFiles {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub payload_json: String,
    pub run: Payload,
}

/// A batch script ready for sbatch: its path and its arguments (without `--parsable`).
#[derive(Debug, Clone)]
pub struct JobScript {
    pub path: PathBuf,
    pub args: Vec<String>,
}

/// `s` quoted for sh.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn quote_all(argv: &[String]) -> String {
    argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// The command line `run` holds.
fn run_line(payload: &Payload, env: &[(String, String)], cfg: &Config) -> Result<String, String> {
    Ok(match payload {
        Payload::Argv(argv) => format!("exec {}", quote_all(argv)),
        Payload::Image { image, command } => {
            let cmd = command.as_deref().unwrap_or_default();
            match cfg.container_runtime.as_deref() {
                Some(rt @ ("apptainer" | "singularity")) => {
                    let image = quote(&format!("docker://{image}"));
                    if cmd.is_empty() {
                        format!("exec {rt} run {image}")
                    } else {
                        format!("exec {rt} exec {image} {}", quote_all(cmd))
                    }
                }
                Some("docker") => {
                    let vars: String = env.iter().map(|(k, _)| format!(" -e {k}")).collect();
                    format!(
                        "exec docker run --rm -i{vars} {} {}",
                        quote(image),
                        quote_all(cmd)
                    )
                }
                other => {
                    return Err(format!(
                        "payload `image` needs slurm.container_runtime (apptainer, singularity or docker); it is {}",
                        other.map_or("unset".to_string(), |o| format!("{o:?}"))
                    ));
                }
            }
        }
    })
}

/// The part of every batch script after `dir` is set: run the task with its payload on stdin
/// and its output in files, pass on a SIGTERM (time limit, scancel), write the exit code.
const BODY: &str = r#"cd "$dir" || exit 91
. ./env
sh ./run <./payload.json >./stdout 2>./stderr &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
rc=0
wait "$child" || rc=$?
while kill -0 "$child" 2>/dev/null; do rc=0; wait "$child" || rc=$?; done
printf '%s\n' "$rc" >./exit_code.tmp && mv -f ./exit_code.tmp ./exit_code
exit "$rc"
"#;

fn write(path: &Path, text: &str, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text)
        .and_then(|_| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Write a task's directory: `run`, `env`, `payload.json`; old outputs of the same attempt go.
pub fn write_task(files: &TaskFiles, cfg: &Config) -> Result<(), String> {
    let run = run_line(&files.run, &files.env, cfg)?;
    std::fs::create_dir_all(&files.dir)
        .map_err(|e| format!("cannot create {}: {e}", files.dir.display()))?;
    for old in ["stdout", "stderr", "exit_code", "exit_code.tmp"] {
        let _ = std::fs::remove_file(files.dir.join(old));
    }
    let env: String = files
        .env
        .iter()
        .map(|(k, v)| format!("export {k}={}\n", quote(v)))
        .collect();
    write(&files.dir.join("env"), &env, 0o644)?;
    write(&files.dir.join("payload.json"), &files.payload_json, 0o644)?;
    write(&files.dir.join("run"), &format!("{run}\n"), 0o755)
}

/// The common sbatch arguments: name, comment, partition, account, qos, extra, resources.
fn common_args(cfg: &Config, name: &str, comment: &str, shape: &[String]) -> Vec<String> {
    let mut args = vec![format!("--job-name={name}"), format!("--comment={comment}")];
    for (flag, value) in [
        ("--partition", &cfg.partition),
        ("--account", &cfg.account),
        ("--qos", &cfg.qos),
    ] {
        if let Some(v) = value {
            args.push(format!("{flag}={v}"));
        }
    }
    args.extend(shape.iter().cloned());
    args.extend(cfg.extra_args.iter().cloned());
    args
}

/// The arguments as `#SBATCH` lines, so the script says what it asked for. sbatch is given
/// them on its command line too, which wins (a path with a space would not survive a
/// directive).
fn directives(args: &[String]) -> String {
    args.iter().map(|a| format!("#SBATCH {a}\n")).collect()
}

/// The batch script of one task, in its directory. `comment` says which task and attempt, so
/// a restart can find a job it submitted but had not yet journaled.
pub fn single(
    cfg: &Config,
    files: &TaskFiles,
    name: &str,
    comment: &str,
    shape: &[String],
) -> Result<JobScript, String> {
    write_task(files, cfg)?;
    let path = files.dir.join("job.sh");
    let mut args = common_args(cfg, name, comment, shape);
    args.push(format!("--chdir={}", files.dir.display()));
    args.push(format!(
        "--output={}",
        files.dir.join("slurm.out").display()
    ));
    let text = format!(
        "#!/bin/sh\n{}# dspy-agent: {comment}\ndir={}\n{BODY}",
        directives(&args),
        quote(&files.dir.to_string_lossy())
    );
    write(&path, &text, 0o755)?;
    Ok(JobScript { path, args })
}

/// One array for many tasks of one shape: element i runs the i-th task directory, at most
/// `max_parallel` at once when given.
pub fn array(
    cfg: &Config,
    dir: &Path,
    tasks: &[TaskFiles],
    name: &str,
    shape: &[String],
    max_parallel: Option<u32>,
) -> Result<JobScript, String> {
    for files in tasks {
        write_task(files, cfg)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let list = dir.join("dirs");
    let lines: String = tasks
        .iter()
        .map(|f| format!("{}\n", f.dir.display()))
        .collect();
    write(&list, &lines, 0o644)?;
    let path = dir.join("job.sh");
    let mut args = common_args(cfg, name, "array", shape);
    let throttle = max_parallel.map(|p| format!("%{p}")).unwrap_or_default();
    args.push(format!(
        "--array=0-{}{throttle}",
        tasks.len().saturating_sub(1)
    ));
    args.push(format!("--chdir={}", dir.display()));
    args.push(format!("--output={}", dir.join("slurm-%a.out").display()));
    let text = format!(
        "#!/bin/sh\n{}# dspy-agent: array of {n}\ndir=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {list})\n\
         [ -n \"$dir\" ] || {{ echo \"no task for array index $SLURM_ARRAY_TASK_ID\" >&2; exit 90; }}\n{BODY}",
        directives(&args),
        n = tasks.len(),
        list = quote(&list.to_string_lossy()),
    );
    write(&path, &text, 0o755)?;
    Ok(JobScript { path, args })
}

/// How a job's attempt ended, from its files.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    pub exit_code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// The last `max` bytes of a file; missing is empty.
fn tail(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let from = len.saturating_sub(max as u64);
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(from))
        .and_then(|_| f.take(max as u64).read_to_end(&mut buf))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(buf)
}

/// The exit code file, or `Ok(None)` while there is none yet.
pub fn exit_code(dir: &Path) -> Result<Option<i32>, String> {
    let path = dir.join("exit_code");
    match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse::<i32>().map(Some).map_err(|_| {
            format!(
                "the exit code file {} holds {:?}, not a number",
                path.display(),
                text.trim()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Read an ended attempt's files: the exit code must be there; the tails may be empty.
pub fn read_ended(dir: &Path, tail_bytes: usize) -> Result<Ended, String> {
    let exit_code = exit_code(dir)?.ok_or_else(|| {
        format!(
            "the job left no exit code file ({}): it was killed before the end, or the work directory is not shared with the node",
            dir.join("exit_code").display()
        )
    })?;
    Ok(Ended {
        exit_code,
        stdout: tail(&dir.join("stdout"), tail_bytes)?,
        stderr: tail(&dir.join("stderr"), tail_bytes)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config {
            sbatch: "sbatch".into(),
            squeue: "squeue".into(),
            sacct: "sacct".into(),
            scancel: "scancel".into(),
            partition: Some("gpu".into()),
            account: Some("lab".into()),
            qos: None,
            extra_args: vec!["--exclusive".into()],
            use_gpus_flag: false,
            container_runtime: Some("apptainer".into()),
            command_timeout: std::time::Duration::from_secs(5),
        }
    }

    #[test]
    fn shape_turns_gpus_memory_cpus_and_time_into_sbatch_arguments() {
        let req = JobRequest {
            time_limit_s: 61.0,
            gpus: 2,
            gpu_memory_mb: 16_000,
            cpus: Some(4),
            memory_mb: Some(8_000),
        };
        let mut c = cfg();
        assert_eq!(
            req.shape(&c),
            [
                "--time=2",
                "--gres=gpu:2",
                "--mem=16000M",
                "--cpus-per-task=4"
            ]
        );
        c.use_gpus_flag = true;
        assert_eq!(req.shape(&c)[1], "--gpus=2");
        let none = JobRequest {
            time_limit_s: 3600.0,
            ..Default::default()
        };
        assert_eq!(none.shape(&c), ["--time=60"]);
    }

    #[test]
    fn scripts_carry_their_arguments_and_quote_the_payload_command() {
        let dir = tempfile::tempdir().unwrap();
        let files = TaskFiles {
            dir: dir.path().join("t/1"),
            env: vec![("DSPY_TASK_ID".into(), "it's".into())],
            payload_json: "{}".into(),
            run: Payload::Argv(vec!["echo".into(), "a b".into(), "c'd".into()]),
        };
        let job = single(&cfg(), &files, "dspy-agent-x", "t@1", &["--time=1".into()]).unwrap();
        let text = std::fs::read_to_string(&job.path).unwrap();
        for line in [
            "#SBATCH --job-name=dspy-agent-x",
            "#SBATCH --comment=t@1",
            "#SBATCH --partition=gpu",
            "#SBATCH --account=lab",
            "#SBATCH --time=1",
            "#SBATCH --exclusive",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
        assert!(!text.contains("--qos"));
        let run = std::fs::read_to_string(files.dir.join("run")).unwrap();
        assert_eq!(run, "exec 'echo' 'a b' 'c'\\''d'\n");
        let env = std::fs::read_to_string(files.dir.join("env")).unwrap();
        assert_eq!(env, "export DSPY_TASK_ID='it'\\''s'\n");
        let image = TaskFiles {
            run: Payload::Image {
                image: "alpine:3".into(),
                command: Some(vec!["nvidia-smi".into()]),
            },
            ..files.clone()
        };
        write_task(&image, &cfg()).unwrap();
        let run = std::fs::read_to_string(files.dir.join("run")).unwrap();
        assert_eq!(
            run,
            "exec apptainer exec 'docker://alpine:3' 'nvidia-smi'\n"
        );
        let mut no_runtime = cfg();
        no_runtime.container_runtime = None;
        assert!(
            write_task(&image, &no_runtime)
                .unwrap_err()
                .contains("slurm.container_runtime")
        );
    }

    #[test]
    fn an_array_runs_the_ith_task_directory_with_its_throttle() {
        let dir = tempfile::tempdir().unwrap();
        let tasks: Vec<TaskFiles> = (0..3)
            .map(|i| TaskFiles {
                dir: dir.path().join(format!("t{i}/1")),
                env: vec![],
                payload_json: "{}".into(),
                run: Payload::Argv(vec!["true".into()]),
            })
            .collect();
        let job = array(&cfg(), &dir.path().join("a"), &tasks, "n", &[], Some(2)).unwrap();
        assert!(
            job.args.contains(&"--array=0-2%2".to_string()),
            "{:?}",
            job.args
        );
        let text = std::fs::read_to_string(&job.path).unwrap();
        assert!(text.contains("#SBATCH --array=0-2%2"), "{text}");
        assert!(text.contains("SLURM_ARRAY_TASK_ID + 1"), "{text}");
        let list = std::fs::read_to_string(dir.path().join("a/dirs")).unwrap();
        assert_eq!(list.lines().nth(1).unwrap(), tasks[1].dir.to_string_lossy());
    }

    #[test]
    fn ended_files_missing_or_damaged_say_why() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(exit_code(dir.path()), Ok(None));
        let e = read_ended(dir.path(), 100).unwrap_err();
        assert!(e.contains("no exit code file"), "{e}");
        std::fs::write(dir.path().join("exit_code"), "garbage").unwrap();
        let e = read_ended(dir.path(), 100).unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        std::fs::write(dir.path().join("exit_code"), "3\n").unwrap();
        std::fs::write(dir.path().join("stdout"), "x".repeat(300)).unwrap();
        let ended = read_ended(dir.path(), 100).unwrap();
        assert_eq!(ended.exit_code, 3);
        assert_eq!(ended.stdout.len(), 100);
        assert!(ended.stderr.is_empty());
    }
}
