#!/usr/bin/env bash
# The full test suite. Installs what the tests need on a fresh machine, then runs formatting,
# lints and every test. Used by CI (.ci/run) and by developers.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n=== %s\n' "$*"; }

step "toolchain"
cargo --version
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "external tools"
# the official SARIF 2.1.0 schema, from an npm package that ships it
PLIMSOLL_SARIF_SCHEMA="$(bash scripts/fetch-sarif-schema.sh)"
export PLIMSOLL_SARIF_SCHEMA
echo "SARIF schema: $PLIMSOLL_SARIF_SCHEMA"
for hook in scripts/test.d/*.sh; do
  [ -e "$hook" ] || continue
  step "setup: $hook"
  # each hook prints `export NAME=value` lines for the tests
  eval "$(bash "$hook")"
done

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "tests"
cargo test --workspace --no-fail-fast 2>&1 | tee /tmp/plimsoll-test.log
status=${PIPESTATUS[0]}
passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed; [0-9]+ ignored' /tmp/plimsoll-test.log | awk '{p+=$4; f+=$6; i+=$8} END {printf "%d passed, %d failed, %d skipped", p, f, i}')
echo
echo "$passed"
exit "$status"
