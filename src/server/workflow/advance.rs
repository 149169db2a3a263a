//! The run state machine, with no I/O: decide which steps start, skip, finish or fail, which
//! items become tasks, and how a retry or a cancel changes a run. The engine (`engine.rs`)
//! journals what cannot be recomputed (item outcomes, starts, retries, cancels), applies it
//! here, and submits the tasks this returns. Given the same records, this makes the same
//! decisions: that is how a restart rebuilds a run without re-running finished items.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::task::SubmitRequest;
use crate::server::workflow::expr::{self, Scope};
use crate::server::workflow::run::{Item, Run, Status, StepRun};
use crate::server::workflow::spec::{MAX_ITEMS, Trigger};

/// Items of a map that run at once when the step does not say.
pub const DEFAULT_MAX_PARALLEL: usize = 64;

/// A task to submit for one item.
pub struct Launch {
    pub run: String,
    pub step: usize,
    pub item: usize,
    pub attempt: u32,
    pub generation: u32,
    pub req: SubmitRequest,
    /// Set for an item of a map step on Slurm: the step's array throttle (`%max_parallel`).
    pub slurm_throttle: Option<u32>,
}

/// What a change should announce: events, and step durations for the histogram.
#[derive(Default)]
pub struct Notes {
    pub events: Vec<(EventKind, String, BTreeMap<String, String>)>,
    pub step_durations: Vec<f64>,
    pub runs_finished: Vec<&'static str>,
    /// Tasks to submit, carried from where a change is applied to where it is journaled.
    pub launches: Vec<Launch>,
}

impl Notes {
    fn step(&mut self, kind: EventKind, run: &Run, step: usize, extra: &[(&str, String)]) {
        let mut data = BTreeMap::from([
            ("run_id".to_string(), run.id.clone()),
            ("workflow".to_string(), run.spec.spec.name.clone()),
            ("step".to_string(), run.spec.spec.steps[step].id.clone()),
        ]);
        for (k, v) in extra {
            data.insert(k.to_string(), v.clone());
        }
        self.events.push((kind, run.id.clone(), data));
    }
}

fn scope_outputs(run: &Run) -> impl Fn(&str) -> Option<Value> + '_ {
    move |id: &str| {
        let &j = run.spec.index.get(id)?;
        let s = &run.steps[j];
        (s.status == Status::Completed).then(|| s.outputs(run.is_map(j)))
    }
}

/// Evaluate a step's `when`.
fn when_holds(run: &Run, step: usize) -> Result<bool, String> {
    let Some(e) = &run.spec.when[step] else {
        return Ok(true);
    };
    let outputs = scope_outputs(run);
    let scope = Scope {
        params: &run.params,
        outputs: &outputs,
        item: None,
        index: None,
    };
    e.eval(&scope)
}

/// A map step's list.
fn map_list(run: &Run, step: usize) -> Result<Vec<Value>, String> {
    let over = run.spec.spec.steps[step].map.as_deref().unwrap_or_default();
    let outputs = scope_outputs(run);
    let scope = Scope {
        params: &run.params,
        outputs: &outputs,
        item: None,
        index: None,
    };
    let v = expr::substitute(&Value::String(over.to_string()), &scope)?;
    match v {
        Value::Array(a) if a.len() > MAX_ITEMS => Err(format!(
            "map over {over}: {} items; at most {MAX_ITEMS} are allowed",
            a.len()
        )),
        Value::Array(a) => Ok(a),
        other => Err(format!(
            "map over {over}: not a list (it is {})",
            match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Object(_) => "an object",
                Value::Array(_) => "a list",
            }
        )),
    }
}

/// The task request of one item.
fn request(run: &Run, step: usize, item: usize) -> Result<SubmitRequest, String> {
    let spec = &run.spec.spec.steps[step];
    let outputs = scope_outputs(run);
    let s = &run.steps[step];
    let scope = Scope {
        params: &run.params,
        outputs: &outputs,
        item: s.list.as_ref().and_then(|l| l.get(item)),
        index: spec.map.as_ref().map(|_| item),
    };
    let payload = expr::substitute(&Value::Object(spec.payload.clone()), &scope)
        .map_err(|e| format!("payload: {e}"))?;
    let payload = match payload {
        Value::Object(o) => o
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => serde_json::to_string(&s).unwrap_or_default(),
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(SubmitRequest {
        task_id: run.task_id(step, item),
        payload,
        payload_json: None,
        class: spec.class.clone(),
        priority: spec.priority,
        max_attempts: spec.max_attempts,
        timeout_s: spec.timeout_seconds,
        gpus: spec.gpus,
        gpu_memory_mb: spec.gpu_memory_mb,
        submitted_by: None,
    })
}

/// The request of an item the journal says was running, built as its first start built it.
pub fn rebuild(run: &Run, step: usize, item: usize) -> Option<SubmitRequest> {
    request(run, step, item).ok()
}

fn finish_step(run: &mut Run, i: usize, status: Status, error: String, notes: &mut Notes) {
    let now = now_ms();
    let s = &mut run.steps[i];
    s.status = status;
    s.error = error;
    s.finished_at_ms = now;
    let duration = now.saturating_sub(s.started_at_ms) as f64 / 1000.0;
    match status {
        Status::Completed => {
            notes.step_durations.push(duration);
            notes.step(EventKind::StepCompleted, run, i, &[]);
        }
        Status::Failed => {
            notes.step_durations.push(duration);
            let e = run.steps[i].error.clone();
            notes.step(EventKind::StepFailed, run, i, &[("error", e)]);
            if !run.spec.spec.steps[i].continue_on_failure {
                run.failing = true;
            }
        }
        _ => {}
    }
}

/// Start step `i`: resolve its items (keeping those a retry left completed when the list is
/// the same), or fail it with the reason.
fn start_step(run: &mut Run, i: usize, notes: &mut Notes) {
    let list = if run.is_map(i) {
        match map_list(run, i) {
            Ok(l) => Some(l),
            Err(e) => {
                let s = &mut run.steps[i];
                s.attempt += 1;
                s.started_at_ms = now_ms();
                finish_step(run, i, Status::Failed, e, notes);
                return;
            }
        }
    } else {
        None
    };
    let s = &mut run.steps[i];
    s.attempt += 1;
    s.status = Status::Running;
    s.started_at_ms = now_ms();
    s.finished_at_ms = 0;
    s.error.clear();
    let wanted = list.as_ref().map_or(1, Vec::len);
    let keep = s.items.len() == wanted && (list.is_none() || s.list == list);
    if !keep {
        s.set_items((0..wanted).map(|_| Item::new()).collect());
    }
    s.list = list;
    notes.step(EventKind::StepStarted, run, i, &[]);
}

/// Start pending items of a running step while the step's parallelism allows; finish the step
/// once none is pending or running.
fn fill(run: &mut Run, i: usize, launches: &mut Vec<Launch>, notes: &mut Notes) {
    let max = match run.spec.spec.steps[i].max_parallel {
        0 => DEFAULT_MAX_PARALLEL,
        n => n as usize,
    };
    // On Slurm the array's `%max_parallel` throttles the items, so all of them go at once.
    let slurm_throttle = run
        .slurm_maps
        .get(i)
        .copied()
        .unwrap_or(false)
        .then_some(max as u32);
    let max = if slurm_throttle.is_some() {
        usize::MAX
    } else {
        max
    };
    while run.steps[i].counts.running < max && run.steps[i].next < run.steps[i].items.len() {
        let k = run.steps[i].next;
        run.steps[i].next += 1;
        if run.steps[i].items[k].status != Status::Pending {
            continue;
        }
        let generation = run.steps[i].attempt;
        run.steps[i].items[k].generation = generation;
        let built = request(run, i, k);
        let s = &mut run.steps[i];
        s.items[k].started_at_ms = now_ms();
        match built {
            Ok(req) => {
                s.items[k].task_id = req.task_id.clone();
                s.items[k].error.clear();
                s.set_item_status(k, Status::Running);
                launches.push(Launch {
                    run: run.id.clone(),
                    step: i,
                    item: k,
                    attempt: run.attempt,
                    generation,
                    req,
                    slurm_throttle,
                });
            }
            Err(e) => {
                s.items[k].error = e;
                s.items[k].finished_at_ms = now_ms();
                s.set_item_status(k, Status::Failed);
            }
        }
    }
    let s = &run.steps[i];
    if s.counts.running == 0 && s.counts.pending == 0 {
        let bad = s.counts.failed + s.counts.cancelled;
        if bad == 0 {
            finish_step(run, i, Status::Completed, String::new(), notes);
        } else {
            let first = s
                .items
                .iter()
                .find(|it| matches!(it.status, Status::Failed | Status::Cancelled))
                .map(|it| it.error.clone())
                .unwrap_or_default();
            let e = if run.is_map(i) {
                format!("{bad} of {} items failed; first: {first}", s.counts.total)
            } else {
                first
            };
            finish_step(run, i, Status::Failed, e, notes);
        }
    }
}

/// Move the run as far as it can go now. Returns the tasks to submit.
pub fn advance(run: &mut Run, notes: &mut Notes) -> Vec<Launch> {
    let mut launches = Vec::new();
    if run.status.is_terminal() {
        return launches;
    }
    let order = run.spec.order.clone();
    for &i in &order {
        if run.steps[i].status == Status::Pending && !run.failing {
            let deps = &run.spec.deps[i];
            if deps.iter().any(|&d| !run.steps[d].status.is_terminal()) {
                continue;
            }
            let all_ok = deps
                .iter()
                .all(|&d| run.steps[d].status == Status::Completed);
            let skip = match run.spec.spec.steps[i].trigger {
                Trigger::AllSuccess => !all_ok,
                Trigger::AllDone => false,
            };
            match (skip, when_holds(run, i)) {
                (true, _) | (false, Ok(false)) => {
                    run.steps[i].status = Status::Skipped;
                    run.steps[i].finished_at_ms = now_ms();
                    continue;
                }
                (false, Err(e)) => {
                    run.steps[i].attempt += 1;
                    run.steps[i].started_at_ms = now_ms();
                    finish_step(run, i, Status::Failed, format!("when: {e}"), notes);
                    continue;
                }
                (false, Ok(true)) => start_step(run, i, notes),
            }
        }
        if run.steps[i].status == Status::Running {
            fill(run, i, &mut launches, notes);
        }
    }
    if run.steps.iter().any(|s| s.status == Status::Running) {
        return launches;
    }
    let status = if run.failing {
        Status::Failed
    } else if run.steps.iter().all(|s| s.status.is_terminal()) {
        Status::Completed
    } else {
        return launches;
    };
    run.status = status;
    run.finished_at_ms = now_ms();
    // What never started because the run failed is skipped (a retry runs it).
    for s in &mut run.steps {
        if s.status == Status::Pending {
            s.status = Status::Skipped;
        }
    }
    if status == Status::Failed {
        let failed: Vec<&str> = run
            .steps
            .iter()
            .enumerate()
            .filter(|(j, s)| {
                s.status == Status::Failed && !run.spec.spec.steps[*j].continue_on_failure
            })
            .map(|(j, _)| run.spec.spec.steps[j].id.as_str())
            .collect();
        run.error = format!("step(s) failed: {}", failed.join(", "));
    }
    notes.runs_finished.push(status.as_str());
    notes.events.push((
        EventKind::WorkflowCompleted,
        run.id.clone(),
        BTreeMap::from([
            ("run_id".to_string(), run.id.clone()),
            ("workflow".to_string(), run.spec.spec.name.clone()),
            ("status".to_string(), status.as_str().to_string()),
        ]),
    ));
    launches
}

/// A task of the run ended. Applies only to the item's current generation while it runs.
/// Returns whether it changed anything.
pub fn apply_item(
    run: &mut Run,
    step: usize,
    item: usize,
    attempt: u32,
    generation: u32,
    outcome: (Status, Value, String),
) -> bool {
    if run.attempt != attempt || run.status.is_terminal() {
        return false;
    }
    let s = &mut run.steps[step];
    let Some(it) = s.items.get(item) else {
        return false;
    };
    if it.generation != generation || it.status != Status::Running {
        return false;
    }
    let (status, outputs, error) = outcome;
    s.items[item].outputs = outputs;
    s.items[item].error = error;
    s.items[item].finished_at_ms = now_ms();
    s.set_item_status(item, status);
    true
}

/// Cancel a running run: every running item is cancelled, nothing else starts. Returns the
/// task ids to cancel.
pub fn cancel(run: &mut Run, notes: &mut Notes) -> Vec<String> {
    let mut ids = Vec::new();
    if run.status.is_terminal() {
        return ids;
    }
    let now = now_ms();
    for s in &mut run.steps {
        if s.status != Status::Running {
            continue;
        }
        for k in 0..s.items.len() {
            if s.items[k].status == Status::Running {
                ids.push(s.items[k].task_id.clone());
                s.items[k].error = "cancelled".into();
                s.set_item_status(k, Status::Cancelled);
            }
        }
        s.status = Status::Cancelled;
        s.finished_at_ms = now;
    }
    run.status = Status::Cancelled;
    run.finished_at_ms = now;
    run.error = "cancelled".into();
    notes.runs_finished.push("cancelled");
    notes.events.push((
        EventKind::WorkflowCompleted,
        run.id.clone(),
        BTreeMap::from([
            ("run_id".to_string(), run.id.clone()),
            ("status".to_string(), "cancelled".to_string()),
        ]),
    ));
    ids
}

/// Which steps a retry runs again, and whether each keeps its completed items. Without
/// `from`: the steps that did not complete, keeping a map's completed items, plus everything
/// downstream of them in full. With `from`: that step and everything downstream, in full.
pub fn retry_plan(run: &Run, from: Option<usize>) -> BTreeMap<usize, bool> {
    let mut plan = BTreeMap::new();
    match from {
        Some(f) => {
            plan.insert(f, false);
        }
        None => {
            for (i, s) in run.steps.iter().enumerate() {
                if s.status != Status::Completed {
                    plan.insert(i, true);
                }
            }
        }
    }
    let mut stack: Vec<usize> = plan.keys().copied().collect();
    while let Some(i) = stack.pop() {
        for &d in &run.spec.dependants[i] {
            if let std::collections::btree_map::Entry::Vacant(e) = plan.entry(d) {
                e.insert(false);
                stack.push(d);
            }
        }
    }
    plan
}

/// Put the planned steps back to pending (their ended attempt goes to the history).
pub fn reset(run: &mut Run, plan: &BTreeMap<usize, bool>) {
    for (&i, &keep_completed) in plan {
        let is_map = run.is_map(i);
        let s: &mut StepRun = &mut run.steps[i];
        s.archive(is_map);
        s.status = Status::Pending;
        s.error.clear();
        s.started_at_ms = 0;
        s.finished_at_ms = 0;
        if keep_completed && is_map {
            for k in 0..s.items.len() {
                if s.items[k].status != Status::Completed {
                    s.items[k].error.clear();
                    s.set_item_status(k, Status::Pending);
                }
            }
        } else {
            s.set_items(Vec::new());
            s.list = None;
        }
    }
    run.status = Status::Running;
    run.failing = false;
    run.finished_at_ms = 0;
    run.error.clear();
}
