//! NVIDIA GPUs: one inventory interface with two sources. NVML (`nvml.rs`, the driver's
//! library loaded at run time) on a real machine; a simulated inventory (`simulated.rs`, a JSON
//! file named by `DSPY_AGENT_GPU_INVENTORY`) for tests and dry runs on a laptop. Without a
//! driver the inventory is empty and says why; only a malformed simulated file is an error.

mod nvml;
mod simulated;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The environment variable naming a simulated inventory file.
pub const INVENTORY_ENV: &str = "DSPY_AGENT_GPU_INVENTORY";
/// The environment variable every task process carries; it names the owner of a GPU process.
pub const TASK_ID_ENV: &str = "DSPY_TASK_ID";

/// What the machine's GPUs look like now.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Inventory {
    /// `nvml` or `simulated`.
    pub source: String,
    pub driver_version: Option<String>,
    pub cuda_version: Option<String>,
    pub gpus: Vec<Gpu>,
    /// Why there is no GPU (driver not loaded, library missing, no permission), when so.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Gpu {
    pub index: u32,
    pub uuid: String,
    pub name: String,
    pub pci_bus_id: String,
    pub memory_total_mb: u64,
    pub memory_used_mb: u64,
    pub memory_free_mb: u64,
    pub utilization_gpu_pct: Option<u32>,
    pub utilization_memory_pct: Option<u32>,
    pub temperature_c: Option<u32>,
    pub power_draw_w: Option<f64>,
    pub power_limit_w: Option<f64>,
    /// MIG mode (None where the device does not support it).
    pub mig_enabled: Option<bool>,
    /// Compute processes on the device.
    pub processes: Vec<GpuProcess>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GpuProcess {
    pub pid: u32,
    pub used_memory_mb: Option<u64>,
    /// The dspy-agent task that owns it (its DSPY_TASK_ID), when it is one of ours.
    pub task_id: Option<String>,
    /// The Docker container it runs in, when it runs in one.
    pub container_id: Option<String>,
    /// The dspy-agent service that owns it, when one does (filled by `dspy-agent gpu`).
    pub service: Option<String>,
}

/// Where the inventory comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Nvml,
    Simulated(PathBuf),
}

impl Source {
    /// The simulated file when `DSPY_AGENT_GPU_INVENTORY` names one, else NVML.
    pub fn from_env() -> Source {
        match std::env::var_os(INVENTORY_ENV) {
            Some(p) if !p.is_empty() => Source::Simulated(PathBuf::from(p)),
            _ => Source::Nvml,
        }
    }

    /// The inventory now, with each process's owning task filled in. Errors (exit 2) only for
    /// a simulated file that cannot be read or parsed; NVML trouble is an empty inventory with
    /// its reason.
    pub fn read(&self) -> Result<Inventory> {
        let mut inv = match self {
            Source::Nvml => nvml::inventory(),
            Source::Simulated(path) => simulated::inventory(path).map_err(Error::usage)?,
        };
        for gpu in &mut inv.gpus {
            for p in &mut gpu.processes {
                if p.task_id.is_none() {
                    p.task_id = crate::os::procfs::env_value(p.pid, TASK_ID_ENV);
                }
                if p.container_id.is_none() {
                    p.container_id = crate::os::procfs::container_id(p.pid);
                }
            }
        }
        Ok(inv)
    }
}

/// The inventory from the source the environment names.
pub fn inventory() -> Result<Inventory> {
    Source::from_env().read()
}

/// Number of NVIDIA GPUs the inventory shows (0 without a driver, or when the simulated file
/// cannot be read).
pub fn nvidia_gpu_count() -> usize {
    inventory().map_or(0, |i| i.gpus.len())
}

impl Inventory {
    pub fn total_memory_max_mb(&self) -> u64 {
        self.gpus
            .iter()
            .map(|g| g.memory_total_mb)
            .max()
            .unwrap_or(0)
    }

    /// One line on why there is no GPU, for messages.
    pub fn why_none(&self) -> String {
        self.reason
            .clone()
            .unwrap_or_else(|| "no NVIDIA GPU found".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvml_without_a_driver_is_an_empty_inventory_with_a_reason() {
        // This machine has no NVIDIA driver: the library is missing or the driver is not
        // loaded. Either way: no panic, no error, a reason.
        if std::path::Path::new("/proc/driver/nvidia/gpus").exists() {
            return;
        }
        let inv = Source::Nvml.read().unwrap();
        assert!(inv.gpus.is_empty());
        let reason = inv.reason.expect("a reason");
        assert!(
            reason.contains("libnvidia-ml.so.1") || reason.contains("driver"),
            "{reason}"
        );
        // Initialised once: a second read answers the same.
        assert_eq!(Source::Nvml.read().unwrap().reason, Some(reason));
    }
}
