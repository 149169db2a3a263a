//! The dashboard's logins: one-time login codes (minted by an authenticated call for the
//! caller's own token and role, short-lived, good once) and the browser sessions they open
//! (a random id in an HttpOnly cookie, a CSRF token, the role of the token that minted the
//! code, an expiry). In memory only: a restart logs every browser out. Both maps are bounded;
//! ids and codes are kept as SHA-256 hashes, so a map lookup reveals nothing about a secret.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::tokens::Caller;

/// Login codes waiting at most; the oldest goes when one more is minted.
pub const MAX_CODES: usize = 256;
/// Sessions open at most; the one closest to expiry goes when one more opens.
pub const MAX_SESSIONS: usize = 1024;
/// The session cookie's name.
pub const COOKIE: &str = "dspy_ui";

/// An open dashboard session, as handlers see it (a request extension set by the gate).
#[derive(Debug, Clone)]
pub struct UiSession {
    pub caller: Caller,
    /// The token every form of this session carries in a hidden field.
    pub csrf: String,
    /// Hash of the session id (the key to end it by).
    key: String,
}

impl UiSession {
    /// A name for this session that reveals nothing of its id (to count what it holds open).
    pub fn key(&self) -> &str {
        &self.key
    }
}

struct Open {
    session: UiSession,
    expires: Instant,
}

/// Codes and sessions, with their lifetimes.
pub struct Sessions {
    code_ttl: Duration,
    session_ttl: Duration,
    codes: Mutex<HashMap<String, (Caller, Instant)>>,
    open: Mutex<HashMap<String, Open>>,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 256 random bits from the OS as hex, or None if the OS has none to give.
fn random() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

impl Sessions {
    pub fn new(code_ttl: Duration, session_ttl: Duration) -> Sessions {
        Sessions {
            code_ttl,
            session_ttl,
            codes: Mutex::new(HashMap::new()),
            open: Mutex::new(HashMap::new()),
        }
    }

    pub fn code_ttl(&self) -> Duration {
        self.code_ttl
    }

    pub fn session_ttl(&self) -> Duration {
        self.session_ttl
    }

    /// A new one-time code for `caller`, good for the code lifetime.
    pub fn mint(&self, caller: Caller) -> Option<String> {
        let code = random()?;
        let now = Instant::now();
        let mut codes = self.codes.lock().unwrap_or_else(|p| p.into_inner());
        codes.retain(|_, (_, until)| *until > now);
        if codes.len() >= MAX_CODES
            && let Some(oldest) = codes
                .iter()
                .min_by_key(|(_, (_, until))| *until)
                .map(|(k, _)| k.clone())
        {
            codes.remove(&oldest);
        }
        codes.insert(hash(&code), (caller, now + self.code_ttl));
        Some(code)
    }

    /// Spend a code: the session it opens and the session id for the cookie, or None when the
    /// code is unknown, used or expired.
    pub fn redeem(&self, code: &str) -> Option<(String, UiSession)> {
        let (caller, until) = self
            .codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&hash(code))?;
        let now = Instant::now();
        if until <= now {
            return None;
        }
        let id = random()?;
        let session = UiSession {
            caller,
            csrf: random()?,
            key: hash(&id),
        };
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, o| o.expires > now);
        if open.len() >= MAX_SESSIONS
            && let Some(first) = open
                .iter()
                .min_by_key(|(_, o)| o.expires)
                .map(|(k, _)| k.clone())
        {
            open.remove(&first);
        }
        open.insert(
            session.key.clone(),
            Open {
                session: session.clone(),
                expires: now + self.session_ttl,
            },
        );
        Some((id, session))
    }

    /// The open session with this id, if it has not expired.
    pub fn find(&self, id: &str) -> Option<UiSession> {
        let key = hash(id);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.get(&key) {
            Some(o) if o.expires > Instant::now() => Some(o.session.clone()),
            Some(_) => {
                open.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Whether `session` is still open (not expired, not logged out): a long-lived response
    /// such as the dashboard's event stream asks this now and then.
    pub fn is_open(&self, session: &UiSession) -> bool {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.get(&session.key)
            .is_some_and(|o| o.expires > Instant::now())
    }

    /// End a session (logout).
    pub fn end(&self, session: &UiSession) {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&session.key);
    }
}

/// The session id in a `Cookie` header's value, if it carries ours.
pub fn cookie_value(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Two secrets compared in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::auth::Role;

    fn caller() -> Caller {
        Caller {
            name: "ro".into(),
            role: Role::Read,
        }
    }

    #[test]
    fn a_code_opens_one_session_once() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(60));
        let code = s.mint(caller()).unwrap();
        let (id, session) = s.redeem(&code).unwrap();
        assert_eq!(session.caller.role, Role::Read);
        assert!(s.redeem(&code).is_none(), "a code is good once");
        assert!(s.find(&id).is_some());
        s.end(&session);
        assert!(s.find(&id).is_none());
        assert!(s.find("nonsense").is_none());
    }

    #[test]
    fn codes_and_sessions_expire() {
        let s = Sessions::new(Duration::ZERO, Duration::from_secs(60));
        let code = s.mint(caller()).unwrap();
        assert!(s.redeem(&code).is_none());
        let s = Sessions::new(Duration::from_secs(60), Duration::ZERO);
        let (id, _) = s.redeem(&s.mint(caller()).unwrap()).unwrap();
        assert!(s.find(&id).is_none());
    }

    #[test]
    fn the_maps_stay_bounded() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(60));
        for _ in 0..MAX_CODES + 10 {
            s.mint(caller()).unwrap();
        }
        assert_eq!(s.codes.lock().unwrap().len(), MAX_CODES);
    }

    #[test]
    fn cookies_and_secrets() {
        assert_eq!(cookie_value("a=1; dspy_ui=xyz; b=2"), Some("xyz"));
        assert_eq!(cookie_value("dspy_uix=1"), None);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd"));
    }
}
