//! The rules of ARCHITECTURE.md that a machine can check: file size, no import cycle among the
//! server's files, and which room alone may use which outside system.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 700;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The file's code without its `#[cfg(test)]` module (tests may reach anywhere) and comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let long: Vec<String> = rust_files(&src())
        .into_iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines: {long:?}");
}

/// Which of `names` a file refers to through `crate::server::NAME` or `super::NAME`, groups
/// (`crate::server::{a, b::C}`) included.
fn server_refs(code: &str, names: &BTreeSet<String>) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    for prefix in ["crate::server::", "super::"] {
        for (i, _) in code.match_indices(prefix) {
            let rest = &code[i + prefix.len()..];
            let group = if let Some(inner) = rest.strip_prefix('{') {
                &inner[..inner.find('}').unwrap_or(inner.len())]
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            };
            for word in group.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if !word.is_empty() {
                    // A name that is no submodule is an item of server/mod.rs.
                    let target = if names.contains(word) { word } else { "mod" };
                    refs.insert(target.to_string());
                }
            }
        }
    }
    refs
}

#[test]
fn the_server_files_import_each_other_without_a_cycle() {
    let dir = src().join("server");
    let files: BTreeMap<String, PathBuf> = rust_files(&dir)
        .into_iter()
        .filter(|p| p.parent() == Some(dir.as_path()))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    // A module directory (`auth/`, `http/`, `store/`) is one node: its files' references to
    // `crate::server::NAME` are its edges (their `super::` is the directory's own module).
    let dirs: BTreeMap<String, PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    let names: BTreeSet<String> = files
        .keys()
        .chain(dirs.keys())
        .filter(|n| *n != "mod")
        .cloned()
        .collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, path) in &dirs {
        let mut refs = BTreeSet::new();
        for f in rust_files(path) {
            let code = code_of(&f).replace("super::", "");
            refs.extend(server_refs(&code, &names));
        }
        refs.remove(name);
        deps.entry(name.clone()).or_default().extend(refs);
    }
    for (name, path) in &files {
        let code = code_of(path);
        let mut refs = server_refs(&code, &names);
        if name == "mod" {
            // The parent uses its children by their bare names.
            for child in &names {
                if code.contains(&format!("{child}::")) {
                    refs.insert(child.clone());
                }
            }
        }
        refs.remove(name);
        deps.entry(name.clone()).or_default().extend(refs);
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in deps.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, deps, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for name in deps.keys() {
        if let Some(cycle) = visit(name, &deps, &mut Vec::new(), &mut done) {
            panic!("import cycle in src/server: {}", cycle.join(" -> "));
        }
    }
    // The task model is the floor: it imports nothing else of the server.
    assert!(
        deps["task"].is_empty(),
        "task.rs imports {:?}",
        deps["task"]
    );
}

/// Only the files under `room` may mention `needle` in code.
fn only_in(room: &str, needle: &str) -> Vec<String> {
    rust_files(&src())
        .into_iter()
        .filter(|p| !p.starts_with(src().join(room)))
        .filter(|p| code_of(p).contains(needle))
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn only_the_runtime_talks_to_docker() {
    let outside = only_in("runtime", "bollard");
    assert!(
        outside.is_empty(),
        "bollard used outside src/runtime: {outside:?}"
    );
}

#[test]
fn only_the_os_module_signals_processes() {
    // std's and tokio's `Child::kill` act on a handle we own, not on a pid: they are fine.
    for needle in ["libc::", "rustix::process"] {
        let outside = only_in("os", needle);
        assert!(
            outside.is_empty(),
            "`{needle}` used outside src/os: {outside:?}"
        );
    }
}

#[test]
fn only_the_slurm_module_runs_slurm_commands() {
    // The settings name the commands' default paths; everything else goes through src/slurm.
    for needle in [
        "\"sbatch\"",
        "\"squeue\"",
        "\"sacct\"",
        "\"scancel\"",
        "\"sdiag\"",
    ] {
        let outside: Vec<String> = only_in("slurm", needle)
            .into_iter()
            .filter(|p| !p.contains("src/settings/"))
            .collect();
        assert!(
            outside.is_empty(),
            "`{needle}` used outside src/slurm: {outside:?}"
        );
    }
}
