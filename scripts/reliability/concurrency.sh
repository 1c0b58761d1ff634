#!/usr/bin/env bash
# Concurrency under load (issue 7), run by hand (not part of scripts/test: it takes a minute):
# 8 editors PATCHing a small shared set of vacancies (GET for the ETag, PATCH with If-Match, so
# they conflict), 2 clients uploading 20,000 footprints again and again (each job polled to its
# end), and wrk reading tiles (z14-z16, buildings and vacancies, .mvt and .geojson) and items
# pages around a demo Kommune, all at once for DURATION seconds; the server's VmRSS every 5 s.
# Afterwards: every vacancy read back (no lost update: version = 1 + acknowledged PATCHes, the
# notes of the newest acknowledged PATCH), PRAGMA integrity_check, the server still alive.
# It prints a summary table and exits 1 when a must-hold condition failed: a 5xx other than
# 503 with Retry-After, "locked" in a body a client got, a lost update, an integrity failure,
# the server died. Memory is reported (flat or not), not counted as a failure.
#
# Usage: scripts/reliability/concurrency.sh
# Knobs: DURATION (60 s), EDITORS (8), UPLOADERS (2), VACANCIES (4, the shared set), FOOTPRINTS
#        (20000), UPLOAD_MODE (replace: the Kommune's buildings are replaced by the upload, so the
#        database keeps its size; append makes it grow by FOOTPRINTS per job), KOMMUNE (12073008,
#        Angermünde), LEERSTAND_BINARY (a built binary: skips the build), WORK (the database and
#        logs, default /tmp/leerstand-concurrency).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/reliability"
client="$here/concurrency_client.py"
# Not SECONDS: that is bash's own clock, always set (0 in a fresh script, so the run took 0 s).
run_seconds=${DURATION:-60}
[[ $run_seconds =~ ^[0-9]+$ ]] || run_seconds=60
editors=${EDITORS:-8}
uploaders=${UPLOADERS:-2}
vacancies=${VACANCIES:-4}
footprints=${FOOTPRINTS:-20000}
mode=${UPLOAD_MODE:-replace}
kommune=${KOMMUNE:-12073008}
work=${WORK:-/tmp/leerstand-concurrency}
phase=setup

# ---------------------------------------------------------------- tools
# Installed only when something is missing (apt-get takes its lock even with nothing to do,
# and another engineer's apt-get may hold it: hence the lock timeout).
packages=(wrk sqlite3 libsqlite3-mod-spatialite python3 curl)
missing=()
for tool in wrk sqlite3 python3 curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
compgen -G "/usr/lib/*/mod_spatialite.so" >/dev/null || missing+=(mod_spatialite)
if (( ${#missing[@]} )); then
  echo "installing (missing: ${missing[*]})" >&2
  install=(apt-get install -y -qq -o DPkg::Lock::Timeout=900 "${packages[@]}")
  "${install[@]}" >&2 || { apt-get update -qq >&2 && "${install[@]}" >&2; }
fi

binary=${LEERSTAND_BINARY:-}
if [[ -z $binary ]]; then
  if [[ -x $root/build/leerstand ]]; then binary=$root/build/leerstand
  else binary=$("$root/scripts/build" --target=leerstand | tail -n 1)/leerstand; fi
fi
[[ -x $binary ]] || { echo "concurrency: no binary at $binary" >&2; exit 2; }

# ---------------------------------------------------------------- database, user, file
rm -rf "$work"
mkdir -p "$work"
db="$work/concurrency.sqlite"
"$binary" demo --db "$db" > "$work/demo.log"
echo "concurrency-editor-pw" | "$binary" user add conc-editor --role editor --kommune "$kommune" --db "$db" > /dev/null
token=$("$binary" token create --user conc-editor --db "$db" | tail -n 1)
spatialite() { sqlite3 -cmd "SELECT load_extension('mod_spatialite')" -separator ',' "$db" "$1" | sed '/^$/d'; }
near=$(spatialite "SELECT Min(MbrMinX(footprint)), Min(MbrMinY(footprint)), Max(MbrMaxX(footprint)),
  Max(MbrMaxY(footprint)) FROM buildings WHERE kommune_ags = '$kommune'")
[[ -n $near && $near != ",,," ]] || { echo "concurrency: no demo buildings in Kommune $kommune" >&2; exit 2; }
spatialite "SELECT AsGeoJSON(boundary) FROM kommunen WHERE ags = '$kommune'" > "$work/boundary.geojson"
upload="$work/footprints.geojson"
echo "Kommune $kommune, demo buildings in $near; upload file: $(python3 "$client" footprints \
  --boundary "$work/boundary.geojson" --near "$near" --count "$footprints" --out "$upload")"

# The read mix: tiles z14-z16 over the buildings' box (and the upload's squares around its
# centre), both formats, buildings and vacancies; items pages of buildings and vacancies.
python3 - "$near" > "$work/paths.txt" <<'PY'
import math, sys
w, s, e, n = (float(v) for v in sys.argv[1].split(","))
def tx(lon, z): return int((lon + 180) / 360 * (1 << z))
def ty(lat, z):
    r = math.radians(lat); return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * (1 << z))
cx, cy = (w + e) / 2, (s + n) / 2
paths = []
for z in (14, 15, 16):
    x0, y0 = tx(cx, z), ty(cy, z)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for layer in ("buildings", "vacancies"):
                for fmt in ("mvt", "geojson"):
                    paths.append("/tiles/%s/%d/%d/%d.%s" % (layer, z, x0 + dx, y0 + dy, fmt))
for i in range(12):
    d = 0.002 * (1 + i % 4)
    x = cx + (i - 6) * 0.003
    paths.append("/collections/buildings/items?bbox=%.5f,%.5f,%.5f,%.5f&limit=100" % (x - d, cy - d, x + d, cy + d))
for i in range(4):
    d = 0.01 * (1 + i)
    paths.append("/collections/vacancies/items?bbox=%.5f,%.5f,%.5f,%.5f&limit=100" % (cx - d, cy - d, cx + d, cy + d))
print("\n".join(paths))
PY
python3 "$client" wrk-lua --paths "$work/paths.txt" --token "$token" --out "$work/mix.lua"
echo "read mix: $(grep -c /tiles/ "$work/paths.txt") tile URLs, $(grep -c /items "$work/paths.txt") items URLs"

# ---------------------------------------------------------------- server
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
server_pid=""
wrk_pid=""
stop_server() {
  [[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid rc=0
  server_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  if (( rc != 0 && rc != 143 )); then echo "server (pid $pid) exited with $rc; log: $work/serve.log" >&2; fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM
port=$(free_port)
"$binary" serve --db "$db" --bind 127.0.0.1 --port "$port" --basemap-url none > "$work/serve.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 150); do
  curl -sf -o /dev/null "$base/tileMatrixSets" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server did not start; log: $work/serve.log" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
require_alive() {
  kill -0 "$server_pid" 2>/dev/null && return 0
  echo "server (pid $server_pid) died during $phase; log: $work/serve.log" >&2
  tail -5 "$work/serve.log" >&2
  server_pid=""
  return 1
}
echo "server pid $server_pid on port $port; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(git -C "$root" log -1 --format='%h' 2>/dev/null)"

# ---------------------------------------------------------------- the run
phase=run
echo "== ${run_seconds} s: $editors editors on $vacancies vacancies, $uploaders uploaders ($mode), wrk -t2 -c16"
wrk -t2 -c16 -d"${run_seconds}s" --timeout 30s --latency -s "$work/mix.lua" "$base" > "$work/wrk.out" 2>&1 &
wrk_pid=$!
run_rc=0
python3 "$client" run --port "$port" --pid "$server_pid" --token "$token" --kommune "$kommune" \
  --near "$near" --upload "$upload" --seconds "$run_seconds" --editors "$editors" \
  --uploaders "$uploaders" --vacancies "$vacancies" --mode "$mode" --out "$work/results.json" || run_rc=$?
wait "$wrk_pid" || echo "wrk exited with $?" >&2
wrk_pid=""
(( run_rc == 0 )) || echo "the driver exited with $run_rc" >&2

# ---------------------------------------------------------------- checks
phase=checks
alive=yes
require_alive || alive=no
[[ $alive == no ]] || curl -sf -o /dev/null "$base/health" || alive="no (/health failed)"
stop_server   # integrity_check on a database nobody writes
integrity=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1 | head -20 | tr '\n' ' ' | sed 's/ $//')
echo "buildings at the end: $(sqlite3 "$db" "SELECT count(*) FROM buildings"), database $(( $(stat -c %s "$db") / 1048576 )) MB"
grep -iE "locked|abort|terminate|fault|internal" "$work/serve.log" | head -5 || true
[[ -f $work/results.json ]] || { echo "no results: the driver failed" >&2; exit 1; }
python3 "$client" report "$work/results.json" "$work/wrk.out" "$integrity" "$alive"
