//! Setting values and their kinds. A kind knows how to read a value from text (a flag, the
//! environment, `config set`) and from a TOML item (config.toml), what it accepts, and rejects
//! anything else with a sentence.

use crate::error::{Error, Result};

/// A setting's value, whatever its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(u64),
    Float(f64),
    Text(String),
    /// No value (an optional setting nobody set).
    Unset,
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(b) => (*b).into(),
            Value::Int(n) => (*n).into(),
            Value::Float(f) => (*f).into(),
            Value::Text(s) => s.as_str().into(),
            Value::Unset => serde_json::Value::Null,
        }
    }

    /// As config.toml holds it (None for Unset).
    pub fn to_toml(&self) -> Option<toml_edit::Value> {
        Some(match self {
            Value::Bool(b) => (*b).into(),
            Value::Int(n) => i64::try_from(*n).unwrap_or(i64::MAX).into(),
            Value::Float(f) => (*f).into(),
            Value::Text(s) => s.as_str().into(),
            Value::Unset => return None,
        })
    }

    /// TOML text for the docs (`"127.0.0.1:9098"`, `true`, `30`).
    pub fn literal(&self) -> String {
        match self {
            Value::Text(s) => format!("{s:?}"),
            Value::Unset => String::new(),
            // Seconds read integers too: `30` rather than `30.0`.
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            other => other.to_json().to_string(),
        }
    }
}

/// What a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Any string.
    Text,
    /// A shell command (run by `sh -c`); blank means none.
    Command,
    /// A file or directory.
    Path,
    /// A project name (see `validate_project`).
    Project,
    /// HOST:PORT, `:PORT` meaning loopback (see `normalize_addr`).
    Addr,
    Bool,
    /// A whole number from `min` to `max`.
    Int {
        min: u64,
        max: u64,
    },
    /// A finite number of seconds up to `max`: 0 or more, or more than 0 unless `zero_ok`.
    Seconds {
        zero_ok: bool,
        max: f64,
    },
    /// A host port, 1-65535.
    Port,
}

impl Kind {
    /// What the kind accepts, as the end of "expected ...".
    pub fn expects(&self) -> String {
        match *self {
            Kind::Text | Kind::Path => "a string".into(),
            Kind::Command => "a shell command (a string)".into(),
            Kind::Project => "a project name (a string)".into(),
            Kind::Addr => "an address HOST:PORT (a string)".into(),
            Kind::Bool => "true or false".into(),
            Kind::Int { min, max: u64::MAX } => format!("a whole number, {min} or more"),
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Seconds { zero_ok, max } => {
                let low = if zero_ok { "0 or more" } else { "more than 0" };
                if max < f64::MAX {
                    format!("a number of seconds, {low}, at most {max}")
                } else {
                    format!("a number of seconds, {low}")
                }
            }
            Kind::Port => "a port 1-65535".into(),
        }
    }

    fn expected(&self, got: impl std::fmt::Display) -> String {
        format!("expected {}, got {got}", self.expects())
    }

    /// Read a value given as text: a flag, an environment variable, `config set`.
    pub fn parse(&self, text: &str) -> std::result::Result<Value, String> {
        let bad = || self.expected(format!("{text:?}"));
        match *self {
            Kind::Text | Kind::Command | Kind::Path => Ok(Value::Text(text.to_string())),
            Kind::Project => validate_project(text)
                .map(|()| Value::Text(text.to_string()))
                .map_err(|e| e.message),
            Kind::Addr => normalize_addr(text).map(Value::Text).map_err(|e| e.message),
            Kind::Bool => parse_bool(text).map(Value::Bool).ok_or_else(bad),
            Kind::Int { .. } => {
                let n = text.trim().parse::<u64>().map_err(|_| bad())?;
                self.whole(n).map_err(|_| bad())
            }
            Kind::Seconds { .. } => {
                let s = text.trim().parse::<f64>().map_err(|_| bad())?;
                self.seconds(s).map_err(|_| bad())
            }
            Kind::Port => {
                let n = text.trim().parse::<u64>().map_err(|_| bad())?;
                self.whole(n).map_err(|_| bad())
            }
        }
    }

    /// Read a value from config.toml, where it must have the right TOML type.
    pub fn from_item(&self, item: &toml_edit::Item) -> std::result::Result<Value, String> {
        use toml_edit::Value as T;
        let Some(value) = item.as_value() else {
            return Err(self.expected("a table"));
        };
        match (*self, value) {
            (
                Kind::Text | Kind::Command | Kind::Path | Kind::Project | Kind::Addr,
                T::String(s),
            ) => self.parse(s.value()),
            (Kind::Bool, T::Boolean(b)) => Ok(Value::Bool(*b.value())),
            (Kind::Int { .. } | Kind::Port, T::Integer(i)) => {
                let n = *i.value();
                u64::try_from(n)
                    .map_err(|_| self.expected(n))
                    .and_then(|n| self.whole(n))
            }
            (Kind::Seconds { .. }, T::Integer(i)) => self.seconds(*i.value() as f64),
            (Kind::Seconds { .. }, T::Float(f)) => self.seconds(*f.value()),
            (_, other) => Err(self.expected(type_name(other))),
        }
    }

    fn whole(&self, n: u64) -> std::result::Result<Value, String> {
        let (min, max) = match *self {
            Kind::Int { min, max } => (min, max),
            _ => (1, 65535),
        };
        if (min..=max).contains(&n) {
            Ok(Value::Int(n))
        } else {
            Err(self.expected(n))
        }
    }

    fn seconds(&self, s: f64) -> std::result::Result<Value, String> {
        let Kind::Seconds { zero_ok, max } = *self else {
            return Err(self.expected(s));
        };
        let low_ok = if zero_ok { s >= 0.0 } else { s > 0.0 };
        if s.is_finite() && low_ok && s <= max {
            Ok(Value::Float(s))
        } else {
            Err(self.expected(s))
        }
    }
}

fn type_name(v: &toml_edit::Value) -> &'static str {
    use toml_edit::Value as T;
    match v {
        T::String(_) => "a string",
        T::Integer(_) => "an integer",
        T::Float(_) => "a float",
        T::Boolean(_) => "a boolean",
        T::Datetime(_) => "a date",
        T::Array(_) => "an array",
        T::InlineTable(_) => "a table",
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Accept `host:port`, `:port` (Go style, as in ORCHESTRATOR_GRPC_ADDR=":9098") and `[v6]:port`.
/// A missing host means loopback: this tool never listens on all interfaces unless told to.
/// Port 0 lets `serve` pick free ports (tests do this); the bound ones are recorded in the state.
pub fn normalize_addr(addr: &str) -> Result<String> {
    let addr = addr.trim();
    let (host, port) = addr.rsplit_once(':').ok_or_else(|| {
        Error::usage(format!("address {addr:?} has no port (expected HOST:PORT)"))
    })?;
    let port: u16 = port.parse().ok().ok_or_else(|| {
        Error::usage(format!(
            "address {addr:?} has a bad port (expected 0-65535)"
        ))
    })?;
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    if host.contains(char::is_whitespace) || host.contains('/') {
        return Err(Error::usage(format!("address {addr:?} has a bad host")));
    }
    Ok(format!("{host}:{port}"))
}

/// Whether `name` can be part of a Docker object name (a project or a service): 1-63 lowercase
/// letters, digits, '-' or '_', starting with a letter or digit.
pub fn is_object_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Project names become Docker object names, so keep them to what Docker accepts.
pub fn validate_project(name: &str) -> Result<()> {
    if is_object_name(name) {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "project name {name:?} is invalid: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_text_and_reject_what_they_do_not_accept() {
        let secs = Kind::Seconds {
            zero_ok: true,
            max: 3600.0,
        };
        assert_eq!(secs.parse("2.5"), Ok(Value::Float(2.5)));
        for bad in ["inf", "NaN", "-1", "3601", "soon"] {
            let err = secs.parse(bad).unwrap_err();
            assert!(err.contains("seconds"), "{bad}: {err}");
        }
        let int = Kind::Int { min: 1, max: 100 };
        assert_eq!(int.parse("7"), Ok(Value::Int(7)));
        assert!(int.parse("0").unwrap_err().contains("from 1 to 100"));
        assert!(int.parse("-1").is_err());
        assert!(Kind::Port.parse("0").is_err());
        assert!(Kind::Port.parse("65536").is_err());
        assert_eq!(Kind::Bool.parse("yes"), Ok(Value::Bool(true)));
        assert_eq!(
            Kind::Addr.parse(":9098"),
            Ok(Value::Text("127.0.0.1:9098".into()))
        );
        assert!(Kind::Project.parse("Bad Name").is_err());
    }

    #[test]
    fn file_values_need_the_right_toml_type() {
        let doc: toml_edit::DocumentMut = "b = \"yes\"\ni = -1\nf = 1.5\nt = { x = 1 }\n"
            .parse()
            .unwrap();
        assert!(
            Kind::Bool
                .from_item(&doc["b"])
                .unwrap_err()
                .contains("a string")
        );
        let int = Kind::Int { min: 0, max: 9 };
        assert!(int.from_item(&doc["i"]).is_err());
        let secs = Kind::Seconds {
            zero_ok: false,
            max: f64::MAX,
        };
        assert_eq!(secs.from_item(&doc["f"]), Ok(Value::Float(1.5)));
        assert!(
            Kind::Text
                .from_item(&doc["t"])
                .unwrap_err()
                .contains("a table")
        );
    }

    #[test]
    fn addresses_normalize() {
        assert_eq!(normalize_addr(":9098").unwrap(), "127.0.0.1:9098");
        assert_eq!(normalize_addr("0.0.0.0:50100").unwrap(), "0.0.0.0:50100");
        assert!(normalize_addr("localhost").is_err());
        assert_eq!(normalize_addr("h:0").unwrap(), "h:0");
        assert!(normalize_addr("h:x").is_err());
    }
}
