#!/usr/bin/env bash
# QGIS (Debian's python3-qgis) as a client of the atlas, run by hand (about 1.5 min to install,
# too heavy for every CI run): a demo database, a real server, then
#   - ../shared/checks/qgis_client.py for each collection (OGC API Features + vector tiles), and
#   - render_vector_tiles.py: the vector tiles alone, which must draw something.
# Usage: scripts/qgis/check.sh        (pictures and JSON lines in $QGIS_CHECK_OUT, default /tmp)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${QGIS_CHECK_OUT:-/tmp/leerstand-qgis-check}
mkdir -p "$out"
if ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
  apt-get install -y -qq -o DPkg::Lock::Timeout=900 python3-qgis qgis-providers >/dev/null
fi
binary=$("$root/scripts/build" --target=leerstand | tail -n 1)/leerstand
db="$out/demo.sqlite"
rm -f "$db"*
"$binary" demo --db "$db" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --db "$db" --port "$port" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
# Angermünde's old town: demo buildings and Kommune outlines.
extent=13.99,53.01,14.01,53.02
status=0
for collection in kommunen buildings; do
  QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$root/../shared/checks/qgis_client.py" "$base" \
    "$collection" "$out/client-$collection.png" "$extent" 2>/dev/null | tail -n 1 || status=1
done
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$root/scripts/qgis/render_vector_tiles.py" "$base" \
  buildings 13 16 "$extent" "$out/tiles-buildings.png" 2>/dev/null | tail -n 1 || status=1
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$root/scripts/qgis/render_vector_tiles.py" "$base" \
  kommunen 0 16 13.5,52.8,14.5,53.3 "$out/tiles-kommunen.png" 2>/dev/null | tail -n 1 || status=1
exit $status
