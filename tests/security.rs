//! `serve` as something you can expose: browser attacks on the HTTP listener are refused, a
//! client cannot hold the listener down, and a services file cannot inject into a probe. Real
//! server process, real curl and raw sockets.

mod common;

use common::Env;

#[test]
fn health_path_with_control_characters_is_refused_at_load() {
    for (path, shown) in [
        ("/health\\r\\nX-Injected: 1", "\\r\\n"),
        ("/a\\nb", "\\n"),
        ("/a\\u0000b", "\\0"),
        ("/a\\tb", "\\t"),
        ("/a\\u007fb", "\\u{7f}"),
    ] {
        let text = format!(
            "[services.web]\nimage = \"x\"\nports = [\"8080:80\"]\n[services.web.health]\nkind = \"http\"\npath = \"{path}\"\n"
        );
        let env = Env::new("ctlpath").with_services(&text);
        for args in [
            &["config", "services"][..],
            &["up", "--services", "web"][..],
        ] {
            let out = env.run(args).code(2);
            assert!(
                out.stderr.contains("service `web`")
                    && out.stderr.contains("`health.path`")
                    && out.stderr.contains("control characters")
                    && out.stderr.contains(shown),
                "{args:?} {path}: {}",
                out.stderr
            );
        }
    }
    // A plain path still loads.
    Env::new("okpath")
        .with_services("[services.web]\nimage = \"x\"\nports = [\"8080:80\"]\n[services.web.health]\nkind = \"http\"\npath = \"/ok?x=1\"\n")
        .run(&["config", "services"])
        .ok();
}
