#!/usr/bin/env bash
# Regenerate the committed shell completions and man pages from the binary's clap definitions.
# tests/cli.rs fails when these files differ from what the binary generates.
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
echo "completions/ and man/ regenerated"
