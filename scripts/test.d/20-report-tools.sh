#!/usr/bin/env bash
# Setup hook for the report tests (crates/plimsoll/tests/outputs.rs): installs what is missing
# and prints `export NAME=value` lines that scripts/test.sh evals. Everything else goes to stderr.
#   junitparser (PyPI)  a real JUnit consumer that reads `--format junit`
#   pre-commit  (PyPI)  runs the hook of .pre-commit-hooks.yaml
#   chromium    (apt)   renders the HTML report headless (screenshot and DOM)
set -euo pipefail
exec 3>&1 1>&2

python=$(command -v python3)
if ! "$python" -c 'import junitparser, pre_commit' 2>/dev/null; then
  "$python" -m pip install -q --disable-pip-version-check 'junitparser>=3,<5' 'pre-commit>=3,<5'
fi

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  chromium=$(command -v chromium)
fi

{
  printf 'export PLIMSOLL_PYTHON=%q\n' "$python"
  printf 'export PLIMSOLL_CHROMIUM=%q\n' "$chromium"
} >&3
