//! A run document drawn as a graph: Graphviz DOT or a Mermaid flowchart, each step coloured by
//! its status; and as a tree for the terminal. Pure functions of the document, so the CLI can
//! draw what any server version sends.

use std::fmt::Write;

use serde_json::Value;

fn colour(status: &str) -> &'static str {
    match status {
        "completed" => "#8fd18f",
        "running" => "#8fb8e8",
        "failed" => "#e88f8f",
        "skipped" => "#d0d0d0",
        "cancelled" => "#e8c88f",
        _ => "#ffffff",
    }
}

fn steps(doc: &Value) -> &[Value] {
    doc["steps"].as_array().map_or(&[], Vec::as_slice)
}

/// A step's label: id, status and map counts.
fn label(s: &Value) -> String {
    let mut l = format!(
        "{}\\n{}",
        s["id"].as_str().unwrap_or(""),
        s["status"].as_str().unwrap_or("")
    );
    if let Some(m) = s["map"].as_object() {
        let _ = write!(
            l,
            "\\n{}/{} completed, {} failed",
            m["completed"], m["total"], m["failed"]
        );
    }
    l
}

pub fn dot(doc: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\"];",
        doc["run_id"].as_str().unwrap_or("run")
    );
    for s in steps(doc) {
        let id = s["id"].as_str().unwrap_or("");
        let _ = writeln!(
            out,
            "  \"{id}\" [label=\"{}\", fillcolor=\"{}\"];",
            label(s),
            colour(s["status"].as_str().unwrap_or(""))
        );
    }
    for s in steps(doc) {
        for d in s["depends"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\";",
                d.as_str().unwrap_or(""),
                s["id"].as_str().unwrap_or("")
            );
        }
    }
    out.push_str("}\n");
    out
}

pub fn mermaid(doc: &Value) -> String {
    let mut out = String::from("flowchart LR\n");
    for s in steps(doc) {
        let id = s["id"].as_str().unwrap_or("");
        let _ = writeln!(out, "  {id}[\"{}\"]", label(s).replace("\\n", "<br/>"));
        let _ = writeln!(
            out,
            "  style {id} fill:{}",
            colour(s["status"].as_str().unwrap_or(""))
        );
    }
    for s in steps(doc) {
        for d in s["depends"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  {} --> {}",
                d.as_str().unwrap_or(""),
                s["id"].as_str().unwrap_or("")
            );
        }
    }
    out
}

/// The run as a tree of steps for the terminal: each step under its first dependency, with
/// status, duration and map counts. A step with several dependencies names the others.
pub fn tree(doc: &Value) -> String {
    let all = steps(doc);
    let id = |s: &Value| s["id"].as_str().unwrap_or("").to_string();
    let first_dep = |s: &Value| {
        s["depends"]
            .as_array()
            .and_then(|d| d.first())
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut out = format!(
        "{} ({}) {}\n",
        doc["run_id"].as_str().unwrap_or(""),
        doc["workflow"].as_str().unwrap_or(""),
        doc["status"].as_str().unwrap_or("")
    );
    fn line(s: &Value) -> String {
        let mut l = format!(
            "{} [{}]",
            s["id"].as_str().unwrap_or(""),
            s["status"].as_str().unwrap_or("")
        );
        let ms = s["duration_ms"].as_u64().unwrap_or(0);
        if ms > 0 {
            let _ = write!(l, " {:.1}s", ms as f64 / 1000.0);
        }
        if let Some(m) = s["map"].as_object() {
            let _ = write!(
                l,
                " {}/{} completed, {} failed",
                m["completed"], m["total"], m["failed"]
            );
        }
        let deps: Vec<&str> = s["depends"]
            .as_array()
            .into_iter()
            .flatten()
            .skip(1)
            .filter_map(Value::as_str)
            .collect();
        if !deps.is_empty() {
            let _ = write!(l, " (also after {})", deps.join(", "));
        }
        if let Some(e) = s["error"].as_str().filter(|e| !e.is_empty()) {
            let _ = write!(l, " error: {e}");
        }
        l
    }
    // Depth-first from the roots; a chain of thousands of steps must not recurse.
    let mut stack: Vec<(usize, String)> = all
        .iter()
        .rev()
        .filter(|s| first_dep(s).is_none())
        .map(|s| (0, id(s)))
        .collect();
    while let Some((depth, sid)) = stack.pop() {
        let Some(s) = all.iter().find(|s| id(s) == sid) else {
            continue;
        };
        let _ = writeln!(out, "{}└─ {}", "   ".repeat(depth.min(40)), line(s));
        for c in all
            .iter()
            .rev()
            .filter(|c| first_dep(c).as_deref() == Some(&sid))
        {
            stack.push((depth + 1, id(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_tree_hangs_each_step_under_its_first_dependency() {
        let doc = json!({"run_id": "r", "workflow": "w", "status": "failed", "steps": [
            {"id": "a", "depends": [], "status": "completed", "map": null},
            {"id": "b", "depends": ["a"], "status": "failed", "error": "boom",
             "map": {"total": 3, "completed": 2, "failed": 1}},
            {"id": "c", "depends": ["a", "b"], "status": "skipped", "map": null}
        ]});
        let t = tree(&doc);
        assert!(t.contains("└─ a [completed]"), "{t}");
        assert!(
            t.contains("   └─ b [failed] 2/3 completed, 1 failed error: boom"),
            "{t}"
        );
        assert!(t.contains("   └─ c [skipped] (also after b)"), "{t}");
        let d = dot(&doc);
        assert!(
            d.contains("\"a\" -> \"c\"") && d.contains("\"b\" -> \"c\""),
            "{d}"
        );
        assert!(mermaid(&doc).contains("style b fill:#e88f8f"));
    }
}
