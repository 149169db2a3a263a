//! Reading config.toml: every key is checked against the table as it is read, and every error
//! names the file, the line and the key. Lines come from toml_edit's spans, so keys written as
//! dotted keys (`classes.gpu.concurrency = 2`) or inside inline tables are found too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::TableLike;

use super::TASK_CLASSES;
use super::keys;
use super::value::Value;
use crate::error::{Error, Result};

/// What a config.toml sets: each key's value and the 1-based line that sets it.
#[derive(Debug, Default)]
pub struct FileValues {
    pub path: PathBuf,
    pub values: BTreeMap<String, (Value, usize)>,
}

impl FileValues {
    pub fn get(&self, name: &str) -> Option<&(Value, usize)> {
        self.values.get(name)
    }

    /// The members of a family (`ports.redis`, ...): (member name, value).
    pub fn members<'a>(&'a self, family: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.values.iter().filter_map(move |(name, (value, _))| {
            let member = name.strip_prefix(family)?.strip_prefix('.')?;
            Some((member, value))
        })
    }

    /// "FILE:LINE: key `name`", where the file sets `name`.
    pub fn locate(&self, name: &str) -> String {
        match self.get(name) {
            Some((_, line)) => format!("{}:{line}: key `{name}`", self.path.display()),
            None => format!("{}: key `{name}`", self.path.display()),
        }
    }
}

fn at(path: &Path, line: usize, key: &str, why: impl std::fmt::Display) -> Error {
    Error::usage(format!("{}:{line}: key `{key}`: {why}", path.display()))
}

/// Read config.toml; a missing file sets nothing.
pub fn read(path: &Path) -> Result<FileValues> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileValues {
            path: path.to_path_buf(),
            ..Default::default()
        }),
        Err(e) => Err(Error::usage(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Parse and check a config.toml text.
pub fn parse(path: &Path, text: &str) -> Result<FileValues> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_at(text, s.start));
        Error::usage(format!(
            "{}:{line}: {}",
            path.display(),
            e.message().trim_end()
        ))
    })?;
    let mut out = FileValues {
        path: path.to_path_buf(),
        values: BTreeMap::new(),
    };
    walk(&mut out, doc.as_table(), "", text, 1)?;
    Ok(out)
}

fn walk(
    out: &mut FileValues,
    table: &dyn TableLike,
    prefix: &str,
    text: &str,
    parent_line: usize,
) -> Result<()> {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let line = key
            .span()
            .or_else(|| item.span())
            .map_or(parent_line, |s| line_at(text, s.start));
        match keys::find(&path).filter(|k| k.in_file) {
            Some(k) => {
                let value = k
                    .kind
                    .from_item(item)
                    .map_err(|why| at(&out.path, line, &path, why))?;
                out.values.insert(path, (value, line));
            }
            None if keys::is_section(&path) => match item.as_table_like() {
                Some(sub) => walk(out, sub, &path, text, line)?,
                None => return Err(at(&out.path, line, &path, "expected a table")),
            },
            None => return Err(at(&out.path, line, &path, unknown(&path, prefix))),
        }
    }
    Ok(())
}

/// Why `path` is not accepted, with what is.
fn unknown(path: &str, parent: &str) -> String {
    if let Some(k) = keys::find(path) {
        return format!("not a config.toml setting (set it with {})", k.sources());
    }
    if parent == "scheduler.classes" {
        return format!(
            "unknown task class (expected one of {})",
            TASK_CLASSES.join(", ")
        );
    }
    format!(
        "unknown key (expected one of {})",
        keys::children(parent).join(", ")
    )
}

/// 1-based line number of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The 1-based line where `key` is set inside table `table` (dotted; "" for the top level) of
/// a TOML file, if it is.
pub fn line_of_key(path: &Path, table: &str, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc = toml_edit::Document::parse(text.as_str()).ok()?;
    let mut node: &dyn TableLike = doc.as_table();
    for part in table.split('.').filter(|p| !p.is_empty()) {
        node = node.get(part)?.as_table_like()?;
    }
    let (k, item) = node.get_key_value(key)?;
    let span = k.span().or_else(|| item.span())?;
    Some(line_at(&text, span.start))
}

/// Turn a serde error about a TOML file into "FILE:LINE: message" with exit code 2. When the
/// message does not say which key, the key whose text holds the error is named.
pub fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    let line = line_at(text, offset);
    let message = e.message().trim_end();
    match key_at(text, offset) {
        Some(key) if !message.contains(key.rsplit('.').next().unwrap_or(&key)) => {
            Error::usage(format!("{}:{line}: key `{key}`: {message}", path.display()))
        }
        _ => Error::usage(format!("{}:{line}: {message}", path.display())),
    }
}

/// The dotted path of the innermost key whose name or value holds byte `offset`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    fn search(table: &dyn TableLike, prefix: &str, offset: usize, best: &mut Option<String>) {
        for (name, _) in table.iter() {
            let Some((key, item)) = table.get_key_value(name) else {
                continue;
            };
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let holds = |span: Option<std::ops::Range<usize>>| {
                span.is_some_and(|s| s.contains(&offset) || s.start == offset)
            };
            if (holds(key.span()) || (!item.is_table_like() && holds(item.span())))
                && best.as_ref().is_none_or(|b| b.len() < path.len())
            {
                *best = Some(path.clone());
            }
            if let Some(sub) = item.as_table_like() {
                search(sub, &path, offset, best);
            }
        }
    }
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut best = None;
    search(doc.as_table(), "", offset, &mut best);
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(Path::new("c.toml"), text).unwrap_err().message
    }

    #[test]
    fn dotted_keys_and_inline_tables_report_their_own_line() {
        for (text, want) in [
            (
                "[scheduler]\n\nclasses.gpu.concurrency = 0\n",
                "c.toml:3: key `scheduler.classes.gpu.concurrency`",
            ),
            (
                "[scheduler.classes]\ncpu_long = { timeout_s = 1 }\ngpu = {\n  concurrency = 0,\n}\n",
                "c.toml:4: key `scheduler.classes.gpu.concurrency`",
            ),
            (
                "project = \"p\"\nscheduler = { max_attempts = 0 }\n",
                "c.toml:2: key `scheduler.max_attempts`",
            ),
            (
                "\nscheduler.classes.tpu.concurrency = 1\n",
                "c.toml:2: key `scheduler.classes.tpu`: unknown task class",
            ),
            ("\n\nports.redis = 0\n", "c.toml:3: key `ports.redis`"),
        ] {
            let err = error(text);
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn line_of_key_finds_dotted_and_inline_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "gpu = true\nports.redis = 7000\n[services]\nollama = true\nx = { y = 1 }\n",
        )
        .unwrap();
        assert_eq!(line_of_key(&path, "ports", "redis"), Some(2));
        assert_eq!(line_of_key(&path, "services", "ollama"), Some(4));
        assert_eq!(line_of_key(&path, "services.x", "y"), Some(5));
        assert_eq!(line_of_key(&path, "", "gpu"), Some(1));
        assert_eq!(line_of_key(&path, "services", "nosuch"), None);
    }

    #[test]
    fn serde_errors_name_the_key_that_holds_them() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct F {
            a: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u16>>,
        }
        let text = "[a]\nredis.port = \"high\"\n";
        let e = toml::from_str::<F>(text).unwrap_err();
        let err = toml_error(Path::new("s.toml"), text, &e).message;
        assert!(err.starts_with("s.toml:2: key `a.redis.port`"), "{err}");
    }
}
