//! `workers_connected` and `worker_tasks_running{worker}`, from the worker registry's listing
//! (`Gauges::workers`), for /metrics and GetMetrics alike.

use std::collections::BTreeMap;

use super::{Family, Sample};
use crate::proto::orchestrator::WorkerInfo;

pub(super) fn families(list: &[WorkerInfo]) -> Vec<(Family, Vec<Sample>)> {
    let connected = list.iter().filter(|w| w.state == "connected").count();
    let running = list
        .iter()
        .map(|w| Sample {
            name: String::new(),
            labels: BTreeMap::from([("worker".to_string(), w.name.clone())]),
            value: w.tasks_running as f64,
        })
        .collect();
    vec![
        (
            Family::gauge(
                "workers_connected",
                "Registered pull workers heard from within their lease",
            ),
            vec![Sample {
                name: String::new(),
                labels: BTreeMap::new(),
                value: connected as f64,
            }],
        ),
        (
            Family::gauge(
                "worker_tasks_running",
                "Tasks leased to each registered worker",
            ),
            running,
        ),
    ]
}
