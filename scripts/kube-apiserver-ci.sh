#!/usr/bin/env bash
# CI hook for scripts/test.sh (symlink or copy it as scripts/test.d/kube-apiserver.sh): builds the
# real kube-apiserver once (cached; ~5 min the first time on 2 cores), then prints
# `export PLIMSOLL_E2E=1` so the webhook's end-to-end test runs, and fails, instead of skipping.
# When the build is impossible (no Debian mirror), it says so on stderr and prints nothing: the
# test then skips with a message.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
if bash scripts/kube-apiserver-build.sh --clean >&2; then
  echo "export PLIMSOLL_E2E=1"
else
  echo "kube-apiserver build failed: the webhook's end-to-end test will be skipped" >&2
fi
