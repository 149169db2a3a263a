//! The `dspy-agent` binary: parse, run, map the outcome to an exit code.
fn main() -> std::process::ExitCode {
    dspy_agent::run()
}
