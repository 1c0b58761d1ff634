#!/usr/bin/env bash
# Read-side benchmark with 1M synthetic buildings (../shared/bench/gen_buildings.py), run by hand:
#   - export of every building as GeoJSON over HTTP (curl) against `ogr2ogr -f GeoJSON` reading
#     the same SpatiaLite file, interleaved in the same run; the server's peak RSS;
#   - an items page at offset 900,000;
#   - the summary of the largest Kommune (with 5,000 vacancy reports imported as CSV).
# Usage: scripts/bench/read_bench.sh          RUNS=3 (exports), REQUESTS=21 (pages, summaries);
#        LEERSTAND_BINARY (a built binary: skips the build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${BENCH_SHARED:-$root/../shared}
data=${BENCH_DATA:-/tmp/leerstand-bench-data}
work=${BENCH_WORK:-/tmp/leerstand-bench-work}
runs=${RUNS:-3}
requests=${REQUESTS:-21}
mkdir -p "$data" "$work"
command -v ogr2ogr >/dev/null || { echo "bench: needs gdal-bin" >&2; exit 2; }
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
binary=${LEERSTAND_BINARY:-$("$root/scripts/build" --target=leerstand | tail -n 1)/leerstand}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# The database (shared with tile_bench.sh): every VG5000 Gemeinde, a catch-all area over the
# synthetic box, 1M footprints, and 5,000 vacancy reports at building centroids.
source "$root/scripts/bench/bench_db.sh"
bench_db 1000000
largest=$(sqlite3 "$db" "SELECT kommune_ags FROM buildings GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
buildings=$(sqlite3 "$db" "SELECT count(*) FROM buildings")
echo "database: $db ($(du -h "$db" | cut -f1)), $buildings buildings, largest Kommune $largest"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --db "$db" --port "$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"

# Exports, interleaved so both tools see the same machine state.
rm -f "$work"/export_{ours,ogr}.times
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e" -o "$work/one" curl -sf -o "$work/ours.geojson" "$base/export/buildings.geojson"
  cat "$work/one" >> "$work/export_ours.times"
  rm -f "$work/ogr.geojson"
  /usr/bin/time -f "%e %M" -o "$work/one" ogr2ogr -f GeoJSON "$work/ogr.geojson" "$db" buildings
  cat "$work/one" >> "$work/export_ogr.times"
done
ours=$(cut -d' ' -f1 "$work/export_ours.times" | median)
ogr=$(cut -d' ' -f1 "$work/export_ogr.times" | median)
echo "export n=$buildings runs=$runs: leerstand ${ours}s ($(python3 -c "print(round($buildings/$ours))") features/s," \
     "$(du -m "$work/ours.geojson" | cut -f1) MB), ogr2ogr ${ogr}s ($(du -m "$work/ogr.geojson" | cut -f1) MB)," \
     "ratio ogr2ogr/ours = $(python3 -c "print(round($ogr/$ours, 2))")"
python3 - "$work/ours.geojson" <<'PY'
import json, sys
with open(sys.argv[1]) as f: print("export parses:", len(json.load(f)["features"]), "features")
PY

# Pages and summaries: median of REQUESTS requests (curl's time_total, seconds).
timed() { for _ in $(seq "$requests"); do curl -sf -o /dev/null -w '%{time_total}\n' "$1"; done | median; }
echo "items offset 900000 (limit 100): median $(timed "$base/collections/buildings/items?offset=900000")s of $requests"
echo "summary of $largest: median $(timed "$base/api/kommunen/$largest/summary")s of $requests"
echo "network summary: median $(timed "$base/api/summary")s of $requests"
echo "server peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' /proc/$server/status)"
