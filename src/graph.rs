//! The dependency graph: closure of a requested set, per-service start plan, reverse stop plan.
//! Everything is validated (unknown dependencies, cycles) before anything runs.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use tokio::task::JoinSet;

use crate::catalog::Catalog;
// Validation belongs to the catalog; `config services` still reaches it under this name.
pub use crate::catalog::validate;
use crate::error::{Error, Result};

/// A validated set of services with the edges between them.
/// `deps[s]` are what `s` needs; `dependents[s]` are what needs `s`. Both stay inside the set.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub deps: BTreeMap<String, BTreeSet<String>>,
    pub dependents: BTreeMap<String, BTreeSet<String>>,
}

fn unknown(catalog: &Catalog, name: &str) -> Error {
    let known: Vec<_> = catalog.services.keys().map(String::as_str).collect();
    Error::usage(format!(
        "unknown service `{name}` (known: {})",
        known.join(", ")
    ))
}

/// The requested services plus everything they need, transitively.
pub fn closure(catalog: &Catalog, requested: &[String]) -> Result<BTreeSet<String>> {
    validate(catalog)?;
    let mut out = BTreeSet::new();
    let mut todo: Vec<String> = requested.to_vec();
    while let Some(name) = todo.pop() {
        let svc = catalog
            .services
            .get(&name)
            .ok_or_else(|| unknown(catalog, &name))?;
        if out.insert(name.clone()) {
            todo.extend(svc.depends_on.iter().cloned());
        }
    }
    Ok(out)
}

/// The requested services plus everything that depends on them, transitively (for `down`).
pub fn reverse_closure(catalog: &Catalog, requested: &[String]) -> Result<BTreeSet<String>> {
    validate(catalog)?;
    let mut out = BTreeSet::new();
    let mut todo: Vec<String> = requested.to_vec();
    while let Some(name) = todo.pop() {
        if !catalog.services.contains_key(&name) {
            return Err(unknown(catalog, &name));
        }
        if out.insert(name.clone()) {
            for svc in catalog.services.values() {
                if svc.depends_on.contains(&name) {
                    todo.push(svc.name.clone());
                }
            }
        }
    }
    Ok(out)
}

impl Plan {
    /// The edges among `members` (dependencies outside the set are ignored: they are
    /// either already running or not the caller's concern).
    pub fn new(catalog: &Catalog, members: &BTreeSet<String>) -> Plan {
        let mut deps = BTreeMap::new();
        let mut dependents: BTreeMap<String, BTreeSet<String>> = members
            .iter()
            .map(|m| (m.clone(), BTreeSet::new()))
            .collect();
        for name in members {
            let mine: BTreeSet<String> = catalog
                .services
                .get(name)
                .map(|s| {
                    s.depends_on
                        .iter()
                        .filter(|d| members.contains(*d))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for d in &mine {
                dependents
                    .entry(d.clone())
                    .or_default()
                    .insert(name.clone());
            }
            deps.insert(name.clone(), mine);
        }
        Plan { deps, dependents }
    }
}

/// What `run_ordered` did: each job's result, and the nodes it did not run.
pub struct OrderedRun<T, E> {
    pub results: Vec<(String, Result<T, E>)>,
    pub skipped: Vec<String>,
}

/// Run `job(node)` for every node of `waits_on` (node -> the nodes that must finish first),
/// each as soon as those have finished and in parallel otherwise: per node, not level by
/// level. With `skip_after_failure`, nodes that transitively wait on a failed node are not run.
/// `up` walks the dependency edges this way and `down` the reverse ones.
pub async fn run_ordered<T, E, F, Fut>(
    waits_on: &BTreeMap<String, BTreeSet<String>>,
    skip_after_failure: bool,
    job: F,
) -> OrderedRun<T, E>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let mut unblocks: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (node, firsts) in waits_on {
        for first in firsts {
            unblocks
                .entry(first.as_str())
                .or_default()
                .push(node.as_str());
        }
    }
    let mut waiting: BTreeMap<&str, usize> = waits_on
        .iter()
        .map(|(k, v)| (k.as_str(), v.len()))
        .collect();
    let mut tasks = JoinSet::new();
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    loop {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(k, _)| *k)
            .collect();
        for node in ready {
            waiting.remove(node);
            let fut = job(node.to_string());
            let name = node.to_string();
            tasks.spawn(async move { (name, fut.await) });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        // Jobs do not panic; if one did, that is a bug to surface, not to swallow.
        let (node, result) = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        let failed = result.is_err();
        let next = unblocks.get(node.as_str()).cloned().unwrap_or_default();
        results.push((node, result));
        if failed && skip_after_failure {
            let mut todo = next;
            while let Some(n) = todo.pop() {
                if waiting.remove(n).is_some() {
                    skipped.push(n.to_string());
                    todo.extend(unblocks.get(n).cloned().unwrap_or_default());
                }
            }
        } else {
            for n in next {
                if let Some(count) = waiting.get_mut(n) {
                    *count -= 1;
                }
            }
        }
    }
    skipped.sort();
    OrderedRun { results, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{defaults, merge};
    use std::path::Path;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn router_brings_redis_and_both_nodes() {
        let c = defaults();
        let set = closure(&c, &names(&["infermesh-router"])).unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [
                "infermesh-node-a",
                "infermesh-node-b",
                "infermesh-router",
                "redis"
            ]
        );
    }

    /// Run every node of `waits_on` through `run_ordered`, logging when each job starts and ends.
    async fn walk(waits_on: &BTreeMap<String, BTreeSet<String>>) -> Vec<(String, &'static str)> {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let l = log.clone();
        let run = run_ordered(waits_on, false, move |name: String| {
            let l = l.clone();
            async move {
                l.lock().unwrap().push((name.clone(), "start"));
                tokio::task::yield_now().await;
                l.lock().unwrap().push((name, "end"));
                Ok::<(), ()>(())
            }
        })
        .await;
        assert_eq!(run.results.len(), waits_on.len());
        log.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn up_starts_each_service_after_its_dependencies_and_down_reverses_it() {
        let c = defaults();
        let all: BTreeSet<String> = c.services.keys().cloned().collect();
        let plan = Plan::new(&c, &all);
        // Per service, not per level: node-a waits only for redis.
        assert_eq!(
            plan.deps["infermesh-node-a"],
            BTreeSet::from(["redis".to_string()])
        );
        let at = |log: &[(String, &str)], name: &str, what: &str| {
            log.iter()
                .position(|(n, w)| n == name && *w == what)
                .unwrap_or_else(|| panic!("{name} never {what}ed: {log:?}"))
        };
        // Up: every dependency has ended before the service that needs it starts.
        let log = walk(&plan.deps).await;
        for (svc, deps) in &plan.deps {
            for d in deps {
                assert!(at(&log, d, "end") < at(&log, svc, "start"), "{log:?}");
            }
        }
        // Down: every dependent has ended before the service it needs starts stopping.
        let log = walk(&plan.dependents).await;
        for (svc, dependents) in &plan.dependents {
            for d in dependents {
                assert!(at(&log, d, "end") < at(&log, svc, "start"), "{log:?}");
            }
        }
        assert_eq!(
            plan.dependents["redis"],
            BTreeSet::from([
                "infermesh-node-a".to_string(),
                "infermesh-node-b".to_string()
            ])
        );
    }

    #[test]
    fn stopping_redis_stops_what_needs_it() {
        let c = defaults();
        let set = reverse_closure(&c, &names(&["redis"])).unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [
                "infermesh-node-a",
                "infermesh-node-b",
                "infermesh-router",
                "redis"
            ]
        );
        let set = reverse_closure(&c, &names(&["infermesh-node-a"])).unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            ["infermesh-node-a", "infermesh-router"]
        );
    }

    #[tokio::test]
    async fn ordered_run_waits_per_node_and_skips_after_failures() {
        let c = defaults();
        let all: BTreeSet<String> = c.services.keys().cloned().collect();
        let plan = Plan::new(&c, &all);
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let l = log.clone();
        let run = run_ordered(&plan.deps, true, move |name: String| {
            let l = l.clone();
            async move {
                l.lock().unwrap().push(name.clone());
                if name == "infermesh-node-a" {
                    Err(())
                } else {
                    Ok(())
                }
            }
        })
        .await;
        let order = log.lock().unwrap().clone();
        let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
        assert!(pos("redis") < pos("infermesh-node-a") && pos("redis") < pos("infermesh-node-b"));
        assert_eq!(run.skipped, ["infermesh-router"]);
        assert_eq!(run.results.len(), 5);
        // The reverse walk (down) does not skip: everything still gets its turn.
        let run = run_ordered(&plan.dependents, false, |n: String| async move {
            if n == "infermesh-router" {
                Err(())
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(run.results.len(), 6);
        assert!(run.skipped.is_empty());
    }

    #[test]
    fn cycles_and_unknowns_are_rejected_with_the_path() {
        let c = merge(
            defaults(),
            Path::new("s.toml"),
            "[services.a]\nimage = \"x\"\ndepends_on = [\"b\"]\n[services.b]\nimage = \"x\"\ndepends_on = [\"a\"]\n",
        )
        .unwrap();
        let err = closure(&c, &names(&["redis"])).unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage);
        assert_eq!(err.message, "dependency cycle: a -> b -> a");

        let c = merge(
            defaults(),
            Path::new("s.toml"),
            "[services.a]\nimage = \"x\"\ndepends_on = [\"nope\"]\n",
        )
        .unwrap();
        let err = closure(&c, &names(&["a"])).unwrap_err();
        assert!(
            err.message.contains("unknown service `nope`"),
            "{}",
            err.message
        );

        let err = closure(&defaults(), &names(&["postgres"])).unwrap_err();
        assert!(
            err.message.starts_with("unknown service `postgres`"),
            "{}",
            err.message
        );
    }
}
