//! Scheduler metrics, rendered as Prometheus text (GET /metrics) or as samples (GetMetrics).
//! Labels are task classes and statuses only: never task ids, so cardinality stays bounded.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::settings::TASK_CLASSES;

mod services;
mod slurm;
mod workers;
pub use services::{ServiceStats, ServiceView};
pub use slurm::SlurmStats;

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 300.0,
];
/// Finished tasks considered by env_error_rate.
const ERROR_WINDOW: usize = 200;

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, v: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if v <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }
}

#[derive(Default)]
struct Inner {
    duration: BTreeMap<String, Histogram>,
    queue_wait: BTreeMap<String, Histogram>,
    errors: BTreeMap<String, u64>,
    finished: BTreeMap<(String, String), u64>,
    submitted: u64,
    /// Finished tasks dropped before `retention_min_age_s` because of the memory budget.
    evicted: u64,
    recent: VecDeque<bool>,
    /// Finished workflow runs by status, and workflow step durations.
    workflow_runs: BTreeMap<String, u64>,
    workflow_step_duration: Histogram,
    workflow_active: u64,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// LeaseTasks calls waiting in their long poll: a test (or an operator) can see that a
    /// worker is parked before it submits the task that should wake it.
    pub lease_waiters: Occupancy,
    /// Open StreamTaskResults streams (`submit --wait` holds one while it waits).
    pub result_streams: Occupancy,
    /// The slurm executor's polling, commands and controller reachability.
    pub slurm: SlurmStats,
    /// The project's services as Docker's event stream reports them (`service_watch`).
    pub services: ServiceStats,
}

/// How many callers are inside a section right now; each holds an `Occupant` while inside, so
/// the count also falls when a caller's future is dropped (a client that went away).
#[derive(Debug, Default)]
pub struct Occupancy(Arc<AtomicU64>);

#[derive(Debug)]
pub struct Occupant(Arc<AtomicU64>);

impl Occupancy {
    pub fn enter(&self) -> Occupant {
        self.0.fetch_add(1, Ordering::SeqCst);
        Occupant(self.0.clone())
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for Occupant {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Gauges read from the scheduler at render time.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// Per class: (concurrency limit, in flight, queued).
    pub classes: BTreeMap<String, (u32, u64, u64)>,
    /// Seconds the oldest GPU task blocked on a device has waited (0 when none is blocked).
    pub gpu_wait_seconds: f64,
    /// Each GPU of the machine.
    pub gpus: Vec<crate::server::gpus::GpuGauge>,
    pub tasks_stored: u64,
    pub journal_bytes: u64,
    pub journal_syncs: u64,
    /// Failed journal writes (a full disk): set by the caller from the store.
    pub store_write_errors: u64,
    /// The registered pull workers.
    pub workers: Vec<crate::proto::orchestrator::WorkerInfo>,
}

/// The per-GPU gauges, labelled `gpu` (index) and `uuid`.
fn push_gpu_families(out: &mut Vec<(Family, Vec<Sample>)>, gpus: &[crate::server::gpus::GpuGauge]) {
    type Value = fn(&crate::server::gpus::GpuGauge) -> f64;
    let families: [(&str, &str, Value); 5] = [
        ("gpu_memory_used_bytes", "GPU memory in use", |g| {
            (g.memory_used_mb * 1024 * 1024) as f64
        }),
        ("gpu_memory_total_bytes", "GPU memory in total", |g| {
            (g.memory_total_mb * 1024 * 1024) as f64
        }),
        ("gpu_utilization_percent", "GPU utilisation", |g| {
            f64::from(g.utilization_pct)
        }),
        (
            "gpu_allocated",
            "1 while a task of this server holds the GPU (running, releasing or quarantined)",
            |g| f64::from(u8::from(g.allocated)),
        ),
        (
            "gpu_quarantined",
            "1 while a finished task's leftover process still holds the GPU",
            |g| f64::from(u8::from(g.quarantined)),
        ),
    ];
    for (name, help, value) in families {
        out.push((
            Family::gauge(name, help),
            gpus.iter()
                .map(|g| Sample {
                    name: String::new(),
                    labels: BTreeMap::from([
                        ("gpu".to_string(), g.index.to_string()),
                        ("uuid".to_string(), g.uuid.clone()),
                    ]),
                    value: value(g),
                })
                .collect(),
        ));
    }
}

/// One sample for GetMetrics.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn submitted(&self, n: u64) {
        self.lock().submitted += n;
    }

    /// Finished tasks evicted early by the retention memory budget.
    pub fn evicted(&self, n: u64) {
        self.lock().evicted += n;
    }

    pub fn started(&self, class: &str, queue_wait_s: f64) {
        self.lock()
            .queue_wait
            .entry(class.to_string())
            .or_default()
            .observe(queue_wait_s.max(0.0));
    }

    /// A finished attempt: `status` is completed, failed, retrying or cancelled.
    pub fn finished(&self, class: &str, status: &str, duration_s: f64) {
        let mut m = self.lock();
        m.duration
            .entry(class.to_string())
            .or_default()
            .observe(duration_s.max(0.0));
        *m.finished
            .entry((class.to_string(), status.to_string()))
            .or_default() += 1;
        let failed = matches!(status, "failed" | "retrying");
        if failed {
            *m.errors.entry(class.to_string()).or_default() += 1;
        }
        if status != "cancelled" {
            if m.recent.len() >= ERROR_WINDOW {
                m.recent.pop_front();
            }
            m.recent.push_back(failed);
        }
    }

    /// A workflow run ended with `status` (completed, failed, cancelled).
    pub fn workflow_run_finished(&self, status: &str) {
        *self
            .lock()
            .workflow_runs
            .entry(status.to_string())
            .or_default() += 1;
    }

    /// Workflow runs under way now (set by the engine at each start and end).
    pub fn set_workflow_runs_active(&self, n: u64) {
        self.lock().workflow_active = n;
    }

    pub fn workflow_step_finished(&self, duration_s: f64) {
        self.lock()
            .workflow_step_duration
            .observe(duration_s.max(0.0));
    }

    fn workflow_samples(m: &Inner, out: &mut Vec<(Family, Vec<Sample>)>) {
        let one = |value: f64| Sample {
            name: String::new(),
            labels: BTreeMap::new(),
            value,
        };
        out.push((
            Family::counter("workflow_runs_total", "Workflow runs that ended, by status"),
            ["completed", "failed", "cancelled"]
                .into_iter()
                .map(|st| Sample {
                    name: String::new(),
                    labels: BTreeMap::from([("status".to_string(), st.to_string())]),
                    value: m.workflow_runs.get(st).copied().unwrap_or(0) as f64,
                })
                .collect(),
        ));
        out.push((
            Family::gauge("workflow_runs_active", "Workflow runs under way"),
            vec![one(m.workflow_active as f64)],
        ));
        let name = "workflow_step_duration_seconds";
        let h = &m.workflow_step_duration;
        let mut samples: Vec<Sample> = BUCKETS
            .iter()
            .enumerate()
            .map(|(i, b)| Sample {
                name: format!("{name}_bucket"),
                labels: BTreeMap::from([("le".to_string(), format_float(*b))]),
                value: h.counts[i] as f64,
            })
            .collect();
        samples.push(Sample {
            name: format!("{name}_bucket"),
            labels: BTreeMap::from([("le".to_string(), "+Inf".to_string())]),
            value: h.count as f64,
        });
        samples.push(Sample {
            name: format!("{name}_sum"),
            ..one(h.sum)
        });
        samples.push(Sample {
            name: format!("{name}_count"),
            ..one(h.count as f64)
        });
        out.push((
            Family::histogram(name, "Time from a workflow step's start to its end"),
            samples,
        ));
    }

    /// Every sample, histograms included (as _bucket, _sum and _count).
    pub fn samples(&self, g: &Gauges) -> Vec<(Family, Vec<Sample>)> {
        let m = self.lock();
        let class = |c: &str| BTreeMap::from([("class".to_string(), c.to_string())]);
        let mut out = Vec::new();
        let per_class = |f: &dyn Fn(&(u32, u64, u64)) -> f64| {
            g.classes
                .iter()
                .map(|(c, v)| Sample {
                    name: String::new(),
                    labels: class(c),
                    value: f(v),
                })
                .collect::<Vec<_>>()
        };
        out.push((
            Family::gauge(
                "orchestrator_concurrency_limit",
                "Tasks of a class that may run at once",
            ),
            per_class(&|v| v.0 as f64),
        ));
        out.push((
            Family::gauge(
                "orchestrator_inflight_tasks",
                "Tasks running now (local processes, containers and leased to workers)",
            ),
            per_class(&|v| v.1 as f64),
        ));
        out.push((
            Family::gauge("env_queue_depth", "Tasks waiting in the queue"),
            per_class(&|v| v.2 as f64),
        ));
        let (queued, inflight) = g
            .classes
            .values()
            .fold((0u64, 0u64), |(q, r), v| (q + v.2, r + v.1));
        // ARCHITECTURE.md's GetMetrics example: {'tasks_pending': 5, 'tasks_running': 3, ...}
        for (name, help, value) in [
            ("tasks_pending", "Tasks waiting in any queue", queued),
            ("tasks_running", "Tasks running in any class", inflight),
        ] {
            out.push((
                Family::gauge(name, help),
                vec![Sample {
                    name: String::new(),
                    labels: BTreeMap::new(),
                    value: value as f64,
                }],
            ));
        }
        out.push((
            Family::counter(
                "orchestrator_task_errors_total",
                "Failed task attempts (retried or final)",
            ),
            TASK_CLASSES
                .iter()
                .map(|c| Sample {
                    name: String::new(),
                    labels: class(c),
                    value: *m.errors.get(*c).unwrap_or(&0) as f64,
                })
                .collect(),
        ));
        out.push((
            Family::counter(
                "orchestrator_tasks_submitted_total",
                "Tasks accepted by SubmitTask",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: m.submitted as f64,
            }],
        ));
        out.push((
            Family::counter(
                "tasks_evicted_total",
                "Finished tasks dropped before scheduler.retention_min_age_s because they \
                 outgrew scheduler.retention_memory_bytes",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: m.evicted as f64,
            }],
        ));
        out.push((
            Family::counter(
                "orchestrator_task_attempts_finished_total",
                "Finished task attempts by class and status",
            ),
            m.finished
                .iter()
                .map(|((c, s), n)| Sample {
                    name: String::new(),
                    labels: BTreeMap::from([
                        ("class".to_string(), c.clone()),
                        ("status".to_string(), s.clone()),
                    ]),
                    value: *n as f64,
                })
                .collect(),
        ));
        out.push((
            Family::gauge(
                "gpu_wait_seconds",
                "Seconds the oldest GPU task blocked on a device has been waiting",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: g.gpu_wait_seconds,
            }],
        ));
        push_gpu_families(&mut out, &g.gpus);
        out.extend(workers::families(&g.workers));
        let rate = if m.recent.is_empty() {
            0.0
        } else {
            m.recent.iter().filter(|f| **f).count() as f64 / m.recent.len() as f64
        };
        out.push((
            Family::gauge(
                "env_error_rate",
                "Share of failed attempts among the last 200 finished",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: rate,
            }],
        ));
        out.push((
            Family::gauge("orchestrator_tasks_stored", "Tasks held by the store"),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: g.tasks_stored as f64,
            }],
        ));
        out.push((
            Family::counter(
                "orchestrator_journal_syncs_total",
                "fdatasync calls on the task journal (one per group of records)",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: g.journal_syncs as f64,
            }],
        ));
        out.push((
            Family::counter(
                "store_write_errors_total",
                "Failed writes of the task journal (a full disk, say); submissions fail meanwhile",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: g.store_write_errors as f64,
            }],
        ));
        out.push((
            Family::gauge("orchestrator_journal_bytes", "Size of the task journal"),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: g.journal_bytes as f64,
            }],
        ));
        for (name, help, value) in [
            (
                "orchestrator_lease_waiters",
                "LeaseTasks calls waiting in a long poll for a task",
                self.lease_waiters.get(),
            ),
            (
                "orchestrator_result_streams",
                "Open StreamTaskResults streams",
                self.result_streams.get(),
            ),
        ] {
            out.push((
                Family::gauge(name, help),
                vec![Sample {
                    name: String::new(),
                    labels: BTreeMap::new(),
                    value: value as f64,
                }],
            ));
        }
        for (name, help, hists) in [
            (
                "orchestrator_task_duration_seconds",
                "Run time of finished task attempts",
                &m.duration,
            ),
            (
                "orchestrator_queue_wait_seconds",
                "Time from queueing to start",
                &m.queue_wait,
            ),
        ] {
            let mut samples = Vec::new();
            for c in TASK_CLASSES {
                let h = hists.get(c).cloned().unwrap_or_default();
                for (i, b) in BUCKETS.iter().enumerate() {
                    let mut labels = class(c);
                    labels.insert("le".into(), format_float(*b));
                    samples.push(Sample {
                        name: format!("{name}_bucket"),
                        labels,
                        value: h.counts[i] as f64,
                    });
                }
                let mut labels = class(c);
                labels.insert("le".into(), "+Inf".into());
                samples.push(Sample {
                    name: format!("{name}_bucket"),
                    labels,
                    value: h.count as f64,
                });
                samples.push(Sample {
                    name: format!("{name}_sum"),
                    labels: class(c),
                    value: h.sum,
                });
                samples.push(Sample {
                    name: format!("{name}_count"),
                    labels: class(c),
                    value: h.count as f64,
                });
            }
            out.push((Family::histogram(name, help), samples));
        }
        Self::workflow_samples(&m, &mut out);
        drop(m);
        out.extend(self.slurm.samples());
        out.extend(self.services.samples());
        for (family, samples) in &mut out {
            for s in samples {
                if s.name.is_empty() {
                    s.name = family.name.to_string();
                }
            }
        }
        out
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, g: &Gauges) -> String {
        let mut text = String::with_capacity(8192);
        for (family, samples) in self.samples(g) {
            let _ = writeln!(text, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(text, "# TYPE {} {}", family.name, family.kind);
            for s in samples {
                text.push_str(&s.name);
                if !s.labels.is_empty() {
                    text.push('{');
                    let mut first = true;
                    for (k, v) in &s.labels {
                        if !first {
                            text.push(',');
                        }
                        first = false;
                        let _ = write!(text, "{k}=\"{}\"", escape_label(v));
                    }
                    text.push('}');
                }
                let _ = writeln!(text, " {}", format_float(s.value));
            }
        }
        text
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    pub kind: &'static str,
}

impl Family {
    fn gauge(name: &'static str, help: &'static str) -> Self {
        Family {
            name,
            help,
            kind: "gauge",
        }
    }
    fn counter(name: &'static str, help: &'static str) -> Self {
        Family {
            name,
            help,
            kind: "counter",
        }
    }
    fn histogram(name: &'static str, help: &'static str) -> Self {
        Family {
            name,
            help,
            kind: "histogram",
        }
    }
}

fn format_float(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.is_nan() {
        "NaN".into()
    } else {
        format!("{v}")
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
