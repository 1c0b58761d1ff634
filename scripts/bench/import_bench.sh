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

# Kommune boundaries for the assignment: every Gemeinde of VG5000 (10,997), as users would load,
# plus one catch-all area over the whole synthetic box. The box reaches across the Oder into
# Poland; without it those footprints would be rejected and we would store fewer rows than
# ogr2ogr writes. A Gemeinde still wins where it contains a footprint (smaller area wins).
template="$work/kommunen.sqlite"
if [[ ! -f "$template" ]]; then
  "$binary" import-kommunen "$shared/data/kommunen/vg5000_2021/VG5000_GEM.shp" --db "$template" >/dev/null
  cat > "$work/bench-box.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature",
 "properties":{"AGS":"12999999","GEN":"Benchmark-Umland","BEZ":"Gemeinde"},
 "geometry":{"type":"Polygon","coordinates":[[[13.2,52.5],[14.8,52.5],[14.8,53.5],[13.2,53.5],[13.2,52.5]]]}}]}
JSON
  "$binary" import-kommunen "$work/bench-box.geojson" --db "$template" >/dev/null
fi

# run_timed LABEL CMD...: one run; appends "seconds peak_kb" to $work/LABEL.times
run_timed() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$label.one" "$@" >"$work/$label.out" 2>"$work/$label.err" \
    || { echo "bench: $label failed:" >&2; cat "$work/$label.err" >&2; exit 1; }
  cat "$work/$label.one" >> "$work/$label.times"
}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

summarise() {  # LABEL N
  local label=$1 n=$2 secs kb
  secs=$(cut -d' ' -f1 "$work/$label.times" | median)
  kb=$(cut -d' ' -f2 "$work/$label.times" | sort -n | tail -1)
  printf '%-22s n=%-8s runs=%s median_s=%-7s features_per_s=%-8s peak_rss_mb=%s\n' "$label" "$n" \
    "$(wc -l < "$work/$label.times")" "$secs" "$(python3 -c "print(round($n/$secs))")" "$((kb / 1024))"
  echo "$secs"
}

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
