//! How a server is told to stop: SIGTERM or SIGINT (drain for `scheduler.shutdown_timeout_s`),
//! or the Shutdown RPC, which carries its own drain timeout. `serve stop` uses the RPC, so no
//! file or signal is needed to pass the timeout along.

use tokio::sync::watch;
use tonic::Status;

use crate::proto::orchestrator as pb;

/// The longest drain a Shutdown request may ask for.
const MAX_DRAIN_S: f64 = 24.0 * 3600.0;

/// Shared by the Shutdown handler (which asks) and `server::run` (which waits).
pub struct StopRequests {
    /// The drain timeout of the first request, once one came.
    asked: watch::Sender<Option<f64>>,
    default_drain_s: f64,
}

impl StopRequests {
    pub fn new(default_drain_s: f64) -> Self {
        StopRequests {
            asked: watch::channel(None).0,
            default_drain_s,
        }
    }

    /// The Shutdown RPC. `pid` (when not 0) must be this server's, so that a caller holding a
    /// stale address stops nothing else. A second request gets the first one's timeout.
    pub fn request(&self, r: &pb::ShutdownRequest) -> Result<pb::ShutdownResponse, Status> {
        let me = std::process::id();
        if r.pid != 0 && r.pid != me {
            return Err(Status::failed_precondition(format!(
                "this server is pid {me}, not {}",
                r.pid
            )));
        }
        let drain = match r.drain_timeout_seconds {
            None => self.default_drain_s,
            Some(s) if s.is_finite() && s >= 0.0 => s.min(MAX_DRAIN_S),
            Some(s) => {
                return Err(Status::invalid_argument(format!(
                    "drain_timeout_seconds must be 0 or more, got {s}"
                )));
            }
        };
        self.asked.send_if_modified(|asked| {
            let first = asked.is_none();
            asked.get_or_insert(drain);
            first
        });
        Ok(pb::ShutdownResponse {
            pid: me,
            drain_timeout_seconds: self.asked.borrow().unwrap_or(drain),
        })
    }

    /// Wait for a signal or a Shutdown request; the drain timeout to apply.
    pub async fn wait(&self) -> f64 {
        let mut rx = self.asked.subscribe();
        tokio::select! {
            _ = wait_for_signal() => self.default_drain_s,
            asked = rx.wait_for(Option::is_some) => match asked {
                Ok(v) => v.unwrap_or(self.default_drain_s),
                Err(_) => self.default_drain_s,
            },
        }
    }
}

/// SIGTERM or SIGINT.
pub async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(pid: u32, drain: Option<f64>) -> pb::ShutdownRequest {
        pb::ShutdownRequest {
            pid,
            drain_timeout_seconds: drain,
        }
    }

    #[tokio::test]
    async fn the_first_request_sets_the_drain_and_wakes_the_server() {
        let stop = StopRequests::new(30.0);
        let me = std::process::id();
        assert_eq!(
            stop.request(&ask(me + 1, Some(1.0))).unwrap_err().code(),
            tonic::Code::FailedPrecondition
        );
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                stop.request(&ask(0, Some(bad))).unwrap_err().code(),
                tonic::Code::InvalidArgument
            );
        }
        let r = stop.request(&ask(me, Some(0.5))).unwrap();
        assert_eq!((r.pid, r.drain_timeout_seconds), (me, 0.5));
        // A second request does not change the drain already under way.
        let r = stop.request(&ask(0, None)).unwrap();
        assert_eq!(r.drain_timeout_seconds, 0.5);
        let drain = tokio::time::timeout(std::time::Duration::from_secs(5), stop.wait())
            .await
            .unwrap();
        assert_eq!(drain, 0.5);
    }

    #[test]
    fn no_timeout_means_the_configured_one() {
        let stop = StopRequests::new(7.0);
        assert_eq!(
            stop.request(&ask(0, None)).unwrap().drain_timeout_seconds,
            7.0
        );
    }
}
