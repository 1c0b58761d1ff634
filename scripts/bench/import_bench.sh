#!/usr/bin/env bash
# Import benchmark: `leerstand import` (repair, area, Kommune assignment, R*Tree) against
# `ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs EPSG:4326` on the same synthetic Shapefile
# (EPSG:25833, ../shared/bench/gen_buildings.py), in the same run.
# Usage: scripts/bench/import_bench.sh [100k] [1m]      RUNS=5 (RUNS_1M=3); LEERSTAND_BINARY
# (a built binary, e.g. of an older commit to compare with: skips the build)
# Prints per tool: median wall seconds, features/s, peak RSS; and the ratio ours/ogr2ogr.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared="$root/../shared"
data=${BENCH_DATA:-/tmp/leerstand-bench-data}
work=${BENCH_WORK:-/tmp/leerstand-bench-work}
mkdir -p "$data" "$work"
sets=("$@"); ((${#sets[@]})) || sets=(100k 1m)

command -v ogr2ogr >/dev/null || { echo "bench: needs gdal-bin" >&2; exit 2; }
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
binary=${LEERSTAND_BINARY:-$("$root/scripts/build" --target=leerstand | tail -n 1)/leerstand}

source "$root/scripts/bench/import_common.sh"

# Kommune boundaries for the assignment (import_common.sh), loaded once.
template="$work/kommunen.sqlite"
[[ -f "$template" ]] || load_bench_kommunen "$binary" "$template"

for tag in "${sets[@]}"; do
  case "$tag" in 100k) n=100000 ;; 1m) n=1000000 ;; *) n=$tag ;; esac
  runs=${RUNS:-5}; [[ "$tag" == 1m ]] && runs=${RUNS_1M:-3}
  src="$data/buildings_$tag.shp"
  [[ -s "$src" ]] || python3 "$shared/bench/gen_buildings.py" "$n" "$data" --tag "$tag" --no-geojson >/dev/null
  rm -f "$work"/{ogr2ogr,leerstand}_"$tag".times
  for _ in $(seq "$runs"); do  # interleaved, so both tools see the same machine state
    rm -f "$work/ogr.sqlite"
    run_timed "ogr2ogr_$tag" ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/ogr.sqlite" "$src" \
      -nln buildings -t_srs EPSG:4326
    cp "$template" "$work/ours.sqlite"; rm -f "$work/ours.sqlite-wal" "$work/ours.sqlite-shm"
    run_timed "leerstand_$tag" "$binary" import "$src" --db "$work/ours.sqlite" --no-progress
  done
  ogr=$(summarise "ogr2ogr_$tag" "$n" | tee /dev/stderr | tail -1)
  ours=$(summarise "leerstand_$tag" "$n" | tee /dev/stderr | tail -1)
  echo "ratio_$tag (ogr2ogr seconds / leerstand seconds) = $(python3 -c "print(round($ogr/$ours, 2))")"
  grep -E 'read .* stored' "$work/leerstand_$tag.out" || true  # what the last import stored
done
