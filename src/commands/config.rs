//! `dspy-agent config show|init|path|set|services`.

use serde_json::json;

use crate::cli::ConfigCommand;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::settings::{
    self, DEFAULT_CONFIG_TOML, SETTABLE_KEYS, Settings, normalize_addr, parse_bool,
};
use crate::state::{StateFile, ensure_home, write_atomic};

pub fn run(ctx: &Ctx, command: ConfigCommand) -> Result<()> {
    let settings = ctx.settings()?;
    match command {
        ConfigCommand::Show => show(ctx, &settings),
        ConfigCommand::Init { force } => init(ctx, &settings, force),
        ConfigCommand::Path => path(ctx, &settings),
        ConfigCommand::Set { key, value } => set(ctx, &settings, &key, &value),
        ConfigCommand::Services => services(ctx, &settings),
    }
}

fn show(ctx: &Ctx, settings: &Settings) -> Result<()> {
    let entries = settings.entries();
    if ctx.printer.json {
        let settings: Vec<_> = entries
            .iter()
            .map(|(key, value, source)| json!({"key": key, "value": value, "source": source.to_string()}))
            .collect();
        return ctx.printer.json_document(json!({ "settings": settings }));
    }
    let rows = entries
        .into_iter()
        .map(|(key, value, source)| {
            let value = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => "-".into(),
                other => other.to_string(),
            };
            vec![key, value, source.to_string()]
        })
        .collect();
    ctx.printer.table(&["key", "value", "source"], rows)
}

fn init(ctx: &Ctx, settings: &Settings, force: bool) -> Result<()> {
    let path = settings.config_path();
    if path.exists() && !force {
        return Err(Error::usage(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    ensure_home(&settings.home.value)?;
    write_atomic(&path, DEFAULT_CONFIG_TOML.as_bytes())?;
    if ctx.printer.json {
        return ctx.printer.json_document(json!({"written": path}));
    }
    ctx.printer.line(format!("wrote {}", path.display()))
}

fn path(ctx: &Ctx, settings: &Settings) -> Result<()> {
    let paths = [
        ("home", settings.home.value.clone()),
        ("config", settings.config_path()),
        ("services", settings.services_file.value.clone()),
        ("state", settings.state_path()),
        ("logs", settings.logs_dir()),
    ];
    if ctx.printer.json {
        let map: serde_json::Map<_, _> = paths
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        return ctx.printer.json_document(map);
    }
    let rows = paths
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.display().to_string()])
        .collect();
    ctx.printer.table(&["file", "path"], rows)
}

/// Validate KEY and VALUE, then edit config.toml in place, keeping its comments.
fn set(ctx: &Ctx, settings: &Settings, key: &str, value: &str) -> Result<()> {
    let item = typed_value(ctx, settings, key, value)?;
    let path = settings.config_path();
    ensure_home(&settings.home.value)?;
    // Held until the new file is in place: two `config set` never lose one another's edit.
    let _lock = StateFile::new(&settings.home.value).exclusive()?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    match key.split_once('.') {
        // scheduler.KEY or scheduler.classes.CLASS.KEY: nested tables, made as needed.
        Some(("scheduler", _)) => {
            let parts: Vec<&str> = key.split('.').collect();
            let (last, tables) = parts.split_last().unwrap_or((&key, &[]));
            let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
            for t in tables {
                let entry = table.entry(t).or_insert_with(|| {
                    // Only the innermost table gets a header of its own.
                    let mut new = toml_edit::Table::new();
                    new.set_implicit(true);
                    toml_edit::Item::Table(new)
                });
                if !entry.is_table_like() {
                    return Err(Error::usage(format!(
                        "{}: `{t}` is not a table; fix it by hand",
                        path.display()
                    )));
                }
                table = entry.as_table_like_mut().ok_or_else(|| {
                    Error::usage(format!("{}: `{t}` is not a table", path.display()))
                })?;
            }
            table.insert(last, toml_edit::value(item.clone()));
        }
        Some((table, name)) => {
            if !doc.contains_table(table) {
                doc[table] = toml_edit::table();
            }
            doc[table][name] = toml_edit::value(item.clone());
        }
        None => doc[key] = toml_edit::value(item.clone()),
    }
    let new_text = doc.to_string();
    settings::validate_config_text(&path, &new_text)?;
    write_atomic(&path, new_text.as_bytes())?;
    if ctx.printer.json {
        return ctx
            .printer
            .json_document(json!({"key": key, "value": toml_to_json(&item), "file": path}));
    }
    ctx.printer
        .line(format!("{key} = {item} in {}", path.display()))
}

fn toml_to_json(v: &toml_edit::Value) -> serde_json::Value {
    match v {
        toml_edit::Value::Boolean(b) => json!(*b.value()),
        toml_edit::Value::Integer(i) => json!(*i.value()),
        toml_edit::Value::Float(f) => json!(*f.value()),
        other => json!(other.as_str().unwrap_or_default()),
    }
}

fn typed_value(ctx: &Ctx, settings: &Settings, key: &str, value: &str) -> Result<toml_edit::Value> {
    let bad = |why: &str| Error::usage(format!("config set {key}: {why}"));
    match key.split_once('.') {
        None => match key {
            "workspace" => Ok(value.into()),
            "project" => {
                settings::validate_project(value)?;
                Ok(value.into())
            }
            "orchestrator_addr" | "env_manager_addr" | "http_addr" => {
                Ok(normalize_addr(value).map_err(|e| bad(&e.message))?.into())
            }
            "gpu" => parse_bool(value)
                .map(Into::into)
                .ok_or_else(|| bad(&format!("expected true or false, got {value:?}"))),
            _ => Err(Error::usage(format!(
                "unknown key `{key}` (settable: {SETTABLE_KEYS})"
            ))),
        },
        Some(("services", name)) => {
            let catalog = ctx.catalog(settings)?;
            if !catalog.services.contains_key(name) {
                return Err(bad(&format!("unknown service `{name}`")));
            }
            parse_bool(value)
                .map(Into::into)
                .ok_or_else(|| bad(&format!("expected true or false, got {value:?}")))
        }
        Some(("ports", name)) => {
            let catalog = ctx.catalog(settings)?;
            let serve_ports = ["orchestrator", "env_manager", "http"];
            if !catalog.services.contains_key(name) && !serve_ports.contains(&name) {
                return Err(bad(&format!("unknown service `{name}`")));
            }
            let port: u16 = value
                .parse()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(&format!("expected a port 1-65535, got {value:?}")))?;
            Ok(i64::from(port).into())
        }
        Some(("scheduler", rest)) => {
            let whole = || -> Result<toml_edit::Value> {
                value
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v >= 0)
                    .map(Into::into)
                    .ok_or_else(|| bad(&format!("expected a whole number, got {value:?}")))
            };
            let seconds = || -> Result<toml_edit::Value> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .map(Into::into)
                    .ok_or_else(|| bad(&format!("expected a number of seconds, got {value:?}")))
            };
            let parts: Vec<&str> = rest.split('.').collect();
            match parts.as_slice() {
                [
                    "max_payload_bytes" | "retention_count" | "retention_age_s"
                    | "retry_backoff_ms" | "max_attempts",
                ] => whole(),
                ["shutdown_timeout_s"] => seconds(),
                ["classes", class, field] if settings::TASK_CLASSES.contains(class) => match *field
                {
                    "concurrency" => whole(),
                    "timeout_s" => seconds(),
                    "handler" => Ok(value.into()),
                    _ => Err(Error::usage(format!(
                        "unknown key `{key}` (settable: {SETTABLE_KEYS})"
                    ))),
                },
                _ => Err(Error::usage(format!(
                    "unknown key `{key}` (settable: {SETTABLE_KEYS})"
                ))),
            }
        }
        _ => Err(Error::usage(format!(
            "unknown key `{key}` (settable: {SETTABLE_KEYS})"
        ))),
    }
}

fn services(ctx: &Ctx, settings: &Settings) -> Result<()> {
    let catalog = ctx.catalog(settings)?;
    crate::graph::validate(&catalog)?;
    if ctx.printer.json {
        let list: Vec<_> = catalog.services.values().collect();
        return ctx.printer.json_document(json!({ "services": list }));
    }
    let rows = catalog
        .services
        .values()
        .map(|s| {
            let ports: Vec<String> = s
                .ports
                .iter()
                .map(|p| format!("{}:{}", p.host, p.container))
                .collect();
            let enabled = settings
                .services
                .get(&s.name)
                .map(|v| v.value)
                .unwrap_or(false);
            vec![
                s.name.clone(),
                s.image.clone(),
                ports.join(","),
                format!("{:?}", s.health.kind).to_lowercase(),
                s.depends_on.join(","),
                format!("{:?}", s.gpu).to_lowercase(),
                if enabled { "yes" } else { "no" }.into(),
            ]
        })
        .collect();
    ctx.printer.table(
        &[
            "service",
            "image",
            "ports",
            "health",
            "depends_on",
            "gpu",
            "default",
        ],
        rows,
    )
}
