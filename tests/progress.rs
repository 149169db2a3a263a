//! The progress view of `up`/`down` against the real engine: the live view drawn in a real
//! terminal (tmux, and a pty from `script`), the plain log when piped, NDJSON with
//! `--progress json`, NO_COLOR, and ✘ on a failing service. Each test has its own home,
//! project and host ports, and removes what its project created.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{BIN, Env};

struct Cleanup<'a>(&'a Env);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["down", "--volumes", "--timeout", "1"]);
    }
}

/// A redis and a busybox httpd, on host ports `base` and `base + 1`.
fn two_services(base: u16) -> String {
    format!(
        "[services.cache]\nimage = \"dspy-test/redis:latest\"\nports = [\"{base}:6379\"]\n\n\
         [services.web]\nimage = \"dspy-test/busybox:latest\"\n\
         command = [\"httpd\", \"-f\", \"-v\", \"-p\", \"8080\", \"-h\", \"/www\"]\n\
         ports = [\"{}:8080\"]\n",
        base + 1
    )
}

/// A shell word, single-quoted.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command line `env` would run for `args`, with the test's home, project and services.
fn command_line(env: &Env, args: &[&str]) -> String {
    let mut words = vec![
        BIN.to_string(),
        "--home".into(),
        env.home().display().to_string(),
        "--project".into(),
        env.project.clone(),
    ];
    if let Some(f) = &env.services_file {
        words.push("--services-file".into());
        words.push(f.display().to_string());
    }
    words.extend(args.iter().map(|a| a.to_string()));
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// A tmux session (its own server socket) that is killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Run `line` in a 120x30 terminal; the shell prints `EXIT=<code>` when it ends.
    fn start(name: &str, line: &str) -> Tmux {
        let t = Tmux {
            socket: format!("dspy-progress-{}-{name}", std::process::id()),
        };
        let shell = format!("{line}; echo EXIT=$?; sleep 120");
        let out = t
            .tmux()
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "30",
            ])
            .args(["-e", "TERM=xterm-256color", "sh", "-c", &shell])
            .output()
            .expect("tmux (scripts/setup.sh installs it)");
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen once the command has printed `EXIT=`, and its exit code.
    fn wait_exit(&self, within: Duration) -> (String, i32) {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if let Some(code) = screen
                .lines()
                .find_map(|l| l.trim().strip_prefix("EXIT="))
                .and_then(|c| c.parse().ok())
            {
                return (screen, code);
            }
            assert!(
                Instant::now() < deadline,
                "the command did not finish within {within:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

/// Run `line` under a pty from `script`, NO_COLOR as given, and return the raw bytes the
/// terminal received and the exit code.
fn under_pty(line: &str, no_color: Option<&str>) -> (String, i32) {
    let mut cmd = Command::new("timeout");
    cmd.args(["120", "script", "-q", "-e", "-c", line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null());
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("script (util-linux)");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// SGR sequences (colour, bold, dim): ESC [ params m.
fn has_sgr(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let mut j = i + 2;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b';') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'm' {
                return true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

fn line_of<'a>(screen: &'a str, service: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!(" {service} ")) && (l.contains('✔') || l.contains('✘')))
        .unwrap_or_else(|| panic!("no finished line for `{service}` on the screen:\n{screen}"))
}

#[test]
fn live_view_in_a_terminal_ends_with_a_check_per_service() {
    let env = Env::new("progress-tmux").with_services(&two_services(43611));
    let _cleanup = Cleanup(&env);
    // Colour on (no NO_COLOR), `auto` mode: a terminal gets the live view.
    let term = Tmux::start("up", &command_line(&env, &["up", "-s", "cache,web"]));
    let (screen, code) = term.wait_exit(Duration::from_secs(90));
    assert_eq!(code, 0, "screen:\n{screen}");
    for service in ["cache", "web"] {
        let line = line_of(&screen, service);
        assert!(
            line.starts_with('✔') && line.contains("healthy") && line.trim_end().ends_with('s'),
            "{line}"
        );
    }
    // No spinner frame left behind: each service appears once with its mark.
    assert!(!screen.contains("waiting for health"), "{screen}");

    // down in the same terminal kind: each line ends removed.
    let term = Tmux::start("down", &command_line(&env, &["down", "--timeout", "1"]));
    let (screen, code) = term.wait_exit(Duration::from_secs(60));
    assert_eq!(code, 0, "screen:\n{screen}");
    for service in ["cache", "web"] {
        assert!(line_of(&screen, service).contains("removed"), "{screen}");
    }
}

#[test]
fn no_color_under_a_pty_draws_without_sgr_and_a_failure_gets_a_cross() {
    let toml = two_services(43621)
        + "\n[services.broken]\nimage = \"dspy-test/busybox:latest\"\n\
           command = [\"sh\", \"-c\", \"exit 7\"]\nports = [\"43623:8080\"]\n\
           [services.broken.health]\nkind = \"http\"\ntimeout_s = 60\n";
    let env = Env::new("progress-pty").with_services(&toml);
    let _cleanup = Cleanup(&env);
    let line = command_line(&env, &["--progress", "tty", "up", "-s", "cache,web,broken"]);

    let (raw, code) = under_pty(&line, Some("1"));
    assert_eq!(code, 3, "{raw}");
    assert!(raw.contains('\x1b'), "the view moves the cursor: {raw:?}");
    assert!(!has_sgr(&raw), "NO_COLOR=1 but colour was drawn: {raw:?}");
    assert!(raw.contains("✔ cache") && raw.contains("✔ web"), "{raw}");
    assert!(
        raw.contains("✘ broken") && raw.contains("exited with code 7"),
        "{raw}"
    );
    assert!(
        raw.contains("error: `up` failed at service `broken`"),
        "{raw}"
    );

    // The same with colour allowed (NO_COLOR empty counts as unset): SGR appears.
    let _ = env.run(&["down", "--timeout", "1"]);
    let (raw, _) = under_pty(&line, Some(""));
    assert!(has_sgr(&raw), "colour expected on a terminal: {raw:?}");
}

#[test]
fn piped_output_has_no_escapes_and_json_mode_is_ndjson() {
    let env = Env::new("progress-pipe").with_services(&two_services(43631));
    let _cleanup = Cleanup(&env);
    // NO_COLOR unset: it is the pipe that must keep escapes out.
    let out = env
        .command(&["up", "-s", "cache,web"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let run = common::to_run(out.clone()).ok();
    assert!(
        !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
        "escape bytes in piped output:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    // Today's plain log, as scripts parse it.
    assert!(
        run.stderr.contains("cache              creating"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("web                healthy"),
        "{}",
        run.stderr
    );

    let out = env
        .command(&["--progress", "json", "down", "--timeout", "1"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let run = common::to_run(out).ok();
    let events: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not NDJSON ({e}): {l}")))
        .collect();
    let removed: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "service" && e["status"] == "removed")
        .map(|e| e["service"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(removed.len(), 2, "{}", run.stderr);

    // --progress tty into a pipe is refused before anything happens.
    let run = env.run(&["--progress", "tty", "up", "-s", "cache"]).code(2);
    assert!(run.stderr.contains("--progress tty"), "{}", run.stderr);
    let ps = env.run(&["--json", "ps"]).ok().json();
    assert!(
        ps["services"].as_array().is_none_or(|s| s.is_empty()),
        "{ps}"
    );
}
