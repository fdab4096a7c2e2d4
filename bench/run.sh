#!/usr/bin/env bash
# Whole-run benchmark: Plimsoll on trees built from the corpus (1x and 20x by default), the YAML
# parsing floor of the same build on the same bytes, and Checkov on the same tree when installed.
#
#   bench/run.sh [COPIES...]          e.g. bench/run.sh 1 5 20
#
# Prints files, documents, MB, wall, CPU (user+sys) and peak RSS for each run, then the ratios
# the performance targets are about. Loopback-free: it only reads files.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=("${@:-1 20}")
[ $# -eq 0 ] && copies=(1 20)
out=${BENCH_OUT:-/tmp/plimsoll-bench}
mkdir -p "$out"
cargo build --release -q -p plimsoll
bin=target/release/plimsoll

runs=${BENCH_RUNS:-3}
measure() { # label, command...: medians of $runs runs
  local label=$1; shift
  : >"$out/runs"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr" || true
    tail -n 1 "$out/time" >>"$out/runs"
  done
  local mid=$(( (runs + 1) / 2 ))
  # medians of wall, of CPU (user+sys) and of peak RSS, each on its own
  wall=$(awk '{print $1}' "$out/runs" | sort -n | sed -n "${mid}p")
  cpu=$(awk '{printf "%.2f\n", $2 + $3}' "$out/runs" | sort -n | sed -n "${mid}p")
  rss=$(awk '{print $4}' "$out/runs" | sort -n | sed -n "${mid}p")
  printf '%-28s wall %7.2f s  cpu %7.2f s  peak %7.1f MB  (median of %d)\n' "$label" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$runs"
  echo "$wall $cpu $rss" >"$out/last"
}

declare -A CPU
for n in "${copies[@]}"; do
  tree="$out/tree$n"
  [ -d "$tree" ] || python3 bench/gen-tree.py "$tree" --copies "$n" --unique-namespaces
  mb=$(du -sb "$tree" | awk '{printf "%.1f", $1/1e6}')
  echo "== ${n}x tree: $tree ($mb MB)"
  measure "parse floor (${n}x)" "$bin" debug parse "$tree"
  read -r _ floor_cpu _ <"$out/last"
  sed 's/^/    /' "$out/stdout"
  measure "plimsoll scan (${n}x)" "$bin" scan "$tree" --format json -o "$out/report$n.json" --fail-on never
  read -r _ scan_cpu _ <"$out/last"
  CPU[$n]=$scan_cpu
  python3 -c "import json,sys; s=json.load(open('$out/report$n.json'))['summary']; print('    %d files, %d documents, %d objects' % (s['files'], s['documents'], s['objects']))"
  printf '    scan / parse floor CPU: %.2fx\n' "$(echo "$scan_cpu / $floor_cpu" | bc -l)"
  if command -v checkov >/dev/null && [ "${BENCH_CHECKOV_MAX:-1}" -ge "$n" ]; then
    runs=1 measure "checkov (${n}x)" checkov -d "$tree" --framework kubernetes --quiet --compact -o json
    read -r _ ck_cpu _ <"$out/last"
    printf '    checkov / plimsoll CPU: %.0fx\n' "$(echo "$ck_cpu / $scan_cpu" | bc -l)"
  fi
done
if [ -n "${CPU[1]:-}" ] && [ -n "${CPU[20]:-}" ]; then
  printf '== linearity: 20x tree costs %.1fx the 1x tree (target <= 22x)\n' "$(echo "${CPU[20]} / ${CPU[1]}" | bc -l)"
fi
