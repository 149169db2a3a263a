//! The check every call passes: token → caller, caller's role against the table, and the audit
//! line afterwards. Shared by the gRPC layer and the HTTP middleware.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::roles::{Need, Rule, rule_for};
use super::sessions::{Sessions, UiSession};
use super::tokens::{Caller, Keyring, bearer};
use crate::server::audit::{AuditLog, Entry};

/// Ids a handler adds to its call's audit line (the task it created, the services it started).
#[derive(Clone, Default, Debug)]
pub struct AuditIds(Arc<Mutex<Vec<String>>>);

impl AuditIds {
    /// The slot of the call whose request carries `extensions` (a detached one when the call
    /// is not gated, as in unit tests).
    pub fn of(extensions: &axum::http::Extensions) -> AuditIds {
        extensions.get::<AuditIds>().cloned().unwrap_or_default()
    }

    pub fn add<I: Into<String>>(&self, ids: impl IntoIterator<Item = I>) {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.extend(ids.into_iter().map(Into::into));
    }
}

/// Add ids to the audit line of the call whose request carries `extensions`.
pub fn note_ids<I: Into<String>>(
    extensions: &axum::http::Extensions,
    ids: impl IntoIterator<Item = I>,
) {
    AuditIds::of(extensions).add(ids);
}

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// No token, or one that matches none (the same answer for both).
    Unauthenticated,
    /// A valid token whose role does not allow the call.
    Forbidden(String),
}

/// The outcome of the check, before the call runs.
pub struct Admitted {
    pub rule: Rule,
    pub caller: Option<Caller>,
}

pub struct Gate {
    keyring: Keyring,
    audit: AuditLog,
    /// Calls the settings open to everyone (`GET /metrics` with http.metrics_public).
    public: Vec<String>,
    /// Dashboard login codes and sessions (a session cookie stands for a token on `/ui`).
    pub sessions: Sessions,
}

impl Gate {
    pub fn new(home: &Path, audit: AuditLog, public: Vec<String>, sessions: Sessions) -> Gate {
        Gate {
            keyring: Keyring::new(home),
            audit,
            public,
            sessions,
        }
    }

    /// The open dashboard session a cookie's id names, if the token that opened it still
    /// exists: a revoked token's sessions end at their next request.
    pub fn session(&self, id: &str) -> Option<UiSession> {
        let s = self.sessions.find(id)?;
        if self.keyring.holds(&s.caller.name, s.caller.role) {
            return Some(s);
        }
        self.sessions.end(&s);
        None
    }

    /// Whether `s` is still open: not expired, not logged out, its token not revoked (what
    /// long-lived dashboard streams check now and then).
    pub fn session_open(&self, s: &UiSession) -> bool {
        self.sessions.is_open(s) && self.keyring.holds(&s.caller.name, s.caller.role)
    }

    /// Check `call` (the table's name for it) with the `authorization` header's value.
    pub fn admit(&self, call: &str, authorization: Option<&[u8]>) -> Result<Admitted, Refusal> {
        let caller = match authorization {
            None => None,
            Some(v) => match bearer(v).and_then(|t| self.keyring.identify(t)) {
                Some(c) => Some(c),
                None => return Err(Refusal::Unauthenticated),
            },
        };
        self.admit_caller(call, caller)
    }

    /// Check `call` for a caller already identified (by a token, or by a dashboard session
    /// that carries its token's name and role).
    pub fn admit_caller(&self, call: &str, caller: Option<Caller>) -> Result<Admitted, Refusal> {
        let mut rule = rule_for(call);
        if self.public.iter().any(|p| p == call) {
            rule.need = Need::Open;
        }
        match &caller {
            None if rule.need == Need::Open => {}
            None => return Err(Refusal::Unauthenticated),
            Some(c) if !c.role.allows(rule.need) => {
                return Err(Refusal::Forbidden(format!(
                    "token {:?} (role {}) may not call {call}",
                    c.name,
                    c.role.as_str()
                )));
            }
            Some(_) => {}
        }
        Ok(Admitted { rule, caller })
    }

    /// Write the audit line for a call, if it is one the table marks as mutating (or the call
    /// was refused, which is always worth a line).
    pub fn audit(
        &self,
        call: &str,
        mutates: bool,
        peer: String,
        caller: Option<&Caller>,
        ids: &AuditIds,
        outcome: String,
    ) {
        if !mutates {
            return;
        }
        let ids = ids.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        self.audit.record(Entry {
            time: String::new(),
            peer,
            token: caller.map(|c| c.name.clone()).unwrap_or_default(),
            method: call.to_string(),
            ids,
            outcome,
        });
    }
}
