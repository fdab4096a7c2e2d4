#!/usr/bin/env bash
# Load benchmark of the admission webhook over real TLS on loopback.
#
#   bench/webhook/run.sh                 # build (release), then three runs; ~2.5 minutes
#   DURATION=10s RATE_SECONDS=30 bench/webhook/run.sh
#
# Body: bench/webhook/frontend-review.json, an AdmissionReview v1 (CREATE) whose object is the
# `frontend` Deployment of GoogleCloudPlatform/microservices-demo as a v1.20.2 kube-apiserver
# returned it from `kubectl create --dry-run=server -o json` (defaults filled in). Its image has no
# tag, so with the default `--fail-on high` every request is denied by IMG-001: the slowest path
# (denial message, warnings, one JSON log line per request).
#
# Runs (wrk, HTTP/1.1 keep-alive, TLS 1.3):
#   1. 50 connections, closed loop, $DURATION          -> rps, p50/p99 (client side)
#   2. 500 connections, closed loop, $DURATION         -> rps, p50/p99
#   3. $RATE rps paced (wrk Lua delay), $RATE_SECONDS s -> p50/p99 client side, p99 server side
#      (from the /metrics histogram), RSS every second (flat memory?), errors
# Every run also reports the server's CPU time per request (user+system from /proc), which does
# not depend on how busy the machine is: 2 cores / that = the throughput two dedicated cores give.
# wrk and the server share the machine's cores: client-side figures include wrk's own queueing.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

DURATION="${DURATION:-20s}"
RATE="${RATE:-1000}"
RATE_SECONDS="${RATE_SECONDS:-60}"
PORT="${PORT:-18443}"
WORKERS="${WORKERS:-2}"
OUT="${OUT:-${TMPDIR:-/tmp}/plimsoll-webhook-bench}"
BODY="$ROOT/bench/webhook/frontend-review.json"
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --release -q -p plimsoll_server --bin plimsoll-serve
BIN="$CARGO_TARGET_DIR/release/plimsoll-serve"

"$BIN" --self-signed --listen "127.0.0.1:$PORT" --workers "$WORKERS" \
  >"$OUT/server.out" 2>"$OUT/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening:' "$OUT/server.out" 2>/dev/null && break
  sleep 0.1
done
grep -q '^listening:' "$OUT/server.out" || { cat "$OUT/server.log"; exit 1; }
URL="https://127.0.0.1:$PORT/validate"
metrics() { curl -sk "https://127.0.0.1:$PORT/metrics"; }

# sanity: one review, decision printed
curl -sk -H 'Content-Type: application/json' --data-binary @"$BODY" "$URL" >"$OUT/one-response.json"
python3 - "$OUT/one-response.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["response"]
print("sanity: allowed=%s status=%s warnings=%d" % (r["allowed"], (r.get("status") or {}).get("code"), len(r.get("warnings", []))))
EOF

cat >"$OUT/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$BODY", "rb")
wrk.body = f:read("*a")
f:close()
EOF

# paced: each connection waits about CONNS*1000/RATE ms before each request (5% less, for the
# request's own time; wrk's delay is in whole milliseconds)
PACED_CONNS=50
cat "$OUT/post.lua" >"$OUT/paced.lua"
cat >>"$OUT/paced.lua" <<EOF
function delay()
  return $(( PACED_CONNS * 950 / RATE ))
end
EOF

# server-side quantile from two /metrics snapshots
server_quantile() { # before after q
  python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
def buckets(path):
    b = {}
    for line in open(path):
        m = re.match(r'plimsoll_admission_duration_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m:
            b[m.group(1)] = int(m.group(2))
    return b
a, b, q = buckets(sys.argv[1]), buckets(sys.argv[2]), float(sys.argv[3])
d = {k: b[k] - a.get(k, 0) for k in b}
total = d.get("+Inf", 0)
for le in sorted((k for k in d if k != "+Inf"), key=float):
    if total and d[le] >= q * total:
        print("<= %g ms" % (float(le) * 1000))
        break
else:
    print("> 2.5 s" if total else "no requests")
EOF
}

# server CPU time (user+system), in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
TICK=$(getconf CLK_TCK)

run_wrk() { # name conns duration script
  local name=$1 conns=$2 dur=$3 script=$4
  metrics >"$OUT/$name.before"
  local t0; t0=$(cpu_ticks)
  wrk -t2 -c"$conns" -d"$dur" --timeout 5s --latency -s "$script" "$URL" >"$OUT/$name.wrk" 2>&1
  local t1; t1=$(cpu_ticks)
  metrics >"$OUT/$name.after"
  local n cpu_us
  n=$(awk '/requests in/ {print $1}' "$OUT/$name.wrk")
  cpu_us=$(( (t1 - t0) * 1000000 / TICK / (n > 0 ? n : 1) ))
  local rps p50 p99 errs non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$name.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/$name.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$name.wrk")
  errs=$(awk '/Socket errors/ {print $0}' "$OUT/$name.wrk")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$name.wrk")
  printf '%-18s rps %-9s p50 %-9s p99 %-9s server p50 %s, p99 %s; server CPU %s us/request; non-2xx %s %s\n' \
    "$name" "$rps" "$p50" "$p99" \
    "$(server_quantile "$OUT/$name.before" "$OUT/$name.after" 0.50)" \
    "$(server_quantile "$OUT/$name.before" "$OUT/$name.after" 0.99)" \
    "$cpu_us" "${non2xx:-0}" "${errs:+($errs)}" | tee -a "$OUT/results.txt"
}

: >"$OUT/results.txt"
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); server workers: $WORKERS" | tee -a "$OUT/results.txt"
run_wrk "closed-50-conns" 50 "$DURATION" "$OUT/post.lua"
run_wrk "closed-500-conns" 500 "$DURATION" "$OUT/post.lua"

# paced run with RSS sampling
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
: >"$OUT/rss.txt"
( for _ in $(seq 1 "$RATE_SECONDS"); do echo "$(date +%s) $(rss)" >>"$OUT/rss.txt"; sleep 1; done ) &
SAMPLER=$!
run_wrk "paced-${RATE}-rps" "$PACED_CONNS" "${RATE_SECONDS}s" "$OUT/paced.lua"
wait $SAMPLER 2>/dev/null || true
awk 'NR==1 {first=$2; min=$2; max=$2} {if ($2<min) min=$2; if ($2>max) max=$2; last=$2}
     END {printf "RSS over %d s at the paced rate: first %.1f MiB, last %.1f MiB, min %.1f MiB, max %.1f MiB\n", NR, first/1024, last/1024, min/1024, max/1024}' \
  "$OUT/rss.txt" | tee -a "$OUT/results.txt"
echo "decisions: $(metrics | grep '^plimsoll_admission_decisions_total' | tr '\n' ' ')" | tee -a "$OUT/results.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"
echo "raw output in $OUT"
