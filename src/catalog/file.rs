//! The services file: every field optional, unknown fields rejected, errors naming the file,
//! line, service and field.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::defaults::defaults;
use super::model::{
    Build, Catalog, GpuMode, HealthCheck, HealthKind, PortMapping, Resources, Service, VolumeMount,
};
use super::validate::check_build;
use super::vars::{Vars, parse_env_file};
use crate::error::{Error, Result};
use crate::settings::{line_at, toml_error};

/// One service entry of the services file: every field optional, unknown fields rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceOverride {
    image: Option<String>,
    command: Option<Vec<String>>,
    ports: Option<Vec<toml::Spanned<String>>>,
    env: Option<BTreeMap<String, String>>,
    volumes: Option<Vec<toml::Spanned<String>>>,
    depends_on: Option<Vec<String>>,
    gpu: Option<GpuMode>,
    init: Option<bool>,
    health: Option<HealthOverride>,
    resources: Option<ResourcesOverride>,
    env_file: Option<Vec<toml::Spanned<String>>>,
    restart: Option<toml::Spanned<String>>,
    build: Option<toml::Spanned<BuildOverride>>,
}

/// `build = { context = "dir", dockerfile = "Dockerfile", args = { K = "v" }, target = "stage" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildOverride {
    context: String,
    dockerfile: Option<String>,
    #[serde(default)]
    args: BTreeMap<String, String>,
    target: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthOverride {
    kind: Option<HealthKind>,
    port: Option<u16>,
    path: Option<String>,
    timeout_s: Option<toml::Spanned<f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourcesOverride {
    cpus: Option<toml::Spanned<f64>>,
    memory: Option<toml::Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    #[serde(default)]
    services: BTreeMap<String, ServiceOverride>,
}

/// Load the catalog: defaults, then the services file if it exists, its `${VAR}`s taken from
/// `vars`. `required` makes a missing file an error (an explicit --services-file).
pub fn load(path: &Path, required: bool, vars: &Vars) -> Result<Catalog> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(defaults()),
        Err(e) => {
            return Err(Error::usage(format!(
                "cannot read services file {}: {e}",
                path.display()
            )));
        }
    };
    let text = vars.interpolate_toml(path, &text)?;
    merge_with(defaults(), path, &text, vars)
}

/// Apply a services file's text on top of `catalog` (variables from the environment only).
pub fn merge(catalog: Catalog, path: &Path, text: &str) -> Result<Catalog> {
    let vars = Vars::environment_only();
    let text = vars.interpolate_toml(path, text)?;
    merge_with(catalog, path, &text, &vars)
}

/// Apply an already interpolated services file's text on top of `catalog`; `vars` expands the
/// values of the services' `env_file`s.
fn merge_with(mut catalog: Catalog, path: &Path, text: &str, vars: &Vars) -> Result<Catalog> {
    let file: ServicesFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    for (name, o) in file.services {
        let at = |field: &str, offset: Option<usize>, msg: String| {
            let line = offset
                .map(|o| format!("{}:", line_at(text, o)))
                .unwrap_or_default();
            Error::usage(format!(
                "{}:{line} service `{name}`, field `{field}`: {msg}",
                path.display()
            ))
        };
        validate_service_name(&name).map_err(|m| at("name", None, m))?;
        let mut svc = match catalog.services.remove(&name) {
            Some(existing) => existing,
            None => {
                // With `build` and no `image`, `resolve` names the image after the project.
                let image = match (&o.image, &o.build) {
                    (Some(image), _) => image.clone(),
                    (None, Some(_)) => String::new(),
                    (None, None) => {
                        return Err(at("image", None, "a new service needs an image".into()));
                    }
                };
                Service {
                    name: name.clone(),
                    image,
                    command: None,
                    ports: vec![],
                    env: BTreeMap::new(),
                    volumes: vec![],
                    depends_on: vec![],
                    gpu: GpuMode::None,
                    init: true,
                    health: HealthCheck {
                        kind: HealthKind::Container,
                        port: None,
                        path: "/health".into(),
                        timeout_s: 60.0,
                    },
                    resources: Resources::default(),
                    // compose's default for a service the user adds.
                    restart: "no".into(),
                    build: None,
                }
            }
        };
        if let Some(image) = o.image {
            if image.trim().is_empty() {
                return Err(at("image", None, "must not be empty".into()));
            }
            svc.image = image;
        }
        if let Some(command) = o.command {
            svc.command = Some(command);
        }
        if let Some(ports) = o.ports {
            svc.ports = ports
                .iter()
                .map(|p| {
                    parse_port_mapping(p.get_ref())
                        .map_err(|m| at("ports", Some(p.span().start), m))
                })
                .collect::<Result<_>>()?;
            // The default health port no longer exists once the ports were replaced.
            if let Some(hp) = svc.health.port
                && !svc.ports.iter().any(|p| p.container == hp)
            {
                svc.health.port = svc.ports.first().map(|p| p.container);
            }
        }
        if let Some(env) = o.env {
            // Docker takes `KEY=value` strings: an empty key, or one with `=`, would set some
            // other variable than the one written.
            if let Some(key) = env.keys().find(|k| k.is_empty() || k.contains('=')) {
                return Err(at(
                    "env",
                    None,
                    format!("key {key:?} must be non-empty and contain no '='"),
                ));
            }
            svc.env = env;
        }
        if let Some(files) = o.env_file {
            // Like compose: the files fill in, `env` wins, a later file wins over an earlier.
            let mut from_files = BTreeMap::new();
            for f in &files {
                let env_path = path.parent().unwrap_or(Path::new(".")).join(f.get_ref());
                let env_text = std::fs::read_to_string(&env_path).map_err(|e| {
                    at(
                        "env_file",
                        Some(f.span().start),
                        format!("cannot read {}: {e}", env_path.display()),
                    )
                })?;
                for l in parse_env_file(&env_path, &env_text)? {
                    let value = match l.literal {
                        true => l.value,
                        false => vars.interpolate(&l.value, &env_path, l.line)?,
                    };
                    from_files.insert(l.key, value);
                }
            }
            from_files.extend(std::mem::take(&mut svc.env));
            svc.env = from_files;
        }
        if let Some(volumes) = o.volumes {
            svc.volumes = volumes
                .iter()
                .map(|v| {
                    parse_volume(v.get_ref()).map_err(|m| at("volumes", Some(v.span().start), m))
                })
                .collect::<Result<_>>()?;
        }
        if let Some(r) = o.restart {
            svc.restart =
                parse_restart(r.get_ref()).map_err(|m| at("restart", Some(r.span().start), m))?;
        }
        if let Some(b) = o.build {
            let offset = Some(b.span().start);
            let b = b.into_inner();
            let base = path.parent().unwrap_or(Path::new("."));
            let dockerfile = b.dockerfile.unwrap_or_else(|| "Dockerfile".into());
            let (context, dockerfile) =
                check_build(base, &b.context, &dockerfile).map_err(|m| at("build", offset, m))?;
            if let Some(key) = b.args.keys().find(|k| k.is_empty() || k.contains('=')) {
                return Err(at(
                    "build.args",
                    offset,
                    format!("key {key:?} must be non-empty and contain no '='"),
                ));
            }
            if b.target.as_deref().is_some_and(|t| t.trim().is_empty()) {
                return Err(at("build.target", offset, "must not be empty".into()));
            }
            svc.build = Some(Build {
                context,
                dockerfile,
                args: b.args,
                target: b.target,
            });
        }
        if let Some(deps) = o.depends_on {
            svc.depends_on = deps;
        }
        if let Some(gpu) = o.gpu {
            svc.gpu = gpu;
        }
        if let Some(init) = o.init {
            svc.init = init;
        }
        if let Some(h) = o.health {
            if let Some(kind) = h.kind {
                svc.health.kind = kind;
            }
            if let Some(port) = h.port {
                svc.health.port = Some(port);
            }
            if let Some(path) = h.path {
                if !path.starts_with('/') {
                    return Err(at(
                        "health.path",
                        None,
                        format!("{path:?} must start with '/'"),
                    ));
                }
                // CR/LF would inject headers into the probe's request.
                if path.chars().any(crate::health::is_control) {
                    return Err(at(
                        "health.path",
                        None,
                        format!("{path:?} must not contain control characters"),
                    ));
                }
                svc.health.path = path;
            }
            if let Some(t) = h.timeout_s {
                let v = *t.get_ref();
                if !(v > 0.0 && v <= 86_400.0) {
                    return Err(at(
                        "health.timeout_s",
                        Some(t.span().start),
                        format!("{v} must be between 0 and 86400 seconds"),
                    ));
                }
                svc.health.timeout_s = v;
            }
        }
        if let Some(r) = o.resources {
            if let Some(cpus) = r.cpus {
                let v = *cpus.get_ref();
                if !(v > 0.0 && v <= 1024.0) {
                    return Err(at(
                        "resources.cpus",
                        Some(cpus.span().start),
                        format!("{v} must be a positive number of CPUs"),
                    ));
                }
                svc.resources.cpus = Some(v);
            }
            if let Some(mem) = r.memory {
                svc.resources.memory = Some(
                    parse_memory(mem.get_ref())
                        .map_err(|m| at("resources.memory", Some(mem.span().start), m))?,
                );
            }
        }
        if svc.health.port.is_none() {
            svc.health.port = svc.ports.first().map(|p| p.container);
        }
        if matches!(
            svc.health.kind,
            HealthKind::Http | HealthKind::Tcp | HealthKind::Redis
        ) {
            match svc.health.port {
                None => {
                    return Err(at(
                        "health.port",
                        None,
                        format!("a {:?} health check needs a port", svc.health.kind).to_lowercase(),
                    ));
                }
                Some(p) if !svc.ports.iter().any(|m| m.container == p) => {
                    return Err(at(
                        "health.port",
                        None,
                        format!("container port {p} is not published in `ports`"),
                    ));
                }
                _ => {}
            }
        }
        catalog.services.insert(name, svc);
    }
    Ok(catalog)
}

/// Service names become container and DNS names.
fn validate_service_name(name: &str) -> std::result::Result<(), String> {
    if crate::settings::is_object_name(name) {
        Ok(())
    } else {
        Err(format!(
            "service name {name:?} is invalid: use lowercase letters, digits, '-' and '_'"
        ))
    }
}

/// A restart policy as Docker takes it: "no", "always", "unless-stopped", "on-failure" or
/// "on-failure:N" (at most N restarts).
pub fn parse_restart(s: &str) -> std::result::Result<String, String> {
    let bad = || {
        format!(
            "unknown restart policy {s:?} (expected \"no\", \"on-failure[:N]\", \"always\" or \"unless-stopped\")"
        )
    };
    match s {
        "no" | "always" | "unless-stopped" | "on-failure" => Ok(s.into()),
        _ => {
            let n = s.strip_prefix("on-failure:").ok_or_else(bad)?;
            n.parse::<u32>().map_err(|_| bad())?;
            Ok(s.into())
        }
    }
}

/// "host:container" with both in 1..=65535.
fn parse_port_mapping(s: &str) -> std::result::Result<PortMapping, String> {
    let bad = || format!("bad port string {s:?} (expected \"HOST:CONTAINER\", e.g. \"6379:6379\")");
    let (host, container) = s.split_once(':').ok_or_else(bad)?;
    let port = |p: &str| p.trim().parse::<u16>().ok().filter(|p| *p != 0);
    Ok(PortMapping {
        host: port(host).ok_or_else(bad)?,
        container: port(container).ok_or_else(bad)?,
    })
}

/// "name:/container/path"; the name is local to the service (the volume is `<project>_<service>_<name>`).
fn parse_volume(s: &str) -> std::result::Result<VolumeMount, String> {
    let bad = || format!("bad volume {s:?} (expected \"NAME:/container/path\")");
    let (name, path) = s.split_once(':').ok_or_else(bad)?;
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !name_ok || !path.starts_with('/') {
        return Err(bad());
    }
    Ok(VolumeMount {
        name: name.into(),
        path: path.into(),
    })
}

/// "512m", "2g", "1024k", "1048576" (bytes) -> bytes.
fn parse_memory(s: &str) -> std::result::Result<u64, String> {
    let bad = || {
        format!(
            "bad memory size {s:?} (expected a number with an optional b, k, m or g suffix, e.g. \"512m\")"
        )
    };
    let t = s.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix('b')
        .filter(|r| r.ends_with(['k', 'm', 'g']))
        .unwrap_or(&t);
    let (digits, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        Some('b') => (&t[..t.len() - 1], 1),
        _ => (t, 1),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    // Docker refuses less than 6 MiB; say so here rather than at container creation.
    let bytes = n.checked_mul(mult).ok_or_else(bad)?;
    if bytes < 6 << 20 {
        return Err(format!("memory size {s:?} is below Docker's minimum of 6m"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(text: &str) -> Result<Catalog> {
        merge(defaults(), Path::new("services.toml"), text)
    }

    #[test]
    fn override_changes_only_given_fields_and_adds_services() {
        let c = merged(
            r#"
[services.redis]
image = "my/redis:1"
[services.redis.resources]
memory = "512m"
cpus = 1.5
[services.web]
image = "busybox"
ports = ["18080:80"]
depends_on = ["redis"]
[services.web.health]
kind = "http"
path = "/"
"#,
        )
        .unwrap();
        let redis = &c.services["redis"];
        assert_eq!(redis.image, "my/redis:1");
        assert_eq!(redis.ports[0].host, 6379);
        assert_eq!(redis.resources.memory, Some(512 << 20));
        assert_eq!(redis.resources.cpus, Some(1.5));
        let web = &c.services["web"];
        assert_eq!(
            web.ports,
            [PortMapping {
                host: 18080,
                container: 80
            }]
        );
        assert_eq!(web.health.port, Some(80));
        assert!(web.init);
        assert_ne!(
            redis.config_hash(),
            defaults().services["redis"].config_hash()
        );
    }

    #[test]
    fn errors_name_file_service_and_field() {
        let err = merged("[services.redis]\nports = [\"63x9:6379\"]\n").unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage);
        assert!(err.message.contains("services.toml:2:"), "{}", err.message);
        assert!(
            err.message.contains("service `redis`, field `ports`"),
            "{}",
            err.message
        );
        let err = merged("[services.redis.resources]\nmemory = \"lots\"\n").unwrap_err();
        assert!(
            err.message.contains("field `resources.memory`"),
            "{}",
            err.message
        );
        let err = merged("[services.redis]\nimagez = \"x\"\n").unwrap_err();
        assert!(
            err.message.contains("imagez") && err.message.contains(":2:"),
            "{}",
            err.message
        );
        let err = merged("[services.new]\nports = [\"1:1\"]\n").unwrap_err();
        assert!(err.message.contains("needs an image"), "{}", err.message);
        let err = merged("[services.redis]\ngpu = \"sometimes\"\n").unwrap_err();
        assert!(err.message.contains("sometimes"), "{}", err.message);
    }

    #[test]
    fn restart_policies() {
        let c = merged("[services.web]\nimage = \"x\"\n[services.job]\nimage = \"x\"\nrestart = \"on-failure:3\"\n").unwrap();
        assert_eq!(c.services["web"].restart, "no");
        assert_eq!(c.services["job"].restart, "on-failure:3");
        assert_eq!(c.services["redis"].restart, "unless-stopped");
        for bad in ["sometimes", "on-failure:x", "on-failure:-1", ""] {
            let text = format!("[services.redis]\nrestart = {bad:?}\n");
            let err = merged(&text).unwrap_err();
            assert!(
                err.message.contains("services.toml:2:")
                    && err.message.contains("field `restart`")
                    && err.message.contains("unknown restart policy"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn build_sections() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("app/Dockerfile"), "FROM x\n").unwrap();
        let file = dir.path().join("services.toml");
        let text = "[services.app]\nbuild = { context = \"app\", args = { K = \"v\" }, target = \"dev\" }\n";
        let c = merge(defaults(), &file, text).unwrap();
        let app = &c.services["app"];
        let b = app.build.as_ref().unwrap();
        assert_eq!(
            b.context,
            std::fs::canonicalize(dir.path().join("app")).unwrap()
        );
        assert_eq!(b.dockerfile, "Dockerfile");
        assert_eq!(b.args["K"], "v");
        assert_eq!(b.target.as_deref(), Some("dev"));
        // No image: `resolve` names it after the project.
        assert_eq!(app.image, "");
        assert!(c.services["redis"].build.is_none());
        for (bad, want) in [
            ("build = { context = \"app\", color = \"x\" }", "color"),
            ("build = { dockerfile = \"Dockerfile\" }", "context"),
            ("build = { context = \"nope\" }", "does not exist"),
            (
                "build = { context = \"app\", args = { \"A=B\" = \"v\" } }",
                "build.args",
            ),
        ] {
            let err = merge(defaults(), &file, &format!("[services.app]\n{bad}\n")).unwrap_err();
            assert_eq!(err.code, crate::error::Code::Usage);
            assert!(
                err.message.contains(want) && err.message.contains(":2"),
                "{bad}: {}",
                err.message
            );
        }
    }

    #[test]
    fn memory_sizes() {
        assert_eq!(parse_memory("512m").unwrap(), 512 << 20);
        assert_eq!(parse_memory("2G").unwrap(), 2 << 30);
        assert_eq!(parse_memory("8192kb").unwrap(), 8 << 20);
        assert!(parse_memory("1k").is_err());
        assert!(parse_memory("12x").is_err());
        assert!(parse_memory("").is_err());
    }

    #[test]
    fn port_strings() {
        assert_eq!(
            parse_port_mapping("1:2").unwrap(),
            PortMapping {
                host: 1,
                container: 2
            }
        );
        for bad in ["1", "0:1", "a:b", "1:70000", ":1"] {
            assert!(parse_port_mapping(bad).is_err(), "{bad}");
        }
    }
}
