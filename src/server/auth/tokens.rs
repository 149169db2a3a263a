//! Tokens: the default admin token in `$HOME/auth/token` (plain text, 0600, for the local user
//! and their clients to read) and named tokens in `$HOME/auth/tokens.json` (SHA-256 hashes
//! only; the plain token is shown once, at creation). The server reads both through a
//! `Keyring`, which notices a created or revoked token without a restart.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::roles::Role;
use crate::error::{Error, Result};

/// The name the default token's calls are recorded under.
pub const DEFAULT_NAME: &str = "default";
/// The environment variable a client's token comes from first.
pub const TOKEN_ENV: &str = "DSPY_AGENT_TOKEN";

pub fn auth_dir(home: &Path) -> PathBuf {
    home.join("auth")
}

pub fn default_token_path(home: &Path) -> PathBuf {
    auth_dir(home).join("token")
}

fn named_path(home: &Path) -> PathBuf {
    auth_dir(home).join("tokens.json")
}

/// A named token as stored: never the token itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Named {
    pub name: String,
    pub role: Role,
    pub sha256: String,
    pub created_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct NamedFile {
    tokens: Vec<Named>,
}

/// Who made a call: the token's name and role.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

fn sha256_hex(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits from the OS, as 64 hex digits.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::runtime(format!("cannot read random bytes for a token: {e}")))?;
    Ok(hex::encode(bytes))
}

fn ensure_dir(home: &Path) -> Result<()> {
    crate::state::ensure_home(home)?;
    crate::state::ensure_home(&auth_dir(home))
}

/// The default admin token, created (0600, 256 random bits) when the home has none yet.
pub fn ensure_default(home: &Path) -> Result<String> {
    if let Some(t) = read_default(home) {
        return Ok(t);
    }
    ensure_dir(home)?;
    let token = new_token()?;
    crate::state::write_atomic(&default_token_path(home), format!("{token}\n").as_bytes())?;
    Ok(token)
}

/// The default token, if the home has one.
pub fn read_default(home: &Path) -> Option<String> {
    let text = std::fs::read_to_string(default_token_path(home)).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The token a client sends: `DSPY_AGENT_TOKEN`, else the home's default token.
pub fn client_token(home: &Path) -> Option<String> {
    std::env::var(TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| read_default(home))
}

fn read_named(home: &Path) -> Result<Vec<Named>> {
    let path = named_path(home);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str::<NamedFile>(&text)
            .map(|f| f.tokens)
            .map_err(|e| Error::runtime(format!("{} is damaged: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(e) => Err(Error::runtime(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn write_named(home: &Path, tokens: Vec<Named>) -> Result<()> {
    let text = serde_json::to_string_pretty(&NamedFile { tokens })
        .map_err(|e| Error::runtime(e.to_string()))?;
    crate::state::write_atomic(&named_path(home), text.as_bytes())
}

/// Change the named tokens under an exclusive lock, so two CLI commands never lose a token.
fn with_named<T>(home: &Path, change: impl FnOnce(&mut Vec<Named>) -> Result<T>) -> Result<T> {
    ensure_dir(home)?;
    let lock_path = auth_dir(home).join("tokens.lock");
    let lock = crate::state::create_private_keep(&lock_path)
        .map_err(|e| Error::runtime(format!("cannot open {}: {e}", lock_path.display())))?;
    lock.lock()
        .map_err(|e| Error::runtime(format!("cannot lock {}: {e}", lock_path.display())))?;
    let mut tokens = read_named(home)?;
    let out = change(&mut tokens)?;
    write_named(home, tokens)?;
    Ok(out)
}

/// A token name: what the audit log and task records show.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(Error::usage(format!(
            "bad token name {name:?}: use 1-64 letters, digits, '-', '_' or '.'"
        )));
    }
    if name == DEFAULT_NAME {
        return Err(Error::usage(format!(
            "{DEFAULT_NAME:?} is the home's own admin token ({}); pick another name",
            "auth/token"
        )));
    }
    Ok(())
}

/// Create a named token and return it (the only time it is shown).
pub fn create(home: &Path, name: &str, role: Role) -> Result<String> {
    check_name(name)?;
    let token = new_token()?;
    let hash = sha256_hex(&token);
    with_named(home, |tokens| {
        if tokens.iter().any(|t| t.name == name) {
            return Err(Error::usage(format!(
                "a token named {name:?} exists; revoke it first or pick another name"
            )));
        }
        tokens.push(Named {
            name: name.into(),
            role,
            sha256: hash,
            created_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        });
        Ok(())
    })?;
    Ok(token)
}

/// The named tokens (hashes, never tokens).
pub fn list(home: &Path) -> Result<Vec<Named>> {
    read_named(home)
}

/// Revoke a named token; false if there was none by that name.
pub fn revoke(home: &Path, name: &str) -> Result<bool> {
    with_named(home, |tokens| {
        let before = tokens.len();
        tokens.retain(|t| t.name != name);
        Ok(tokens.len() != before)
    })
}

/// Equal bytes, in time that depends only on the lengths (hashes: always 32 bytes).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct Loaded {
    stamp: (Option<SystemTime>, Option<SystemTime>),
    /// (name, role, SHA-256 of the token)
    keys: Vec<(String, Role, [u8; 32])>,
}

/// The server's view of the home's tokens, reloaded when either file changes.
pub struct Keyring {
    home: PathBuf,
    loaded: Mutex<Option<Loaded>>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn digest(hex_text: &str) -> Option<[u8; 32]> {
    hex::decode(hex_text).ok()?.try_into().ok()
}

impl Keyring {
    pub fn new(home: &Path) -> Keyring {
        Keyring {
            home: home.to_path_buf(),
            loaded: Mutex::new(None),
        }
    }

    fn load(&self) -> Loaded {
        let stamp = (
            modified(&default_token_path(&self.home)),
            modified(&named_path(&self.home)),
        );
        let mut keys = vec![];
        if let Some(t) = read_default(&self.home) {
            keys.push((
                DEFAULT_NAME.to_string(),
                Role::Admin,
                Sha256::digest(t).into(),
            ));
        }
        match read_named(&self.home) {
            Ok(named) => keys.extend(
                named
                    .into_iter()
                    .filter_map(|n| Some((n.name, n.role, digest(&n.sha256)?))),
            ),
            // A damaged file grants nothing; the default token still works.
            Err(e) => tracing::warn!("{e}"),
        }
        Loaded { stamp, keys }
    }

    /// The caller a presented token stands for, or None. Every key is compared, each in
    /// constant time, so the answer's timing says nothing about which bytes matched.
    pub fn identify(&self, presented: &str) -> Option<Caller> {
        let hash: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let guard = self.current();
        let mut found = None;
        for (name, role, key) in &guard.as_ref()?.keys {
            if same(key, &hash) && found.is_none() {
                found = Some(Caller {
                    name: name.clone(),
                    role: *role,
                });
            }
        }
        found
    }

    /// Whether a token named `name` with `role` still exists (a dashboard session stands for
    /// one, and ends when it is revoked).
    pub fn holds(&self, name: &str, role: Role) -> bool {
        let guard = self.current();
        guard
            .as_ref()
            .is_some_and(|l| l.keys.iter().any(|(n, r, _)| n == name && *r == role))
    }

    /// The keys, read again when a token file changed since they were read.
    fn current(&self) -> std::sync::MutexGuard<'_, Option<Loaded>> {
        let stamp = (
            modified(&default_token_path(&self.home)),
            modified(&named_path(&self.home)),
        );
        let mut guard = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(|l| l.stamp != stamp) {
            *guard = Some(self.load());
        }
        guard
    }
}

/// The token in an `authorization: Bearer <token>` header value.
pub fn bearer(value: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_created_found_and_revoked() {
        let home = tempfile::tempdir().unwrap();
        let admin = ensure_default(home.path()).unwrap();
        assert_eq!(admin.len(), 64);
        assert_eq!(ensure_default(home.path()).unwrap(), admin, "created once");
        let ring = Keyring::new(home.path());
        assert_eq!(ring.identify(&admin).unwrap().role, Role::Admin);
        assert!(ring.identify("wrong").is_none());
        let w = create(home.path(), "w1", Role::Worker).unwrap();
        let text = std::fs::read_to_string(named_path(home.path())).unwrap();
        assert!(!text.contains(&w), "only the hash is stored");
        assert_eq!(
            ring.identify(&w),
            Some(Caller {
                name: "w1".into(),
                role: Role::Worker
            })
        );
        assert!(create(home.path(), "w1", Role::Read).is_err());
        assert!(revoke(home.path(), "w1").unwrap());
        // The file's mtime may not move within its resolution: force a reload.
        *ring.loaded.lock().unwrap() = None;
        assert!(ring.identify(&w).is_none());
        assert!(!revoke(home.path(), "w1").unwrap());
    }

    #[test]
    fn bearer_values_are_read_strictly() {
        assert_eq!(bearer(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer(b"bearer  abc "), Some("abc"));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bearer "), None);
    }
}
