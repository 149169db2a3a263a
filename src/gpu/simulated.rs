//! The simulated source: a JSON file named by `DSPY_AGENT_GPU_INVENTORY`, read again at every
//! look (so a test may change memory use while a server runs). The README documents the format.
//!
//! Processes: those the file lists, plus every live process (readable by this user) whose
//! environment has `CUDA_VISIBLE_DEVICES` naming the GPU's UUID. That is how a process "holds"
//! a simulated GPU, as a CUDA context holds a real one: a task's child left running after the
//! task ended keeps its GPU visibly busy, and the scheduler quarantines it.

use std::path::Path;

use serde::Deserialize;

use super::{Gpu, GpuProcess, Inventory};

/// Fake GPUs a file may list at most.
const MAX_GPUS: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    driver_version: Option<String>,
    cuda_version: Option<String>,
    gpus: Vec<FileGpu>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGpu {
    index: Option<u32>,
    uuid: String,
    #[serde(default = "default_name")]
    name: String,
    pci_bus_id: Option<String>,
    memory_total_mb: u64,
    #[serde(default)]
    memory_used_mb: u64,
    utilization_gpu_pct: Option<u32>,
    utilization_memory_pct: Option<u32>,
    temperature_c: Option<u32>,
    power_draw_w: Option<f64>,
    power_limit_w: Option<f64>,
    mig_enabled: Option<bool>,
    #[serde(default)]
    processes: Vec<FileProcess>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProcess {
    pid: u32,
    used_memory_mb: Option<u64>,
}

fn default_name() -> String {
    "Simulated GPU".into()
}

/// The inventory the file describes, or a message naming the file and what is wrong.
pub fn inventory(path: &Path) -> Result<Inventory, String> {
    let bad = |what: String| {
        format!(
            "simulated GPU inventory {} ({}): {what}",
            path.display(),
            super::INVENTORY_ENV
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let file: File = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if file.gpus.len() > MAX_GPUS {
        return Err(bad(format!("{} GPUs; at most {MAX_GPUS}", file.gpus.len())));
    }
    let holders = crate::os::procfs::env_values("CUDA_VISIBLE_DEVICES");
    let mut gpus: Vec<Gpu> = Vec::with_capacity(file.gpus.len());
    for (i, g) in file.gpus.into_iter().enumerate() {
        if g.uuid.trim().is_empty() {
            return Err(bad(format!("gpus[{i}] has an empty uuid")));
        }
        if gpus.iter().any(|o| o.uuid == g.uuid) {
            return Err(bad(format!("gpus[{i}]: uuid {} appears twice", g.uuid)));
        }
        if g.memory_used_mb > g.memory_total_mb {
            return Err(bad(format!(
                "gpus[{i}]: memory_used_mb {} is more than memory_total_mb {}",
                g.memory_used_mb, g.memory_total_mb
            )));
        }
        let index = g.index.unwrap_or(i as u32);
        let mut processes: Vec<GpuProcess> = g
            .processes
            .iter()
            .map(|p| GpuProcess {
                pid: p.pid,
                used_memory_mb: p.used_memory_mb,
                task_id: None,
                container_id: None,
                service: None,
            })
            .collect();
        for (pid, devices) in &holders {
            let names_it = devices.split(',').any(|d| d.trim() == g.uuid);
            if names_it && !processes.iter().any(|p| p.pid == *pid) {
                processes.push(GpuProcess {
                    pid: *pid,
                    used_memory_mb: None,
                    task_id: None,
                    container_id: None,
                    service: None,
                });
            }
        }
        processes.sort_by_key(|p| p.pid);
        gpus.push(Gpu {
            index,
            pci_bus_id: g
                .pci_bus_id
                .unwrap_or_else(|| format!("00000000:{:02X}:00.0", index + 1)),
            uuid: g.uuid,
            name: g.name,
            memory_total_mb: g.memory_total_mb,
            memory_used_mb: g.memory_used_mb,
            memory_free_mb: g.memory_total_mb - g.memory_used_mb,
            utilization_gpu_pct: g.utilization_gpu_pct,
            utilization_memory_pct: g.utilization_memory_pct,
            temperature_c: g.temperature_c,
            power_draw_w: g.power_draw_w,
            power_limit_w: g.power_limit_w,
            mig_enabled: g.mig_enabled,
            processes,
        });
    }
    gpus.sort_by_key(|g| g.index);
    let reason = gpus
        .is_empty()
        .then(|| format!("the simulated inventory {} lists no GPU", path.display()));
    Ok(Inventory {
        source: "simulated".into(),
        driver_version: file.driver_version,
        cuda_version: file.cuda_version,
        gpus,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gpus.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_gives_devices_with_defaults() {
        let (_d, path) = write(
            r#"{"driver_version": "550.1", "gpus": [
                {"uuid": "GPU-a", "memory_total_mb": 1000, "memory_used_mb": 200,
                 "processes": [{"pid": 4242, "used_memory_mb": 200}]},
                {"uuid": "GPU-b", "name": "Fake", "memory_total_mb": 2000}]}"#,
        );
        let inv = inventory(&path).unwrap();
        assert_eq!(inv.source, "simulated");
        assert_eq!(inv.gpus.len(), 2);
        assert_eq!(inv.gpus[0].memory_free_mb, 800);
        assert_eq!(inv.gpus[0].pci_bus_id, "00000000:01:00.0");
        assert_eq!(inv.gpus[0].processes[0].pid, 4242);
        assert_eq!(inv.gpus[1].index, 1);
        assert_eq!(inv.reason, None);
    }

    #[test]
    fn malformed_files_name_the_file() {
        for text in [
            "{",
            r#"{"gpus": [{"uuid": "a"}]}"#,
            r#"{"gpus": [{"uuid": "a", "memory_total_mb": 1, "colour": 2}]}"#,
            r#"{"gpus": [{"uuid": "a", "memory_total_mb": 1}, {"uuid": "a", "memory_total_mb": 1}]}"#,
            r#"{"gpus": [{"uuid": "a", "memory_total_mb": 1, "memory_used_mb": 2}]}"#,
            r#"{"gpus": [{"uuid": "a", "memory_total_mb": -1}]}"#,
        ] {
            let (_d, path) = write(text);
            let e = inventory(&path).unwrap_err();
            assert!(e.contains(&path.display().to_string()), "{text}: {e}");
        }
        let e = inventory(Path::new("/nonexistent/gpus.json")).unwrap_err();
        assert!(e.contains("/nonexistent/gpus.json"), "{e}");
    }
}
