#!/usr/bin/env bash
# Tile benchmark, run by hand (not part of the tests): the server's /tiles/{layer}/{z}/{x}/{y}
# against the anchors of ../shared/bench, measured in the same run on the same machine:
#   1. anchors: postgis_tiles.sh (all z14 tiles, per-tile p50/p99), tiles_geojsonvt.sh,
#      http_ceiling.sh (nginx req/s and p99 for 1 KB, the 94 KB MVT, the 513 KB GeoJSON);
#   2. ours, every z14 tile over the buildings' extent (the tile grid postgis_tiles.sh uses),
#      buildings layer, .mvt and .geojson, 1 and 2 connections, cold cache, median of RUNS;
#   3. cold per-tile latency, the sampled tiles postgis_tiles.sh uses (z12-z16), p50/p99;
#   4. cached throughput with wrk on one warm z14 tile (MVT, GeoJSON, GeoJSON gzip), /health,
#      and Pistache's own ceiling at the same sizes (scripts/bench/pistache_ceiling.cpp);
#   5. memory after every z14 tile of buildings and vacancies with --tile-cache-mb 256.
# It ends with a summary table: every figure with its target.
#
# Usage: scripts/bench/tile_bench.sh                 N=1000000 (read-1m.sqlite, as read_bench.sh)
#        N=100000 scripts/bench/tile_bench.sh        a quick run on 100k buildings
# Knobs: RUNS (3, runs of each all-z14 measurement), ANCHOR_RUNS (3, passed to the anchors as
#        RUNS/RUNS_1M), WRK_SECONDS (10), SKIP_POSTGIS=1, SKIP_GEOJSONVT=1, SKIP_HTTP_CEILING=1,
#        LEERSTAND_BINARY (a built binary: skips the build), BENCH_DATA (generated footprints,
#        default the anchors' /tmp/vbench-data so they are generated once), BENCH_WORK (our
#        database and logs, default /tmp/leerstand-bench-work), ANCHOR_WORK (/tmp/vbench-work),
#        BENCH_SHARED (the ../shared folder, for a clone that is not next to it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${BENCH_SHARED:-$root/../shared}   # the anchors and the VG5000 boundaries
[[ -f "$shared/bench/common.sh" ]] || { echo "bench: no anchors at $shared/bench (set BENCH_SHARED)" >&2; exit 2; }
bench="$root/scripts/bench"
client="$bench/tile_client.py"
n=${N:-1000000}
runs=${RUNS:-3}
anchor_runs=${ANCHOR_RUNS:-3}
wrk_seconds=${WRK_SECONDS:-10}
data=${BENCH_DATA:-/tmp/vbench-data}
work=${BENCH_WORK:-/tmp/leerstand-bench-work}
anchor_work=${ANCHOR_WORK:-/tmp/vbench-work}
mkdir -p "$data" "$work" "$anchor_work"
phase=setup   # what the server is doing, for the messages of stop_server and require_alive

# ---------------------------------------------------------------- tools
# Installed only when something is missing: apt-get takes its lock even when there is nothing
# to do, and another engineer's apt-get may hold it (hence the lock timeout).
packages=(postgresql-15-postgis-3 postgresql-contrib wrk nginx-light hyperfine gdal-bin sqlite3
          libsqlite3-mod-spatialite time curl)
missing=()
for tool in wrk nginx hyperfine ogr2ogr sqlite3 psql pgbench curl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(initdb)
[[ -f /usr/share/postgresql/15/extension/postgis.control ]] || missing+=(postgis)
compgen -G "/usr/lib/*/mod_spatialite.so" >/dev/null || missing+=(mod_spatialite)
[[ -x /usr/bin/time ]] || missing+=(/usr/bin/time)
if [[ ${SKIP_GEOJSONVT:-0} != 1 ]] && ! command -v npm >/dev/null; then
  missing+=(npm); packages+=(nodejs npm)
fi
if (( ${#missing[@]} )); then
  echo "installing (missing: ${missing[*]})" >&2
  install=(apt-get install -y -qq -o DPkg::Lock::Timeout=900 "${packages[@]}")
  # A fresh machine has no package lists yet: update once and retry.
  "${install[@]}" >&2 || { apt-get update -qq >&2 && "${install[@]}" >&2; }
fi

binary=${LEERSTAND_BINARY:-$("$root/scripts/build" --target=leerstand | tail -n 1)/leerstand}

# ---------------------------------------------------------------- database
source "$bench/bench_db.sh"
# The geojson-vt anchor reads the GeoJSON copy: make it in the same generator run.
[[ ${SKIP_GEOJSONVT:-0} == 1 ]] || export BENCH_GEOJSON=1
bench_db "$n"
tag=$bench_tag
out="$work/tile-bench-$tag"
mkdir -p "$out"
results="$out/results.jsonl"   # one JSON object per measurement; the summary reads it
: > "$results"
buildings=$(sqlite3 "$db" "SELECT count(*) FROM buildings")
vacancies=$(sqlite3 "$db" "SELECT count(*) FROM vacancies")
db_mb=$(( $(stat -c %s "$db") / 1048576 ))
echo "database: $db (${db_mb} MB), $buildings buildings, $vacancies vacancies; N=$n (tag $tag)"
(( buildings == n )) || echo "warning: $buildings buildings stored, not N=$n: the sampled tiles differ from the anchors'" >&2
printf '{"kind":"db","path":"%s","mb":%d,"buildings":%d,"vacancies":%d,"n":%d,"tag":"%s"}\n' \
  "$db" "$db_mb" "$buildings" "$vacancies" "$n" "$tag" >> "$results"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$root" log -1 --format='%h %s' | cut -c1-80)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
spatialite() { sqlite3 -cmd "SELECT load_extension('mod_spatialite')" -separator ' ' "$db" "$1" | sed '/^$/d'; }

# ---------------------------------------------------------------- 1. anchors
# Each anchor runs as published (its own data, cluster and ports); free ports are passed in
# because other servers may run on this machine. A failing anchor is reported, not fatal.
run_anchor() {  # NAME SCRIPT [ARGS]
  local name=$1; shift
  echo "== anchor $name: bash ../shared/bench/$*"
  if (cd "$root" && BENCH_DATA="$data" BENCH_WORK="$anchor_work" RUNS="$anchor_runs" \
        RUNS_1M="$anchor_runs" PGPORT="$(free_port)" HTTP_PORT="$(free_port)" PY_PORT="$(free_port)" \
        WRK_SECONDS="$wrk_seconds" bash "$shared/bench/$@") 2>&1 | tee "$out/anchor_$name.log"; then
    echo "== anchor $name done (log $out/anchor_$name.log)"
  else
    echo "== anchor $name FAILED (log $out/anchor_$name.log)" >&2
    echo "FAILED" >> "$out/anchor_$name.log"
  fi
}
rm -f "$out"/anchor_*.log
[[ ${SKIP_POSTGIS:-0} == 1 ]] || run_anchor postgis postgis_tiles.sh "$tag"
[[ ${SKIP_GEOJSONVT:-0} == 1 ]] || run_anchor geojsonvt tiles_geojsonvt.sh "$tag"
[[ ${SKIP_HTTP_CEILING:-0} == 1 ]] || run_anchor http_ceiling http_ceiling.sh

# ---------------------------------------------------------------- our server
server_pid=""
port=""
stop_server() {
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid rc=0
  server_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  # 0 after its SIGTERM handler, 143 if the signal ended it first; anything else is a crash.
  if (( rc != 0 && rc != 143 )); then
    echo "server (pid $pid) exited with $rc; log: $out/serve.log" >&2
    printf '{"kind":"server_exit","rc":%d,"phase":"%s"}\n' "$rc" "$phase" >> "$results"
  fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM   # Ctrl-C: leave through the EXIT trap, which stops our server
start_server() {  # [SERVE OPTIONS]; sets server_pid, port, base
  port=$(free_port)
  echo "--- serve --port $port $* ($phase)" >> "$out/serve.log"
  "$binary" serve --db "$db" --bind 127.0.0.1 --port "$port" --debug-cache-header "$@" >>"$out/serve.log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  # Ready when it answers a document that touches neither the database nor the tile cache.
  for _ in $(seq 150); do
    curl -sf -o /dev/null "$base/tileMatrixSets" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start; log: $out/serve.log" >&2
  tail -5 "$out/serve.log" >&2
  exit 1
}
# CPU seconds the server used so far, and per thread (the busiest first): on a shared machine
# CPU time is steadier than wall time, and the threads show whether both workers took part.
server_cpu() {
  python3 - "$server_pid" <<'PY'
import glob, json, os, sys
tick = os.sysconf("SC_CLK_TCK")
threads = []
for stat in glob.glob("/proc/%s/task/*/stat" % sys.argv[1]):
    try:
        fields = open(stat).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    threads.append((int(fields[11]) + int(fields[12])) / tick)  # utime + stime
threads.sort(reverse=True)
print(json.dumps({"server_cpu_s": round(sum(threads), 2), "thread_cpu_s": [round(t, 2) for t in threads[:4]]}))
PY
}
# Adds the server's CPU seconds since BEFORE (a server_cpu line) to the client's JSON in FILE.
add_cpu() {  # FILE BEFORE
  python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); before, after = json.loads(sys.argv[2]), json.loads(sys.argv[3])
r["server_cpu_s"] = round(after["server_cpu_s"] - before["server_cpu_s"], 2); r["thread_cpu_s"] = after["thread_cpu_s"]
json.dump(r, open(sys.argv[1], "w"))' "$1" "$2" "$(server_cpu)"
}
require_alive() {
  kill -0 "$server_pid" 2>/dev/null && return 0
  echo "server (pid $server_pid) died during $phase; log: $out/serve.log" >&2
  tail -5 "$out/serve.log" >&2
  printf '{"kind":"server_died","phase":"%s"}\n' "$phase" >> "$results"
  server_pid=""
  exit 1
}
: > "$out/serve.log"
# tile_client.py prints one JSON object; tag it with what was measured and keep it.
record() {  # KIND KEY=VALUE... < JSON
  python3 -c '
import json, sys
r = json.loads(sys.stdin.read()); r["kind"] = sys.argv[1]
r["load1"] = float(open("/proc/loadavg").read().split()[0])  # the machine is shared: keep its load
for kv in sys.argv[2:]:
    k, _, v = kv.partition("="); r[k] = int(v) if v.isdigit() else v
print(json.dumps(r))' "$@" | tee -a "$results"
}

# The tiles. Grid: every z14 tile over the footprints' extent, floor() of the Web Mercator
# coordinate as postgis_tiles.sh does it over ST_Extent (the same 2,970 tiles at 100k, 3,136 at
# 1M; its grid= figure in the summary shows whether they still agree).
read -r west south east north < <(spatialite "SELECT Min(MbrMinX(footprint)), Min(MbrMinY(footprint)),
  Max(MbrMaxX(footprint)), Max(MbrMaxY(footprint)) FROM buildings")
python3 "$client" grid 14 "$west" "$south" "$east" "$north" > "$out/z14_grid.tiles"
grid=$(wc -l < "$out/z14_grid.tiles")
# Sample: the tiles of 200 evenly spaced features (ids k*i+1: postgis_tiles.sh takes fid % k = 1,
# its fids and our ids both count the Shapefile's features from 1), distinct per zoom: weighted
# by density, never empty (107/160/190/198/198 tiles at z12-z16 at 1M, as PostGIS reports).
step=$(( n / 200 ))
spatialite "SELECT ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(footprint) p FROM buildings
  WHERE id % $step = 1) ORDER BY id" > "$out/sample_points.txt"
for z in 12 13 14 15 16; do python3 "$client" sample "$z" < "$out/sample_points.txt" > "$out/sample_z$z.tiles"; done
echo "z14 grid: $grid tiles over $west,$south,$east,$north; sampled tiles z12-z16:" \
     "$(for z in 12 13 14 15 16; do printf '%s ' "$(wc -l < "$out/sample_z$z.tiles")"; done)"
printf '{"kind":"tiles","grid":%d,"extent":"%s,%s,%s,%s"}\n' "$grid" "$west" "$south" "$east" "$north" >> "$results"

# Cold means an empty tile cache, not a cold disk: read the file once so the first run does not
# pay for the page cache the later runs (and PostGIS, after its warm-up run) get for free.
cat "$db" > /dev/null

# ---------------------------------------------------------------- 2. all z14 tiles, cold
# A fresh server per run (cold cache); the formats and connection counts interleaved so that a
# slow phase of the machine (the other engineer's compiler) spreads over all of them.
echo "== ours: all $grid z14 tiles, buildings, cold cache, $runs runs"
for run in $(seq "$runs"); do
  for format in mvt geojson; do
    for conns in 1 2; do
      phase="all-z14 $format c$conns run $run"
      start_server
      cpu0=$(server_cpu)
      python3 "$client" fetch --port "$port" --suffix ".$format" --connections "$conns" \
        --per-tile "$out/all_z14_${format}_c$conns.tiles" < "$out/z14_grid.tiles" > "$out/one.json"
      require_alive
      add_cpu "$out/one.json" "$cpu0"
      stop_server
      record all_z14 format="$format" conns="$conns" run="$run" < "$out/one.json" >/dev/null
      echo "all z14 $format c=$conns run $run: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("%.3f s, %d tiles (%s), %.1f MB, x-cache %s, connects %d, errors %d; server CPU %.2f s (threads %s)" % (r["seconds"], r["requests"],
  " ".join("%s:%d" % kv for kv in sorted(r["status"].items())), r["bytes"] / 1e6, r["x_cache"], r["connects"], r["error_count"],
  r["server_cpu_s"], r["thread_cpu_s"]))' "$out/one.json")"
    done
  done
done

# ---------------------------------------------------------------- 3. cold per-tile latency
# One fresh server per zoom and format, one keep-alive connection. The warm-up request (an empty
# tile far away) opens the worker thread's database connection; it is reported, not counted.
echo "== ours: cold per-tile latency, sampled tiles, one connection"
for z in 14 12 13 15 16; do
  for format in mvt geojson; do
    phase="latency z$z $format"
    start_server
    cpu0=$(server_cpu)
    python3 "$client" fetch --port "$port" --suffix ".$format" --connections 1 \
      --warmup "/tiles/buildings/$z/0/0.$format" < "$out/sample_z$z.tiles" > "$out/one.json"
    require_alive
    add_cpu "$out/one.json" "$cpu0"
    stop_server
    record latency z="$z" format="$format" < "$out/one.json" >/dev/null
    echo "z$z $format: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("%d tiles (%s), p50 %.2f ms, p99 %.2f ms, max %.2f ms, warm-up %.2f ms, x-cache %s; server CPU %.2f ms per tile" % (r["requests"],
  " ".join("%s:%d" % kv for kv in sorted(r["status"].items())), r["p50_ms"], r["p99_ms"], r["max_ms"], r["warmup_ms"], r["x_cache"],
  1000 * r["server_cpu_s"] / r["requests"]))' "$out/one.json")"
  done
done

# ---------------------------------------------------------------- 4. cached throughput (wrk)
# The tile: the z14 tile whose MVT is nearest the anchor's MVT payload (http_ceiling.sh serves the
# 100k data's densest tile, ~94 KB), so req/s compare like with like.
# The GeoJSON tile likewise: the one nearest the anchor's GeoJSON payload (~513 KB).
target_bytes=""; target_geojson_bytes=""   # the anchor may be skipped or have failed: its README's sizes
if [[ -f "$out/anchor_http_ceiling.log" ]]; then
  read -r target_geojson_bytes target_bytes < <(sed -nE \
    's/^payloads: .* ([0-9]+) B \([0-9]+ features\), .*\.mvt ([0-9]+) B.*/\1 \2/p' \
    "$out/anchor_http_ceiling.log" | head -1) || true
fi
target_bytes=${target_bytes:-94000}
target_geojson_bytes=${target_geojson_bytes:-513000}
nearest_tile() {  # FILE BYTES: "z/x/y bytes" of the non-empty tile whose body is nearest BYTES
  awk -v t="$2" '$2 == 200 {d = $3 - t; if (d < 0) d = -d;
    if (best == "" || d < bestd) {best = $1; bestd = d; bytes = $3}} END {print best, bytes}' "$1" |
    sed -E 's#^/tiles/buildings/##; s#\.(mvt|geojson) # #'
}
read -r wrk_tile wrk_mvt_bytes < <(nearest_tile "$out/all_z14_mvt_c1.tiles" "$target_bytes")
read -r wrk_geojson_tile wrk_geojson_bytes < <(nearest_tile "$out/all_z14_geojson_c1.tiles" "$target_geojson_bytes")
echo "== ours: cached throughput, wrk -t2 -c64 -d${wrk_seconds}s, MVT tile $wrk_tile ($wrk_mvt_bytes B, target $target_bytes B), GeoJSON tile $wrk_geojson_tile ($wrk_geojson_bytes B, target $target_geojson_bytes B)"
phase="wrk"
start_server
sizes=()
for variant in mvt geojson geojson-gzip; do
  tile=$wrk_tile; [[ $variant == geojson* ]] && tile=$wrk_geojson_tile
  url="$base/tiles/buildings/$tile.${variant%-gzip}"
  hdr=(); [[ $variant == *gzip ]] && hdr=(-H 'Accept-Encoding: gzip')
  curl -sf -o /dev/null "${hdr[@]}" "$url"   # the miss that fills the cache (and the gzip form)
  info=$(curl -sf -o /dev/null -D - -w 'size=%{size_download}\n' "${hdr[@]}" "$url" | tr -d '\r')
  grep -qi '^x-cache: hit' <<<"$info" || echo "warning: $variant not served from the cache" >&2
  sizes+=("$(sed -n 's/^size=//p' <<<"$info")")
done
printf '{"kind":"wrk_tile","tile":"%s","geojson_tile":"%s","mvt_bytes":%d,"geojson_bytes":%d,"gzip_bytes":%d,"target_bytes":%d}\n' \
  "$wrk_tile" "$wrk_geojson_tile" "${sizes[0]}" "${sizes[1]}" "${sizes[2]}" "$target_bytes" >> "$results"
echo "MVT tile $wrk_tile: ${sizes[0]} B; GeoJSON tile $wrk_geojson_tile: ${sizes[1]} B, gzip ${sizes[2]} B"
run_wrk() {  # LABEL URL [WRK ARGS]
  local label=$1 url=$2; shift 2
  wrk -t2 -c64 -d"${wrk_seconds}s" --latency "$@" "$url" > "$out/wrk_$label.out" 2>&1
  [[ -z $server_pid ]] || require_alive   # the Pistache ceiling runs without our server
  python3 - "$label" "$out/wrk_$label.out" <<'PY' | tee -a "$results"
import json, re, sys
t = open(sys.argv[2]).read()
def ms(s):  # wrk prints 812.00us, 1.20ms, 1.05s
    v, u = float(re.match(r"([\d.]+)", s).group(1)), re.search(r"(us|ms|s)$", s).group(1)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
p = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", t, re.M))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: (.*)", t)
print(json.dumps({"kind": "wrk", "label": sys.argv[1],
                  "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
                  "transfer": re.search(r"Transfer/sec:\s+(\S+)", t).group(1),
                  "p50_ms": round(ms(p["50"]), 3), "p99_ms": round(ms(p["99"]), 3),
                  "non2xx": int(non2xx.group(1)) if non2xx else 0,
                  "load1": float(open("/proc/loadavg").read().split()[0]),
                  "socket_errors": sock.group(1).strip() if sock else ""}))
PY
}
# Pistache 0.0.5 answers an HTTP/1.1 request without `Connection: keep-alive` with
# `Connection: Close` and closes; wrk sends no Connection header, nginx keeps such connections
# open. So our runs send the header (as browsers do); one run without it shows the difference.
ka=(-H 'Connection: keep-alive')
run_wrk ours_mvt "$base/tiles/buildings/$wrk_tile.mvt" "${ka[@]}"
run_wrk ours_geojson "$base/tiles/buildings/$wrk_geojson_tile.geojson" "${ka[@]}"
run_wrk ours_geojson_gzip "$base/tiles/buildings/$wrk_geojson_tile.geojson" "${ka[@]}" -H 'Accept-Encoding: gzip'
run_wrk ours_health "$base/health" "${ka[@]}"
# A buildings tile below the layer's first zoom: 204 without touching the database or the
# cache, i.e. routing and Pistache alone (/health counts every table's rows on each request).
run_wrk ours_204_below_minzoom "$base/tiles/buildings/12/0/0.mvt" "${ka[@]}"
run_wrk ours_mvt_no_keepalive "$base/tiles/buildings/$wrk_tile.mvt"
stop_server
# Pistache's own ceiling at the same sizes: a server that only sends N bytes, through the same
# endpoint options and input step, with Pistache's send (/bytes) and with our cached tiles' send
# path (/direct; scripts/bench/pistache_ceiling.cpp). Where ours is close to /direct, Pistache's
# reactor is the limit, not our code.
ceiling="$("$root/scripts/build" --target=pistache_ceiling | tail -n 1)/scripts/bench/pistache_ceiling"
ceiling_port=$(free_port)
"$ceiling" "$ceiling_port" > "$out/ceiling.log" 2>&1 &
ceiling_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$ceiling_port/bytes/1" && break; sleep 0.1; done
for size_label in "mvt_size ${sizes[0]}" "geojson_size ${sizes[1]}" "1kb 1024"; do
  read -r label bytes <<<"$size_label"
  run_wrk "pistache_$label" "http://127.0.0.1:$ceiling_port/bytes/$bytes" "${ka[@]}"
  # The same bytes through our cached tiles' send path, which skips Pistache's copies.
  run_wrk "pistache_direct_$label" "http://127.0.0.1:$ceiling_port/direct/$bytes" "${ka[@]}"
done
kill -TERM "$ceiling_pid"; wait "$ceiling_pid" || true

# ---------------------------------------------------------------- 5. memory
# Budget 256 MB; every z14 tile of both per-caller layers in both formats, over 2 connections
# (both worker threads, each with its own SQLite connection and page cache), then the peak.
echo "== ours: memory, --tile-cache-mb 256, every z14 tile of buildings and vacancies, mvt and geojson"
phase="memory"
start_server --tile-cache-mb 256
rss_start=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$server_pid/status")
for layer in buildings vacancies; do
  for format in mvt geojson; do
    python3 "$client" fetch --port "$port" --prefix "/tiles/$layer/" --suffix ".$format" --connections 2 \
      < "$out/z14_grid.tiles" > "$out/one.json"
    require_alive
    record memory_fetch layer="$layer" format="$format" < "$out/one.json" >/dev/null
    echo "$layer $format: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("%d tiles (%s), %.1f MB, %.2f s" % (r["requests"], " ".join("%s:%d" % kv for kv in sorted(r["status"].items())), r["bytes"] / 1e6, r["seconds"]))' "$out/one.json")"
  done
done
hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status")
rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$server_pid/status")
printf '{"kind":"memory","rss_start_mb":%d,"hwm_mb":%d,"rss_mb":%d,"budget_mb":256}\n' "$rss_start" "$hwm" "$rss" >> "$results"
echo "memory: VmRSS at start $rss_start MB, after $hwm MB peak (VmHWM), $rss MB now (VmRSS)"
stop_server

# ---------------------------------------------------------------- summary
grep -q "FAILED" "$out"/anchor_*.log 2>/dev/null && echo "(an anchor failed: its figures are missing below)"
grep -iE "error|abort|terminate|fault" "$out/serve.log" | head -5 || true
python3 "$client" summary "$results" "$out"
