//! `dspy-agent auth token create|list|revoke`: named tokens with a role, in the home's
//! `auth/tokens.json` (hashes only). A running server notices changes without a restart. Each
//! change is written to the audit log, as the server's mutating calls are.

use serde_json::json;

use crate::cli::{AuthArgs, AuthCommand, TokenCommand};
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};
use crate::server::audit::{AuditLog, Entry};
use crate::server::auth::{Role, tokens};
use crate::server::http::guard::whole_setting;

pub fn run(ctx: &Ctx, args: AuthArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let home = settings.home.value.clone();
    let AuthCommand::Token { command } = args.command;
    let log = AuditLog::new(
        &home,
        whole_setting(&settings, "audit.max_bytes", 10 << 20),
        u32::try_from(whole_setting(&settings, "audit.keep", 5)).unwrap_or(5),
    );
    let audit = |method: &str, name: &str, outcome: &str| {
        log.record(Entry {
            time: String::new(),
            peer: "local".into(),
            token: String::new(),
            method: method.into(),
            ids: vec![name.into()],
            outcome: outcome.into(),
        })
    };
    match command {
        TokenCommand::Create { name, role } => {
            let role =
                Role::parse(&role).ok_or_else(|| Error::usage(format!("unknown role {role:?}")))?;
            let token = tokens::create(&home, &name, role);
            audit(
                "auth token create",
                &name,
                if token.is_ok() { "ok" } else { "refused" },
            );
            let token = token?;
            if ctx.printer.json {
                ctx.printer
                    .json_document(json!({"name": name, "role": role.as_str(), "token": token}))?;
            } else {
                ctx.printer.progress(format!(
                    "token {name:?} (role {}) created; it is shown only now: clients send it as DSPY_AGENT_TOKEN",
                    role.as_str()
                ));
                ctx.printer.line(token)?;
            }
        }
        TokenCommand::List => {
            let named = tokens::list(&home)?;
            if ctx.printer.json {
                let rows: Vec<_> = named
                    .iter()
                    .map(|t| json!({"name": t.name, "role": t.role.as_str(), "created_at": t.created_at}))
                    .collect();
                ctx.printer.json_document(json!({ "tokens": rows }))?;
            } else {
                let rows = named
                    .iter()
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            t.role.as_str().to_string(),
                            t.created_at.clone(),
                        ]
                    })
                    .collect();
                ctx.printer.table(&["name", "role", "created"], rows)?;
            }
        }
        TokenCommand::Revoke { name } => {
            let revoked = tokens::revoke(&home, &name)?;
            audit(
                "auth token revoke",
                &name,
                if revoked { "ok" } else { "not_found" },
            );
            if !revoked {
                return Err(Error::usage(format!("no token named {name:?}")));
            }
            if ctx.printer.json {
                ctx.printer
                    .json_document(json!({"name": name, "revoked": true}))?;
            } else {
                ctx.printer.progress(format!("token {name:?} revoked"));
            }
        }
    }
    Ok(ExitStatus::Success)
}
