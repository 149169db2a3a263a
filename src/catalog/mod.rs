//! Service definitions: the six defaults of ARCHITECTURE.md (`defaults`), merged field by field
//! with the user's services file (`file`: `$DSPY_AGENT_HOME/services.toml` or `--services-file`),
//! then with config.toml's `[ports]` (`resolve`: what `up` runs). `model` holds the types and
//! `validate` checks the dependency edges. This file only re-exports.

mod defaults;
mod file;
mod model;
mod resolve;
mod validate;
mod vars;

pub use defaults::defaults;
pub use file::{load, merge};
pub use model::{
    Build, Catalog, GpuMode, HealthCheck, HealthKind, PortMapping, Resources, Service, VolumeMount,
};
pub use resolve::{default_services, resolve};
pub use validate::validate;
pub use vars::{Vars, is_secret_key};
