//! Variables in the services file, as compose has them: `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?message}`, `${VAR?message}` and `$$` for a literal `$`. Values come
//! from the environment first, then from a `.env` file (beside the services file, or
//! `--env-file`). `.env` values may refer to one another; a cycle is refused.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::settings::line_at;

/// One `KEY=value` line of an env file.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvLine {
    pub key: String,
    pub value: String,
    pub line: usize,
    /// Single-quoted values are taken as written, without interpolation.
    pub literal: bool,
}

/// Parse a dotenv file: `KEY=value`, `export KEY=value`, `#` comments, blank lines, values
/// single- or double-quoted or bare (a bare value ends at ` #`). Anything else is exit 2 naming
/// the file and line.
pub fn parse_env_file(path: &Path, text: &str) -> Result<Vec<EnvLine>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let bad = |why: &str| Error::usage(format!("{}:{line}: {why}", path.display()));
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").map(str::trim_start).unwrap_or(t);
        let (key, rest) = t.split_once('=').ok_or_else(|| bad("expected KEY=value"))?;
        let key = key.trim();
        if !is_var_name(key) {
            return Err(bad(&format!(
                "{key:?} is not a variable name (letters, digits and '_', not starting with a digit)"
            )));
        }
        let rest = rest.trim_start();
        let (value, literal) = if let Some(body) = rest.strip_prefix('\'') {
            let end = body
                .find('\'')
                .ok_or_else(|| bad("unterminated single quote"))?;
            trailing_ok(&body[end + 1..]).map_err(|w| bad(&w))?;
            (body[..end].to_string(), true)
        } else if let Some(body) = rest.strip_prefix('"') {
            let (value, used) =
                double_quoted(body).ok_or_else(|| bad("unterminated double quote"))?;
            trailing_ok(&body[used..]).map_err(|w| bad(&w))?;
            (value, false)
        } else {
            let value = match rest.find(" #") {
                Some(at) => &rest[..at],
                None => rest,
            };
            (value.trim_end().to_string(), false)
        };
        out.push(EnvLine {
            key: key.to_string(),
            value,
            line,
            literal,
        });
    }
    Ok(out)
}

/// After a closing quote only blanks and a comment may follow.
fn trailing_ok(rest: &str) -> std::result::Result<(), String> {
    let rest = rest.trim_start();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected {rest:?} after the closing quote"))
    }
}

/// A double-quoted body up to its closing quote, with `\n`, `\t`, `\"` and `\\` unescaped.
/// Returns the value and the bytes used, closing quote included.
fn double_quoted(body: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                other @ ('"' | '\\') => value.push(other),
                // Kept as written: `\$` must still reach the interpolation as `\$`.
                other => {
                    value.push('\\');
                    value.push(other);
                }
            },
            c => value.push(c),
        }
    }
    None
}

pub fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The environment, as a function (the process's, or a test's).
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// Where variables come from: the environment, then the `.env` file.
pub struct Vars {
    env: EnvLookup,
    dotenv_path: PathBuf,
    dotenv: BTreeMap<String, EnvLine>,
    /// `.env` values already resolved, and the chain being resolved (for cycles).
    resolved: RefCell<BTreeMap<String, String>>,
    resolving: RefCell<Vec<String>>,
}

/// Why a value could not be interpolated; the caller adds the file and line.
#[derive(Debug)]
enum VarError {
    Required {
        name: String,
        message: String,
    },
    Syntax(String),
    /// Already a full error (a cycle or a required variable inside `.env`).
    Located(Error),
}

impl Vars {
    /// The environment of this process and the `.env` file at `dotenv_path`. `required` makes a
    /// missing file an error (an explicit `--env-file`).
    pub fn load(dotenv_path: &Path, required: bool) -> Result<Vars> {
        Self::with_env(dotenv_path, required, Box::new(|k| std::env::var(k).ok()))
    }

    /// Only the environment (no `.env`): what `merge` uses on its own.
    pub fn environment_only() -> Vars {
        Vars {
            env: Box::new(|k| std::env::var(k).ok()),
            dotenv_path: PathBuf::new(),
            dotenv: BTreeMap::new(),
            resolved: RefCell::default(),
            resolving: RefCell::default(),
        }
    }

    pub fn with_env(dotenv_path: &Path, required: bool, env: EnvLookup) -> Result<Vars> {
        let lines = match std::fs::read_to_string(dotenv_path) {
            Ok(text) => parse_env_file(dotenv_path, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => vec![],
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read env file {}: {e}",
                    dotenv_path.display()
                )));
            }
        };
        Ok(Vars {
            env,
            dotenv_path: dotenv_path.to_path_buf(),
            // A later line wins, as in a shell.
            dotenv: lines.into_iter().map(|l| (l.key.clone(), l)).collect(),
            resolved: RefCell::default(),
            resolving: RefCell::default(),
        })
    }

    fn lookup(&self, name: &str) -> std::result::Result<Option<String>, VarError> {
        if let Some(v) = (self.env)(name) {
            return Ok(Some(v));
        }
        let Some(entry) = self.dotenv.get(name) else {
            return Ok(None);
        };
        if entry.literal {
            return Ok(Some(entry.value.clone()));
        }
        if let Some(v) = self.resolved.borrow().get(name) {
            return Ok(Some(v.clone()));
        }
        let at = |what: String| {
            Error::usage(format!(
                "{}:{}: {what}",
                self.dotenv_path.display(),
                entry.line
            ))
        };
        if let Some(start) = self.resolving.borrow().iter().position(|n| n == name) {
            let mut chain = self.resolving.borrow()[start..].to_vec();
            chain.push(name.to_string());
            return Err(VarError::Located(at(format!(
                "variable cycle: {}",
                chain.join(" -> ")
            ))));
        }
        self.resolving.borrow_mut().push(name.to_string());
        let value = self.expand(&entry.value);
        self.resolving.borrow_mut().pop();
        let value = value.map_err(|e| match e {
            VarError::Required { name, message } => {
                VarError::Located(at(required_message(&name, &message)))
            }
            VarError::Syntax(why) => VarError::Located(at(format!("variable `{name}`: {why}"))),
            located => located,
        })?;
        self.resolved
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        Ok(Some(value))
    }

    /// Replace every `${...}` of `s`.
    fn expand(&self, s: &str) -> std::result::Result<String, VarError> {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(r) = after.strip_prefix('$') {
                out.push('$');
                rest = r;
            } else if let Some(body) = after.strip_prefix('{') {
                let end = closing_brace(body)
                    .ok_or_else(|| VarError::Syntax(format!("unclosed `${{` in {s:?}")))?;
                out.push_str(&self.placeholder(&body[..end])?);
                rest = &body[end + 1..];
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// One placeholder's inside: `NAME`, `NAME:-default`, `NAME-default`, `NAME:?msg`, `NAME?msg`.
    fn placeholder(&self, inner: &str) -> std::result::Result<String, VarError> {
        let name_end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let (name, op) = inner.split_at(name_end);
        if !is_var_name(name) {
            return Err(VarError::Syntax(format!(
                "`${{{inner}}}` does not start with a variable name"
            )));
        }
        let value = self.lookup(name)?;
        let (empty_counts, op) = match op.strip_prefix(':') {
            Some(op) => (true, op),
            None => (false, op),
        };
        let set = value
            .as_deref()
            .is_some_and(|v| !(empty_counts && v.is_empty()));
        match op.chars().next() {
            None if !empty_counts => Ok(value.unwrap_or_default()),
            Some('-') => match set {
                true => Ok(value.unwrap_or_default()),
                false => self.expand(&op[1..]),
            },
            Some('?') => match set {
                true => Ok(value.unwrap_or_default()),
                false => Err(VarError::Required {
                    name: name.to_string(),
                    message: self.expand(&op[1..])?,
                }),
            },
            _ => Err(VarError::Syntax(format!(
                "`${{{inner}}}`: expected `}}`, `:-`, `-`, `:?` or `?` after the name"
            ))),
        }
    }

    /// Interpolate `s`, an error naming `file` and `line`.
    pub fn interpolate(&self, s: &str, file: &Path, line: usize) -> Result<String> {
        self.expand(s).map_err(|e| match e {
            VarError::Required { name, message } => Error::usage(format!(
                "{}:{line}: {}",
                file.display(),
                required_message(&name, &message)
            )),
            VarError::Syntax(why) => Error::usage(format!("{}:{line}: {why}", file.display())),
            VarError::Located(e) => e,
        })
    }

    /// Interpolate every string value of a TOML document (keys are left alone), keeping every
    /// other byte, so that later errors still name the right lines.
    pub fn interpolate_toml(&self, path: &Path, text: &str) -> Result<String> {
        let Ok(doc) = toml_edit::Document::parse(text) else {
            // The TOML parser of `merge` reports it with its line.
            return Ok(text.to_string());
        };
        let mut edits = Vec::new();
        for (_, item) in doc.as_table().iter() {
            self.walk_item(item, path, text, &mut edits)?;
        }
        let mut out = text.to_string();
        edits.sort_by_key(|(span, _): &(std::ops::Range<usize>, String)| {
            std::cmp::Reverse(span.start)
        });
        for (span, repr) in edits {
            out.replace_range(span, &repr);
        }
        Ok(out)
    }

    fn walk_item(
        &self,
        item: &toml_edit::Item,
        path: &Path,
        text: &str,
        edits: &mut Vec<(std::ops::Range<usize>, String)>,
    ) -> Result<()> {
        match item {
            toml_edit::Item::Value(v) => self.walk_value(v, path, text, edits),
            toml_edit::Item::Table(t) => t
                .iter()
                .try_for_each(|(_, i)| self.walk_item(i, path, text, edits)),
            toml_edit::Item::ArrayOfTables(a) => a.iter().try_for_each(|t| {
                t.iter()
                    .try_for_each(|(_, i)| self.walk_item(i, path, text, edits))
            }),
            toml_edit::Item::None => Ok(()),
        }
    }

    fn walk_value(
        &self,
        value: &toml_edit::Value,
        path: &Path,
        text: &str,
        edits: &mut Vec<(std::ops::Range<usize>, String)>,
    ) -> Result<()> {
        match value {
            toml_edit::Value::String(s) if s.value().contains('$') => {
                let Some(span) = s.span() else {
                    return Ok(());
                };
                let line = line_at(text, span.start);
                let new = self.interpolate(s.value(), path, line)?;
                if new != *s.value() {
                    let repr = toml_edit::Value::from(new.as_str()).to_string();
                    edits.push((span, repr.trim().to_string()));
                }
                Ok(())
            }
            toml_edit::Value::Array(a) => a
                .iter()
                .try_for_each(|v| self.walk_value(v, path, text, edits)),
            toml_edit::Value::InlineTable(t) => t
                .iter()
                .try_for_each(|(_, v)| self.walk_value(v, path, text, edits)),
            _ => Ok(()),
        }
    }
}

fn required_message(name: &str, message: &str) -> String {
    if message.is_empty() {
        format!("variable `{name}` is required but not set")
    } else {
        format!("variable `{name}` is required but not set: {message}")
    }
}

/// The index of the `}` that closes a `${` whose body starts `body`, nested `${...}` allowed.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Keys whose values `config services --json` hides.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    ["_KEY", "_TOKEN", "_PASSWORD", "_SECRET"]
        .iter()
        .any(|s| k.ends_with(s) || k == s[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(env: &[(&str, &str)], dotenv: &str) -> Vars {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, dotenv).unwrap();
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Vars::with_env(&path, true, Box::new(move |k| env.get(k).cloned())).unwrap()
    }

    fn expand(v: &Vars, s: &str) -> Result<String> {
        v.interpolate(s, Path::new("services.toml"), 7)
    }

    #[test]
    fn forms_and_precedence() {
        let v = vars(
            &[("A", "env-a"), ("EMPTY", "")],
            "A=file-a\nB=file-b\nC=\"x ${B} y\"\nD='${B}'\nexport E=e # comment\n",
        );
        assert_eq!(expand(&v, "${A}/${B}").unwrap(), "env-a/file-b");
        assert_eq!(expand(&v, "${C}").unwrap(), "x file-b y");
        assert_eq!(expand(&v, "${D}").unwrap(), "${B}");
        assert_eq!(expand(&v, "${E}").unwrap(), "e");
        assert_eq!(
            expand(&v, "${NOPE:-d}|${EMPTY:-d}|${EMPTY-d}").unwrap(),
            "d|d|"
        );
        assert_eq!(expand(&v, "${NOPE:-${B}}").unwrap(), "file-b");
        assert_eq!(expand(&v, "$$HOME $x").unwrap(), "$HOME $x");
        assert_eq!(expand(&v, "${NOPE}").unwrap(), "");
    }

    #[test]
    fn required_names_file_line_and_variable() {
        let v = vars(&[], "");
        let e = expand(&v, "${TOKEN:?set it in .env}").unwrap_err();
        assert_eq!(e.code, crate::error::Code::Usage);
        assert!(e.message.starts_with("services.toml:7:"), "{}", e.message);
        assert!(
            e.message.contains("`TOKEN`") && e.message.contains("set it in .env"),
            "{}",
            e.message
        );
        assert!(expand(&v, "${A:x}").is_err());
        assert!(expand(&v, "${A").is_err());
        assert!(expand(&v, "${1A}").is_err());
    }

    #[test]
    fn cycles_are_refused() {
        let v = vars(&[], "A=${B}\nB=x${C}\nC=${A}\n");
        let e = expand(&v, "${A}").unwrap_err();
        assert!(e.message.contains("variable cycle"), "{}", e.message);
        assert!(e.message.contains(".env:"), "{}", e.message);
    }

    #[test]
    fn env_file_errors_name_the_line() {
        let p = Path::new("x.env");
        let e = parse_env_file(p, "A=1\n\nthis is not\n").unwrap_err();
        assert_eq!(e.message, "x.env:3: expected KEY=value");
        assert!(
            parse_env_file(p, "A=\"open\n")
                .unwrap_err()
                .message
                .starts_with("x.env:1:")
        );
        assert!(parse_env_file(p, "1A=x\n").is_err());
        assert!(parse_env_file(p, "A='x' y\n").is_err());
        let ok = parse_env_file(p, "A=\"a\\n\\\"b\" # c\n").unwrap();
        assert_eq!(ok[0].value, "a\n\"b");
    }

    #[test]
    fn toml_values_are_interpolated_in_place() {
        let v = vars(&[("IMG", "redis:7")], "PASS=p\"w\n");
        let text = "[services.redis]\nimage = \"${IMG}\"\n[services.redis.env]\nREDIS_PASSWORD = '${PASS}'\nK = \"$${IMG}\"\n";
        let out = v.interpolate_toml(Path::new("s.toml"), text).unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        let redis = &doc["services"]["redis"];
        assert_eq!(redis["image"].as_str(), Some("redis:7"));
        assert_eq!(redis["env"]["REDIS_PASSWORD"].as_str(), Some("p\"w"));
        assert_eq!(redis["env"]["K"].as_str(), Some("${IMG}"));
        assert_eq!(out.lines().count(), text.lines().count());
        let e = v
            .interpolate_toml(Path::new("s.toml"), "[a]\nb = 1\nc = [\"${X:?}\"]\n")
            .unwrap_err();
        assert!(e.message.starts_with("s.toml:3:"), "{}", e.message);
    }

    #[test]
    fn secret_keys() {
        for k in [
            "OPENAI_API_KEY",
            "hf_token",
            "DB_PASSWORD",
            "X_SECRET",
            "TOKEN",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["KEYS", "PATH", "TOKENIZER"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
