//! Host-side health probes (no tools needed inside the image) and the backoff loop around them.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::catalog::{HealthKind, Service};
use crate::runtime::{ContainerInfo, Runtime};

/// First pause between probes; it grows by half each time up to `MAX_BACKOFF` (a gentle
/// factor: a service that is ready a moment after a probe is seen soon after).
pub const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// No single probe may take longer than this.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What to probe for one service, with the host address already resolved.
#[derive(Debug, Clone)]
pub enum Probe {
    Http {
        addr: String,
        path: String,
    },
    Tcp {
        addr: String,
    },
    Redis {
        addr: String,
    },
    /// Running, or the image HEALTHCHECK's status.
    Container,
    None,
}

impl Probe {
    /// Build the probe for a service from its container's published ports.
    pub fn for_service(svc: &Service, container: &ContainerInfo) -> Result<Probe, String> {
        let addr = || -> Result<String, String> {
            let port = svc
                .health
                .port
                .ok_or_else(|| format!("service `{}` has no health port", svc.name))?;
            container
                .ports
                .iter()
                .find(|p| p.container_port == port)
                .map(|p| {
                    let ip = match p.host_ip.as_str() {
                        "" | "0.0.0.0" => "127.0.0.1",
                        "::" => "::1",
                        ip => ip,
                    };
                    if ip.contains(':') {
                        format!("[{ip}]:{}", p.host_port)
                    } else {
                        format!("{ip}:{}", p.host_port)
                    }
                })
                .ok_or_else(|| format!("container port {port} of `{}` is not published", svc.name))
        };
        Ok(match svc.health.kind {
            HealthKind::Http => Probe::Http {
                addr: addr()?,
                path: svc.health.path.clone(),
            },
            HealthKind::Tcp => Probe::Tcp { addr: addr()? },
            HealthKind::Redis => Probe::Redis { addr: addr()? },
            HealthKind::Container => Probe::Container,
            HealthKind::None => Probe::None,
        })
    }

    /// One probe. Ok means healthy; Err says why not.
    pub async fn check(&self, runtime: &Runtime, container_id: &str) -> Result<(), String> {
        let attempt = async {
            match self {
                Probe::Http { addr, path } => http_get(addr, path).await,
                Probe::Tcp { addr } => TcpStream::connect(addr.as_str())
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("tcp {addr}: {e}")),
                Probe::Redis { addr } => redis_ping(addr).await,
                Probe::Container => match runtime.inspect(container_id).await {
                    Ok(Some(c)) if !c.running => Err(format!("container is {}", c.state)),
                    Ok(Some(c)) => match c.docker_health.as_deref() {
                        None | Some("healthy") => Ok(()),
                        Some(other) => Err(format!("HEALTHCHECK status is {other}")),
                    },
                    Ok(None) => Err("container is gone".into()),
                    Err(e) => Err(e.message),
                },
                Probe::None => Ok(()),
            }
        };
        match tokio::time::timeout(PROBE_TIMEOUT, attempt).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "probe timed out after {}s",
                PROBE_TIMEOUT.as_secs()
            )),
        }
    }
}

/// Probe with exponential backoff (10 ms growing by half to 10 s) until healthy or `timeout` passes.
/// Between probes the container is checked, so one that exits fails at once. Err says why the
/// service never became healthy.
pub async fn wait_healthy(
    probe: &Probe,
    runtime: &Runtime,
    container_id: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut pause = FIRST_BACKOFF;
    let mut last_error;
    loop {
        match probe.check(runtime, container_id).await {
            Ok(()) => return Ok(()),
            Err(e) => last_error = e,
        }
        if let Ok(Some(c)) = runtime.inspect(container_id).await
            && !c.running
        {
            let code = c
                .exit_code
                .map(|c| format!(" with code {c}"))
                .unwrap_or_default();
            return Err(format!(
                "container {}{code} before it became healthy",
                c.state
            ));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(format!(
                "not healthy after {:.1}s: {last_error}",
                timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = pause.mul_f64(1.5).min(MAX_BACKOFF);
    }
}

/// A character that must not reach a request line: below 0x20 (CR and LF among them) or DEL.
pub fn is_control(c: char) -> bool {
    c < '\u{20}' || c == '\u{7f}'
}

/// GET http://addr/path with HTTP/1.0; healthy on any 2xx status.
async fn http_get(addr: &str, path: &str) -> Result<(), String> {
    // The services file is checked at load; this keeps any other caller from injecting headers.
    if path.chars().any(is_control) {
        return Err(format!(
            "http {addr}: the path {path:?} has control characters"
        ));
    }
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("http {addr}: {e}"))?;
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nUser-Agent: dspy-agent\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("http {addr}: {e}"))?;
    // The status line is all we need; read a bounded prefix.
    let mut buf = vec![0u8; 256];
    let mut len = 0;
    while len < buf.len() {
        let n = stream
            .read(&mut buf[len..])
            .await
            .map_err(|e| format!("http {addr}: {e}"))?;
        if n == 0 || buf[..len + n].contains(&b'\n') {
            len += n;
            break;
        }
        len += n;
    }
    let head = String::from_utf8_lossy(&buf[..len]);
    let status_line = head.lines().next().unwrap_or("");
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    if status_line.starts_with("HTTP/") && code.starts_with('2') && code.len() == 3 {
        Ok(())
    } else if status_line.is_empty() {
        Err(format!(
            "http {addr}{path}: connection closed without an answer"
        ))
    } else {
        Err(format!("http {addr}{path}: {status_line}"))
    }
}

/// PING over RESP; healthy on +PONG.
async fn redis_ping(addr: &str) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("redis {addr}: {e}"))?;
    stream
        .write_all(b"*1\r\n$4\r\nPING\r\n")
        .await
        .map_err(|e| format!("redis {addr}: {e}"))?;
    let mut buf = [0u8; 128];
    let n = stream
        .read(&mut buf)
        .await
        .map_err(|e| format!("redis {addr}: {e}"))?;
    let answer = String::from_utf8_lossy(&buf[..n]);
    if answer.starts_with("+PONG") {
        Ok(())
    } else {
        Err(format!("redis {addr}: answered {:?}", answer.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn serve_once(answer: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(answer).await;
        });
        addr
    }

    #[tokio::test]
    async fn http_probe_wants_2xx() {
        let addr = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
        assert!(http_get(&addr, "/health").await.is_ok());
        let addr = serve_once(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").await;
        let err = http_get(&addr, "/health").await.unwrap_err();
        assert!(err.contains("503"), "{err}");
    }

    #[tokio::test]
    async fn redis_probe_wants_pong() {
        let addr = serve_once(b"+PONG\r\n").await;
        assert!(redis_ping(&addr).await.is_ok());
        let addr = serve_once(b"-LOADING Redis is loading\r\n").await;
        assert!(redis_ping(&addr).await.unwrap_err().contains("LOADING"));
    }
}
