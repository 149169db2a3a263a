//! Black-box tests of the built binary that need no container engine.

mod common;

use std::io::Read;
use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};

use common::{BIN, Env};

#[test]
fn help_and_version_exit_zero() {
    let env = Env::new("help");
    let out = env.run(&["--help"]).ok();
    for cmd in ["up", "down", "ps", "logs", "ports", "config", "completions"] {
        assert!(
            out.stdout.contains(cmd),
            "--help lacks {cmd}:\n{}",
            out.stdout
        );
    }
    assert!(!out.stdout.to_lowercase().contains("not implemented"));
    let out = env.run(&["--version"]).ok();
    assert!(out.stdout.starts_with("dspy-agent "));
    env.run(&["frobnicate"]).code(2);
}

#[test]
fn config_show_reports_each_source() {
    let env = Env::new("sources").env("ORCHESTRATOR_GRPC_ADDR", ":7777");
    std::fs::write(
        env.home().join("config.toml"),
        "workspace = \"/work\"\n[ports]\nredis = 7000\n",
    )
    .unwrap();
    let doc = env.run(&["--json", "config", "show"]).ok().json();
    assert_eq!(doc["schema_version"], 1);
    let get = |key: &str| {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {doc}"))
            .clone()
    };
    assert_eq!(get("workspace")["value"], "/work");
    assert_eq!(get("workspace")["source"], "file");
    assert_eq!(get("orchestrator_addr")["value"], "127.0.0.1:7777");
    assert_eq!(
        get("orchestrator_addr")["source"],
        "env ORCHESTRATOR_GRPC_ADDR"
    );
    assert_eq!(get("project")["source"], "flag");
    assert_eq!(get("ports.redis")["value"], 7000);
    assert_eq!(get("env_manager_addr")["source"], "default");
    assert_eq!(get("env_manager_addr")["value"], "127.0.0.1:50100");

    // The project from the environment says so.
    let out = std::process::Command::new(BIN)
        .args(["--json", "config", "show"])
        .arg("--home")
        .arg(env.home())
        .env("DSPY_AGENT_PROJECT", "from-env")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let project = doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "project")
        .unwrap()
        .clone();
    assert_eq!(project["value"], "from-env");
    assert_eq!(project["source"], "env DSPY_AGENT_PROJECT");
}

#[test]
fn config_init_never_overwrites_without_force() {
    let env = Env::new("init");
    env.run(&["config", "init"]).ok();
    let path = env.home().join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[services]") && text.contains("# orchestrator_addr"));
    std::fs::write(&path, "workspace = \"mine\"\n").unwrap();
    let out = env.run(&["config", "init"]).code(2);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "workspace = \"mine\"\n"
    );
    env.run(&["config", "init", "--force"]).ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn config_set_validates_before_writing() {
    let env = Env::new("set");
    env.run(&["config", "init"]).ok();
    let path = env.home().join("config.toml");
    let before = std::fs::read_to_string(&path).unwrap();
    for (key, value) in [
        ("colour", "red"),
        ("gpu", "maybe"),
        ("ports.redis", "70000"),
        ("ports.nosuch", "1"),
        ("orchestrator_addr", "nowhere"),
        ("services.nosuch", "true"),
    ] {
        let out = env.run(&["config", "set", key, value]).code(2);
        assert!(
            out.stderr.contains(key.split('.').next_back().unwrap()),
            "{key}: {}",
            out.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        before,
        "a refused set changed the file"
    );

    env.run(&["config", "set", "ports.redis", "6380"]).ok();
    env.run(&["config", "set", "services.ollama", "true"]).ok();
    env.run(&["config", "set", "orchestrator_addr", ":9999"])
        .ok();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# dspy-agent settings"),
        "comments were lost:\n{text}"
    );
    let doc = env.run(&["--json", "config", "show"]).ok().json();
    let value = |k: &str| {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == k)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(value("ports.redis"), 6380);
    assert_eq!(value("services.ollama"), true);
    assert_eq!(value("orchestrator_addr"), "127.0.0.1:9999");
}

#[test]
fn malformed_config_names_file_line_and_key() {
    let env = Env::new("badconfig");
    let path = env.home().join("config.toml");
    let cases = [
        ("workspace = \".\"\n\ncolor = true\n", ":3:", "color"),
        ("gpu = \"yes\"\n", ":1:", "gpu"),
        ("[ports]\nredis = \"high\"\n", ":2:", "ports.redis"),
        ("[services\n", ":1:", ""),
    ];
    for (text, line, key) in cases {
        std::fs::write(&path, text).unwrap();
        for cmd in [
            &["config", "show"][..],
            &["ps"][..],
            &["up", "--services", "redis"][..],
        ] {
            let out = env.run(cmd).code(2);
            let msg = out.stderr.clone();
            assert!(
                msg.contains(&format!("{}{line}", path.display())),
                "{cmd:?} {text:?}: {msg}"
            );
            assert!(msg.contains(key), "{cmd:?} {text:?}: {msg}");
            assert!(!msg.contains("panicked"), "{msg}");
        }
    }
}

#[test]
fn services_file_errors_name_file_service_and_field() {
    let cases = [
        (
            "[services.redis]\nports = [\"63x9:6379\"]\n",
            "service `redis`, field `ports`",
        ),
        (
            "[services.redis.resources]\nmemory = \"lots\"\n",
            "service `redis`, field `resources.memory`",
        ),
        ("[services.redis]\nimagee = \"x\"\n", "imagee"),
        (
            "[services.web]\nports = [\"1:1\"]\n",
            "service `web`, field `image`",
        ),
    ];
    for (text, needle) in cases {
        let env = Env::new("badservices").with_services(text);
        let out = env.run(&["config", "services"]).code(2);
        assert!(out.stderr.contains("test-services.toml"), "{}", out.stderr);
        assert!(out.stderr.contains(needle), "{text}: {}", out.stderr);
    }
    // A named services file that does not exist is an error, not silently the defaults.
    let env = Env::new("missing");
    env.run(&[
        "--services-file",
        "/nonexistent/services.toml",
        "config",
        "services",
    ])
    .code(2);
}

#[test]
fn cycles_and_unknown_services_fail_before_docker() {
    // DOCKER_HOST points nowhere: these must be usage errors (2), not engine errors (4).
    let env = Env::new("cycle")
        .with_services("[services.a]\nimage = \"x\"\ndepends_on = [\"b\"]\n[services.b]\nimage = \"x\"\ndepends_on = [\"a\"]\n")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let out = env.run(&["up", "--services", "redis"]).code(2);
    assert!(out.stderr.contains("a -> b -> a"), "{}", out.stderr);
    let out = env.run(&["config", "services"]).code(2);
    assert!(out.stderr.contains("a -> b -> a"), "{}", out.stderr);

    let env = Env::new("unknown").env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let out = env.run(&["up", "--services", "postgres"]).code(2);
    assert!(
        out.stderr.contains("unknown service `postgres`"),
        "{}",
        out.stderr
    );
}

#[test]
fn resolved_catalog_lists_the_six_services() {
    let env = Env::new("catalog");
    let doc = env.run(&["--json", "config", "services"]).ok().json();
    let services = doc["services"].as_array().unwrap();
    let names: Vec<&str> = services
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "infermesh-node-a",
            "infermesh-node-b",
            "infermesh-router",
            "ollama",
            "reddb",
            "redis"
        ]
    );
    let router = services
        .iter()
        .find(|s| s["name"] == "infermesh-router")
        .unwrap();
    assert_eq!(router["ports"][0]["host"], 19000);
    assert_eq!(
        router["depends_on"],
        serde_json::json!(["infermesh-node-a", "infermesh-node-b"])
    );
}

#[test]
fn unreachable_engine_is_exit_4_with_the_socket_named() {
    let env = Env::new("nosocket").env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    for cmd in [
        &["ps"][..],
        &["up", "--services", "redis"][..],
        &["down"][..],
        &["logs"][..],
        &["ports"][..],
    ] {
        let out = env.run(cmd).code(4);
        assert!(
            out.stderr.contains("/nonexistent/docker.sock"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    }
    // Nothing listening on a TCP engine address.
    let env = Env::new("notcp").env("DOCKER_HOST", "tcp://127.0.0.1:1");
    env.run(&["ps"]).code(4);
}

#[test]
fn silent_engine_gives_up_within_ten_seconds() {
    // A socket that accepts connections and never answers: the worst case for a hang.
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let env = Env::new("silent").env("DOCKER_HOST", &format!("unix://{}", sock.display()));
    let start = Instant::now();
    let out = env.run(&["ps"]).code(4);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(out.stderr.contains("no answer"), "{}", out.stderr);
}

#[test]
fn json_errors_are_one_document_on_stdout() {
    let env = Env::new("jsonerr").env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let out = env.run(&["--json", "ps"]).code(4);
    let doc = out.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["error"]["code"], 4);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("docker.sock")
    );
}

#[test]
fn no_colour_when_not_a_terminal() {
    let env = Env::new("nocolour");
    let mut cmd = env.command(&["config", "show"]);
    cmd.env_remove("NO_COLOR");
    let out = common::to_run(cmd.output().unwrap()).ok();
    assert!(!out.stdout.contains('\x1b') && !out.stderr.contains('\x1b'));
}

#[test]
fn closed_stdout_is_not_an_error() {
    // Like `dspy-agent completions zsh | head -1`: the reader is gone before the writer writes,
    // so the write fails with EPIPE. ripgrep's rule: that is exit 0 and no message.
    let mut child = std::process::Command::new(BIN)
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "exit {status:?}: {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn committed_completions_and_man_pages_match_the_binary() {
    let root = env!("CARGO_MANIFEST_DIR");
    let env = Env::new("docs");
    for (shell, file) in [
        ("bash", "dspy-agent.bash"),
        ("zsh", "_dspy-agent"),
        ("fish", "dspy-agent.fish"),
        ("elvish", "dspy-agent.elv"),
        ("powershell", "_dspy-agent.ps1"),
    ] {
        let out = env.run(&["completions", shell]).ok();
        let committed =
            std::fs::read_to_string(format!("{root}/completions/{file}")).unwrap_or_default();
        assert!(
            out.stdout == committed,
            "completions/{file} is stale: run scripts/gen-docs.sh"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    env.run(&["man", "--out", dir.path().to_str().unwrap()])
        .ok();
    let mut generated: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let mut committed: Vec<_> = std::fs::read_dir(format!("{root}/man"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    generated.sort();
    committed.sort();
    assert_eq!(
        generated, committed,
        "man/ is stale: run scripts/gen-docs.sh"
    );
    for name in generated {
        let a = std::fs::read(dir.path().join(&name)).unwrap();
        let b = std::fs::read(format!("{root}/man/{}", name.to_string_lossy())).unwrap();
        assert!(
            a == b,
            "man/{} is stale: run scripts/gen-docs.sh",
            name.to_string_lossy()
        );
    }
}

#[test]
fn concurrent_config_sets_lose_nothing() {
    let env = Env::new("cfgrace");
    let names = [
        "redis",
        "reddb",
        "ollama",
        "infermesh-router",
        "infermesh-node-a",
        "infermesh-node-b",
    ];
    let children: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            env.command(&[
                "config",
                "set",
                &format!("ports.{n}"),
                &(30000 + i).to_string(),
            ])
            .spawn()
            .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let doc = env.run(&["--json", "config", "show"]).ok().json();
    let from_file = doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "file")
        .count();
    assert_eq!(from_file, names.len(), "{doc}");
}

#[test]
fn usage_errors_with_json_are_json_too() {
    let env = Env::new("jsonusage");
    let out = env.run(&["--json", "up", "--bogus"]).code(2);
    let doc = out.json();
    assert_eq!(doc["error"]["code"], 2);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--bogus")
    );
    let out = env.run(&["--json", "ports", "--env"]).code(2);
    assert!(out.stderr.contains("--env and --json"), "{}", out.stderr);
    let env = Env::new("badhost").env("DOCKER_HOST", "garbage");
    let out = env.run(&["ps"]).code(2);
    assert!(out.stderr.contains("DOCKER_HOST"), "{}", out.stderr);
    // An empty variable is unset, not an empty --home.
    let out = std::process::Command::new(BIN)
        .args(["config", "path"])
        .env("DSPY_AGENT_HOME", "")
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn config_errors_point_at_the_line_of_the_key() {
    let env = Env::new("cfglines").env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let path = env.home().join("config.toml");
    for (text, needle) in [
        (
            "\n[scheduler]\nmax_attempts = 0\n",
            ":3: key `scheduler.max_attempts`",
        ),
        ("[ports]\nnosuch = 1234\n", ":2: key `ports.nosuch`"),
        ("[services]\nnosuch = true\n", ":2: key `services.nosuch`"),
    ] {
        std::fs::write(&path, text).unwrap();
        let cmd: &[&str] = if text.contains("nosuch") {
            &["up"]
        } else {
            &["config", "show"]
        };
        let out = env.run(cmd).code(2);
        let want = format!("{}{needle}", path.display());
        assert!(out.stderr.contains(&want), "{text:?}: {}", out.stderr);
    }
    // The harness passes --project, so ask the binary directly for the file's project.
    std::fs::write(&path, "project = \"Bad Name\"\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["config", "show", "--home"])
        .arg(env.home())
        .env_remove("DSPY_AGENT_PROJECT")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}:1: key `project`", path.display())),
        "{err}"
    );
}

#[test]
fn a_non_utf8_argument_is_a_usage_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new("nonutf8");
    for args in [&[&b"\xff"[..]][..], &[b"--json", b"config", b"\xffshow"]] {
        let mut cmd = env.command(&[]);
        cmd.args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)));
        let out = common::to_run(cmd.output().unwrap()).code(2);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        assert!(out.stderr.contains("error"), "{}", out.stderr);
    }
}

/// no-color.org: only a NO_COLOR that is present and not empty turns colour off, for the logs
/// as for everything else. Needs a terminal, so the binary runs under script(1).
#[test]
fn an_empty_no_color_leaves_log_colour_on() {
    let env = Env::new("emptynocolor");
    // A corrupt state file makes `serve status` log a warning.
    std::fs::write(env.home().join("state.json"), "{ half").unwrap();
    let on_a_terminal = |no_color: &str| {
        let line = format!("'{BIN}' --home '{}' serve status", env.home().display());
        let out = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("NO_COLOR", no_color)
            .env_remove("RUST_LOG")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("script(1) from util-linux");
        std::fs::write(env.home().join("state.json"), "{ half").unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = on_a_terminal("");
    assert!(out.contains("not valid JSON"), "{out}");
    assert!(
        out.contains('\x1b'),
        "no colour with NO_COLOR empty: {out:?}"
    );
    let out = on_a_terminal("1");
    assert!(out.contains("not valid JSON"), "{out}");
    assert!(!out.contains('\x1b'), "colour despite NO_COLOR=1: {out:?}");
}

#[test]
fn a_bad_lock_timeout_is_a_usage_error_not_a_panic() {
    for bad in ["inf", "-1", "NaN"] {
        let env = Env::new("locktimeout").env("DSPY_AGENT_LOCK_TIMEOUT_S", bad);
        let out = env.run(&["serve", "status"]).code(2);
        assert!(!out.stderr.contains("panicked"), "{bad}: {}", out.stderr);
        assert!(
            out.stderr.contains("DSPY_AGENT_LOCK_TIMEOUT_S"),
            "{bad}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_deprecated_key_still_loads_and_is_warned_about_once() {
    let env = Env::new("deprecated");
    let path = env.home().join("config.toml");
    std::fs::write(&path, "workspace = \"/w\"\n").unwrap();
    let out = env.run(&["config", "show"]).ok();
    assert_eq!(
        out.stderr.matches("deprecated").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("{}:1: key `workspace`", path.display())),
        "{}",
        out.stderr
    );
    let out = env.run(&["config", "set", "workspace", "/x"]).code(2);
    assert!(out.stderr.contains("deprecated"), "{}", out.stderr);
}

/// `bench` is no test, but it must keep running: a tiny run of every phase, checked for numbers.
#[test]
fn bench_runs_every_phase() {
    let env = Env::new("bench");
    let run = env
        .run(&[
            "bench",
            "--json",
            "--submissions",
            "200",
            "--concurrency",
            "8",
            "--samples",
            "10",
            "--starts",
            "3",
            "--auth",
            "--tls",
        ])
        .ok();
    let doc = run.json();
    assert!(
        doc["submit_throughput"]["per_second"].as_f64().unwrap() > 0.0,
        "{doc}"
    );
    for phase in ["submit_latency", "get_status_latency", "submit_to_start"] {
        assert!(
            doc[phase]["p50_ms"].as_f64().unwrap() > 0.0,
            "{phase}: {doc}"
        );
    }
    // --auth --tls: the same submissions on a second server, with a named token over TLS.
    assert_eq!(doc["secured"]["variant"], "named token + TLS", "{doc}");
    assert!(
        doc["secured"]["per_second"].as_f64().unwrap() > 0.0,
        "{doc}"
    );
    assert!(
        doc["secured"]["submit_latency"]["p50_ms"].as_f64().unwrap() > 0.0,
        "{doc}"
    );
}

#[test]
fn services_file_variables_come_from_env_then_dotenv() {
    let services = r#"[services.web]
image = "${WEB_IMAGE:-busybox:latest}"
env_file = ["web.env"]
[services.web.env]
MODE = "${MODE}"
OPENAI_API_KEY = "${API_KEY:?put it in .env}"
LITERAL = "$${MODE}"
"#;
    let env = Env::new("vars")
        .with_services(services)
        .env("MODE", "from-env");
    std::fs::write(
        env.home().join(".env"),
        "# beside the services file\nMODE=from-dotenv\nAPI_KEY=sk-${MODE}-1\nHOST=h\n",
    )
    .unwrap();
    std::fs::write(
        env.home().join("web.env"),
        "FROM_FILE=${HOST}\nMODE=overridden-by-env-table\n",
    )
    .unwrap();
    // The environment wins over .env; .env values may use other variables.
    let doc = env.run(&["--json", "config", "services"]).ok().json();
    let web = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "web")
        .unwrap()
        .clone();
    assert_eq!(web["image"], "busybox:latest");
    assert_eq!(web["env"]["MODE"], "from-env");
    assert_eq!(web["env"]["LITERAL"], "${MODE}");
    assert_eq!(web["env"]["FROM_FILE"], "h");
    // A secret-looking key is masked in JSON, and its value appears nowhere.
    assert_eq!(web["env"]["OPENAI_API_KEY"], "********");
    let out = env.run(&["--json", "config", "services"]).ok();
    assert!(!out.stdout.contains("sk-from-env-1"), "{}", out.stdout);

    // --env-file replaces the .env beside the services file; a named one must exist.
    let other = env.home().join("other.env");
    std::fs::write(&other, "API_KEY=k\nWEB_IMAGE=redis:7\n").unwrap();
    let doc = env
        .run(&[
            "--json",
            "--env-file",
            other.to_str().unwrap(),
            "config",
            "services",
        ])
        .ok()
        .json();
    let image = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "web")
        .unwrap()["image"]
        .clone();
    assert_eq!(image, "redis:7");
    let out = env
        .run(&["--env-file", "/nonexistent/.env", "config", "services"])
        .code(2);
    assert!(out.stderr.contains("/nonexistent/.env"), "{}", out.stderr);
}

#[test]
fn variable_errors_are_exit_2_before_docker() {
    let services = "[services.web]\nimage = \"busybox\"\n[services.web.env]\nA = \"${A}\"\nKEY = \"${NEEDED:?set NEEDED}\"\n";
    let env = Env::new("varerr")
        .with_services(services)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    // A missing required variable names the file, the line and the variable; `up` and
    // `config services` fail alike, before the engine is asked anything.
    for args in [&["config", "services"][..], &["up", "--services", "web"]] {
        let out = env.run(args).code(2);
        assert!(
            out.stderr.contains("test-services.toml:5:")
                && out.stderr.contains("`NEEDED`")
                && out.stderr.contains("set NEEDED"),
            "{}",
            out.stderr
        );
    }
    // A .env line that does not parse: file and line.
    std::fs::write(env.home().join(".env"), "NEEDED=1\nnot a line\n").unwrap();
    let out = env.run(&["config", "services"]).code(2);
    assert!(out.stderr.contains(".env:2:"), "{}", out.stderr);
    // A cycle between .env variables is refused, naming it.
    std::fs::write(env.home().join(".env"), "NEEDED=1\nA=${B}\nB=${A}\n").unwrap();
    let out = env.run(&["config", "services"]).code(2);
    assert!(
        out.stderr.contains("variable cycle: A -> B -> A"),
        "{}",
        out.stderr
    );
    // A per-service env_file that does not exist names the field.
    let env = Env::new("envfile")
        .with_services("[services.web]\nimage = \"busybox\"\nenv_file = [\"missing.env\"]\n");
    let out = env.run(&["config", "services"]).code(2);
    assert!(
        out.stderr.contains("field `env_file`") && out.stderr.contains("missing.env"),
        "{}",
        out.stderr
    );
}
