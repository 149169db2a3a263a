//! The slurm executor's metrics: commands run, poll durations, jobs by Slurm state, and whether
//! slurmctld answers. Kept apart from the scheduler's own families.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{BUCKETS, Family, Histogram, Sample, format_float};

/// What the slurm executor did: commands run, poll durations, jobs by Slurm state, and whether
/// slurmctld answers (for /health and `serve status`).
#[derive(Default)]
pub struct SlurmStats {
    inner: Mutex<SlurmInner>,
}

#[derive(Default)]
struct SlurmInner {
    commands: BTreeMap<&'static str, u64>,
    poll: Histogram,
    jobs: BTreeMap<String, u64>,
    /// Since when (ms) and why slurmctld does not answer; None while it does.
    unreachable: Option<(u64, String)>,
}

impl SlurmStats {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlurmInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn command(&self, name: &'static str) {
        *self.lock().commands.entry(name).or_default() += 1;
    }
    pub fn poll(&self, seconds: f64) {
        self.lock().poll.observe(seconds);
    }
    pub fn jobs(&self, by_state: BTreeMap<String, u64>) {
        self.lock().jobs = by_state;
    }
    /// slurmctld answered (None) or did not (why), as of `now_ms`.
    pub fn reachable(&self, failure: Option<String>, now_ms: u64) {
        let mut g = self.lock();
        g.unreachable = match (failure, g.unreachable.take()) {
            (None, _) => None,
            (Some(why), Some((since, _))) => Some((since, why)),
            (Some(why), None) => Some((now_ms, why)),
        };
    }
    /// Since when and why slurmctld does not answer.
    pub fn unreachable(&self) -> Option<(u64, String)> {
        self.lock().unreachable.clone()
    }

    pub(super) fn samples(&self) -> Vec<(Family, Vec<Sample>)> {
        let g = self.lock();
        let one = |labels: BTreeMap<String, String>, value: f64| Sample {
            name: String::new(),
            labels,
            value,
        };
        let label = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
        let commands = crate::slurm::Command::ALL
            .iter()
            .map(|c| {
                let n = g.commands.get(c.as_str()).copied().unwrap_or(0);
                one(label("command", c.as_str()), n as f64)
            })
            .collect();
        let jobs = g
            .jobs
            .iter()
            .map(|(s, n)| one(label("state", s), *n as f64))
            .collect();
        let name = "slurm_poll_seconds";
        let mut poll: Vec<Sample> = BUCKETS
            .iter()
            .zip(g.poll.counts)
            .map(|(b, n)| Sample {
                name: format!("{name}_bucket"),
                labels: label("le", &format_float(*b)),
                value: n as f64,
            })
            .collect();
        for (suffix, labels, value) in [
            ("_bucket", label("le", "+Inf"), g.poll.count as f64),
            ("_sum", BTreeMap::new(), g.poll.sum),
            ("_count", BTreeMap::new(), g.poll.count as f64),
        ] {
            poll.push(Sample {
                name: format!("{name}{suffix}"),
                labels,
                value,
            });
        }
        vec![
            (
                Family::counter(
                    "slurm_commands_total",
                    "Slurm commands run by the slurm executor, by command",
                ),
                commands,
            ),
            (
                Family::gauge(
                    "slurm_jobs",
                    "Live Slurm jobs of this server by Slurm state",
                ),
                jobs,
            ),
            (
                Family::histogram(
                    name,
                    "Duration of one poll of Slurm (squeue, and sacct when needed)",
                ),
                poll,
            ),
            (
                Family::gauge(
                    "slurm_controller_reachable",
                    "1 while slurmctld answers the slurm executor's commands, 0 while it does not",
                ),
                vec![one(
                    BTreeMap::new(),
                    if g.unreachable.is_some() { 0.0 } else { 1.0 },
                )],
            ),
        ]
    }
}
