#!/usr/bin/env bash
# Checks scripts/postgres-cluster with a real server: start gives a conninfo psql connects to
# (PostGIS in the template, socket only, no durability), a second start is refused, stop
# removes the folder, and stop leaves a folder alone that is not a cluster of ours.
# Usage: postgres_cluster_test.sh <source dir>
set -euo pipefail
script="$1/scripts/postgres-cluster"
psql=/usr/lib/postgresql/15/bin/psql
work=$(mktemp -d)
chmod 755 "$work"  # the postgres user must reach the cluster inside when we are root
cluster="$work/cluster"
trap '"$script" stop "$cluster" >/dev/null 2>&1 || true; rm -rf -- "$work"' EXIT

check() {
  local what=$1 expected=$2 actual=$3
  if [[ "$actual" != "$expected" ]]; then
    echo "FAIL: $what: expected '$expected', got '$actual'" >&2
    exit 1
  fi
  echo "ok: $what"
}

conninfo=$("$script" start "$cluster")
check "conninfo" "postgresql://postgres@/leerstand_template?host=$cluster" "$conninfo"
settings=$("$psql" -X -At -d "$conninfo" -c \
  "SELECT postgis_lib_version() IS NOT NULL, current_setting('listen_addresses'),
          current_setting('fsync'), current_setting('lc_collate'), pg_encoding_to_char(encoding)
   FROM pg_database WHERE datname = current_database()")
check "postgis, socket only, fsync off, C.UTF-8, UTF8" "t||off|C.UTF-8|UTF8" "$settings"
# Code-point order, as SQLite's BINARY collation sorts.
order=$("$psql" -X -At -d "$conninfo" -c \
  "SELECT string_agg(x, ',' ORDER BY x) FROM (VALUES ('b'), ('ä'), ('B'), ('a')) AS v(x)")
check "text order" "B,a,b,ä" "$order"

set +e
second=$("$script" start "$cluster" 2>&1)
second_status=$?
set -e
check "second start fails" 1 "$second_status"
[[ "$second" == *"already running"* ]] || { echo "FAIL: unclear message: $second" >&2; exit 1; }
check "the first server still answers" 1 "$("$psql" -X -At -d "$conninfo" -c 'SELECT 1')"

"$script" stop "$cluster"
check "stop removes the folder" absent "$([[ -e "$cluster" ]] && echo present || echo absent)"
set +e
"$psql" -X -At -d "$conninfo" -c 'SELECT 1' >/dev/null 2>&1
check "the server is gone" 2 "$?"
set -e

mkdir "$work/other"
touch "$work/other/keep"
set +e
"$script" stop "$work/other" 2>/dev/null
check "stop refuses a folder it did not make" 1 "$?"
set -e
check "that folder is kept" present "$([[ -e "$work/other/keep" ]] && echo present || echo absent)"
