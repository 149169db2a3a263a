//! Text made from the keys table: the commented config.toml that `config init` writes, and the
//! settings table of the README (a test fails when the README's copy is stale).

use super::default_enabled_services;
use super::keys::{self, DefaultValue, Key};

/// Where the README's generated table starts and ends.
pub const README_BEGIN: &str = "<!-- settings table: generated from src/settings/keys.rs -->";
pub const README_END: &str = "<!-- end of settings table -->";

fn default_text(key: &Key) -> String {
    match &key.default {
        DefaultValue::Value(v) => v.literal(),
        DefaultValue::Unset => String::new(),
        DefaultValue::Computed(how) => how.to_string(),
    }
}

/// The table a key is written in, and its name there.
fn split(key: &Key) -> (&str, &str) {
    if key.family {
        return (&key.name, "");
    }
    key.name.rsplit_once('.').unwrap_or(("", &key.name))
}

/// The text `config init` writes: every key config.toml takes, commented, with its default.
pub fn default_config_toml() -> String {
    let mut out = String::from(
        "# dspy-agent settings. Precedence: CLI flag > environment > this file > defaults.\n\
         # `dspy-agent config show` prints every effective value and where it came from.\n",
    );
    out += "# Set only by flag or environment:\n";
    for k in keys::all().iter().filter(|k| !k.in_file) {
        out += &format!("#   {}: {}\n", k.name, k.sources());
    }
    let mut section = "";
    for key in keys::all()
        .iter()
        .filter(|k| k.in_file && k.deprecated.is_none())
    {
        let (table, name) = split(key);
        // Tables under [scheduler.classes] are commented out whole.
        let hash = if table.matches('.').count() >= 2 {
            "# "
        } else {
            ""
        };
        if table != section {
            out += &format!("\n{hash}[{table}]\n");
            section = table;
        } else {
            out.push('\n');
        }
        let env = if key.env.is_empty() {
            String::new()
        } else {
            format!(" (env {})", key.env.join(", "))
        };
        out += &format!("# {}{env}.\n", key.doc);
        match (key.family, key.name.as_str()) {
            (true, "services") => {
                for (service, on) in default_enabled_services() {
                    out += &format!("{service} = {on}\n");
                }
            }
            (true, _) => {
                if let Some(example) = key.example {
                    out += &format!("# {example}\n");
                }
            }
            (false, _) => {
                let default = match (&key.default, key.example) {
                    (DefaultValue::Value(v), _) => v.literal(),
                    (_, Some(example)) => example.to_string(),
                    _ => "\"...\"".into(),
                };
                out += &format!("# {name} = {default}\n");
            }
        }
    }
    out
}

/// The README's settings table (between README_BEGIN and README_END).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| key | default | flag / environment | what |\n|---|---|---|---|\n");
    let mut done: Vec<String> = Vec::new();
    for key in keys::all().iter().filter(|k| k.deprecated.is_none()) {
        let pattern = key.pattern();
        if done.contains(&pattern) {
            continue;
        }
        done.push(pattern.clone());
        // One row for the four classes: their defaults side by side, the env var as a pattern.
        let same: Vec<&Key> = keys::all()
            .iter()
            .filter(|k| k.pattern() == pattern)
            .collect();
        let default = match key.class {
            Some(_) => same
                .iter()
                .filter(|k| k.default != DefaultValue::Unset)
                .map(|k| format!("{} ({})", default_text(k), k.class.unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", "),
            None => default_text(key),
        };
        let mut sources: Vec<String> = key.flag.map(|f| format!("`{f}`")).into_iter().collect();
        sources.extend(key.env.iter().map(|var| match key.class {
            Some(class) => format!("`{}`", var.replace(&class.to_ascii_uppercase(), "<CLASS>")),
            None => format!("`{var}`"),
        }));
        let mut sources = sources.join(", ");
        if !key.in_file {
            sources += " (not in config.toml)";
        }
        let cell = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("`{s}`")
            }
        };
        out += &format!(
            "| {} | {} | {} | {} |\n",
            cell(&pattern),
            if key.class.is_some() || matches!(key.default, DefaultValue::Computed(_)) {
                default
            } else {
                cell(&default)
            },
            sources,
            key.doc.replace('|', "\\|")
        );
    }
    let deprecated: Vec<String> = keys::all()
        .iter()
        .filter_map(|k| k.deprecated.map(|why| format!("`{}` ({why})", k.name)))
        .collect();
    if !deprecated.is_empty() {
        out += &format!(
            "\nDeprecated, still accepted with a warning, and ignored: {}.\n",
            deprecated.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table is generated: with DSPY_AGENT_BLESS=1 this test rewrites it
    /// (scripts/gen-docs.sh does), otherwise it fails when the copy is stale.
    #[test]
    fn readme_settings_table_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (before, rest) = readme
            .split_once(README_BEGIN)
            .expect("README_BEGIN marker");
        let (current, after) = rest.split_once(README_END).expect("README_END marker");
        let want = format!("\n{}", markdown_table());
        if current == want {
            return;
        }
        if std::env::var_os("DSPY_AGENT_BLESS").is_some() {
            std::fs::write(
                &path,
                format!("{before}{README_BEGIN}{want}{README_END}{after}"),
            )
            .unwrap();
            return;
        }
        panic!(
            "README.md's settings table is stale: run scripts/gen-docs.sh\n--- want ---\n{want}"
        );
    }

    #[test]
    fn every_key_has_a_doc_line_and_the_init_file_lists_it() {
        let text = default_config_toml();
        for key in keys::all() {
            assert!(!key.doc.is_empty(), "{}", key.name);
            let (_, name) = split(key);
            if key.in_file && key.deprecated.is_none() && !key.family {
                assert!(text.contains(&format!("# {name} = ")), "{}", key.name);
            }
        }
        assert!(!text.contains("workspace"));
    }
}
