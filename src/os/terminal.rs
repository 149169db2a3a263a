//! The controlling terminal, for `dspy-agent exec` with a TTY: raw mode while the remote
//! command owns the terminal (keys, Ctrl-C and line editing go to it, and only its echo is
//! shown), and the window size to give the remote TTY.

use rustix::termios::{OptionalActions, Termios, tcgetattr, tcgetwinsize, tcsetattr};

/// Stdin in raw mode until dropped, when its settings are put back.
pub struct RawMode {
    saved: Termios,
}

/// Put stdin in raw mode; None when it is not a terminal (nothing changes then).
pub fn raw_stdin() -> Option<RawMode> {
    let stdin = std::io::stdin();
    let saved = tcgetattr(&stdin).ok()?;
    let mut raw = saved.clone();
    raw.make_raw();
    tcsetattr(&stdin, OptionalActions::Now, &raw).ok()?;
    Some(RawMode { saved })
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &self.saved);
    }
}

/// The terminal's size as (rows, columns), from stdout, else stdin; None off a terminal.
pub fn size() -> Option<(u16, u16)> {
    let ws = tcgetwinsize(std::io::stdout())
        .or_else(|_| tcgetwinsize(std::io::stdin()))
        .ok()?;
    (ws.ws_row > 0 && ws.ws_col > 0).then_some((ws.ws_row, ws.ws_col))
}
