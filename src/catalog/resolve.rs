//! The catalog as `up` runs it: the services file on top of the defaults, then config.toml's
//! `[ports]`. The CLI and the env manager both start from here.

use super::file::load;
use super::model::Catalog;
use super::validate::validate;
use super::vars::Vars;
use crate::error::{Error, Result};
use crate::settings::{self, Settings, Source};

/// The defaults, the services file (which must exist when named explicitly), and the `[ports]`
/// overrides of config.toml, with the dependency edges validated.
pub fn resolve(settings: &Settings) -> Result<Catalog> {
    let explicit = settings.services_file.source != Source::Default;
    let vars = Vars::load(
        &settings.env_file.value,
        settings.env_file.source != Source::Default,
    )?;
    let mut catalog = load(&settings.services_file.value, explicit, &vars)?;
    for (name, port) in &settings.ports {
        let at = || {
            let path = settings.config_path();
            let line = settings::line_of_key(&path, "ports", name)
                .map(|l| format!("{l}:"))
                .unwrap_or_default();
            format!("{}:{line} key `ports.{name}`", path.display())
        };
        let svc = catalog
            .services
            .get_mut(name)
            .ok_or_else(|| Error::usage(format!("{}: unknown service `{name}`", at())))?;
        let first = svc
            .ports
            .first_mut()
            .ok_or_else(|| Error::usage(format!("{}: service `{name}` publishes no port", at())))?;
        first.host = port.value;
    }
    // A service with `build` and no `image`: the tag its build produces is `<project>-<service>`.
    for svc in catalog.services.values_mut() {
        if svc.image.is_empty() {
            svc.image = format!("{}-{}:latest", settings.project.value, svc.name);
        }
    }
    validate(&catalog)?;
    Ok(catalog)
}

/// What `up` starts when no service is named: those config.toml's `[services]` enables. One it
/// enables that the catalog lacks is a usage error naming its line.
pub fn default_services(settings: &Settings, catalog: &Catalog) -> Result<Vec<String>> {
    let enabled: Vec<String> = settings
        .services
        .iter()
        .filter(|(_, on)| on.value)
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(unknown) = enabled.iter().find(|s| !catalog.services.contains_key(*s)) {
        let path = settings.config_path();
        let line = settings::line_of_key(&path, "services", unknown)
            .map(|l| format!("{l}:"))
            .unwrap_or_default();
        return Err(Error::usage(format!(
            "{}:{line} key `services.{unknown}`: not in the service catalog",
            path.display()
        )));
    }
    Ok(enabled)
}
