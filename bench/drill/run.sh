#!/usr/bin/env bash
# Restore-drill benchmark: Plimsoll's drill against the bare tools, in the same run.
#
#   bash bench/drill/run.sh                 # ~1 GB database
#   SIZE_MB=200 ROUNDS=3 bash bench/drill/run.sh
#
# 1. starts a throwaway PostgreSQL server (initdb + pg_ctl, loopback, private socket);
# 2. generates SIZE_MB of poorly compressible data (md5 text) in 4 tables;
# 3. dumps it with pg_dump -Fd -j2 (so that pg_restore -j2 works) and records the counts and
#    checksums with `plimsoll-drill postgres --record-counts` (not timed);
# 4. ROUNDS times, alternating the order:
#    (a) bare: CREATE DATABASE, pg_restore -j2, then by hand with psql, two at a time, the same
#        verification queries the drill runs (exact count + hash-aggregate checksum per
#        table), DROP DATABASE;
#    (b) plimsoll-drill postgres --backup DUMP --target ... --counts ... --critical ... -j2
#        (inspect, scratch database, restore, list + counts + checksums + comparison, size,
#        drop, evidence);
# 5. prints both and the ratio (target: the drill within 10% of the bare tools).
#
# Needs root or a user that can run initdb; uses scripts/postgres-setup.sh for the binaries.
set -euo pipefail

SIZE_MB="${SIZE_MB:-1024}"
ROUNDS="${ROUNDS:-4}"
JOBS=2
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BIN="$(bash "$root/scripts/postgres-setup.sh")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/target-drill}"

echo "== building plimsoll-drill (release)" >&2
(cd "$root" && cargo build --release -q -p plimsoll_drill --example plimsoll-drill)
DRILL="$CARGO_TARGET_DIR/release/examples/plimsoll-drill"

work="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench-XXXXXX")"
chmod 755 "$work"
as_pg=()
if [[ "$(id -u)" == 0 ]]; then
    chown postgres "$work"
    as_pg=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
    "${as_pg[@]}" "$BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== server in $work, port $port ($("$BIN/postgres" --version))" >&2
"${as_pg[@]}" "$BIN/initdb" -D "$work/data" -U bench -A trust -E UTF8 --locale=C >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
max_wal_size = '4GB'
checkpoint_timeout = '30min'
EOF
"${as_pg[@]}" "$BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -o "-p $port" -w start >/dev/null
CONN="host=$work port=$port user=bench"
psql_() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

rows=$(( SIZE_MB * 1000000 / 4 / 170 ))
echo "== generating ~${SIZE_MB} MB: 4 tables x $rows rows of md5 text" >&2
psql_ -d "$CONN dbname=postgres" -c "create database bench"
t_gen=$(date +%s.%N)
for i in 1 2 3 4; do
    psql_ -d "$CONN dbname=bench" -c "create table t$i (id bigint primary key, a text, b text, c float8, d timestamptz);
        insert into t$i select g, md5(g::text || random()::text), md5(random()::text) || md5(random()::text),
               random() * 1e6, timestamptz '2026-01-01' + g * interval '1 second'
          from generate_series(1, $rows) g;" &
    if (( i % 2 == 0 )); then wait; fi
done
wait
psql_ -d "$CONN dbname=bench" -c "vacuum analyze"
size=$(psql_ -d "$CONN dbname=bench" -c "select pg_database_size('bench')")
echo "   $(( size / 1000000 )) MB in $(python3 -c "print(round($(date +%s.%N) - $t_gen, 1))") s" >&2

echo "== pg_dump -Fd -j$JOBS and counts" >&2
t_dump=$(date +%s.%N)
"$DRILL" postgres --source "$CONN dbname=bench" --record-counts "$work/counts.json" \
    --dump-to "$work/dump" -j "$JOBS" --critical t1 --critical t2 --critical t3 --critical t4 --quiet
echo "   dump $(du -sm "$work/dump" | cut -f1) MB in $(python3 -c "print(round($(date +%s.%N) - $t_dump, 1))") s (with counts and checksums in the same snapshot)" >&2

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

bare() {
    local db="bare_$1" t0 t1 t2 t3 t4
    t0=$(now)
    psql_ -d "$CONN dbname=postgres" -c "create database $db template template0"
    t1=$(now)
    "$BIN/pg_restore" -j "$JOBS" --no-owner --no-privileges -d "$CONN dbname=$db" "$work/dump"
    t2=$(now)
    printf 't1\nt2\nt3\nt4\n' | xargs -P "$JOBS" -I{} "$BIN/psql" -X -q -At -d "$CONN dbname=$db" \
        -c "select '{}', count(*), coalesce(sum(pg_catalog.hash_record_extended(row(r.*), 0)), 0) from only public.{} as r" >"$work/bare.out"
    t3=$(now)
    psql_ -d "$CONN dbname=postgres" -c "drop database $db"
    t4=$(now)
    # other = everything but restore, verification and drop (here: CREATE DATABASE)
    echo "$(secs "$t1" "$t2") $(secs "$t2" "$t3") $(secs "$t3" "$t4") $(secs "$t0" "$t1") $(secs "$t0" "$t4")"
}

drill() {
    local t0 t1 ev="$work/evidence-$1.json"
    t0=$(now)
    "$DRILL" postgres --backup "$work/dump" --target "$CONN dbname=postgres" --counts "$work/counts.json" \
        --critical t1 --critical t2 --critical t3 --critical t4 -j "$JOBS" --evidence "$ev" --quiet >/dev/null || {
        echo "drill failed:" >&2; cat "$ev" >&2; exit 1; }
    t1=$(now)
    python3 - "$ev" "$(secs "$t0" "$t1")" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["measurements"]
assert r["verdict"] == "pass", r["failures"]
total = float(sys.argv[2])
other = total - m["restore_seconds"] - m["verify_seconds"] - m["cleanup_seconds"]
# other = process start, inspect (pg_restore -l), CREATE DATABASE, size, evidence
print(f'{m["restore_seconds"]:.2f} {m["verify_seconds"]:.2f} {m["cleanup_seconds"]:.2f} {other:.2f} {total:.2f}')
EOF
}

echo "== $ROUNDS round(s), jobs=$JOBS" >&2
printf '%-6s %-6s %9s %9s %9s %9s %9s\n' round run restore verify drop other total
bare_rows=()
drill_rows=()
for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 == 1 )); then order=(bare drill); else order=(drill bare); fi
    for what in "${order[@]}"; do
        read -r a b c d e < <("$what" "$r")
        printf '%-6s %-6s %9s %9s %9s %9s %9s\n' "$r" "$what" "$a" "$b" "$c" "$d" "$e"
        if [[ "$what" == bare ]]; then bare_rows+=("$a $b $c $d $e"); else drill_rows+=("$a $b $c $d $e"); fi
    done
done
python3 - "$SIZE_MB" "$(printf '%s;' "${bare_rows[@]}")" "$(printf '%s;' "${drill_rows[@]}")" <<'EOF'
import statistics as st, sys
def rows(s): return [[float(x) for x in r.split()] for r in s.split(";") if r.strip()]
b, d = rows(sys.argv[2]), rows(sys.argv[3])
col = lambda rs, i: [r[i] for r in rs]
med = lambda rs, i: st.median(col(rs, i))
print()
print(f"{'median':<13} {'restore':>9} {'verify':>9} {'drop':>9} {'other':>9} {'total':>9}")
for name, rs in (("bare tools", b), ("plimsoll", d)):
    print(f"{name:<13} " + " ".join(f"{med(rs, i):9.2f}" for i in range(5)))
ratio = med(d, 4) / med(b, 4)
print(f"\nratio of totals: median {ratio:.3f}, best/best {min(col(d, 4)) / min(col(b, 4)):.3f}  (target <= 1.10; ~{sys.argv[1]} MB, {len(b)} rounds)")
nb = [r[4] - r[0] for r in b]
nd = [r[4] - r[0] for r in d]
print(f"time outside pg_restore: bare {st.median(nb):.2f} s, plimsoll {st.median(nd):.2f} s, "
      f"difference {st.median(nd) - st.median(nb):+.2f} s = {100 * (st.median(nd) - st.median(nb)) / med(b, 4):+.1f}% of the bare total")
EOF
