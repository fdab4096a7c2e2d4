#!/usr/bin/env bash
# PostgreSQL server binaries for the restore-drill tests (installed when missing).
set -euo pipefail
bin="$(bash "$(dirname "$0")/../postgres-setup.sh")"
echo "export PLIMSOLL_PG_BIN=$bin"
