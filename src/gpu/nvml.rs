//! The NVML source: `libnvidia-ml.so.1` is loaded at run time (so the binary builds and runs
//! on machines without a driver), initialised once per process and shared.

use std::sync::OnceLock;

use nvml_wrapper::Nvml;
use nvml_wrapper::enum_wrappers::device::TemperatureSensor;
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::error::NvmlError;

use super::{Gpu, GpuProcess, Inventory};

const MIB: u64 = 1024 * 1024;

/// NVML, or why it is not there.
fn handle() -> &'static Result<Nvml, String> {
    static NVML: OnceLock<Result<Nvml, String>> = OnceLock::new();
    NVML.get_or_init(|| Nvml::init().map_err(|e| why(&e)))
}

/// A reason a user can act on.
fn why(e: &NvmlError) -> String {
    match e {
        NvmlError::LibloadingError(le) => {
            format!("no NVIDIA driver library: libnvidia-ml.so.1 could not be loaded ({le})")
        }
        NvmlError::LibraryNotFound => {
            "no NVIDIA driver library: libnvidia-ml.so.1 was not found".into()
        }
        NvmlError::DriverNotLoaded => "the NVIDIA driver is not loaded".into(),
        NvmlError::NoPermission => "no permission to talk to the NVIDIA driver".into(),
        other => format!("NVML: {other}"),
    }
}

pub fn inventory() -> Inventory {
    let mut inv = Inventory {
        source: "nvml".into(),
        ..Default::default()
    };
    let nvml = match handle() {
        Ok(n) => n,
        Err(reason) => {
            inv.reason = Some(reason.clone());
            return inv;
        }
    };
    inv.driver_version = nvml.sys_driver_version().ok();
    inv.cuda_version = nvml
        .sys_cuda_driver_version()
        .ok()
        .map(|v| format!("{}.{}", v / 1000, (v % 1000) / 10));
    let count = match nvml.device_count() {
        Ok(n) => n,
        Err(e) => {
            inv.reason = Some(why(&e));
            return inv;
        }
    };
    for i in 0..count {
        let dev = match nvml.device_by_index(i) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!("GPU {i}: {}", why(&e));
                continue;
            }
        };
        let mem = dev.memory_info().ok();
        let util = dev.utilization_rates().ok();
        let processes = dev
            .running_compute_processes()
            .or_else(|_| dev.running_compute_processes_v2())
            .unwrap_or_default()
            .into_iter()
            .map(|p| GpuProcess {
                pid: p.pid,
                used_memory_mb: match p.used_gpu_memory {
                    UsedGpuMemory::Used(b) => Some(b / MIB),
                    UsedGpuMemory::Unavailable => None,
                },
                task_id: None,
                container_id: None,
                service: None,
            })
            .collect();
        inv.gpus.push(Gpu {
            index: dev.index().unwrap_or(i),
            uuid: dev.uuid().unwrap_or_default(),
            name: dev.name().unwrap_or_else(|_| "NVIDIA GPU".into()),
            pci_bus_id: dev.pci_info().map(|p| p.bus_id).unwrap_or_default(),
            memory_total_mb: mem.as_ref().map_or(0, |m| m.total / MIB),
            memory_used_mb: mem.as_ref().map_or(0, |m| m.used / MIB),
            memory_free_mb: mem.as_ref().map_or(0, |m| m.free / MIB),
            utilization_gpu_pct: util.as_ref().map(|u| u.gpu),
            utilization_memory_pct: util.as_ref().map(|u| u.memory),
            temperature_c: dev.temperature(TemperatureSensor::Gpu).ok(),
            power_draw_w: dev.power_usage().ok().map(|mw| f64::from(mw) / 1000.0),
            power_limit_w: dev
                .enforced_power_limit()
                .ok()
                .map(|mw| f64::from(mw) / 1000.0),
            mig_enabled: dev.mig_mode().ok().map(|m| m.current == 1),
            processes,
        });
    }
    if inv.gpus.is_empty() {
        inv.reason = Some("the NVIDIA driver is loaded but reports no GPU".into());
    }
    inv
}
