//! GPU allocation for local tasks: which task holds which GPU, keyed by UUID, over the latest
//! inventory (NVML or simulated, crate::gpu). A GPU is free when no task of ours holds it and,
//! when a task asks for `gpu_memory_mb`, the inventory's free memory covers it.
//!
//! A GPU's life: free -> running (a task's attempt holds it) -> releasing (the attempt ended;
//! its process group may still be alive) -> free once the group is gone and the inventory
//! shows no process of the task on it. A process of the task still on the GPU after the grace
//! period quarantines the GPU, with a warning, until it goes.
//!
//! Pure state, kept in the scheduler's table: the inventory and the process-group checks are
//! read outside the lock and handed in (`refresh`).

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use crate::gpu::{Inventory, Source};

#[derive(Debug, Clone, PartialEq)]
pub enum Holder {
    Running {
        task_id: String,
    },
    Releasing {
        task_id: String,
        pgid: Option<u32>,
        since: Instant,
    },
    Quarantined {
        task_id: String,
        since: Instant,
    },
}

impl Holder {
    pub fn task_id(&self) -> &str {
        match self {
            Holder::Running { task_id }
            | Holder::Releasing { task_id, .. }
            | Holder::Quarantined { task_id, .. } => task_id,
        }
    }
}

pub struct GpuPool {
    pub source: Source,
    pub inventory: Inventory,
    holders: BTreeMap<String, Holder>,
    grace: Duration,
    /// Set by a dispatch pass that found a GPU task with no device to fit it.
    pub blocked: bool,
}

impl Default for GpuPool {
    fn default() -> Self {
        GpuPool {
            source: Source::Nvml,
            inventory: Inventory::default(),
            holders: BTreeMap::new(),
            grace: Duration::from_secs(10),
            blocked: false,
        }
    }
}

/// Why a task can never run here (submission refuses it; dispatch fails it).
pub fn never_fits(inv: &Inventory, gpus: u32, memory_mb: u64) -> Option<String> {
    let total = inv.gpus.len();
    if gpus as usize > total {
        let why = if total == 0 {
            format!(" ({})", inv.why_none())
        } else {
            String::new()
        };
        return Some(format!(
            "the task asks for {gpus} GPU(s); this machine has {total} in total{why}"
        ));
    }
    if memory_mb > 0 {
        let big_enough = inv
            .gpus
            .iter()
            .filter(|g| g.memory_total_mb >= memory_mb)
            .count();
        if big_enough < gpus as usize {
            return Some(format!(
                "the task asks for {gpus} GPU(s) with {memory_mb} MiB each; {big_enough} of this machine's {total} GPU(s) have that much in total (largest: {} MiB)",
                inv.total_memory_max_mb()
            ));
        }
    }
    None
}

impl GpuPool {
    pub fn new(source: Source, inventory: Inventory, grace: Duration) -> GpuPool {
        GpuPool {
            source,
            inventory,
            grace,
            ..Default::default()
        }
    }

    pub fn count(&self) -> usize {
        self.inventory.gpus.len()
    }

    pub fn simulated(&self) -> bool {
        matches!(self.source, Source::Simulated(_))
    }

    pub fn holder(&self, uuid: &str) -> Option<&Holder> {
        self.holders.get(uuid)
    }

    /// GPUs for a task, lowest index first, or None when not enough are free now.
    pub fn pick(&self, gpus: u32, memory_mb: u64) -> Option<Vec<String>> {
        let picked: Vec<String> = self
            .inventory
            .gpus
            .iter()
            .filter(|g| !self.holders.contains_key(&g.uuid))
            .filter(|g| memory_mb == 0 || g.memory_free_mb >= memory_mb)
            .take(gpus as usize)
            .map(|g| g.uuid.clone())
            .collect();
        (picked.len() == gpus as usize).then_some(picked)
    }

    pub fn take(&mut self, task_id: &str, uuids: &[String]) {
        for u in uuids {
            self.holders.insert(
                u.clone(),
                Holder::Running {
                    task_id: task_id.to_string(),
                },
            );
        }
    }

    /// Whether a running attempt of `task_id` holds a GPU (not yet released).
    pub fn running_for(&self, task_id: &str) -> bool {
        self.holders
            .values()
            .any(|h| matches!(h, Holder::Running { task_id: t } if t == task_id))
    }

    /// The task's attempt ended: its GPUs are released once its process group is gone.
    pub fn release(&mut self, task_id: &str, pgid: Option<u32>) {
        let now = Instant::now();
        for h in self.holders.values_mut() {
            if matches!(h, Holder::Running { task_id: t } if t == task_id) {
                *h = Holder::Releasing {
                    task_id: task_id.to_string(),
                    pgid,
                    since: now,
                };
            }
        }
    }

    /// Process groups whose liveness `refresh` needs.
    pub fn groups_to_check(&self) -> Vec<u32> {
        self.holders
            .values()
            .filter_map(|h| match h {
                Holder::Releasing { pgid, .. } => *pgid,
                _ => None,
            })
            .collect()
    }

    /// Anything waiting on the inventory (a release, a quarantine, a blocked task)?
    pub fn needs_refresh(&self) -> bool {
        self.blocked
            || self
                .holders
                .values()
                .any(|h| !matches!(h, Holder::Running { .. }))
    }

    /// Take a new inventory and the process groups still alive; settle releases. Returns
    /// messages to log (quarantined, cleared) and whether a GPU came free.
    pub fn refresh(
        &mut self,
        inventory: Inventory,
        live_groups: &HashSet<u32>,
    ) -> (Vec<String>, bool) {
        self.inventory = inventory;
        let mut notes = Vec::new();
        let mut freed = false;
        let grace = self.grace;
        let inv = &self.inventory;
        self.holders.retain(|uuid, h| {
            let on_gpu: Vec<u32> = inv
                .gpus
                .iter()
                .filter(|g| &g.uuid == uuid)
                .flat_map(|g| &g.processes)
                .filter(|p| p.task_id.as_deref() == Some(h.task_id()))
                .map(|p| p.pid)
                .collect();
            match h {
                Holder::Running { .. } => true,
                Holder::Releasing {
                    task_id,
                    pgid,
                    since,
                } => {
                    let group_alive = pgid.is_some_and(|g| live_groups.contains(&g));
                    if on_gpu.is_empty() && !group_alive {
                        freed = true;
                        return false;
                    }
                    if since.elapsed() < grace {
                        return true;
                    }
                    if on_gpu.is_empty() {
                        // Only processes that do not use the GPU are left: let it go.
                        freed = true;
                        return false;
                    }
                    notes.push(format!(
                        "GPU {uuid} quarantined: task {task_id} ended {:.0}s ago but its process(es) {on_gpu:?} still hold the GPU; it is not given to another task until they exit",
                        grace.as_secs_f64()
                    ));
                    *h = Holder::Quarantined {
                        task_id: task_id.clone(),
                        since: Instant::now(),
                    };
                    true
                }
                Holder::Quarantined { task_id, since } => {
                    if on_gpu.is_empty() {
                        notes.push(format!(
                            "GPU {uuid} released from quarantine: task {task_id}'s processes are gone after {:.1}s",
                            since.elapsed().as_secs_f64()
                        ));
                        freed = true;
                        return false;
                    }
                    true
                }
            }
        });
        (notes, freed)
    }

    /// Per GPU, for gauges: (index, uuid, total MiB, used MiB, utilisation %, allocated,
    /// quarantined).
    pub fn gauges(&self) -> Vec<GpuGauge> {
        self.inventory
            .gpus
            .iter()
            .map(|g| {
                let h = self.holders.get(&g.uuid);
                GpuGauge {
                    index: g.index,
                    uuid: g.uuid.clone(),
                    name: g.name.clone(),
                    memory_total_mb: g.memory_total_mb,
                    memory_used_mb: g.memory_used_mb,
                    utilization_pct: g.utilization_gpu_pct.unwrap_or(0),
                    allocated: h.is_some(),
                    quarantined: matches!(h, Some(Holder::Quarantined { .. })),
                    task_id: h.map(|h| h.task_id().to_string()),
                }
            })
            .collect()
    }
}

/// One GPU as /metrics and GetResourceAvailability show it.
#[derive(Debug, Clone, Default)]
pub struct GpuGauge {
    pub index: u32,
    pub uuid: String,
    pub name: String,
    pub memory_total_mb: u64,
    pub memory_used_mb: u64,
    pub utilization_pct: u32,
    pub allocated: bool,
    pub quarantined: bool,
    pub task_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::{Gpu, GpuProcess};

    fn inv(free: &[u64]) -> Inventory {
        Inventory {
            source: "simulated".into(),
            gpus: free
                .iter()
                .enumerate()
                .map(|(i, f)| Gpu {
                    index: i as u32,
                    uuid: format!("GPU-{i}"),
                    memory_total_mb: 1000,
                    memory_used_mb: 1000 - f,
                    memory_free_mb: *f,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn picks_free_devices_by_index_and_memory() {
        let mut p = GpuPool::new(Source::Nvml, inv(&[100, 900]), Duration::ZERO);
        assert_eq!(p.pick(1, 0).unwrap(), ["GPU-0"]);
        assert_eq!(p.pick(1, 500).unwrap(), ["GPU-1"]);
        assert!(p.pick(2, 500).is_none());
        p.take("a", &["GPU-0".into()]);
        assert_eq!(p.pick(1, 0).unwrap(), ["GPU-1"]);
        assert!(p.pick(2, 0).is_none());
        assert!(
            never_fits(&p.inventory, 3, 0)
                .unwrap()
                .contains("2 in total")
        );
        assert!(never_fits(&p.inventory, 1, 2000).is_some());
        assert!(never_fits(&p.inventory, 2, 1000).is_none());
    }

    #[test]
    fn a_leftover_process_on_the_gpu_quarantines_it_until_it_goes() {
        let mut p = GpuPool::new(Source::Nvml, inv(&[1000]), Duration::ZERO);
        p.take("t", &["GPU-0".into()]);
        p.release("t", Some(77));
        let mut held = inv(&[1000]);
        held.gpus[0].processes.push(GpuProcess {
            pid: 78,
            used_memory_mb: Some(10),
            task_id: Some("t".into()),
            ..Default::default()
        });
        let (notes, freed) = p.refresh(held.clone(), &HashSet::from([77]));
        assert!(!freed && notes[0].contains("quarantined"), "{notes:?}");
        assert!(p.pick(1, 0).is_none());
        let (notes, freed) = p.refresh(held, &HashSet::new());
        assert!(!freed && notes.is_empty());
        let (notes, freed) = p.refresh(inv(&[1000]), &HashSet::new());
        assert!(freed && notes[0].contains("released"), "{notes:?}");
        assert!(p.pick(1, 0).is_some());
    }
}
