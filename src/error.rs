//! One error type for the whole tool. Each error carries the exit code a script sees.

use std::fmt;

/// Documented exit codes (README, "Exit codes"). Scripts depend on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 0: not an error to report: stdout was closed by the reader (`| head`), as ripgrep does.
    Quiet = 0,
    /// 1: anything that went wrong at run time.
    Runtime = 1,
    /// 2: bad flags, bad config or services file, unknown service, cycle.
    Usage = 2,
    /// 3: a service did not become healthy in time.
    Unhealthy = 3,
    /// 4: the container engine could not be reached.
    EngineUnreachable = 4,
    /// 5: the orchestrator (`dspy-agent serve`) is not running.
    OrchestratorDown = 5,
    /// 6: a waited-for task failed or was cancelled.
    TaskFailed = 6,
}

#[derive(Debug)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// Extra machine-readable detail, printed as the `--json` error document.
    pub detail: Option<serde_json::Value>,
}

/// How a command that ran to its end finished. `Failure` is an expected outcome that the
/// command has already reported in full (its `--json` document and its `error:` line): a
/// service that did not come up, a waited-for task that failed, no server to ask. Everything
/// else is an `Err(Error)`, which `run` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum ExitStatus {
    Success,
    Failure(Code),
    /// The exit code of a command run inside a container (`exec`), passed on as it is.
    Exited(u8),
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => std::process::ExitCode::SUCCESS,
            ExitStatus::Failure(code) => std::process::ExitCode::from(code as u8),
            ExitStatus::Exited(code) => std::process::ExitCode::from(code),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            detail: None,
        }
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(Code::Runtime, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Code::Usage, message)
    }
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }
    /// Prefix the message with what was being done, keeping the exit code.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::new(Code::Quiet, "broken pipe");
        }
        Error::runtime(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            return Error::new(Code::Quiet, "broken pipe");
        }
        Error::runtime(e.to_string())
    }
}
