//! The slurm executor: tasks of a class whose `executor = "slurm"` run as Slurm jobs, through
//! crate::slurm. One loop submits, polls and cancels for the whole server:
//!
//! - Submission: the queued tasks of a moment go together; tasks that ask for the same
//!   resources go as one job array. The job id is in the same journal record that makes the
//!   task running, so a restart looks the job up instead of submitting it again.
//! - Polling: one `squeue` per interval for every job of this server (they share one job name),
//!   one `sacct` for the jobs squeue no longer shows and that left no exit-code file. A job found
//!   nowhere is checked again until `slurm.unknown_grace_s` passes. The interval stretches to 5x
//!   the last poll's duration; while slurmctld does not answer, the loop backs off and fails
//!   nothing, and /health and `serve status` say so.
//! - Cancellation: the job ids cancelled since the last turn go in one `scancel`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::server::clock::now_ms;
use crate::server::executor::{self, TAIL_BYTES};
use crate::server::scheduler::{Failure, Scheduler};
use crate::server::task::{SlurmJob, Task, TaskState};
use crate::slurm::script::{self, JobRequest, Payload, TaskFiles};
use crate::slurm::{Command, Config, JobState, QueueRow, SlurmError};

/// Tasks submitted in one turn at most (one array per shape).
const MAX_BATCH: usize = 1000;
/// How long a wake-up waits for more submissions, so a burst becomes one array.
const GATHER: Duration = Duration::from_millis(200);
/// Longest wait between tries while slurmctld does not answer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the loop needs to know, made once from the settings.
pub struct Runner {
    cfg: Config,
    /// Every job of this server has this name: one squeue filter finds them all.
    pub job_name: String,
    /// `slurm.workdir/<job_name>`: the task directories and array lists.
    root: PathBuf,
    interval: Duration,
    grace: Duration,
    default_limit_s: Option<f64>,
}

impl Runner {
    pub fn new(sched: &Scheduler, home: &Path) -> Runner {
        use sha2::{Digest, Sha256};
        let s = &sched.settings().slurm;
        let home = home.canonicalize().unwrap_or_else(|_| home.to_path_buf());
        let hash = hex::encode(&Sha256::digest(home.to_string_lossy().as_bytes())[..4]);
        let job_name = format!("dspy-agent-{hash}");
        Runner {
            cfg: Config::from_settings(s),
            root: s.workdir.value.join(&job_name),
            job_name,
            interval: crate::server::clock::seconds(s.poll_interval_s.value),
            grace: crate::server::clock::seconds(s.unknown_grace_s.value),
            default_limit_s: s.time_limit_s.value,
        }
    }
}

/// A task ready to go: its files and what it asks for.
struct Prepared {
    id: String,
    attempt: u32,
    files: TaskFiles,
    shape: Vec<String>,
}

impl Scheduler {
    /// Whether any class runs on Slurm (or a journal holds Slurm tasks): then `serve` runs the
    /// loop.
    pub fn uses_slurm(&self) -> bool {
        let g = self.table();
        self.settings().classes.values().any(|c| c.slurm.value)
            || !g.slurm_running.is_empty()
            || !g.slurm_ready.is_empty()
    }

    /// The slurm loop, until the server drains. Jobs keep running when it stops; the next
    /// start adopts them.
    pub async fn run_slurm(self: Arc<Self>, runner: Runner) {
        let mut next_poll = Instant::now();
        let mut backoff: Option<Duration> = None;
        let mut unknown: HashMap<String, Instant> = HashMap::new();
        let mut first = true;
        loop {
            if self.is_draining() {
                return;
            }
            let mut failure = self.send_cancels(&runner).await;
            if failure.is_none() {
                failure = self.submit_ready(&runner).await;
            }
            if Instant::now() >= next_poll && failure.is_none() {
                let started = Instant::now();
                match self.poll(&runner, &mut unknown, first).await {
                    Ok(polled) => {
                        first = false;
                        if polled {
                            self.metrics.slurm.poll(started.elapsed().as_secs_f64());
                        }
                        let stretched = started.elapsed().saturating_mul(5);
                        next_poll = Instant::now() + runner.interval.max(stretched);
                    }
                    Err(e) => failure = Some(e),
                }
            }
            match failure {
                Some(why) => {
                    // Doubling, up to 8 intervals (at most a minute, at least one interval):
                    // a controller back from a restart is seen soon.
                    let cap = runner
                        .interval
                        .saturating_mul(8)
                        .min(MAX_BACKOFF)
                        .max(runner.interval);
                    let wait = backoff
                        .map_or(runner.interval, |b| b.saturating_mul(2))
                        .min(cap);
                    tracing::warn!("slurm: {why}; trying again in {:.0}s", wait.as_secs_f64());
                    self.metrics.slurm.reachable(Some(why), now_ms());
                    backoff = Some(wait);
                    next_poll = Instant::now() + wait;
                    // Nothing is marked failed meanwhile: the jobs are the cluster's.
                    unknown.clear();
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.drained() => return,
                    }
                }
                None => {
                    backoff = None;
                    self.metrics.slurm.reachable(None, now_ms());
                    tokio::select! {
                        _ = self.slurm_wake.notified() => tokio::time::sleep(GATHER).await,
                        _ = tokio::time::sleep_until(next_poll.into()) => {}
                        _ = self.drained() => return,
                    }
                }
            }
        }
    }

    async fn drained(&self) {
        while !self.is_draining() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One scancel for every job cancelled since the last turn. Returns why slurmctld did not
    /// answer, if it did not (the ids are kept for the next try).
    async fn send_cancels(&self, runner: &Runner) -> Option<String> {
        let ids = std::mem::take(&mut self.table().slurm_cancels);
        if ids.is_empty() {
            return None;
        }
        self.metrics.slurm.command(Command::Scancel.as_str());
        match runner.cfg.scancel(&ids).await {
            Err(SlurmError::Unreachable(why)) => {
                self.table().slurm_cancels.extend(ids);
                Some(why)
            }
            Err(e) => {
                tracing::warn!("slurm: {}", e.message());
                None
            }
            Ok(()) => None,
        }
    }

    /// Submit what is queued: one sbatch per shape (an array when several tasks share it).
    async fn submit_ready(self: &Arc<Self>, runner: &Runner) -> Option<String> {
        let batch: Vec<(Task, Arc<str>)> = {
            let mut g = self.table();
            let mut out = Vec::new();
            while out.len() < MAX_BATCH {
                let Some((_, id)) = g.slurm_ready.pop_first() else {
                    break;
                };
                let Some(task) = g.tasks.get(&id).filter(|t| t.state == TaskState::Queued) else {
                    continue;
                };
                let payload = g.payloads.get(&id).cloned().unwrap_or_else(|| "{}".into());
                out.push((task.clone(), payload));
            }
            out
        };
        // One array per shape; a map step's tasks form an array of their own, throttled.
        type Key = (Vec<String>, Option<(String, u32)>);
        let mut groups: BTreeMap<Key, Vec<Prepared>> = BTreeMap::new();
        for (task, payload) in batch {
            match self.prepare(runner, &task, &payload) {
                Ok(p) => {
                    let map = self.table().slurm_maps.get(&task.id).cloned();
                    groups.entry((p.shape.clone(), map)).or_default().push(p);
                }
                Err(error) => self.refuse(&task.id, task.attempt, None, error),
            }
        }
        let mut groups = groups.into_iter();
        while let Some(((_, map), group)) = groups.next() {
            let max_parallel = map.map(|(_, max)| max);
            if let Some(why) = self.submit_group(runner, group, max_parallel).await {
                // slurmctld does not answer: the groups not tried yet wait in the queue too.
                let mut g = self.table();
                for p in groups.flat_map(|(_, group)| group) {
                    if let Some(t) = g.tasks.get(&p.id).cloned()
                        && t.state == TaskState::Queued
                    {
                        g.enqueue(&t);
                    }
                }
                return Some(why);
            }
        }
        None
    }

    /// The batch path for a workflow `map` step on a slurm class: its tasks (submitted in the
    /// same moment, or before the next turn of the loop) go as one job array of their own with
    /// at most `max_parallel` elements running at once (`--array=0-N%max_parallel`).
    pub fn slurm_map(&self, step: &str, task_ids: &[String], max_parallel: u32) {
        let mut g = self.table();
        for id in task_ids {
            g.slurm_maps
                .insert(id.clone(), (step.to_string(), max_parallel.max(1)));
        }
        drop(g);
        self.slurm_wake.notify_one();
    }

    /// Submit tasks of one shape: one job, or one array (at most `max_parallel` elements at
    /// once when given; a workflow `map` step passes its throttle). Returns why slurmctld did
    /// not answer, if it did not: the tasks then wait in their queue for the next try.
    async fn submit_group(
        self: &Arc<Self>,
        runner: &Runner,
        group: Vec<Prepared>,
        max_parallel: Option<u32>,
    ) -> Option<String> {
        let cfg = runner.cfg.clone();
        let name = runner.job_name.clone();
        let files: Vec<TaskFiles> = group.iter().map(|p| p.files.clone()).collect();
        let shape = group[0].shape.clone();
        let comment = format!("{}@{}", group[0].id, group[0].attempt);
        let array_dir =
            runner
                .root
                .join("arrays")
                .join(format!("{}-{}", now_ms(), fastrand::u32(..)));
        let written = tokio::task::spawn_blocking(move || {
            if files.len() == 1 {
                script::single(&cfg, &files[0], &name, &comment, &shape)
            } else {
                script::array(&cfg, &array_dir, &files, &name, &shape, max_parallel)
            }
        })
        .await
        .unwrap_or_else(|e| Err(format!("writing the job script failed: {e}")));
        let script = match written {
            Ok(s) => s,
            Err(error) => {
                for p in &group {
                    self.refuse(&p.id, p.attempt - 1, None, error.clone());
                }
                return None;
            }
        };
        self.metrics.slurm.command(Command::Sbatch.as_str());
        let job_id = match runner.cfg.sbatch(&script).await {
            Ok((id, _)) => id,
            Err(SlurmError::Unreachable(why)) => {
                let mut g = self.table();
                for p in &group {
                    if let Some(t) = g.tasks.get(&p.id).cloned()
                        && t.state == TaskState::Queued
                    {
                        g.enqueue(&t);
                    }
                }
                return Some(why);
            }
            Err(e) => {
                for p in &group {
                    self.refuse(&p.id, p.attempt - 1, None, e.message().to_string());
                }
                return None;
            }
        };
        let array = group.len() > 1;
        let mut g = self.table();
        for (i, p) in group.iter().enumerate() {
            let job_id = if array {
                format!("{job_id}_{i}")
            } else {
                job_id.clone()
            };
            let current = g
                .tasks
                .get(&p.id)
                .is_some_and(|t| t.state == TaskState::Queued && t.attempt + 1 == p.attempt);
            if !current {
                // Cancelled while sbatch ran.
                g.slurm_cancels.push(job_id);
                self.slurm_wake.notify_one();
                continue;
            }
            if let Some(t) = g.tasks.get_mut(&p.id) {
                t.slurm = Some(SlurmJob {
                    job_id,
                    dir: p.files.dir.to_string_lossy().into_owned(),
                    state: "PENDING".into(),
                    ..Default::default()
                });
            }
            g.slurm_maps.remove(&p.id);
            if self.start_attempt_locked(&mut g, &p.id, None).is_some() {
                g.slurm_running.insert(p.id.clone());
            }
        }
        None
    }

    /// A task's directory, payload and resources for its next attempt.
    fn prepare(&self, runner: &Runner, task: &Task, payload: &str) -> Result<Prepared, String> {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(payload).unwrap_or_default();
        let command = object
            .get("command")
            .map(executor::parse_command)
            .transpose()
            .map_err(|e| format!("payload `command`: {e}"))?;
        let run = match (object.get("image").and_then(|v| v.as_str()), command) {
            (Some(image), command) => Payload::Image {
                image: image.to_string(),
                command,
            },
            (None, Some(argv)) => Payload::Argv(argv),
            (None, None) => {
                let handler = self
                    .settings()
                    .classes
                    .get(&task.class)
                    .and_then(|c| c.handler.value.clone())
                    .ok_or("payload has no `command` and the class has no handler")?;
                Payload::Argv(vec!["sh".into(), "-c".into(), handler])
            }
        };
        let attempt = task.attempt + 1;
        let resources = object.get("resources");
        let number = |k: &str| resources.and_then(|r| r.get(k)).and_then(|v| v.as_u64());
        let request = JobRequest {
            time_limit_s: task
                .timeout_s
                .or(runner.default_limit_s)
                .unwrap_or_else(|| {
                    self.settings()
                        .classes
                        .get(&task.class)
                        .map_or(3600.0, |c| c.timeout_s.value)
                }),
            gpus: task.gpus,
            gpu_memory_mb: task.gpu_memory_mb,
            cpus: number("cpus").map(|c| c as u32),
            memory_mb: number("memory_mb"),
        };
        let files = TaskFiles {
            dir: runner.root.join(&task.id).join(attempt.to_string()),
            env: vec![
                ("DSPY_TASK_ID".into(), task.id.clone()),
                ("DSPY_TASK_CLASS".into(), task.class.clone()),
                ("DSPY_TASK_ATTEMPT".into(), attempt.to_string()),
            ],
            payload_json: payload.to_string(),
            run,
        };
        Ok(Prepared {
            id: task.id.clone(),
            attempt,
            shape: request.shape(&runner.cfg),
            files,
        })
    }

    /// An attempt that could not be submitted (or whose job cannot be read): it fails, and is
    /// retried while attempts remain. `started_attempt` is the attempt already running, or the
    /// one before the attempt that never started.
    fn refuse(
        self: &Arc<Self>,
        id: &str,
        started_attempt: u32,
        result: Option<BTreeMap<String, String>>,
        error: String,
    ) {
        let mut g = self.table();
        g.slurm_running.remove(id);
        let Some(task) = g.tasks.get(id).cloned() else {
            return;
        };
        let running = task.state == TaskState::Running && task.attempt == started_attempt;
        let queued = task.state == TaskState::Queued && task.attempt == started_attempt;
        if queued {
            if let Some(t) = g.tasks.get_mut(id) {
                t.slurm = None;
            }
            self.start_attempt_locked(&mut g, id, None);
        } else if !running {
            return;
        }
        let duration_s = now_ms().saturating_sub(task.started_at_ms) as f64 / 1000.0;
        let failure = Failure {
            error,
            result: result.unwrap_or_default(),
            duration_s: if queued { 0.0 } else { duration_s },
            backoff: true,
        };
        self.fail_attempt_locked(&mut g, id, failure);
        drop(g);
        self.slurm_wake.notify_one();
    }
}

/// What a poll decided about one job.
enum Ended {
    /// squeue or sacct shows it ended in this state.
    Seen(QueueRow),
    /// Gone from squeue, and its exit-code file is there.
    Files,
    /// Found nowhere for longer than the grace period.
    Vanished,
}

/// The text `sacct --starttime` takes, in UTC.
fn sacct_time(ms: u64) -> String {
    let at = std::time::UNIX_EPOCH + Duration::from_millis(ms.saturating_sub(60_000));
    let text = humantime::format_rfc3339_seconds(at).to_string();
    text.trim_end_matches('Z').to_string()
}

impl Scheduler {
    /// One poll: squeue for all, sacct for the missing, then the ended jobs' files. Returns
    /// whether it asked Slurm at all (nothing to ask when no job is live), or why slurmctld did
    /// not answer.
    async fn poll(
        self: &Arc<Self>,
        runner: &Runner,
        unknown: &mut HashMap<String, Instant>,
        first: bool,
    ) -> Result<bool, String> {
        let live: Vec<(String, SlurmJob, u64)> = {
            let g = self.table();
            g.slurm_running
                .iter()
                .filter_map(|id| g.tasks.get(id))
                .filter(|t| t.state == TaskState::Running)
                .filter_map(|t| Some((t.id.clone(), t.slurm.clone()?, t.started_at_ms)))
                .collect()
        };
        // Forget the unknown clocks of tasks that ended meanwhile (cancelled, say).
        unknown.retain(|id, _| live.iter().any(|(l, _, _)| l == id));
        // The first poll after a start also looks for jobs submitted but never journaled.
        if live.is_empty() && !first {
            self.metrics.slurm.jobs(BTreeMap::new());
            return Ok(false);
        }
        self.metrics.slurm.command(Command::Squeue.as_str());
        let rows = match runner.cfg.squeue(&runner.job_name).await {
            Ok((rows, _)) => rows,
            Err(e) => return Err(e.message().to_string()),
        };
        let by_id: HashMap<&str, &QueueRow> = rows.iter().map(|r| (r.job_id.as_str(), r)).collect();
        let mut ended: Vec<(String, SlurmJob, Ended)> = Vec::new();
        let mut missing: Vec<(String, SlurmJob, u64)> = Vec::new();
        let mut states: BTreeMap<String, u64> = BTreeMap::new();
        {
            let mut g = self.table();
            for (id, job, started) in live {
                match by_id.get(job.job_id.as_str()) {
                    Some(row) if row.job_state().is_none_or(JobState::is_live) => {
                        unknown.remove(&id);
                        *states.entry(row.state.clone()).or_default() += 1;
                        if let Some(t) = g.tasks.get_mut(&id)
                            && let Some(j) = t.slurm.as_mut()
                        {
                            j.state = row.state.clone();
                            j.reason = row.reason.clone();
                            j.node = row.node.clone();
                        }
                    }
                    Some(row) => ended.push((id, job, Ended::Seen((*row).clone()))),
                    None => missing.push((id, job, started)),
                }
            }
        }
        self.metrics.slurm.jobs(states);
        self.adopt_unjournaled(runner, &rows);
        // Left squeue: the exit-code file first (no RPC), then one sacct for the rest.
        let mut asked = Vec::new();
        for (id, job, started) in missing {
            let dir = PathBuf::from(&job.dir);
            let has_file = tokio::task::spawn_blocking(move || script::exit_code(&dir))
                .await
                .ok()
                .is_some_and(|r| !matches!(r, Ok(None)));
            if has_file {
                ended.push((id, job, Ended::Files));
            } else {
                asked.push((id, job, started));
            }
        }
        if !asked.is_empty() {
            let ids: Vec<String> = asked.iter().map(|(_, j, _)| j.job_id.clone()).collect();
            let since = asked.iter().map(|(_, _, s)| *s).min().unwrap_or(0);
            self.metrics.slurm.command(Command::Sacct.as_str());
            let accounted = match runner.cfg.sacct(&ids, &sacct_time(since)).await {
                Ok(rows) => rows.unwrap_or_default(),
                Err(SlurmError::Unreachable(why)) => return Err(why),
                Err(e) => {
                    tracing::debug!("slurm: {}", e.message());
                    vec![]
                }
            };
            for (id, job, _) in asked {
                match accounted.iter().find(|r| r.job_id == job.job_id) {
                    Some(row) if row.job_state().is_some_and(|s| !s.is_live()) => {
                        ended.push((id, job, Ended::Seen(row.clone())));
                    }
                    _ => {
                        let since = *unknown.entry(id.clone()).or_insert_with(Instant::now);
                        if since.elapsed() >= runner.grace {
                            ended.push((id, job, Ended::Vanished));
                        }
                    }
                }
            }
        }
        for (id, job, how) in ended {
            unknown.remove(&id);
            self.finish_job(id, job, how, runner.grace).await;
        }
        Ok(true)
    }

    /// Jobs of this server that squeue shows and no task holds: submitted just before a crash,
    /// before their job id reached the journal. Their task (still queued for that attempt)
    /// takes them back instead of submitting again.
    fn adopt_unjournaled(&self, runner: &Runner, rows: &[QueueRow]) {
        let mut g = self.table();
        for row in rows {
            let Some((id, attempt)) = row.comment.rsplit_once('@') else {
                continue;
            };
            let Ok(attempt) = attempt.parse::<u32>() else {
                continue;
            };
            let Some(task) = g.tasks.get(id).cloned() else {
                continue;
            };
            if task.state != TaskState::Queued || task.attempt + 1 != attempt {
                continue;
            }
            let dir = runner.root.join(id).join(attempt.to_string());
            let dir = dir.to_string_lossy().into_owned();
            g.dequeue(&task);
            if let Some(t) = g.tasks.get_mut(id) {
                t.slurm = Some(SlurmJob {
                    job_id: row.job_id.clone(),
                    dir,
                    state: row.state.clone(),
                    reason: row.reason.clone(),
                    node: row.node.clone(),
                });
            }
            if self.start_attempt_locked(&mut g, id, None).is_some() {
                tracing::info!("slurm: task {id} adopts job {} (not journaled)", row.job_id);
                g.slurm_running.insert(id.to_string());
            }
        }
    }

    /// Settle an ended job's task from Slurm's word and the job's files.
    async fn finish_job(self: &Arc<Self>, id: String, job: SlurmJob, how: Ended, grace: Duration) {
        let dir = PathBuf::from(&job.dir);
        let files = tokio::task::spawn_blocking(move || script::read_ended(&dir, TAIL_BYTES))
            .await
            .unwrap_or_else(|e| Err(format!("reading the job's files failed: {e}")));
        let seen = match &how {
            Ended::Seen(row) => Some(row.clone()),
            _ => None,
        };
        let (attempt, started_at) = {
            let mut g = self.table();
            match g.tasks.get_mut(&id) {
                Some(t)
                    if t.state == TaskState::Running
                        && t.slurm.as_ref().map(|j| &j.job_id) == Some(&job.job_id) =>
                {
                    // What `tasks show` keeps of the job once it ended.
                    if let Some(j) = t.slurm.as_mut() {
                        j.state = seen
                            .as_ref()
                            .map_or_else(|| "ENDED".into(), |r| r.state.clone());
                        j.node = seen
                            .as_ref()
                            .map_or_else(|| j.node.clone(), |r| r.node.clone());
                        j.reason = seen.as_ref().map_or_else(String::new, |r| r.reason.clone());
                    }
                    (t.attempt, t.started_at_ms)
                }
                _ => return,
            }
        };
        let mut result = BTreeMap::from([
            ("slurm_job_id".to_string(), job.job_id.clone()),
            (
                "duration_ms".to_string(),
                now_ms().saturating_sub(started_at).to_string(),
            ),
        ]);
        let state = match &how {
            Ended::Seen(row) => {
                if !row.node.is_empty() {
                    result.insert("slurm_node".into(), row.node.clone());
                }
                row.state.clone()
            }
            _ => String::new(),
        };
        if !state.is_empty() {
            result.insert("slurm_state".into(), state.clone());
        }
        let code = match &files {
            Ok(ended) => {
                result.extend(executor::output_fields(&ended.stdout, &ended.stderr));
                result.insert("exit_code".into(), ended.exit_code.to_string());
                Some(ended.exit_code)
            }
            Err(_) => None,
        };
        let job_state = JobState::parse(&state);
        if job_state == Some(JobState::Cancelled) {
            // Cancelled outside this server (scancel by hand, an admin).
            self.table().slurm_running.remove(&id);
            let _ = self.cancel(&id);
            return;
        }
        let error = match (&how, job_state, code, &files) {
            (Ended::Vanished, ..) => format!(
                "slurm job {} is in neither squeue nor sacct and left no exit code for {:.0}s",
                job.job_id,
                grace.as_secs_f64()
            ),
            (_, Some(JobState::Failed), Some(c), _) if state == "FAILED" => {
                format!("exited with code {c} (slurm job {} FAILED)", job.job_id)
            }
            (_, Some(JobState::Failed), ..) => format!("slurm job {} ended {state}", job.job_id),
            (_, _, None, Err(why)) if !state.is_empty() => {
                format!("slurm job {} ended {state}, but {why}", job.job_id)
            }
            (_, _, Some(0), _) => String::new(),
            (_, _, Some(c), _) => format!("exited with code {c}"),
            (_, _, None, Err(why)) => why.clone(),
            (_, _, None, Ok(_)) => "no exit code".into(),
        };
        if !error.is_empty() {
            self.refuse(&id, attempt, Some(result), error);
            return;
        }
        let mut g = self.table();
        g.slurm_running.remove(&id);
        let duration_s = now_ms().saturating_sub(started_at) as f64 / 1000.0;
        self.complete_attempt_locked(&mut g, &id, result, duration_s);
    }
}
