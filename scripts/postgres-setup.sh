#!/usr/bin/env bash
# Make sure the PostgreSQL server binaries (initdb, pg_ctl, postgres) and client tools
# (pg_dump, pg_restore, pg_basebackup, pg_verifybackup, psql) are present, and print the
# directory that holds them on stdout (the last line). Diagnostics go to stderr.
#
# Used by the plimsoll_drill tests, bench/drill/run.sh and CI:
#   export PLIMSOLL_PG_BIN="$(bash scripts/postgres-setup.sh)"
#
# Order: $PLIMSOLL_PG_BIN, `initdb` on PATH, /usr/lib/postgresql/<newest>/bin, and only then
# `apt-get install -y postgresql` (Debian; needs root). The Debian package also creates the
# `postgres` system user, which the tests use to run initdb/pg_ctl when they run as root.
set -euo pipefail

need=(initdb pg_ctl postgres pg_dump pg_restore pg_basebackup pg_verifybackup psql)

complete() {
    local dir="$1" t
    [[ -n "$dir" && -d "$dir" ]] || return 1
    for t in "${need[@]}"; do
        [[ -x "$dir/$t" ]] || return 1
    done
}

find_bin() {
    local cand
    if [[ -n "${PLIMSOLL_PG_BIN:-}" ]] && complete "$PLIMSOLL_PG_BIN"; then
        echo "$PLIMSOLL_PG_BIN"; return 0
    fi
    # Prefer the real directory behind a PATH entry (Debian's /usr/bin/pg_* are wrappers and
    # initdb/pg_ctl may be symlinks into /usr/lib/postgresql/N/bin).
    if cand="$(command -v initdb 2>/dev/null)"; then
        cand="$(dirname "$(readlink -f "$cand")")"
        if complete "$cand"; then echo "$cand"; return 0; fi
    fi
    for cand in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -n -r); do
        if complete "$cand"; then echo "$cand"; return 0; fi
    done
    return 1
}

if dir="$(find_bin)"; then
    echo "postgres-setup: using $dir ($("$dir/postgres" --version))" >&2
else
    echo "postgres-setup: PostgreSQL server binaries not found; installing Debian's postgresql" >&2
    if [[ "$(id -u)" != 0 ]]; then
        echo "postgres-setup: need root to apt-get install postgresql" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # The package's postinst creates a default cluster; we never use it, so do not start it.
    apt-get install -y -qq --no-install-recommends postgresql >&2
    if ! dir="$(find_bin)"; then
        echo "postgres-setup: postgresql installed but initdb/pg_ctl still not found" >&2
        exit 1
    fi
    echo "postgres-setup: installed $dir ($("$dir/postgres" --version))" >&2
fi

# Running as root, initdb/pg_ctl must run as an unprivileged user: the tests use `postgres`.
if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "postgres-setup: creating system user postgres (initdb refuses to run as root)" >&2
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres >&2 || true
fi

echo "$dir"
