//! Commands run inside a running container (`dspy-agent exec`).

use std::io::Write;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::Runtime;
use super::error::{Result, RuntimeError};

impl Runtime {
    /// Run `cmd` in container `id` with our stdin, stdout and stderr; a TTY of `size` (rows,
    /// columns) when `tty`. Returns the command's exit code.
    pub async fn exec(
        &self,
        id: &str,
        cmd: &[String],
        tty: bool,
        size: Option<(u16, u16)>,
    ) -> Result<i64> {
        let options = CreateExecOptions {
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(tty),
            cmd: Some(cmd.to_vec()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_exec(id, options)
            .await
            .map_err(|e| self.error(e))?;
        let start = StartExecOptions {
            detach: false,
            tty,
            output_capacity: None,
        };
        let started = self
            .docker
            .start_exec(&created.id, Some(start))
            .await
            .map_err(|e| self.error(e))?;
        let StartExecResults::Attached {
            mut output,
            mut input,
        } = started
        else {
            return Err(RuntimeError::other("the engine did not attach to the exec"));
        };
        if let (true, Some((height, width))) = (tty, size) {
            // Full-screen programs (top, vim, a shell's line editor) draw for this size.
            let resize = ResizeExecOptions { height, width };
            let _ = self.docker.resize_exec(&created.id, resize).await;
        }
        // A plain thread, not tokio's blocking pool: a read that never returns (a terminal
        // nobody types into) must not keep the runtime from shutting down.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        std::thread::spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 8192];
            while let Ok(n @ 1..) = stdin.read(&mut buf) {
                if tx.blocking_send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let feeder = tokio::spawn(async move {
            while let Some(chunk) = rx.recv().await {
                if input.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            // Our stdin ended: so does the command's. Not on a TTY, where the engine would
            // end the whole session, output not yet read included.
            if !tty {
                let _ = input.shutdown().await;
            }
        });
        while let Some(chunk) = output.next().await {
            let chunk = chunk.map_err(|e| self.error(e))?;
            // A closed stdout (`| head`) ends the copy, not the command's exit code.
            let _ = match chunk {
                LogOutput::StdErr { message } => {
                    let mut err = std::io::stderr().lock();
                    err.write_all(&message).and_then(|_| err.flush())
                }
                other => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&other.into_bytes()).and_then(|_| out.flush())
                }
            };
        }
        feeder.abort();
        let inspect = self
            .docker
            .inspect_exec(&created.id)
            .await
            .map_err(|e| self.error(e))?;
        Ok(inspect.exit_code.unwrap_or(-1))
    }
}
