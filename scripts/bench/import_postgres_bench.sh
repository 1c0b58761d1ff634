#!/usr/bin/env bash
# Import benchmark on PostgreSQL (issue 24): `leerstand import --db postgresql://...` (repair,
# area, Kommune assignment against all 10,997 VG5000 Gemeinden, binary COPY, GiST index kept by
# the server) against `ogr2ogr -f PostgreSQL --config PG_USE_COPY YES -t_srs EPSG:4326` with a
# GiST index, on the same synthetic Shapefile (EPSG:25833, ../shared/bench/gen_buildings.py),
# interleaved in the same run, on a throwaway cluster of scripts/postgres-cluster.
# Run by hand, never from a test.
# Usage: scripts/bench/import_postgres_bench.sh [50k] [100k] [1m]     (default 1m)
#   RUNS=3 timed runs per tool (median); LEERSTAND_BINARY (default build/leerstand);
#   BENCH_DATA, BENCH_WORK: folders for the generated data and the cluster.
# Prints per tool: median wall seconds, features/s, peak RSS of the client; then the ratio
# ogr2ogr seconds / leerstand seconds (the issue's target at 1M: >= 1.5).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared="$root/../shared"
data=${BENCH_DATA:-/tmp/leerstand-bench-data}
work=${BENCH_WORK:-/tmp/leerstand-pg-bench-work}
runs=${RUNS:-3}
sets=("$@"); ((${#sets[@]})) || sets=(1m)
binary=${LEERSTAND_BINARY:-$root/build/leerstand}

command -v ogr2ogr >/dev/null || { echo "bench: needs gdal-bin" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
[[ -x "$binary" ]] || { echo "bench: no leerstand binary at $binary; build it or set LEERSTAND_BINARY" >&2; exit 2; }
psql=/usr/lib/postgresql/15/bin/psql
mkdir -p "$data" "$work"

# The server: a cluster of our own, stopped (and its folder removed) however the script ends.
cluster="$work/cluster"
"$root/scripts/postgres-cluster" stop "$cluster" >/dev/null 2>&1 || true
"$root/scripts/postgres-cluster" start "$cluster" >/dev/null
trap '"$root/scripts/postgres-cluster" stop "$cluster" >/dev/null' EXIT
conninfo_of() { echo "postgresql://postgres@/$1?host=$cluster"; }
admin() { PGOPTIONS="-c client_min_messages=warning" "$psql" -X -q -v ON_ERROR_STOP=1 -d "$(conninfo_of postgres)" -c "$1" >/dev/null; }
echo "server: $("$psql" -X -A -t -d "$(conninfo_of postgres)" -c "SELECT version()" | cut -d, -f1)," \
  "PostGIS $("$psql" -X -A -t -d "$(conninfo_of postgres)" -c "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")"

source "$root/scripts/bench/import_common.sh"

# Kommune boundaries for the assignment (import_common.sh), loaded once into a template
# database; each run gets a copy.
admin "CREATE DATABASE bench_kommunen TEMPLATE leerstand_template"
load_bench_kommunen "$binary" "$(conninfo_of bench_kommunen)"

for tag in "${sets[@]}"; do
  case "$tag" in 50k) n=50000 ;; 100k) n=100000 ;; 1m) n=1000000 ;; *) n=$tag ;; esac
  src="$data/buildings_$tag.shp"
  [[ -s "$src" ]] || python3 "$shared/bench/gen_buildings.py" "$n" "$data" --tag "$tag" --no-geojson >/dev/null
  rm -f "$work"/{ogr2ogr,leerstand}_"$tag".times
  for _ in $(seq "$runs"); do  # interleaved, so both tools see the same machine state
    admin "DROP DATABASE IF EXISTS bench_ogr"
    admin "CREATE DATABASE bench_ogr TEMPLATE leerstand_template"
    run_timed "ogr2ogr_$tag" ogr2ogr --config PG_USE_COPY YES -f PostgreSQL \
      PG:"dbname=bench_ogr host=$cluster user=postgres" "$src" -nln buildings \
      -nlt PROMOTE_TO_MULTI -t_srs EPSG:4326 -lco GEOMETRY_NAME=footprint -lco SPATIAL_INDEX=GIST
    admin "DROP DATABASE IF EXISTS bench_ours"
    admin "CREATE DATABASE bench_ours TEMPLATE bench_kommunen"
    run_timed "leerstand_$tag" "$binary" import "$src" --db "$(conninfo_of bench_ours)" --no-progress
  done
  ogr_rows=$("$psql" -X -A -t -d "$(conninfo_of bench_ogr)" -c "SELECT count(*) FROM buildings")
  our_rows=$("$psql" -X -A -t -d "$(conninfo_of bench_ours)" -c "SELECT count(*) FROM buildings")
  ogr=$(summarise "ogr2ogr_$tag" "$n" | tee /dev/stderr | tail -1)
  ours=$(summarise "leerstand_$tag" "$n" | tee /dev/stderr | tail -1)
  echo "rows stored: ogr2ogr $ogr_rows, leerstand $our_rows"
  echo "ratio_$tag (ogr2ogr seconds / leerstand seconds) = $(python3 -c "print(round($ogr/$ours, 2))")"
done
