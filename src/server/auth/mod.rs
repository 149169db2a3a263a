//! Authentication, roles and the audit hook, in one room: the token store (`tokens`), the
//! table of who may call what (`roles`), and the gate that every gRPC call (`grpc_layer`, a
//! tower layer added at server build time) and every HTTP request (`http_layer`, an axum
//! middleware) passes through. The gate checks the bearer token in constant time, the role
//! against the table, hands the caller to the handler as a request extension, and writes the
//! audit line for a mutating call once its outcome is known.

pub mod gate;
pub mod grpc_layer;
pub mod http_layer;
pub mod roles;
pub mod sessions;
pub mod tokens;

pub use gate::{AuditIds, Gate, note_ids};
pub use roles::Role;
pub use tokens::Caller;

/// What a client with no valid token is told, whether it sent none or a wrong one.
pub const UNAUTHENTICATED: &str = "missing or invalid token (send `authorization: Bearer <token>`; the local user's token is in $DSPY_AGENT_HOME/auth/token)";

/// Whether `caller` may cancel a task that `owner` submitted: admins may cancel anything, the
/// `submit` role only its own tasks.
pub fn may_cancel(caller: Option<&Caller>, owner: Option<&str>) -> bool {
    match caller {
        None => true,
        Some(c) if c.role == Role::Admin => true,
        Some(c) => owner == Some(c.name.as_str()),
    }
}
