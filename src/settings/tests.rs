//! Loading: precedence, sources, the file's errors with their lines, and the environment.

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn home_with(config: &str) -> (tempfile::TempDir, CliOverrides) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let cli = CliOverrides {
        home: Some(Sourced::new(dir.path().to_path_buf(), Source::Flag)),
        ..Default::default()
    };
    (dir, cli)
}

#[test]
fn precedence_is_flag_env_file_default() {
    let (_dir, mut cli) = home_with(
        "project = \"from-file\"\norchestrator_addr = \"127.0.0.1:1111\"\nworkspace = \"/w\"\n",
    );
    let e = env(&[("ORCHESTRATOR_GRPC_ADDR", ":2222")]);
    let s = Settings::load_with(&cli, &e).unwrap();
    assert_eq!(s.project.value, "from-file");
    assert_eq!(s.project.source, Source::File);
    assert_eq!(s.orchestrator_addr.value, "127.0.0.1:2222");
    assert_eq!(
        s.orchestrator_addr.source,
        Source::Env("ORCHESTRATOR_GRPC_ADDR".into())
    );
    // `workspace` is deprecated: it still loads, is shown, and is warned about.
    let shown = |key: &str| s.entries().into_iter().find(|(k, _, _)| k == key);
    assert_eq!(
        shown("workspace").map(|(_, v, src)| (v, src)),
        Some((serde_json::json!("/w"), Source::File))
    );
    assert!(s.warnings[0].contains("workspace"), "{:?}", s.warnings);
    assert_eq!(s.env_manager_addr.value, DEFAULT_ENV_MANAGER_ADDR);
    assert_eq!(s.env_manager_addr.source, Source::Default);

    cli.project = Some(Sourced::new("from-flag".into(), Source::Flag));
    let s = Settings::load_with(&cli, &e).unwrap();
    assert_eq!(s.project.value, "from-flag");
    assert_eq!(s.project.source, Source::Flag);
}

#[test]
fn dspy_agent_env_beats_architecture_env_name() {
    let (_dir, cli) = home_with("");
    let e = env(&[
        ("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:3"),
        ("ORCHESTRATOR_GRPC_ADDR", ":4"),
    ]);
    let s = Settings::load_with(&cli, &e).unwrap();
    assert_eq!(s.orchestrator_addr.value, "127.0.0.1:3");
}

#[test]
fn ports_map_moves_default_addresses_and_service_ports() {
    let (_dir, cli) =
        home_with("[ports]\norchestrator = 7000\nredis = 6380\n[services]\nollama = true\n");
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert_eq!(s.orchestrator_addr.value, "127.0.0.1:7000");
    assert_eq!(s.orchestrator_addr.source, Source::File);
    assert_eq!(s.ports["redis"].value, 6380);
    assert!(s.services["ollama"].value);
    assert_eq!(s.services["ollama"].source, Source::File);
    assert_eq!(s.services["redis"].source, Source::Default);
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let (dir, cli) = home_with("workspace = \".\"\n\ncolour = true\n");
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert_eq!(err.code, crate::error::Code::Usage);
    let path = dir.path().join("config.toml");
    assert!(
        err.message.starts_with(&format!("{}:3:", path.display())),
        "{}",
        err.message
    );
    assert!(err.message.contains("colour"), "{}", err.message);
}

#[test]
fn wrong_type_and_malformed_file_are_usage_errors() {
    let (_d, cli) = home_with("gpu = \"yes\"\n");
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert!(
        err.message.contains(":1:") && err.message.contains("gpu"),
        "{}",
        err.message
    );
    let (_d, cli) = home_with("[ports\nredis = 1\n");
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert_eq!(err.code, crate::error::Code::Usage);
    let (_d, cli) = home_with("\n[ports]\nredis = 70000\n");
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert!(err.message.contains(":3:"), "{}", err.message);
    let (_d, cli) = home_with("orchestrator_addr = \"nope\"\n");
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert!(
        err.message.contains(":1: key `orchestrator_addr`"),
        "{}",
        err.message
    );
}

#[test]
fn scheduler_table_env_and_validation() {
    let (_d, cli) = home_with(
        "[scheduler]\nmax_payload_bytes = 2048\n[scheduler.classes.gpu]\nconcurrency = 3\nhandler = \"run.sh\"\n",
    );
    let s = Settings::load_with(&cli, &env(&[("DSPY_AGENT_GPU_TIMEOUT_S", "9.5")])).unwrap();
    let gpu = &s.scheduler.classes["gpu"];
    assert_eq!(
        (gpu.concurrency.value, gpu.concurrency.source.clone()),
        (3, Source::File)
    );
    assert_eq!(gpu.timeout_s.value, 9.5);
    assert_eq!(
        gpu.timeout_s.source,
        Source::Env("DSPY_AGENT_GPU_TIMEOUT_S".into())
    );
    assert_eq!(gpu.handler.value.as_deref(), Some("run.sh"));
    assert_eq!(s.scheduler.max_payload_bytes.value, 2048);
    assert_eq!(
        s.scheduler.classes["cpu_short"].concurrency.source,
        Source::Default
    );
    assert!(
        s.entries()
            .iter()
            .any(|(k, _, _)| k == "scheduler.classes.gpu.handler")
    );
    for bad in [
        "[scheduler.classes.tpu]\nconcurrency = 1\n",
        "[scheduler.classes.gpu]\nconcurrency = 0\n",
        "[scheduler]\nmax_payload_bytes = 0\n",
        "[scheduler]\nbogus = 1\n",
    ] {
        let (_d, cli) = home_with(bad);
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage, "{bad}");
    }
    let (_d, cli) = home_with("");
    let err = Settings::load_with(&cli, &env(&[("DSPY_AGENT_MAX_ATTEMPTS", "lots")])).unwrap_err();
    assert!(
        err.message.contains("DSPY_AGENT_MAX_ATTEMPTS"),
        "{}",
        err.message
    );
}

#[test]
fn default_config_file_parses() {
    let (_dir, cli) = home_with(&docs::default_config_toml());
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert!(s.services["redis"].value);
}

#[test]
fn lock_timeout_is_a_setting_with_its_env_var_and_bounds() {
    let (_d, cli) = home_with("");
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert_eq!(
        (s.lock_timeout_s.value, s.lock_timeout_s.source),
        (10.0, Source::Default)
    );
    let s = Settings::load_with(&cli, &env(&[("DSPY_AGENT_LOCK_TIMEOUT_S", "2.5")])).unwrap();
    assert_eq!(
        s.lock_timeout_s.source,
        Source::Env("DSPY_AGENT_LOCK_TIMEOUT_S".into())
    );
    assert_eq!(s.lock_timeout_s.value, 2.5);
    // `inf` used to panic in Duration::from_secs_f64; every bad value is a usage error now.
    for bad in ["inf", "NaN", "-1", "1e9", "soon"] {
        let err =
            Settings::load_with(&cli, &env(&[("DSPY_AGENT_LOCK_TIMEOUT_S", bad)])).unwrap_err();
        assert_eq!(err.code, crate::error::Code::Usage, "{bad}");
        assert!(
            err.message
                .starts_with("environment variable DSPY_AGENT_LOCK_TIMEOUT_S: expected"),
            "{bad}: {}",
            err.message
        );
    }
    let (dir, cli) = home_with("lock_timeout_s = 1\n\n[scheduler]\n");
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert_eq!(
        (s.lock_timeout_s.value, s.lock_timeout_s.source),
        (1.0, Source::File)
    );
    std::fs::write(dir.path().join("config.toml"), "\nlock_timeout_s = -3\n").unwrap();
    let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
    assert!(
        err.message.contains("config.toml:2: key `lock_timeout_s`"),
        "{}",
        err.message
    );
}

#[test]
fn a_deprecated_key_loads_with_a_warning_from_the_file_or_the_environment() {
    let (_d, cli) = home_with("\nworkspace = \"/w\"\n");
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert_eq!(s.warnings.len(), 1);
    assert!(
        s.warnings[0].contains("config.toml:2: key `workspace`: deprecated and ignored"),
        "{:?}",
        s.warnings
    );
    let (_d, cli) = home_with("");
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    assert!(s.warnings.is_empty());
    assert!(!s.entries().iter().any(|(k, _, _)| k == "workspace"));
    let s = Settings::load_with(&cli, &env(&[("DSPY_AGENT_WORKSPACE", "/x")])).unwrap();
    assert!(
        s.warnings[0].contains("DSPY_AGENT_WORKSPACE"),
        "{:?}",
        s.warnings
    );
}

/// The table drives loading: a file that sets every key to its default, as dotted keys at the
/// top level, loads each one from the file with that value.
#[test]
fn every_file_key_of_the_table_loads_from_the_file() {
    let mut text = String::new();
    let mut want = Vec::new();
    for key in keys::all() {
        if let (true, None, false, keys::DefaultValue::Value(v)) =
            (key.in_file, key.deprecated, key.family, &key.default)
        {
            text += &format!("{} = {}\n", key.name, v.literal());
            want.push((key.name.clone(), v.to_json()));
        }
    }
    let (_d, cli) = home_with(&text);
    let s = Settings::load_with(&cli, &env(&[])).unwrap();
    let entries = s.entries();
    for (name, value) in want {
        let (_, got, source) = entries
            .iter()
            .find(|(k, _, _)| *k == name)
            .unwrap_or_else(|| panic!("{name} is not shown"));
        assert_eq!((got, source), (&value, &Source::File), "{name}");
    }
}

/// Lines come from toml_edit's spans: the old hand scan found neither of these.
#[test]
fn errors_in_dotted_keys_and_inline_tables_name_their_line() {
    for (text, line) in [
        ("[scheduler]\n\nclasses.gpu.concurrency = 0\n", 3),
        ("[scheduler.classes]\n\ngpu = { concurrency = 0 }\n", 3),
    ] {
        let (dir, cli) = home_with(text);
        let err = Settings::load_with(&cli, &env(&[])).unwrap_err();
        let want = format!(
            "{}:{line}: key `scheduler.classes.gpu.concurrency`",
            dir.path().join("config.toml").display()
        );
        assert!(err.message.starts_with(&want), "{text:?}: {}", err.message);
    }
}
