//! Who may make which call: one table keyed by gRPC method or HTTP route, read by the gRPC
//! layer and the HTTP middleware alike. A call missing from the table needs `admin`.

use serde::{Deserialize, Serialize};

/// A token's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Submit, read, and cancel the tasks this token submitted.
    Submit,
    /// Lease, complete and extend (pull workers).
    Worker,
    /// Status, metrics, events.
    Read,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Submit, Role::Worker, Role::Read];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Submit => "submit",
            Role::Worker => "worker",
            Role::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may make a call that needs `need`.
    pub fn allows(self, need: Need) -> bool {
        match need {
            Need::Open | Need::AnyToken => true,
            Need::Read => matches!(self, Role::Admin | Role::Submit | Role::Read),
            Need::Submit => matches!(self, Role::Admin | Role::Submit),
            Need::Work => matches!(self, Role::Admin | Role::Worker),
            Need::Admin => self == Role::Admin,
        }
    }
}

/// What a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Answered without a token (a reduced answer: `GET /health`).
    Open,
    /// Any valid token.
    AnyToken,
    Read,
    Submit,
    Work,
    Admin,
}

/// One row: a call, what it needs, and whether it changes anything (then it is audited).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `Service/Method` for gRPC (`OrchestratorService/SubmitTask`), `METHOD /path` for HTTP
    /// (`POST /queue/submit`, with `*` for one path segment, `/**` for any rest).
    pub call: &'static str,
    pub need: Need,
    pub mutates: bool,
}

const fn rule(call: &'static str, need: Need, mutates: bool) -> Rule {
    Rule {
        call,
        need,
        mutates,
    }
}

use Need::{Admin, AnyToken, Open, Read, Submit, Work};

/// The table. Unknown calls need `admin` and are audited.
pub const RULES: &[Rule] = &[
    // OrchestratorService
    rule("OrchestratorService/SubmitTask", Submit, true),
    rule("OrchestratorService/SubmitTasks", Submit, true),
    rule("OrchestratorService/CancelTask", Submit, true),
    rule("OrchestratorService/RetryTask", Submit, true),
    rule("OrchestratorService/GetTaskStatus", Read, false),
    rule("OrchestratorService/ListTasks", Read, false),
    rule("OrchestratorService/StreamTaskResults", Read, false),
    rule("OrchestratorService/StreamEvents", Read, false),
    rule("OrchestratorService/GetMetrics", Read, false),
    rule("OrchestratorService/Health", AnyToken, false),
    rule("OrchestratorService/LeaseTasks", Work, true),
    rule("OrchestratorService/CompleteTask", Work, true),
    rule("OrchestratorService/ExtendLease", Work, true),
    rule("OrchestratorService/RegisterWorker", Work, true),
    rule("OrchestratorService/ListWorkers", Read, false),
    rule("OrchestratorService/Shutdown", Admin, true),
    rule("OrchestratorService/CreateWorkflow", Submit, true),
    rule("OrchestratorService/StartWorkflowRun", Submit, true),
    rule("OrchestratorService/RetryWorkflowRun", Submit, true),
    rule("OrchestratorService/CancelWorkflowRun", Submit, true),
    rule("OrchestratorService/ListWorkflows", Read, false),
    rule("OrchestratorService/StreamWorkflowStatus", Read, false),
    rule("OrchestratorService/GetWorkflowRun", Read, false),
    rule("OrchestratorService/ListWorkflowRuns", Read, false),
    // A one-time dashboard login for the caller's own token and role (audited).
    rule("OrchestratorService/CreateUiLogin", Read, true),
    // EnvManagerService: starting containers is as good as root on most machines.
    rule("EnvManagerService/StartServices", Admin, true),
    rule("EnvManagerService/StopServices", Admin, true),
    rule("EnvManagerService/RestartService", Admin, true),
    rule("EnvManagerService/PullImages", Admin, true),
    rule("EnvManagerService/GetServicesStatus", Read, false),
    rule("EnvManagerService/StreamHealth", Read, false),
    rule("EnvManagerService/StreamLogs", Read, false),
    rule("EnvManagerService/GetResourceAvailability", Read, false),
    // HTTP
    rule("POST /queue/submit", Submit, true),
    rule("POST /queue/submit-batch", Submit, true),
    rule("GET /queue/status", Read, false),
    rule("GET /tasks", Read, false),
    rule("GET /tasks/*", Read, false),
    rule("POST /tasks/*/cancel", Submit, true),
    rule("POST /tasks/*/retry", Submit, true),
    rule("GET /events", Read, false),
    rule("GET /health", Open, false),
    rule("GET /metrics", Read, false),
    rule("GET /workers", Read, false),
    rule("POST /workflows", Submit, true),
    rule("POST /workflows/**", Submit, true),
    rule("GET /workflows", Read, false),
    rule("GET /workflows/**", Read, false),
    // The dashboard (a session cookie stands for the token that minted its login code). The
    // login page and the static files carry no data; first match wins, so they come first.
    rule("GET /ui/login", Open, true),
    rule("GET /ui/assets/*", Open, false),
    rule("POST /ui/logout", AnyToken, true),
    rule("POST /ui/tasks/*/cancel", Submit, true),
    rule("GET /ui/services/*/logs/stream", Read, false),
    rule("GET /ui/services/*/logs.txt", Read, false),
    rule("GET /ui/services", Read, false),
    rule("GET /ui/services/*", Read, false),
    rule("GET /ui/gpus", Read, false),
    rule("GET /ui/workers", Read, false),
    rule("POST /ui/runs/*/retry", Submit, true),
    rule("POST /ui/runs/*/cancel", Submit, true),
    rule("POST /ui/tasks/*/retry", Submit, true),
    rule("GET /ui", Read, false),
    rule("GET /ui/**", Read, false),
];

/// The row for a call; an unknown call needs admin and is audited.
pub fn rule_for(call: &str) -> Rule {
    RULES
        .iter()
        .find(|r| matches(r.call, call))
        .copied()
        .unwrap_or(Rule {
            call: "",
            need: Admin,
            mutates: true,
        })
}

/// The table's name for a gRPC path (`/orchestrator.v1.OrchestratorService/SubmitTask` →
/// `OrchestratorService/SubmitTask`).
pub fn grpc_call(path: &str) -> String {
    let path = path.trim_start_matches('/');
    match path.split_once('/') {
        Some((service, method)) => {
            let service = service.rsplit('.').next().unwrap_or(service);
            format!("{service}/{method}")
        }
        None => path.to_string(),
    }
}

fn matches(pattern: &str, call: &str) -> bool {
    let (Some((pm, pp)), Some((cm, cp))) = (pattern.split_once(' '), call.split_once(' ')) else {
        return pattern == call;
    };
    if pm != cm {
        return false;
    }
    let mut want = pp.trim_end_matches('/').split('/');
    let mut got = cp.trim_end_matches('/').split('/');
    loop {
        match (want.next(), got.next()) {
            (Some("**"), Some(_)) => return true,
            (Some("*"), Some(g)) if !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_answers_grpc_and_http_calls() {
        let c = grpc_call("/orchestrator.v1.OrchestratorService/SubmitTask");
        assert_eq!(rule_for(&c).need, Submit);
        assert!(rule_for(&c).mutates);
        assert_eq!(rule_for("POST /tasks/abc/cancel").need, Submit);
        assert_eq!(rule_for("GET /tasks/abc").need, Read);
        assert_eq!(rule_for("GET /workflows/x/runs").need, Read);
        assert_eq!(rule_for("OrchestratorService/ListWorkflows").need, Read);
        assert_eq!(rule_for("POST /workflows/runs/r1/cancel").need, Submit);
        assert_eq!(rule_for("GET /health").need, Open);
        assert_eq!(rule_for("GET /ui/login").need, Open);
        assert_eq!(rule_for("GET /ui/assets/app.js").need, Open);
        assert_eq!(rule_for("GET /ui/tasks/t1").need, Read);
        assert_eq!(rule_for("POST /ui/tasks/t1/cancel").need, Submit);
        assert_eq!(rule_for("GET /ui/services/redis/logs/stream").need, Read);
        assert_eq!(rule_for("GET /ui/services/redis/logs.txt").need, Read);
        assert_eq!(rule_for("GET /ui/workers").need, Read);
        assert_eq!(rule_for("POST /ui/runs/r1/retry").need, Submit);
        assert_eq!(rule_for("POST /ui/runs/r1/cancel").need, Submit);
        assert_eq!(rule_for("GET /ui/runs/r1/steps/s").need, Read);
        assert_eq!(rule_for("POST /ui/tasks").need, Admin);
        // Not in the table: admin, audited.
        let unknown = rule_for("OrchestratorService/DropEverything");
        assert_eq!((unknown.need, unknown.mutates), (Admin, true));
        assert_eq!(rule_for("DELETE /tasks").need, Admin);
    }

    #[test]
    fn roles_allow_what_the_issue_says() {
        assert!(Role::Submit.allows(Read) && Role::Submit.allows(Submit));
        assert!(!Role::Submit.allows(Work) && !Role::Submit.allows(Admin));
        assert!(Role::Worker.allows(Work) && !Role::Worker.allows(Submit));
        assert!(!Role::Worker.allows(Read));
        assert!(Role::Read.allows(Read) && !Role::Read.allows(Submit));
        assert!(Role::Admin.allows(Admin) && Role::Admin.allows(Work));
    }
}
