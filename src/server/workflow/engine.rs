//! The workflow engine: specs by content hash, runs, and the one set of functions gRPC, HTTP
//! and the CLI (through them) call. Steps run as ordinary scheduler tasks with ids derived
//! from run, step, item, run attempt and step attempt; their ends come back through the
//! scheduler's finish hook. Specs, starts, retries, cancels and item outcomes are journaled
//! in `store/workflows.ndjson`; at start the engine replays them through the same state
//! machine (`advance.rs`) and resubmits what was running (an existing task id is not
//! submitted twice; a task that ended meanwhile is taken as it ended).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, watch};

use crate::error::Result;
use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::scheduler::{Scheduler, WORKFLOW_TASK_PREFIX};
use crate::server::store::side_log::SideLog;
use crate::server::task::{
    ErrorKind, ExecutorKind, SResult, SchedError, Task, TaskState, payload_object,
};
use crate::server::workflow::advance::{self, Launch, Notes};
use crate::server::workflow::run::{Run, Status, StepRun};
use crate::server::workflow::spec::{self, Compiled, Spec};

const LOG: &str = "workflows.ndjson";

/// One journal record of the engine.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "r", rename_all = "snake_case")]
pub(super) enum Record {
    Spec {
        spec: Spec,
    },
    Start {
        run: String,
        hash: String,
        params: Map<String, Value>,
        attempt: u32,
        at: u64,
    },
    Retry {
        run: String,
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        params: Map<String, Value>,
        at: u64,
    },
    Cancel {
        run: String,
        at: u64,
    },
    Item {
        run: String,
        step: usize,
        item: usize,
        attempt: u32,
        generation: u32,
        status: Status,
        #[serde(default)]
        outputs: Value,
        #[serde(default)]
        error: String,
    },
    Drop {
        run: String,
    },
}

#[derive(Default)]
pub(super) struct State {
    /// Compiled specs by hash, and each name's latest hash.
    pub(super) specs: HashMap<String, Arc<Compiled>>,
    pub(super) latest: BTreeMap<String, String>,
    pub(super) runs: HashMap<String, Run>,
    /// Rebuilding from the journal: no events, no metrics.
    replaying: bool,
}

pub struct Engine {
    pub(super) sched: Arc<Scheduler>,
    log: SideLog,
    state: Mutex<State>,
}

/// How a start treats an existing run with another spec or other params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    Error,
    AllowIfFailed,
}

impl OnConflict {
    pub fn parse(s: &str) -> SResult<OnConflict> {
        match s {
            "" | "error" => Ok(OnConflict::Error),
            "allow_if_failed" => Ok(OnConflict::AllowIfFailed),
            other => Err(SchedError::invalid(format!(
                "on_conflict is {other:?}; expected error or allow_if_failed"
            ))),
        }
    }
}

pub(super) fn not_found(run: &str) -> SchedError {
    SchedError::new(ErrorKind::NotFound, format!("no workflow run {run}"))
}

/// Parse a workflow task id: run, step id, item, run attempt, step attempt.
fn parse_task_id(id: &str) -> Option<(&str, &str, usize, u32, u32)> {
    let rest = id.strip_prefix(WORKFLOW_TASK_PREFIX)?;
    let mut parts = rest.split(':');
    let (run, step, item, gens) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let item = if item == "-" { 0 } else { item.parse().ok()? };
    let (a, g) = gens.split_once('.')?;
    Some((run, step, item, a.parse().ok()?, g.parse().ok()?))
}

/// Keep at start: every spec, and the records of runs retention has not dropped.
fn compact(records: Vec<Value>) -> Vec<Value> {
    let dropped: HashSet<String> = records
        .iter()
        .filter(|r| r["r"] == "drop")
        .filter_map(|r| r["run"].as_str().map(str::to_string))
        .collect();
    records
        .into_iter()
        .filter(|r| r["r"] != "drop")
        .filter(|r| r["run"].as_str().is_none_or(|run| !dropped.contains(run)))
        .collect()
}

impl Engine {
    /// Open the engine's journal under `store_dir`, rebuild every run, hook into the
    /// scheduler, and resubmit what was running.
    pub fn start(sched: Arc<Scheduler>, store_dir: &Path) -> Result<Arc<Engine>> {
        let (log, back) = SideLog::open(store_dir, LOG, compact)?;
        if back.damaged > 0 {
            tracing::warn!(
                "{} damaged line(s) in store/{LOG} were skipped",
                back.damaged
            );
        }
        let engine = Arc::new(Engine {
            sched: sched.clone(),
            log,
            state: Mutex::new(State::default()),
        });
        let mut launches = Vec::new();
        {
            let mut st = engine.lock();
            st.replaying = true;
            for r in back.records {
                match serde_json::from_value::<Record>(r) {
                    Ok(r) => {
                        let mut notes = Notes::default();
                        let _ = engine.apply(&mut st, r, &mut notes);
                    }
                    Err(e) => tracing::warn!("skipping an unreadable record in store/{LOG}: {e}"),
                }
            }
            st.replaying = false;
            // What was running when the server stopped runs again (or is found finished).
            for run in st.runs.values_mut() {
                let mut notes = Notes::default();
                launches.extend(advance::advance(run, &mut notes));
                let fresh: HashSet<(usize, usize)> = launches
                    .iter()
                    .filter(|l| l.run == run.id)
                    .map(|l| (l.step, l.item))
                    .collect();
                let running: Vec<(usize, usize)> = run
                    .steps
                    .iter()
                    .enumerate()
                    .flat_map(|(i, s)| {
                        s.items
                            .iter()
                            .enumerate()
                            .filter(|(_, it)| it.status == Status::Running)
                            .map(move |(k, _)| (i, k))
                    })
                    .filter(|ik| !fresh.contains(ik))
                    .collect();
                for (i, k) in running {
                    launches.extend(relaunch(run, i, k));
                }
            }
            engine.set_active(&st);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        sched.set_finish_hook(tx);
        tokio::spawn(engine.clone().follow(rx));
        engine.launch(launches);
        Ok(engine)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn set_active(&self, st: &State) {
        let n = st.runs.values().filter(|r| !r.status.is_terminal()).count();
        self.sched.metrics.set_workflow_runs_active(n as u64);
    }

    /// Announce what a change did (not while replaying).
    fn publish(&self, st: &State, notes: Notes) {
        if st.replaying {
            return;
        }
        for (kind, id, data) in notes.events {
            self.sched.events.emit(kind, &id, data, None);
        }
        for d in notes.step_durations {
            self.sched.metrics.workflow_step_finished(d);
        }
        if !notes.runs_finished.is_empty() {
            for s in &notes.runs_finished {
                self.sched.metrics.workflow_run_finished(s);
            }
            self.set_active(st);
        }
    }

    /// Apply one record to the state; returns the run it touched.
    fn apply(&self, st: &mut State, r: Record, notes: &mut Notes) -> Option<String> {
        match r {
            Record::Spec { spec } => {
                if let Ok(c) = spec::compile_spec(spec) {
                    st.latest.insert(c.spec.name.clone(), c.hash.clone());
                    st.specs.insert(c.hash.clone(), Arc::new(c));
                }
                None
            }
            Record::Start {
                run,
                hash,
                params,
                attempt,
                at,
            } => {
                let spec = st.specs.get(&hash)?.clone();
                let entry = json!({"event": "started", "at_ms": at, "attempt": attempt,
                                   "version": hash, "params": params});
                match st.runs.get_mut(&run) {
                    Some(r) => {
                        for (i, s) in r.steps.iter_mut().enumerate() {
                            s.archive(r.spec.spec.steps[i].map.is_some());
                        }
                        let history: Vec<_> = r.steps.iter().map(|s| s.history.clone()).collect();
                        r.steps = (0..spec.spec.steps.len()).map(|_| StepRun::new()).collect();
                        if spec.hash == r.spec.hash {
                            for (s, h) in r.steps.iter_mut().zip(history) {
                                s.history = h;
                            }
                        }
                        r.slurm_maps = self.slurm_maps(&spec);
                        r.spec = spec;
                        r.params = params;
                        r.attempt = attempt;
                        r.status = Status::Running;
                        r.failing = false;
                        r.finished_at_ms = 0;
                        r.error.clear();
                        r.history.push(entry);
                    }
                    None => {
                        let (changed, _) = watch::channel(0);
                        st.runs.insert(
                            run.clone(),
                            Run {
                                id: run.clone(),
                                steps: (0..spec.spec.steps.len()).map(|_| StepRun::new()).collect(),
                                slurm_maps: self.slurm_maps(&spec),
                                spec,
                                params,
                                attempt,
                                status: Status::Running,
                                failing: false,
                                created_at_ms: at,
                                finished_at_ms: 0,
                                error: String::new(),
                                history: vec![entry],
                                changed,
                            },
                        );
                    }
                }
                let r = &st.runs[&run];
                notes.events.push((
                    EventKind::WorkflowStarted,
                    run.clone(),
                    BTreeMap::from([
                        ("run_id".to_string(), run.clone()),
                        ("workflow".to_string(), r.spec.spec.name.clone()),
                        ("attempt".to_string(), attempt.to_string()),
                    ]),
                ));
                Some(run)
            }
            Record::Retry {
                run,
                from,
                params,
                at,
            } => {
                let r = st.runs.get_mut(&run)?;
                let from_idx = from.as_ref().and_then(|f| r.spec.index.get(f).copied());
                let plan = advance::retry_plan(r, from_idx);
                advance::reset(r, &plan);
                let changed = !params.is_empty();
                for (k, v) in &params {
                    r.params.insert(k.clone(), v.clone());
                }
                let steps: Vec<&str> = plan
                    .keys()
                    .map(|&i| r.spec.spec.steps[i].id.as_str())
                    .collect();
                let mut entry = json!({"event": "retried", "at_ms": at, "from_step": from,
                                       "steps": steps});
                if changed {
                    entry["params_override"] = Value::Object(params);
                }
                r.history.push(entry);
                Some(run)
            }
            Record::Cancel { run, at } => {
                let r = st.runs.get_mut(&run)?;
                advance::cancel(r, notes);
                r.history.push(json!({"event": "cancelled", "at_ms": at}));
                Some(run)
            }
            Record::Item {
                run,
                step,
                item,
                attempt,
                generation,
                status,
                outputs,
                error,
            } => {
                let r = st.runs.get_mut(&run)?;
                if step >= r.steps.len() {
                    return None;
                }
                advance::apply_item(r, step, item, attempt, generation, (status, outputs, error))
                    .then_some(run)
            }
            Record::Drop { run } => {
                st.runs.remove(&run);
                None
            }
        }
        .inspect(|run| {
            if let Some(r) = st.runs.get_mut(run) {
                let more = advance::advance(r, notes);
                // While replaying, what would be submitted is settled by the records that
                // follow, or resubmitted at the end.
                if !st.replaying && !more.is_empty() {
                    notes_launches(notes, more);
                }
                r.touch();
            }
        })
    }

    /// Journal `r`, apply it, and return the tasks to submit.
    pub(super) fn record(&self, st: &mut State, r: Record) -> SResult<Vec<Launch>> {
        let value = serde_json::to_value(&r)
            .map_err(|e| SchedError::new(ErrorKind::Internal, e.to_string()))?;
        self.log
            .append(&value)
            .map_err(|e| SchedError::new(ErrorKind::Internal, e))?;
        let mut notes = Notes::default();
        self.apply(st, r, &mut notes);
        let launches = take_launches(&mut notes);
        self.publish(st, notes);
        Ok(launches)
    }

    pub(super) async fn sync(&self) -> SResult<()> {
        // An fdatasync: off the async threads.
        tokio::task::block_in_place(|| self.log.sync())
            .map_err(|e| SchedError::new(ErrorKind::Internal, e))
    }

    /// Which steps are maps on a class that runs on Slurm (see `Run::slurm_maps`).
    fn slurm_maps(&self, spec: &Compiled) -> Vec<bool> {
        let classes = &self.sched.settings().classes;
        spec.spec
            .steps
            .iter()
            .map(|s| s.map.is_some() && classes.get(&s.class).is_some_and(|c| c.slurm.value))
            .collect()
    }

    /// Submit the items' tasks. A task that already exists (a restart) is taken as it is.
    pub(super) fn launch(self: &Arc<Self>, launches: Vec<Launch>) {
        // A Slurm map step's items, launched together, go as one throttled array: tell the
        // slurm loop before they are queued.
        let mut arrays: BTreeMap<(String, usize), (u32, Vec<String>)> = BTreeMap::new();
        for l in &launches {
            if let Some(throttle) = l.slurm_throttle {
                let entry = arrays
                    .entry((l.run.clone(), l.step))
                    .or_insert_with(|| (throttle, Vec::new()));
                entry.1.push(l.req.task_id.clone());
            }
        }
        for ((run, step), (throttle, ids)) in arrays {
            self.sched
                .slurm_map(&format!("{run}/{step}"), &ids, throttle);
        }
        for l in launches {
            let me = self.clone();
            tokio::spawn(async move {
                let id = l.req.task_id.clone();
                match me.sched.submit(l.req).await {
                    Ok((task, _)) if task.state.is_terminal() => me.finished(vec![task]),
                    Ok(_) => {
                        if !me.still_wanted(&l.run, l.step, l.item, l.generation) {
                            let _ = me.sched.cancel(&id);
                        }
                    }
                    // Stopping: the item stays running in the journal and is resubmitted at
                    // the next start.
                    Err(e) if e.kind == ErrorKind::Draining => {}
                    Err(e) => me.item_outcome(
                        &l.run,
                        (l.step, l.item, l.attempt, l.generation),
                        Status::Failed,
                        format!("the scheduler refused the task: {}", e.message),
                    ),
                }
            });
        }
    }

    fn still_wanted(&self, run: &str, step: usize, item: usize, generation: u32) -> bool {
        let st = self.lock();
        st.runs.get(run).is_some_and(|r| {
            !r.status.is_terminal()
                && r.steps[step]
                    .items
                    .get(item)
                    .is_some_and(|it| it.status == Status::Running && it.generation == generation)
        })
    }

    fn item_outcome(
        self: &Arc<Self>,
        run: &str,
        (step, item, attempt, generation): (usize, usize, u32, u32),
        status: Status,
        error: String,
    ) {
        let launches = {
            let mut st = self.lock();
            let r = Record::Item {
                run: run.to_string(),
                step,
                item,
                attempt,
                generation,
                status,
                outputs: Value::Null,
                error,
            };
            self.record(&mut st, r).unwrap_or_default()
        };
        self.launch(launches);
    }

    /// Tasks of workflow steps that ended, as the scheduler reports them.
    async fn follow(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<Task>) {
        while let Some(t) = rx.recv().await {
            let mut batch = vec![t];
            while batch.len() < 4096 {
                match rx.try_recv() {
                    Ok(t) => batch.push(t),
                    Err(_) => break,
                }
            }
            self.finished(batch);
        }
    }

    fn finished(self: &Arc<Self>, tasks: Vec<Task>) {
        let mut launches = Vec::new();
        let mut notes = Notes::default();
        let mut lines = Vec::new();
        {
            let mut st = self.lock();
            for t in tasks {
                let Some((run, step_id, item, attempt, generation)) = parse_task_id(&t.id) else {
                    continue;
                };
                let Some(r) = st.runs.get(run) else { continue };
                let Some(&step) = r.spec.index.get(step_id) else {
                    continue;
                };
                let current =
                    r.steps[step].items.get(item).is_some_and(|it| {
                        it.status == Status::Running && it.generation == generation
                    }) && r.attempt == attempt;
                if !current {
                    continue;
                }
                let (status, outputs, error) = match t.state {
                    TaskState::Completed => (Status::Completed, outputs_of(&t), String::new()),
                    TaskState::Cancelled => (Status::Cancelled, Value::Null, t.error.clone()),
                    _ => (Status::Failed, Value::Null, t.error.clone()),
                };
                let rec = Record::Item {
                    run: run.to_string(),
                    step,
                    item,
                    attempt,
                    generation,
                    status,
                    outputs,
                    error,
                };
                if let Ok(v) = serde_json::to_value(&rec) {
                    lines.push(v);
                }
                self.apply(&mut st, rec, &mut notes);
            }
            // One write for the whole batch, before any of its consequences is submitted.
            if let Err(e) = self.log.append_all(&lines) {
                tracing::warn!("workflow journal: {e}");
            }
            launches.extend(take_launches(&mut notes));
            self.publish(&st, notes);
            self.retain(&mut st);
        }
        self.launch(launches);
    }

    /// Finished runs follow the task retention settings: past `retention_age_s`, or past
    /// `retention_count` once older than `retention_min_age_s`, they are dropped.
    fn retain(&self, st: &mut State) {
        let cfg = self.sched.settings();
        let now = now_ms();
        let mut done: Vec<(u64, String)> = st
            .runs
            .values()
            .filter(|r| r.status.is_terminal())
            .map(|r| (r.finished_at_ms, r.id.clone()))
            .collect();
        let max = cfg.retention_count.value as usize;
        let age_cut = now.saturating_sub(cfg.retention_age_s.value.saturating_mul(1000));
        let min_cut = now.saturating_sub(cfg.retention_min_age_s.value.saturating_mul(1000));
        if done.is_empty() || (done.len() <= max && done.iter().all(|(at, _)| *at >= age_cut)) {
            return;
        }
        done.sort();
        let mut left = done.len();
        for (at, id) in done {
            if at < age_cut || (left > max && at <= min_cut) {
                let _ = self.log.append(&json!({"r": "drop", "run": id}));
                st.runs.remove(&id);
                left -= 1;
            }
        }
    }
}

/// Launches ride in `Notes` from `apply` to its caller.
fn notes_launches(notes: &mut Notes, more: Vec<Launch>) {
    notes.launches.extend(more);
}

fn take_launches(notes: &mut Notes) -> Vec<Launch> {
    std::mem::take(&mut notes.launches)
}

/// Submit again an item the journal says was running (the same task id: no double submission).
fn relaunch(run: &mut Run, step: usize, item: usize) -> Option<Launch> {
    let generation = run.steps[step].items[item].generation;
    let task_id = run.task_id(step, item);
    run.steps[step].items[item].task_id = task_id;
    // Rebuild the request as the first start built it.
    advance::rebuild(run, step, item).map(|req| Launch {
        run: run.id.clone(),
        step,
        item,
        attempt: run.attempt,
        generation,
        req,
        // A Slurm job of it is adopted by the slurm loop; one never queued goes on its own.
        slurm_throttle: None,
    })
}

/// A step's outputs: its task's result fields, each parsed as JSON. For a process or a
/// container that is the JSON object on stdout's last line: the executor's own bookkeeping
/// (exit code, duration, output tails) stays on the task.
fn outputs_of(t: &Task) -> Value {
    let mut o = payload_object(&t.result);
    if matches!(t.executor, ExecutorKind::Process | ExecutorKind::Container) {
        for k in ["exit_code", "duration_ms", "stdout_tail", "stderr_tail"] {
            o.remove(k);
        }
    }
    Value::Object(o)
}
