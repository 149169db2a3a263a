//! A workflow spec: parsing (JSON; the CLI turns TOML into JSON first), validation with errors
//! that name the step and field, and the content hash that versions it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::server::task::{MAX_ATTEMPTS, SResult, SchedError};
use crate::server::workflow::expr::{self, Expr, Ref};
use crate::settings::TASK_CLASSES;

/// Steps a spec may hold.
pub const MAX_STEPS: usize = 10_000;
/// Items a map may fan out to.
pub const MAX_ITEMS: usize = 100_000;
/// Longest workflow name, step id or run id: task ids are built from them and stay under 128.
pub const MAX_NAME: usize = 48;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Run only when every dependency completed (a skipped or failed one skips this step).
    #[default]
    AllSuccess,
    /// Run once every dependency ended, however it ended.
    AllDone,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub id: String,
    #[serde(default)]
    pub depends: Vec<String>,
    #[serde(default = "default_class")]
    pub class: String,
    #[serde(default)]
    pub payload: Map<String, Value>,
    #[serde(default)]
    pub max_attempts: u32,
    #[serde(default)]
    pub timeout_seconds: f64,
    #[serde(default)]
    pub priority: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// A reference to a list (`${params.xs}` or `${steps.a.outputs.items}`): one task per item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
    /// Items of a map running at once (0: 64).
    #[serde(default)]
    pub max_parallel: u32,
    #[serde(default)]
    pub trigger: Trigger,
    #[serde(default)]
    pub continue_on_failure: bool,
    /// GPUs each of the step's tasks needs (unset: the class's default), as for a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i64>,
    /// Free memory (MiB) each of those GPUs must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory_mb: Option<i64>,
}

fn default_class() -> String {
    "cpu_short".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub name: String,
    /// Param name -> default (`null`: the param is required).
    #[serde(default)]
    pub params: Map<String, Value>,
    pub steps: Vec<StepSpec>,
}

/// A validated spec with what the engine needs precomputed.
#[derive(Debug)]
pub struct Compiled {
    pub spec: Spec,
    pub hash: String,
    /// Step index by id.
    pub index: HashMap<String, usize>,
    /// Dependencies and dependants by step index.
    pub deps: Vec<Vec<usize>>,
    pub dependants: Vec<Vec<usize>>,
    /// Steps in an order where each comes after its dependencies.
    pub order: Vec<usize>,
    pub when: Vec<Option<Expr>>,
}

fn invalid(step: &str, field: &str, msg: impl std::fmt::Display) -> SchedError {
    SchedError::invalid(format!("step {step:?}: {field}: {msg}"))
}

/// Names and ids: plain, short, and free of the `:` that separates a task id's parts.
pub fn check_name(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > MAX_NAME {
        return Err(format!("{what} must be 1-{MAX_NAME} characters"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(format!(
            "{what} {s:?} has the character {c:?}: use only A-Z a-z 0-9 _ -"
        ));
    }
    Ok(())
}

/// Parse and validate a spec given as JSON text.
pub fn compile(json: &str, max_bytes: usize) -> SResult<Compiled> {
    if json.len() > max_bytes {
        return Err(SchedError::invalid(format!(
            "the spec is {} bytes; the limit is {max_bytes} (4 x scheduler.max_payload_bytes)",
            json.len()
        )));
    }
    let spec: Spec = serde_json::from_str(json)
        .map_err(|e| SchedError::invalid(format!("the spec does not parse: {e}")))?;
    compile_spec(spec)
}

pub fn compile_spec(spec: Spec) -> SResult<Compiled> {
    check_name("workflow name", &spec.name).map_err(SchedError::invalid)?;
    for name in spec.params.keys() {
        check_name("param name", name).map_err(SchedError::invalid)?;
    }
    if spec.steps.is_empty() {
        return Err(SchedError::invalid("the spec has no steps"));
    }
    if spec.steps.len() > MAX_STEPS {
        return Err(SchedError::invalid(format!(
            "the spec has {} steps; at most {MAX_STEPS} are allowed",
            spec.steps.len()
        )));
    }
    let mut index = HashMap::with_capacity(spec.steps.len());
    for (i, s) in spec.steps.iter().enumerate() {
        check_name("step id", &s.id).map_err(|e| invalid(&s.id, "id", e))?;
        if index.insert(s.id.clone(), i).is_some() {
            return Err(invalid(&s.id, "id", "two steps have this id"));
        }
    }
    let n = spec.steps.len();
    let mut deps = vec![Vec::new(); n];
    let mut dependants = vec![Vec::new(); n];
    for (i, s) in spec.steps.iter().enumerate() {
        for d in &s.depends {
            if d == &s.id {
                return Err(invalid(&s.id, "depends", "a step cannot depend on itself"));
            }
            let Some(&j) = index.get(d) else {
                return Err(invalid(&s.id, "depends", format!("unknown step {d:?}")));
            };
            if !deps[i].contains(&j) {
                deps[i].push(j);
                dependants[j].push(i);
            }
        }
        if !TASK_CLASSES.contains(&s.class.as_str()) {
            return Err(invalid(
                &s.id,
                "class",
                format!(
                    "unknown task class {:?} (expected one of {})",
                    s.class,
                    TASK_CLASSES.join(", ")
                ),
            ));
        }
        if s.max_attempts > MAX_ATTEMPTS {
            return Err(invalid(
                &s.id,
                "max_attempts",
                format!("{} is over {MAX_ATTEMPTS}", s.max_attempts),
            ));
        }
        if !(s.timeout_seconds.is_finite() && s.timeout_seconds >= 0.0) {
            return Err(invalid(&s.id, "timeout_seconds", "expected 0 or more"));
        }
    }
    let order = topo_order(&spec, &deps)?;
    let mut compiled = Compiled {
        hash: String::new(),
        index,
        deps,
        dependants,
        order,
        when: Vec::with_capacity(n),
        spec,
    };
    for i in 0..n {
        let when = check_refs(&compiled, i)?;
        compiled.when.push(when);
    }
    let canonical = serde_json::to_vec(&compiled.spec).unwrap_or_default();
    compiled.hash = hex::encode(&Sha256::digest(&canonical)[..8]);
    Ok(compiled)
}

/// Kahn's order; what it cannot place is on a cycle, which the error spells out.
fn topo_order(spec: &Spec, deps: &[Vec<usize>]) -> SResult<Vec<usize>> {
    let n = deps.len();
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependants = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependants[d].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(i);
        for &j in &dependants[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(j);
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Walk dependencies from a step left over until one repeats: that is a cycle.
    let start = (0..n).find(|&i| waiting[i] > 0).unwrap_or(0);
    let mut path = vec![start];
    let mut seen = HashMap::from([(start, 0usize)]);
    let mut at = start;
    while let Some(&next) = deps[at].iter().find(|&&d| waiting[d] > 0) {
        if let Some(&pos) = seen.get(&next) {
            let cycle: Vec<&str> = path[pos..]
                .iter()
                .chain(std::iter::once(&next))
                .map(|&i| spec.steps[i].id.as_str())
                .collect();
            return Err(invalid(
                &spec.steps[next].id,
                "depends",
                format!("a cycle: {}", cycle.join(" -> ")),
            ));
        }
        seen.insert(next, path.len());
        path.push(next);
        at = next;
    }
    Err(invalid(&spec.steps[start].id, "depends", "a cycle"))
}

/// Is `anc` reachable from `step` by following dependencies?
fn is_ancestor(c: &Compiled, step: usize, anc: usize) -> bool {
    let mut stack = c.deps[step].clone();
    let mut seen = vec![false; c.deps.len()];
    while let Some(i) = stack.pop() {
        if i == anc {
            return true;
        }
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend_from_slice(&c.deps[i]);
        }
    }
    false
}

/// Check every reference of step `i` (payload, `when`, `map`); returns its parsed `when`.
fn check_refs(c: &Compiled, i: usize) -> SResult<Option<Expr>> {
    let s = &c.spec.steps[i];
    let check = |field: &str, refs: Vec<Ref>, in_map: bool| -> SResult<()> {
        for r in refs {
            match &r {
                Ref::Param(p, _) if !c.spec.params.contains_key(p) => {
                    return Err(invalid(&s.id, field, format!("unknown param {p:?}")));
                }
                Ref::Outputs(step, _) => match c.index.get(step) {
                    None => {
                        return Err(invalid(&s.id, field, format!("unknown step {step:?}")));
                    }
                    Some(&j) if !is_ancestor(c, i, j) => {
                        return Err(invalid(
                            &s.id,
                            field,
                            format!("step {step:?} is not among its dependencies"),
                        ));
                    }
                    _ => {}
                },
                Ref::Item(_) | Ref::Index if !in_map => {
                    return Err(invalid(
                        &s.id,
                        field,
                        "${item} and ${index} exist only in a map step's payload",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    };
    let mut refs = Vec::new();
    expr::refs_in(&Value::Object(s.payload.clone()), &mut refs)
        .map_err(|e| invalid(&s.id, "payload", e))?;
    check("payload", refs, s.map.is_some())?;
    if let Some(over) = &s.map {
        let r = over
            .trim()
            .strip_prefix("${")
            .and_then(|x| x.strip_suffix('}'))
            .ok_or_else(|| invalid(&s.id, "map", "expected one reference, like ${params.xs}"))
            .and_then(|x| expr::parse_ref(x).map_err(|e| invalid(&s.id, "map", e)))?;
        check("map", vec![r], false)?;
    }
    let when = match &s.when {
        None => None,
        Some(w) => {
            let e = expr::parse_when(w).map_err(|e| invalid(&s.id, "when", e))?;
            let mut refs = Vec::new();
            e.refs(&mut refs);
            check("when", refs, false)?;
            Some(e)
        }
    };
    Ok(when)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        compile(json, 1 << 20).unwrap_err().message
    }

    #[test]
    fn bad_specs_name_the_step_and_field() {
        let e =
            err(r#"{"name":"w","steps":[{"id":"a","depends":["b"]},{"id":"b","depends":["a"]}]}"#);
        assert!(e.contains("depends") && e.contains("cycle"), "{e}");
        let e = err(r#"{"name":"w","steps":[{"id":"a","depends":["a"]}]}"#);
        assert!(
            e.contains("\"a\": depends: a step cannot depend on itself"),
            "{e}"
        );
        let e = err(r#"{"name":"w","steps":[{"id":"a","depends":["zz"]}]}"#);
        assert!(e.contains("unknown step \"zz\""), "{e}");
        let e = err(r#"{"name":"w","steps":[{"id":"a","class":"huge"}]}"#);
        assert!(e.contains("\"a\": class"), "{e}");
        let e = err(r#"{"name":"w","steps":[{"id":"a","payload":{"x":"${params.nope}"}}]}"#);
        assert!(e.contains("\"a\": payload: unknown param"), "{e}");
        let e = err(
            r#"{"name":"w","steps":[{"id":"a"},{"id":"b","when":"${steps.a.outputs.ok} == true"}]}"#,
        );
        assert!(e.contains("\"b\": when: step \"a\" is not among"), "{e}");
        let e = err(r#"{"name":"w","steps":[{"id":"a","payload":{"x":"${item}"}}]}"#);
        assert!(e.contains("\"a\": payload"), "{e}");
        let e = err(r#"{"name":"w","steps":[{"id":"a","bogus":1}]}"#);
        assert!(e.contains("bogus"), "{e}");
        assert!(
            compile(&"x".repeat(100), 10)
                .unwrap_err()
                .message
                .contains("limit")
        );
    }

    #[test]
    fn a_long_chain_compiles_and_hashes_by_content() {
        let steps: Vec<Value> = (0..MAX_STEPS)
            .map(|i| {
                let deps = if i == 0 {
                    vec![]
                } else {
                    vec![format!("s{}", i - 1)]
                };
                serde_json::json!({"id": format!("s{i}"), "depends": deps})
            })
            .collect();
        let json = serde_json::json!({"name": "chain", "steps": steps}).to_string();
        let a = compile(&json, 64 << 20).unwrap();
        assert_eq!(a.order.len(), MAX_STEPS);
        assert_eq!(a.hash, compile(&json, 64 << 20).unwrap().hash);
    }
}
