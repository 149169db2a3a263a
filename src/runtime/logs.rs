//! Container logs: the tail shown with a failure, and the timestamped stream `logs` reads.

use std::collections::HashMap;

use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::{Stream, StreamExt};

use super::error::{Result, RuntimeError};
use super::{LogLine, Runtime, api_seconds};

/// The longest line of container output kept (the rest of it is dropped): the default
/// `scheduler.max_payload_bytes`.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// A stream's text not yet ended by a newline.
#[derive(Default)]
struct Partial {
    text: String,
    /// The line under way passed MAX_LINE_BYTES: drop text up to its newline.
    cut: bool,
}

impl Partial {
    /// Add `text`; the whole lines it completes, without their newlines.
    fn push(&mut self, mut text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            if self.cut {
                match text.find('\n') {
                    Some(pos) => {
                        self.cut = false;
                        text = &text[pos + 1..];
                    }
                    None => return lines,
                }
            }
            match text.find('\n') {
                Some(pos) => {
                    self.text.push_str(&text[..pos]);
                    let line = std::mem::take(&mut self.text);
                    lines.push(line.trim_end_matches('\r').to_string());
                    text = &text[pos + 1..];
                }
                None => {
                    self.text.push_str(text);
                    if self.text.len() > MAX_LINE_BYTES {
                        let mut end = MAX_LINE_BYTES;
                        while !self.text.is_char_boundary(end) {
                            end -= 1;
                        }
                        self.text.truncate(end);
                        lines.push(std::mem::take(&mut self.text));
                        self.cut = true;
                    }
                    return lines;
                }
            }
        }
    }

    /// What is left without a newline at the end of the output.
    fn rest(self) -> Option<String> {
        Some(self.text).filter(|t| !t.is_empty())
    }
}

impl Runtime {
    /// The last `n` lines of a container's output (stdout and stderr interleaved).
    pub async fn log_tail(&self, id: &str, n: usize) -> Vec<String> {
        let opts = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut lines = std::collections::VecDeque::new();
        let mut partial = Partial::default();
        while let Some(Ok(chunk)) = stream.next().await {
            for line in partial.push(&chunk.to_string()) {
                lines.push_back(line);
                if lines.len() > n {
                    lines.pop_front();
                }
            }
        }
        lines.extend(partial.rest());
        let skip = lines.len().saturating_sub(n);
        lines.into_iter().skip(skip).collect()
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
        // Docker may split or join lines across frames; re-split on newlines per stream. A line
        // longer than MAX_LINE_BYTES is cut there (the rest, up to its newline, is dropped), so
        // a task that never prints a newline cannot grow this buffer without end.
        let mut partial: HashMap<&'static str, Partial> = HashMap::new();
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
                let p = partial.entry(stream).or_default();
                let lines = p
                    .push(&String::from_utf8_lossy(bytes))
                    .into_iter()
                    .map(|line| {
                        let (timestamp, message) = line.split_once(' ').unwrap_or((&line, ""));
                        Ok(LogLine {
                            stream,
                            timestamp: timestamp.to_string(),
                            message: message.to_string(),
                        })
                    })
                    .collect::<Vec<_>>();
                Ok::<_, RuntimeError>(futures_util::stream::iter(lines))
            })
            .flat_map(|r| match r {
                Ok(s) => s.left_stream(),
                Err(e) => futures_util::stream::iter(vec![Err(e)]).right_stream(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_and_an_endless_line_is_cut_at_the_bound() {
        let mut p = Partial::default();
        assert_eq!(p.push("a\nb"), vec!["a".to_string()]);
        assert_eq!(p.push("c\r\nd"), vec!["bc".to_string()]);
        // No newline for far longer than the bound: one cut line, memory stays bounded.
        let chunk = "x".repeat(64 * 1024);
        let mut cut = Vec::new();
        for _ in 0..40 {
            cut.extend(p.push(&chunk));
            assert!(p.text.len() <= MAX_LINE_BYTES);
        }
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].len(), MAX_LINE_BYTES);
        // The rest of that line is dropped up to its newline; the next line is whole.
        assert_eq!(p.push("yyy\nnext\n"), vec!["next".to_string()]);
        assert_eq!(p.rest(), None);
    }
}
