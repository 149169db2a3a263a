//! Service lifecycle: `up`, `down`, status and logs. The CLI commands and the EnvManagerService
//! gRPC API both call these functions; there is no second implementation.
//!
//! `stack.rs` builds the `Stack` every verb is a method of. `up` plans and runs the start
//! (`up.rs`, reporting in `outcome.rs`' terms), one service at a time as its dependencies become
//! healthy (`start.rs`), building images from a `build` section first (`build.rs`, its
//! context in `context.rs`); `down.rs`, `status.rs` and `logs.rs` hold the other verbs, and
//! `events.rs` the progress they stream. This file only re-exports.

mod build;
mod context;
mod down;
mod events;
mod logs;
mod outcome;
mod pull;
mod restart;
mod stack;
mod start;
mod status;
mod up;

pub use build::{BuildOptions, BuildReport, Built};
pub use down::{DownOptions, DownReport, Removed, check_state_writable};
pub use events::{Event, EventSink, Phase};
pub use logs::{LogOptions, LogReceiver, ServiceLine};
pub use outcome::{Action, Failure, ServiceOutcome, UpOptions, UpReport};
pub use stack::{Stack, engine};
pub use status::ServiceStatus;
pub use up::services_to_start;
