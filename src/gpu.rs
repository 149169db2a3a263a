//! NVIDIA GPU presence. A missing driver means "no GPU", never an error.

use std::path::Path;

/// Number of NVIDIA GPUs the loaded kernel driver reports (0 without a driver).
pub fn nvidia_gpu_count() -> usize {
    count_in(Path::new("/proc/driver/nvidia/gpus"))
}

fn count_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).count())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_driver_directory_means_no_gpu() {
        assert_eq!(
            super::count_in(std::path::Path::new("/nonexistent/nvidia/gpus")),
            0
        );
    }
}
