//! What this tool asks of the operating system about processes, in one place: signals,
//! liveness, process-group kills, /proc scans and the task reaper. It goes through rustix (and
//! tokio for signal handlers), so none of it needs `unsafe`.
//!
//! - `process`: signal a pid or a process group; is a pid alive.
//! - `procfs`: what /proc says (a process's state and group, its environment, its memory, who
//!   holds a file lock).
//! - `reaper`: task processes never outlive the server, even after `kill -9`.

pub mod process;
pub mod procfs;
pub mod reaper;

pub use process::{Sig, kill_group, pid_alive, signal};
