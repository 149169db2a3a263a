//! `dspy-agent ui [--open]`: ask the running server (CreateUiLogin, with this home's token or
//! DSPY_AGENT_TOKEN) for a one-time login code and print the dashboard's login link.

use std::net::SocketAddr;

use crate::cli::UiArgs;
use crate::commands::Ctx;
use crate::commands::client::{self, status_error};
use crate::error::{Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;

/// The address a browser on this machine reaches an HTTP listener bound to `addr` at: a
/// wildcard bind (0.0.0.0, ::) is reached on loopback.
fn browsable(addr: &str) -> String {
    match addr.parse::<SocketAddr>() {
        Ok(a) if a.ip().is_unspecified() => {
            let ip = if a.is_ipv4() { "127.0.0.1" } else { "[::1]" };
            format!("{ip}:{}", a.port())
        }
        _ => addr.to_string(),
    }
}

pub async fn run(ctx: &Ctx, args: UiArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let (http_addr, tls) = match crate::server::running(&settings.home.value) {
        Some(s) => (s.http_addr, s.tls),
        None => (settings.http_addr.value.clone(), false),
    };
    let (mut client, addr) = client::connect(ctx).await?;
    let login = client
        .create_ui_login(pb::CreateUiLoginRequest {})
        .await
        .map_err(|s| status_error(s, &addr))?
        .into_inner();
    let scheme = if tls { "https" } else { "http" };
    let url = format!("{scheme}://{}{}", browsable(&http_addr), login.path);
    let seconds = login.expires_in_ms / 1000;
    if ctx.printer.json {
        ctx.printer.json_document(serde_json::json!({
            "url": url,
            "expires_in_s": seconds,
        }))?;
    } else {
        ctx.printer.line(&url)?;
        ctx.printer.warn(format!(
            "the link logs one browser in; it is good once, for {seconds}s"
        ));
    }
    if args.open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let status = std::process::Command::new(opener)
            .arg(&url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| Error::runtime(format!("cannot run {opener}: {e}")))?;
        if !status.success() {
            return Err(Error::runtime(format!(
                "{opener} could not open the link ({status}); open it by hand"
            )));
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_is_browsed_on_loopback() {
        assert_eq!(browsable("0.0.0.0:9097"), "127.0.0.1:9097");
        assert_eq!(browsable("[::]:9097"), "[::1]:9097");
        assert_eq!(browsable("127.0.0.1:9097"), "127.0.0.1:9097");
        assert_eq!(browsable("box.lan:9097"), "box.lan:9097");
    }
}
