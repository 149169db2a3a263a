#!/usr/bin/env bash
# Issue 14's benchmarks, in one run against one release build:
#   1. Rust SubmitTasks: durable submissions/s in batches of 1,000 (dspy-agent bench --workers);
#   2. Python AgentInfra.submit_tasks at batch 500 (python/bench/submit_bench.py --batch 500);
#   3. end to end: 20,000 no-op command tasks run by serve itself, then through 3 local
#      `dspy-agent worker` processes (part of 1's run).
# Usage: bench/workers.sh [--no-build]. Needs cargo and the Python client's venv
# (scripts/python-test.sh makes python/.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" != "--no-build" ]]; then
    cargo build --release --locked
fi
cli=target/release/dspy-agent
py=python/.venv/bin/python
[[ -x $py ]] || { echo "bench/workers.sh: run scripts/python-test.sh once to make $py" >&2; exit 2; }
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Python submit_tasks, batch 500, 4 batches in flight"
"$py" python/bench/submit_bench.py --spawn "$cli" --batch 500 --submissions 300000
echo "== Rust SubmitTasks and 20,000 tasks: serve itself vs 3 workers"
"$cli" bench --workers --batch-submissions 300000 --worker-tasks 20000
echo "== Python submit_tasks again (after the Rust run, to see the machine's drift)"
"$py" python/bench/submit_bench.py --spawn "$cli" --batch 500 --submissions 300000
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
