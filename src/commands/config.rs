//! `dspy-agent config show|init|path|set|services`.

use serde_json::json;

use crate::cli::ConfigCommand;
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};
use crate::settings::{self, Settings, keys};
use crate::state::{StateFile, ensure_home, write_atomic};

pub fn run(ctx: &Ctx, command: ConfigCommand) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    match command {
        ConfigCommand::Show => show(ctx, &settings),
        ConfigCommand::Init { force } => init(ctx, &settings, force),
        ConfigCommand::Path => path(ctx, &settings),
        ConfigCommand::Set { key, value } => set(ctx, &settings, &key, &value),
        ConfigCommand::Services => services(ctx, &settings),
    }?;
    Ok(ExitStatus::Success)
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
    write_atomic(&path, settings::docs::default_config_toml().as_bytes())?;
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
    let item = checked_value(ctx, settings, key, value)?;
    let path = settings.config_path();
    ensure_home(&settings.home.value)?;
    // Held until the new file is in place: two `config set` never lose one another's edit.
    let _lock = StateFile::new(&settings.home.value).exclusive()?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    // Tables on the way (`scheduler`, `scheduler.classes.gpu`, `ports`) are made as needed.
    let parts: Vec<&str> = key.split('.').collect();
    let (last, tables) = parts.split_last().unwrap_or((&key, &[]));
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for t in tables {
        let entry = table.entry(t).or_insert_with(|| {
            // Only a table that holds values gets a header of its own.
            let mut new = toml_edit::Table::new();
            new.set_implicit(true);
            toml_edit::Item::Table(new)
        });
        table = entry.as_table_like_mut().ok_or_else(|| {
            Error::usage(format!(
                "{}: `{t}` is not a table; fix it by hand",
                path.display()
            ))
        })?;
    }
    table.insert(last, toml_edit::value(item.clone()));
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

/// KEY checked against the keys table (and a family's member against the catalog), VALUE by
/// the key's kind, as config.toml will hold it.
fn checked_value(
    ctx: &Ctx,
    settings: &Settings,
    name: &str,
    value: &str,
) -> Result<toml_edit::Value> {
    let bad = |why: &str| Error::usage(format!("config set {name}: {why}"));
    let key = keys::find(name).ok_or_else(|| {
        Error::usage(format!(
            "unknown key `{name}` (settable: {})",
            keys::settable()
        ))
    })?;
    if let Some(why) = key.deprecated {
        return Err(bad(&format!("deprecated and ignored ({why})")));
    }
    if !key.in_file {
        return Err(bad(&format!(
            "not a config.toml setting (set it with {})",
            key.sources()
        )));
    }
    if key.family {
        let member = &name[key.name.len() + 1..];
        let catalog = ctx.catalog(settings)?;
        let serve_ports = ["orchestrator", "env_manager", "http"];
        let known = catalog.services.contains_key(member)
            || (key.name == "ports" && serve_ports.contains(&member));
        if !known {
            return Err(bad(&format!("unknown service `{member}`")));
        }
    }
    let value = key.kind.parse(value).map_err(|why| bad(&why))?;
    value.to_toml().ok_or_else(|| bad("no value"))
}

fn services(ctx: &Ctx, settings: &Settings) -> Result<()> {
    let catalog = ctx.catalog(settings)?;
    crate::graph::validate(&catalog)?;
    if ctx.printer.json {
        // Resolved values, with those of secret-looking keys hidden.
        let mut list = Vec::new();
        for svc in catalog.services.values() {
            let mut v = serde_json::to_value(svc)
                .map_err(|e| Error::runtime(format!("cannot encode service: {e}")))?;
            if let Some(env) = v.get_mut("env").and_then(|e| e.as_object_mut()) {
                for (key, value) in env.iter_mut() {
                    if crate::catalog::is_secret_key(key) {
                        *value = json!("********");
                    }
                }
            }
            list.push(v);
        }
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
