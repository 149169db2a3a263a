//! The `dspy-agent` binary: parse, run, map the outcome to an exit code.

// The scheduler allocates and frees a few small objects per task (ids, records, events);
// glibc's malloc spent about a third of the server's time on them in `bench --workers`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dspy_agent::run()
}
