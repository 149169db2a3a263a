//! The scheduler's GPU side, on top of `gpus::GpuPool` in the table: the inventory at start,
//! its refresh on the dispatcher's timer (read outside the lock), the `gpu` class's default
//! concurrency, and the refusal of tasks that can never fit this machine.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::gpu::{Inventory, Source};
use crate::server::gpus::{self, GpuGauge, GpuPool};
use crate::server::scheduler::{Failure, Scheduler};
use crate::server::table::Table;
use crate::server::task::{ExecutorKind, SResult, SchedError};
use crate::settings::Source as SettingSource;

/// Dispatcher ticks (100 ms) between inventory reads while something waits on one (a release,
/// a quarantine, a task blocked on memory), and otherwise (for the gauges).
const REFRESH_BUSY_TICKS: u64 = 3;
const REFRESH_IDLE_TICKS: u64 = 20;

/// One refresh at a time; AGAIN asks the running one for another round.
static REFRESHING: AtomicBool = AtomicBool::new(false);
static AGAIN: AtomicBool = AtomicBool::new(false);

impl Scheduler {
    /// Take the machine's GPUs (read once at start, so that a malformed simulated file stops
    /// `serve` with its name).
    pub fn init_gpus(&self, source: Source, inventory: Inventory) {
        let grace =
            crate::server::clock::seconds(self.settings().gpu_release_grace_s.value.max(0.0));
        let mut g = self.table();
        g.gpus = GpuPool::new(source, inventory, grace);
    }

    /// The concurrency limit of `class`. The `gpu` class's default is the number of GPUs
    /// (at least 1, so GPU-less tasks of the class still run on a machine without one).
    pub(crate) fn class_limit(&self, g: &Table, class: &str) -> u32 {
        let Some(c) = self.settings().classes.get(class) else {
            return 1;
        };
        if class == "gpu" && c.concurrency.source == SettingSource::Default {
            return (g.gpus.count() as u32).max(1);
        }
        c.concurrency.value
    }

    /// Refuse a local task that can never get its GPUs here, naming the machine's total.
    pub(crate) fn check_gpu_fit(
        &self,
        executor: ExecutorKind,
        gpus: u32,
        memory_mb: u64,
    ) -> SResult<()> {
        // A pull worker's task runs on the worker's GPUs, which LeaseTasks matches; a Slurm
        // job on the cluster's, which Slurm matches.
        if gpus == 0 || matches!(executor, ExecutorKind::Worker | ExecutorKind::Slurm) {
            return Ok(());
        }
        match gpus::never_fits(&self.table().gpus.inventory, gpus, memory_mb) {
            Some(why) => Err(SchedError::invalid(why)),
            None => Ok(()),
        }
    }

    /// A queued task that cannot fit this machine any more: it fails at once, not waiting
    /// forever.
    pub(crate) fn fail_never_fits_locked(self: &Arc<Self>, g: &mut Table, id: &str, why: String) {
        if self.start_attempt_locked(g, id, None).is_none() {
            return;
        }
        let failure = Failure {
            error: why,
            result: BTreeMap::new(),
            duration_s: 0.0,
            backoff: false,
        };
        // No retry can help: use up the attempts.
        if let Some(t) = g.tasks.get_mut(id) {
            t.attempt = t.attempt.max(t.max_attempts);
        }
        self.fail_attempt_locked(g, id, failure);
    }

    /// Read the inventory again on the dispatcher's timer, when there are GPUs.
    pub(crate) fn maybe_refresh_gpus(self: &Arc<Self>, tick: u64) {
        let due = {
            let g = self.table();
            let every = if g.gpus.needs_refresh() {
                REFRESH_BUSY_TICKS
            } else {
                REFRESH_IDLE_TICKS
            };
            g.gpus.count() > 0 && tick.is_multiple_of(every)
        };
        if due {
            self.refresh_gpus();
        }
    }

    /// Read the inventory (and the liveness of released tasks' process groups) outside the
    /// lock, then settle releases and quarantines; wake the dispatcher when a GPU came free.
    /// A call while a refresh runs makes that one run once more, so none is lost.
    pub(crate) fn refresh_gpus(self: &Arc<Self>) {
        if REFRESHING.swap(true, Ordering::SeqCst) {
            AGAIN.store(true, Ordering::SeqCst);
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                AGAIN.store(false, Ordering::SeqCst);
                me.refresh_once().await;
                if !AGAIN.load(Ordering::SeqCst) {
                    break;
                }
            }
            REFRESHING.store(false, Ordering::SeqCst);
        });
    }

    async fn refresh_once(self: &Arc<Self>) {
        let (source, groups) = {
            let g = self.table();
            (g.gpus.source.clone(), g.gpus.groups_to_check())
        };
        let read = tokio::task::spawn_blocking(move || {
            let live: HashSet<u32> = groups
                .into_iter()
                .filter(|pg| !crate::os::procfs::pids_in_group(*pg).is_empty())
                .collect();
            (source.read(), live)
        })
        .await;
        let Ok((inventory, live)) = read else {
            return;
        };
        let inventory = match inventory {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!("GPU inventory: {}; keeping the last one", e.message);
                return;
            }
        };
        let (notes, freed) = self.table().gpus.refresh(inventory, &live);
        for n in notes {
            tracing::warn!("{n}");
        }
        if freed {
            self.wake.notify_one();
        }
    }

    /// The inventory the scheduler allocates from (as last read), for the dashboard's GPUs
    /// page: the devices, their processes, and why there is none when so.
    pub fn gpu_inventory(&self) -> Inventory {
        self.table().gpus.inventory.clone()
    }

    /// Per-GPU gauges, and how long the oldest GPU task blocked on a device has waited: a
    /// local task that needs GPUs and is still in its queue (the dispatcher starts one within
    /// a tick once its devices are free, so one that is still there waits for them).
    pub fn gpu_gauges(&self) -> (Vec<GpuGauge>, f64) {
        let g = self.table();
        let oldest = g
            .local
            .values()
            .flat_map(|q| q.values())
            .filter_map(|id| g.tasks.get(id))
            .filter(|t| t.gpus > 0)
            .map(|t| t.queued_at_ms)
            .min();
        let wait = oldest.map_or(0.0, |at| {
            crate::server::clock::now_ms().saturating_sub(at) as f64 / 1000.0
        });
        (g.gpus.gauges(), wait)
    }
}
