//! What clients ask of the engine: create a workflow, start, read, list, cancel and retry
//! runs, and follow one. gRPC and HTTP call these and only convert.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::server::clock::now_ms;
use crate::server::task::{ErrorKind, SResult, SchedError};
use crate::server::workflow::engine::{Engine, OnConflict, Record, not_found};
use crate::server::workflow::run::Status;
use crate::server::workflow::spec::{self, check_name};

/// What a create answers.
#[derive(Debug, Clone)]
pub struct Created {
    pub name: String,
    pub version: String,
    pub created: bool,
    pub steps: usize,
}

impl Engine {
    /// The largest spec accepted: four times the task payload limit.
    fn max_spec_bytes(&self) -> usize {
        (self.sched.settings().max_payload_bytes.value as usize).saturating_mul(4)
    }

    /// Check a spec and store it under its content hash. The same content again is not new.
    pub async fn create(&self, json: &str) -> SResult<Created> {
        let compiled = spec::compile(json, self.max_spec_bytes())?;
        let out = Created {
            name: compiled.spec.name.clone(),
            version: compiled.hash.clone(),
            created: false,
            steps: compiled.spec.steps.len(),
        };
        {
            let mut st = self.lock();
            if st.specs.contains_key(&compiled.hash) {
                st.latest.insert(out.name.clone(), out.version.clone());
                return Ok(out);
            }
            self.record(
                &mut st,
                Record::Spec {
                    spec: compiled.spec,
                },
            )?;
        }
        self.sync().await?;
        Ok(Created {
            created: true,
            ..out
        })
    }

    /// Every workflow: name, latest version, steps, params.
    pub fn workflows(&self) -> Vec<Value> {
        let st = self.lock();
        st.latest
            .iter()
            .filter_map(|(name, hash)| {
                let c = st.specs.get(hash)?;
                let runs = st
                    .runs
                    .values()
                    .filter(|r| &r.spec.spec.name == name)
                    .count();
                Some(
                    json!({"name": name, "version": hash, "steps": c.spec.steps.len(),
                            "params": c.spec.params, "runs": runs}),
                )
            })
            .collect()
    }

    /// Start a run of `workflow`'s latest version; idempotent by run id (see the README).
    pub async fn start_run(
        self: &Arc<Self>,
        workflow: &str,
        run_id: &str,
        given: Map<String, Value>,
        on_conflict: OnConflict,
    ) -> SResult<(Value, bool)> {
        let (doc, launches, created) = {
            let mut st = self.lock();
            let hash = st.latest.get(workflow).cloned().ok_or_else(|| {
                SchedError::new(ErrorKind::NotFound, format!("no workflow {workflow:?}"))
            })?;
            let spec = st.specs[&hash].clone();
            let mut params = Map::new();
            for (k, default) in &spec.spec.params {
                match given.get(k) {
                    Some(v) => params.insert(k.clone(), v.clone()),
                    None if default.is_null() => {
                        return Err(SchedError::invalid(format!(
                            "param {k:?} is required by workflow {workflow}"
                        )));
                    }
                    None => params.insert(k.clone(), default.clone()),
                };
            }
            if let Some(k) = given.keys().find(|k| !spec.spec.params.contains_key(*k)) {
                return Err(SchedError::invalid(format!(
                    "workflow {workflow} has no param {k:?}"
                )));
            }
            let run_id = if run_id.is_empty() {
                let name: String = workflow.chars().take(32).collect();
                format!("{name}-{:x}{:04x}", now_ms(), fastrand::u16(..))
            } else {
                check_name("run id", run_id).map_err(SchedError::invalid)?;
                run_id.to_string()
            };
            let mut attempt = 1;
            if let Some(r) = st.runs.get(&run_id) {
                if r.spec.hash == hash && r.params == params {
                    return Ok((r.document(false), false));
                }
                let failed = matches!(r.status, Status::Failed | Status::Cancelled);
                if on_conflict != OnConflict::AllowIfFailed || !failed {
                    return Err(SchedError::new(
                        ErrorKind::AlreadyExists,
                        format!(
                            "workflow run {run_id} exists ({}) with {}; \
                             on_conflict = \"allow_if_failed\" starts a new attempt of a failed run",
                            r.status.as_str(),
                            if r.spec.hash != hash {
                                "another spec version"
                            } else {
                                "other params"
                            }
                        ),
                    ));
                }
                attempt = r.attempt + 1;
            }
            let launches = self.record(
                &mut st,
                Record::Start {
                    run: run_id.clone(),
                    hash,
                    params,
                    attempt,
                    at: now_ms(),
                },
            )?;
            self.set_active(&st);
            (st.runs[&run_id].document(false), launches, true)
        };
        self.sync().await?;
        self.launch(launches);
        Ok((doc, created))
    }

    /// The run document (`items`: with every map item).
    pub fn run_document(&self, run: &str, items: bool) -> SResult<Value> {
        let st = self.lock();
        st.runs
            .get(run)
            .map(|r| r.document(items))
            .ok_or_else(|| not_found(run))
    }

    /// Runs, newest first, optionally of one workflow: their documents without step details.
    pub fn runs(&self, workflow: Option<&str>, limit: usize) -> Vec<Value> {
        let st = self.lock();
        let mut runs: Vec<_> = st
            .runs
            .values()
            .filter(|r| workflow.is_none_or(|w| r.spec.spec.name == w))
            .collect();
        runs.sort_by_key(|r| std::cmp::Reverse((r.created_at_ms, r.id.clone())));
        runs.into_iter()
            .take(limit)
            .map(|r| {
                let mut doc = r.document(false);
                let steps = doc["steps"].as_array().map_or(0, Vec::len);
                let done = doc["steps"].as_array().map_or(0, |s| {
                    s.iter().filter(|s| s["status"] == "completed").count()
                });
                doc["steps"] = json!({"total": steps, "completed": done});
                doc
            })
            .collect()
    }

    /// Cancel a run: queued tasks are dropped, running ones killed. A finished run is left
    /// as it is.
    pub async fn cancel_run(self: &Arc<Self>, run: &str) -> SResult<Value> {
        let ids = {
            let mut st = self.lock();
            let r = st.runs.get(run).ok_or_else(|| not_found(run))?;
            if r.status.is_terminal() {
                return Ok(r.document(false));
            }
            let ids: Vec<String> = r
                .steps
                .iter()
                .flat_map(|s| s.items.iter())
                .filter(|it| it.status == Status::Running)
                .map(|it| it.task_id.clone())
                .collect();
            self.record(
                &mut st,
                Record::Cancel {
                    run: run.to_string(),
                    at: now_ms(),
                },
            )?;
            self.set_active(&st);
            ids
        };
        self.sync().await?;
        for id in ids {
            let _ = self.sched.cancel(&id);
        }
        self.run_document(run, false)
    }

    /// Run again what failed (or, with `from`, that step and everything downstream) under the
    /// same run id, with `params_override` merged into the params.
    pub async fn retry_run(
        self: &Arc<Self>,
        run: &str,
        from: Option<&str>,
        params_override: Map<String, Value>,
    ) -> SResult<Value> {
        let launches = {
            let mut st = self.lock();
            let r = st.runs.get(run).ok_or_else(|| not_found(run))?;
            if !r.status.is_terminal() {
                return Err(SchedError::new(
                    ErrorKind::FailedPrecondition,
                    format!("workflow run {run} is still running; cancel it or wait"),
                ));
            }
            if let Some(f) = from
                && !r.spec.index.contains_key(f)
            {
                return Err(SchedError::invalid(format!(
                    "workflow {} has no step {f:?}",
                    r.spec.spec.name
                )));
            }
            if let Some(k) = params_override
                .keys()
                .find(|k| !r.spec.spec.params.contains_key(*k))
            {
                return Err(SchedError::invalid(format!(
                    "workflow {} has no param {k:?}",
                    r.spec.spec.name
                )));
            }
            if from.is_none() && r.steps.iter().all(|s| s.status == Status::Completed) {
                return Err(SchedError::new(
                    ErrorKind::FailedPrecondition,
                    format!(
                        "workflow run {run} completed: nothing failed to retry (use --from STEP to run a step again)"
                    ),
                ));
            }
            let launches = self.record(
                &mut st,
                Record::Retry {
                    run: run.to_string(),
                    from: from.map(str::to_string),
                    params: params_override,
                    at: now_ms(),
                },
            )?;
            self.set_active(&st);
            launches
        };
        self.sync().await?;
        self.launch(launches);
        self.run_document(run, false)
    }

    /// The run's status document (no params, no history): what streams send as updates.
    pub fn status_document(&self, run: &str) -> SResult<Value> {
        let st = self.lock();
        st.runs
            .get(run)
            .map(|r| r.status_document())
            .ok_or_else(|| not_found(run))
    }

    /// The run document now, and a receiver that changes whenever the run does.
    pub fn watch_run(&self, run: &str) -> SResult<(Value, watch::Receiver<u64>)> {
        let st = self.lock();
        let r = st.runs.get(run).ok_or_else(|| not_found(run))?;
        Ok((r.document(false), r.changed.subscribe()))
    }
}

/// The step entries of `new` that differ from `old` (by status, attempt and map counts).
pub fn changed_steps(old: &Value, new: &Value) -> Vec<Value> {
    let empty = Vec::new();
    let old = old["steps"].as_array().unwrap_or(&empty);
    new["steps"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            old.get(*i).is_none_or(|o| {
                o["status"] != s["status"] || o["attempt"] != s["attempt"] || o["map"] != s["map"]
            })
        })
        .map(|(_, s)| s.clone())
        .collect()
}
