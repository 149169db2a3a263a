//! A catalog is valid when every dependency names a service and the edges have no cycle.

use std::collections::BTreeMap;

use super::model::Catalog;
use crate::error::{Error, Result};

/// Check that every dependency exists and that there is no cycle.
pub fn validate(catalog: &Catalog) -> Result<()> {
    for svc in catalog.services.values() {
        for dep in &svc.depends_on {
            if !catalog.services.contains_key(dep) {
                return Err(Error::usage(format!(
                    "service `{}` depends on unknown service `{dep}`",
                    svc.name
                )));
            }
        }
    }
    if let Some(cycle) = find_cycle(catalog) {
        return Err(Error::usage(format!(
            "dependency cycle: {}",
            cycle.join(" -> ")
        )));
    }
    Ok(())
}

/// Depth-first search with colours; returns the cycle as `a -> b -> a`.
fn find_cycle(catalog: &Catalog) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        name: &str,
        catalog: &Catalog,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(name) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|s| s == name).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(name.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(name.to_string(), Mark::Visiting);
        stack.push(name.to_string());
        if let Some(svc) = catalog.services.get(name) {
            let mut deps = svc.depends_on.clone();
            deps.sort();
            for dep in deps {
                if let Some(cycle) = visit(&dep, catalog, marks, stack) {
                    return Some(cycle);
                }
            }
        }
        stack.pop();
        marks.insert(name.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for name in catalog.services.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(name, catalog, &mut marks, &mut stack) {
            return Some(cycle);
        }
    }
    None
}
