#!/usr/bin/env bash
# Regenerate the committed shell completions and man pages from the binary's clap definitions,
# and README.md's settings table from the keys table (src/settings/keys.rs). Tests fail when
# any of these differ from what the code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/dspy-agent
mkdir -p completions man
"$bin" completions bash >completions/dspy-agent.bash
"$bin" completions zsh >completions/_dspy-agent
"$bin" completions fish >completions/dspy-agent.fish
"$bin" completions elvish >completions/dspy-agent.elv
"$bin" completions powershell >completions/_dspy-agent.ps1
rm -f man/*.1
"$bin" --quiet man --out man
DSPY_AGENT_BLESS=1 cargo test --quiet --lib settings::docs::tests::readme_settings_table_is_current >/dev/null
echo "completions/, man/ and README.md's settings table regenerated"
