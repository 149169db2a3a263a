//! What this tool asks of the operating system about processes, in one place: signals,
//! liveness, process-group kills, /proc scans and the task reaper. It goes through rustix (and
//! tokio for signal handlers), without `unsafe`.
//!
//! - `cgroup`: each task process in its own cgroup, joined by a small shell (or this binary)
//!   before the task's program runs, and killed as a whole.
//! - `process`: signal a pid or a process group; is a pid alive; where exec finds a program.
//! - `procfs`: what /proc says (a process's state and group, its environment, its memory, who
//!   holds a file lock).
//! - `reaper`: task processes never outlive the server, even after `kill -9`.

pub mod cgroup;
pub mod process;
pub mod procfs;
pub mod reaper;
pub mod terminal;

pub use process::{Sig, find_program, kill_group, pid_alive, signal};
