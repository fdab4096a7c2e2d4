#!/usr/bin/env bash
# Agreement between Plimsoll's Dockerfile rules and hadolint, per hadolint rule both implement.
#
#   bench/hadolint/agreement.sh [CORPUS_DIR] [--details] [--json FILE]
#
# Runs `hadolint -f json` and `plimsoll scan <file> --format json` on every Dockerfile under the
# corpus (default: ../shared/corpus beside the repository), maps Plimsoll findings to the DL ids
# they correspond to (agreement.py), and prints, for each DL id, on how many files both tools
# report it, neither does, or only one does, then the overall figures. `--details` lists the
# files of every disagreement. hadolint comes from $PLIMSOLL_HADOLINT or PATH
# (scripts/test.d/30-hadolint.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/../shared/corpus"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) args+=("$1" "$2"); shift ;;
    --*) args+=("$1") ;;
    *) corpus="$1" ;;
  esac
  shift
done
hadolint="${PLIMSOLL_HADOLINT:-$(command -v hadolint || true)}"
if [ -z "$hadolint" ]; then
  echo "hadolint not found: run scripts/test.d/30-hadolint.sh or set PLIMSOLL_HADOLINT" >&2
  exit 2
fi
(cd "$root" && cargo build --release --quiet -p plimsoll)
exec python3 "$here/agreement.py" \
  --hadolint "$hadolint" \
  --plimsoll "$root/target/release/plimsoll" \
  --corpus "$corpus" ${args[@]+"${args[@]}"}
