//! Container logs: the tail shown with a failure, and the timestamped stream `logs` reads.

use std::collections::HashMap;

use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::{Stream, StreamExt};

use super::error::{Result, RuntimeError};
use super::{LogLine, Runtime, api_seconds};

impl Runtime {
    /// The last `n` lines of a container's output (stdout and stderr interleaved).
    pub async fn log_tail(&self, id: &str, n: usize) -> Vec<String> {
        let opts = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut lines = Vec::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let text = chunk.to_string();
            lines.extend(text.lines().map(str::to_string));
        }
        let skip = lines.len().saturating_sub(n);
        lines.split_off(skip)
    }

    /// A container's log as lines with timestamps. `since` is seconds since the epoch.
    pub fn logs(
        &self,
        id: &str,
        follow: bool,
        tail: Option<u64>,
        since: Option<i64>,
    ) -> impl Stream<Item = Result<LogLine>> + Send + 'static {
        let mut builder = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .follow(follow)
            .tail(&tail.map(|n| n.to_string()).unwrap_or_else(|| "all".into()));
        if let Some(s) = since {
            builder = builder.since(api_seconds(s));
        }
        let rt = self.clone();
        // Docker may split or join lines across frames; re-split on newlines per stream.
        let mut partial: HashMap<&'static str, String> = HashMap::new();
        self.docker
            .logs(id, Some(builder.build()))
            .map(move |item| {
                let chunk = item.map_err(|e| rt.error(e))?;
                let (stream, bytes) = match &chunk {
                    bollard::container::LogOutput::StdErr { message } => ("stderr", message),
                    bollard::container::LogOutput::StdOut { message } => ("stdout", message),
                    bollard::container::LogOutput::Console { message } => ("stdout", message),
                    bollard::container::LogOutput::StdIn { message } => ("stdin", message),
                };
                let buf = partial.entry(stream).or_default();
                buf.push_str(&String::from_utf8_lossy(bytes));
                let mut lines = Vec::new();
                while let Some(pos) = buf.find('\n') {
                    let line: String = buf.drain(..=pos).collect();
                    let line = line.trim_end_matches(['\n', '\r']);
                    let (timestamp, message) = line.split_once(' ').unwrap_or((line, ""));
                    lines.push(Ok(LogLine {
                        stream,
                        timestamp: timestamp.to_string(),
                        message: message.to_string(),
                    }));
                }
                Ok::<_, RuntimeError>(futures_util::stream::iter(lines))
            })
            .flat_map(|r| match r {
                Ok(s) => s.left_stream(),
                Err(e) => futures_util::stream::iter(vec![Err(e)]).right_stream(),
            })
    }
}
