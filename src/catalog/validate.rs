//! A catalog is valid when every dependency names a service and the edges have no cycle, and
//! each `build` names a context directory holding its Dockerfile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// A service's `build`: `context` (relative to `base`, the services file's directory) must be
/// an existing directory, and `dockerfile` (relative to the context) an existing file that lies
/// inside it once symlinks and `..` are resolved. Returns the context, absolute with symlinks
/// resolved, and the Dockerfile's resolved path relative to it (what the engine reads).
pub(super) fn check_build(
    base: &Path,
    context: &str,
    dockerfile: &str,
) -> std::result::Result<(PathBuf, String), String> {
    if context.trim().is_empty() {
        return Err("`context` must not be empty".into());
    }
    if dockerfile.trim().is_empty() {
        return Err("`dockerfile` must not be empty".into());
    }
    let given = base.join(context);
    let ctx = std::fs::canonicalize(&given)
        .map_err(|e| format!("build context {} does not exist: {e}", given.display()))?;
    if !ctx.is_dir() {
        return Err(format!(
            "build context {} is not a directory",
            given.display()
        ));
    }
    let file = ctx.join(dockerfile);
    let resolved = std::fs::canonicalize(&file)
        .map_err(|e| format!("Dockerfile {} does not exist: {e}", file.display()))?;
    let inside = resolved
        .strip_prefix(&ctx)
        .ok()
        .and_then(|rel| rel.to_str())
        .filter(|rel| !rel.is_empty())
        .map(String::from);
    let Some(rel) = inside else {
        return Err(format!(
            "Dockerfile {dockerfile:?} resolves to {}, outside the build context {}",
            resolved.display(),
            ctx.display()
        ));
    };
    if !resolved.is_file() {
        return Err(format!("Dockerfile {} is not a file", resolved.display()));
    }
    Ok((ctx, rel))
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

#[cfg(test)]
mod tests {
    use super::check_build;

    #[test]
    fn build_contexts_and_dockerfiles() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("app");
        std::fs::create_dir_all(ctx.join("docker")).unwrap();
        std::fs::write(ctx.join("Dockerfile"), "FROM x\n").unwrap();
        std::fs::write(ctx.join("docker/Dockerfile.dev"), "FROM x\n").unwrap();
        std::fs::write(dir.path().join("Outside"), "FROM x\n").unwrap();
        let (c, f) = check_build(dir.path(), "app", "Dockerfile").unwrap();
        assert_eq!(c, std::fs::canonicalize(&ctx).unwrap());
        assert_eq!(f, "Dockerfile");
        let (_, f) = check_build(dir.path(), "app", "docker/../docker/Dockerfile.dev").unwrap();
        assert_eq!(f, "docker/Dockerfile.dev");
        let err = check_build(dir.path(), "missing", "Dockerfile").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        let err = check_build(dir.path(), "app/Dockerfile", "Dockerfile").unwrap_err();
        assert!(err.contains("not a directory"), "{err}");
        let err = check_build(dir.path(), "app", "../Outside").unwrap_err();
        assert!(err.contains("outside the build context"), "{err}");
        std::os::unix::fs::symlink(dir.path().join("Outside"), ctx.join("Linked")).unwrap();
        let err = check_build(dir.path(), "app", "Linked").unwrap_err();
        assert!(err.contains("outside the build context"), "{err}");
        let err = check_build(dir.path(), "app", "docker").unwrap_err();
        assert!(err.contains("not a file"), "{err}");
    }
}
