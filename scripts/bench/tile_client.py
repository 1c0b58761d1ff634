#!/usr/bin/env python3
"""Tile fetcher for scripts/bench/tile_bench.sh (Python 3 standard library only).

  tile_client.py grid Z W S E N               every tile z/x/y of zoom Z over the lon/lat box
  tile_client.py sample Z [Z ...] < LONLAT     the distinct tiles of the points (lon lat per line)
                                               at each zoom, in first-seen order
  tile_client.py summary RESULTS.jsonl OUTDIR   the table at the end of tile_bench.sh: its
                                               results and the anchors' logs in OUTDIR
  tile_client.py fetch --port P [--connections C] [--suffix .mvt] [--prefix /tiles/buildings/]
                       [--header 'K: V' ...] [--per-tile FILE] [--warmup PATH] < TILES
      fetches every z/x/y read from stdin (as PREFIX z/x/y SUFFIX) over C keep-alive
      connections (threads taking the next tile from one shared queue) and prints one JSON
      object: wall seconds, status counts, body bytes, X-Cache counts, connects, per-request
      latency p50/p99/max (ms). --per-tile writes "path status bytes ms x-cache" lines;
      --warmup fetches PATH on each connection before the clock starts. Every request sends
      `Connection: keep-alive`: Pistache 0.0.5 closes HTTP/1.1 connections without it.

Tile numbers follow the same arithmetic as ../shared/bench/postgis_tiles.sh (floor of the
Web Mercator coordinate over the tile size), so the same features give the same tiles.
"""
import argparse
import http.client
import json
import math
import sys
import threading
import time


def tile_x(lon, z):
    return int(math.floor((lon + 180.0) / 360.0 * (1 << z)))


def tile_y(lat, z):
    s = math.sin(math.radians(lat))
    return int(math.floor((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * (1 << z)))


def cmd_grid(args):
    z = args.z
    x0, x1 = tile_x(args.west, z), tile_x(args.east, z)
    y0, y1 = tile_y(args.north, z), tile_y(args.south, z)  # y grows southwards
    out = sys.stdout
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            out.write("%d/%d/%d\n" % (z, x, y))


def cmd_sample(args):
    points = []
    for line in sys.stdin:
        parts = line.replace(",", " ").replace("|", " ").split()
        if len(parts) >= 2:
            points.append((float(parts[0]), float(parts[1])))
    for z in args.zooms:
        seen = set()
        for lon, lat in points:
            key = (tile_x(lon, z), tile_y(lat, z))
            if key not in seen:
                seen.add(key)
                sys.stdout.write("%d/%d/%d\n" % (z, key[0], key[1]))


class CountingConnection(http.client.HTTPConnection):
    """Counts TCP connects: http.client silently reconnects after a `Connection: close`,
    which would turn a keep-alive measurement into a connect-per-request one unnoticed."""

    connects = 0
    lock = threading.Lock()

    def connect(self):
        with CountingConnection.lock:
            CountingConnection.connects += 1
        super().connect()


def quantile(sorted_values, p):
    # Same definition as the anchors (postgis_tiles.sh, geojsonvt_bench.js).
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def cmd_fetch(args):
    paths = [args.prefix + line.strip() + args.suffix for line in sys.stdin if line.strip()]
    headers = {"Connection": "keep-alive"}  # Pistache 0.0.5 closes HTTP/1.1 connections without it
    for h in args.header:
        k, _, v = h.partition(":")
        headers[k.strip()] = v.strip()
    results = [None] * len(paths)
    next_index = [0]
    lock = threading.Lock()
    errors = []
    conns = [CountingConnection(args.host, args.port, timeout=args.timeout)
             for _ in range(args.connections)]
    warmup_ms = None
    for c in conns:  # connect before the clock starts: the figure is tiles, not handshakes
        c.connect()
        if args.warmup:  # e.g. the first request of a worker thread opens its database
            t0 = time.perf_counter()
            c.request("GET", args.warmup, headers=headers)
            c.getresponse().read()
            warmup_ms = max(warmup_ms or 0, (time.perf_counter() - t0) * 1000)
    start_barrier = threading.Barrier(args.connections + 1)

    def worker(conn):
        start_barrier.wait()
        while True:
            with lock:
                i = next_index[0]
                if i >= len(paths):
                    return
                next_index[0] = i + 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", paths[i], headers=headers)
                r = conn.getresponse()
                body = r.read()
            except Exception as e:  # noqa: BLE001 - a benchmark reports failures, it does not stop
                results[i] = (paths[i], 0, 0, (time.perf_counter() - t0) * 1000, "-")
                errors.append("%s: %r" % (paths[i], e))
                conn.close()
                continue
            ms = (time.perf_counter() - t0) * 1000
            results[i] = (paths[i], r.status, len(body), ms, r.getheader("X-Cache", "-"))

    threads = [threading.Thread(target=worker, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    start_barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    for c in conns:
        c.close()

    status, cache = {}, {}
    for _, st, _, _, xc in results:
        status[str(st)] = status.get(str(st), 0) + 1
        cache[xc] = cache.get(xc, 0) + 1
    lat = sorted(r[3] for r in results)
    lat_nonempty = sorted(r[3] for r in results if r[1] == 200)
    out = {
        "requests": len(results), "connections": args.connections, "seconds": round(seconds, 4),
        "status": status, "bytes": sum(r[2] for r in results), "x_cache": cache,
        "connects": CountingConnection.connects, "warmup_ms": warmup_ms,
        "p50_ms": quantile(lat, .5), "p99_ms": quantile(lat, .99), "max_ms": lat[-1] if lat else None,
        "p50_ms_200": quantile(lat_nonempty, .5), "p99_ms_200": quantile(lat_nonempty, .99),
        "errors": errors[:5], "error_count": len(errors),
    }
    for k in list(out):
        if isinstance(out[k], float):
            out[k] = round(out[k], 3)
    if args.per_tile:
        with open(args.per_tile, "w") as f:
            for p, st, n, ms, xc in results:
                f.write("%s %d %d %.3f %s\n" % (p, st, n, ms, xc))
    print(json.dumps(out))


# ------------------------------------------------------------------ summary of tile_bench.sh
def read_anchor_logs(outdir):
    """The figures the anchor scripts print, from their logs (whatever is there)."""
    import os
    import re
    a = {"pg_all": {}, "pg_tile": {}, "vt": {}, "nginx": {}, "payload": {}, "failed": []}
    def text(name):
        p = os.path.join(outdir, "anchor_%s.log" % name)
        if not os.path.exists(p):
            return None
        t = open(p, errors="replace").read()
        if t.rstrip().endswith("FAILED"):
            a["failed"].append(name)
        return t
    t = text("postgis")
    if t:
        for m in re.finditer(r"^\S+ all z14 (mvt|geojson) grid=(\d+) nonempty,bytes=(\d+),(\d+) \S+ median_s=([\d.]+) "
                             r"min_s=([\d.]+) max_s=([\d.]+) runs=(\d+)", t, re.M):
            a["pg_all"][m.group(1)] = dict(grid=int(m.group(2)), nonempty=int(m.group(3)), bytes=int(m.group(4)),
                                           median=float(m.group(5)), min=float(m.group(6)),
                                           max=float(m.group(7)), runs=int(m.group(8)))
        for m in re.finditer(r"^\S+ z(\d+) (mvt|geojson) clients=(\d) tiles=(\d+) tps=(\d+) p50_ms=([\d.]+) "
                             r"p99_ms=([\d.]+) max_ms=([\d.]+) n=(\d+)", t, re.M):
            a["pg_tile"][(int(m.group(1)), m.group(2), int(m.group(3)))] = dict(
                tiles=int(m.group(4)), tps=int(m.group(5)), p50=float(m.group(6)), p99=float(m.group(7)))
        m = re.search(r"^load \S+: ([\d.]+) s", t, re.M)
        if m:
            a["pg_load_s"] = float(m.group(1))
    t = text("geojsonvt")
    if t:
        a["vt"] = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\S+)\s+(-?[\d.]+)\s+\[", t, re.M)}
        m = re.search(r"^runs=(\d+)", t, re.M)
        a["vt_runs"] = int(m.group(1)) if m else 0
    t = text("http_ceiling")
    if t:
        for m in re.finditer(r"^((?:nginx|python) .+?)\s+req/s=([\d.]+) transfer/s=\S+ p50_ms=([\d.]+) p99_ms=([\d.]+)", t, re.M):
            a["nginx"][m.group(1).strip()] = dict(rps=float(m.group(2)), p50=float(m.group(3)), p99=float(m.group(4)))
        m = re.search(r"^payloads: \S+ (\d+) B \((\d+) features\), \S+ (\d+) B", t, re.M)
        if m:
            a["payload"] = dict(geojson=int(m.group(1)), features=int(m.group(2)), mvt=int(m.group(3)))
    return a


def cmd_summary(args):
    import os
    import statistics
    rows = [json.loads(l) for l in open(args.results) if l.strip()]
    a = read_anchor_logs(args.outdir)
    one = lambda kind: next((r for r in rows if r["kind"] == kind), {})
    db, tiles = one("db"), one("tiles")
    verdicts = []

    def verdict(name, ok):
        if ok is None:
            return "n/a"
        verdicts.append((name, ok))
        return "MET" if ok else "MISSED"

    def line(*cols):  # measure | ours | anchor | target: padded, but never cut
        widths = (30, 58, 56, 0)
        print(" | ".join(str(c).ljust(w) for c, w in zip(cols, widths)).rstrip())

    print()
    print("=" * 140)
    print("SUMMARY  N=%s buildings (%s stored), %s vacancies, database %s (%s MB); z14 grid %s tiles; %s"
          % (db.get("n"), db.get("buildings"), db.get("vacancies"), db.get("path"), db.get("mb"),
             tiles.get("grid"), open("/proc/loadavg").read().split()[0] + " load now"))
    if a["failed"]:
        print("anchors that FAILED (figures missing): " + ", ".join(a["failed"]))
    print("=" * 140)

    # 2. all z14 tiles
    line("all z14 tiles, buildings (cold)", "ours: median s [min..max], n", "anchor (same run)", "target -> verdict")
    for fmt in ("mvt", "geojson"):
        pg = a["pg_all"].get(fmt)
        for conns in (1, 2):
            rs = [r for r in rows if r["kind"] == "all_z14" and r["format"] == fmt and r["conns"] == conns]
            if not rs:
                continue
            secs = sorted(r["seconds"] for r in rs)
            med = statistics.median(secs)
            r0 = rs[-1]
            ours = "%.2f s [%.2f..%.2f] n=%d, %d tiles, %d non-empty, %.1f MB" % (
                med, secs[0], secs[-1], len(secs), r0["requests"], r0["status"].get("200", 0), r0["bytes"] / 1e6)
            if all("server_cpu_s" in r for r in rs):
                ours += ", server CPU %.2f s" % statistics.median(r["server_cpu_s"] for r in rs)
            anchor = ("PostGIS %.2f s n=%d, %d tiles, %d non-empty, %.1f MB" % (
                pg["median"], pg["runs"], pg["grid"], pg["nonempty"], pg["bytes"] / 1e6)) if pg else "PostGIS: not run"
            if pg:
                ratio = med / pg["median"]
                tgt = "<= 0.5x PostGIS: %.2fx -> %s" % (
                    ratio, verdict("all z14 %s" % fmt, ratio <= 0.5) if conns == 1 else "(info)")
            else:
                tgt = "<= 0.5x PostGIS -> n/a"
            line("  %s, %d connection%s" % (fmt, conns, "s" if conns > 1 else ""), ours, anchor, tgt)
    vt = a["vt"]
    if vt:
        print("    geojson-vt (n=%d): all z14 getTile %.2f s + MVT encode %.2f s = %.2f s; getTile + JSON.stringify %.2f s;"
              " %d non-empty of %d; index build %.2f s after JSON.parse %.2f s"
              % (a.get("vt_runs", 0), vt.get("z14_all_getTile_ms", 0) / 1e3, vt.get("z14_all_mvt_encode_ms", 0) / 1e3,
                 (vt.get("z14_all_getTile_ms", 0) + vt.get("z14_all_mvt_encode_ms", 0)) / 1e3,
                 (vt.get("z14_all_getTile_ms", 0) + vt.get("z14_all_json_stringify_ms", 0)) / 1e3,
                 vt.get("z14_nonempty", 0), vt.get("z14_grid", 0), vt.get("index_ms", 0) / 1e3, vt.get("parse_ms", 0) / 1e3))
    print("    (the target is judged on 1 connection: the PostGIS statement runs in one backend, i.e. on one core)")

    # 3. cold latency
    print()
    line("cold per-tile latency (1 conn)", "ours: p50 / p99 / max ms (tiles)", "PostGIS 1 client p50/p99; geojson-vt", "target -> verdict")
    for z in (12, 13, 14, 15, 16):
        for fmt in ("mvt", "geojson"):
            r = next((x for x in rows if x["kind"] == "latency" and x["z"] == z and x["format"] == fmt), None)
            if not r:
                continue
            ours = "%.2f / %.2f / %.2f (%d: %s)" % (r["p50_ms"], r["p99_ms"], r["max_ms"], r["requests"],
                                                   " ".join("%s:%d" % kv for kv in sorted(r["status"].items())))
            if "server_cpu_s" in r:
                ours += " cpu %.2f/tile" % (1000 * r["server_cpu_s"] / r["requests"])
            pg = a["pg_tile"].get((z, fmt, 1))
            anchor = "PG %.2f / %.2f (%d)" % (pg["p50"], pg["p99"], pg["tiles"]) if pg else "PG: not run"
            if vt and fmt == "mvt" and ("z%d.cold_p50_ms" % z) in vt:
                anchor += "; vt %.2f / %.1f" % (vt["z%d.cold_p50_ms" % z], vt["z%d.cold_p99_ms" % z])
            tgt = ""
            if z == 14:
                tgt = "p50<=3 %s, p99<=20 %s" % (verdict("cold z14 %s p50" % fmt, r["p50_ms"] <= 3),
                                                 verdict("cold z14 %s p99" % fmt, r["p99_ms"] <= 20))
            elif z == 12:
                tgt = "(buildings start at z13: 204)"
            line("  z%d %s" % (z, fmt), ours, anchor, tgt)

    # 4. cached throughput
    print()
    wt = one("wrk_tile")
    pay = a["payload"]
    print("cached throughput, wrk -t2 -c64 --latency: ours MVT tile %s %s B, GeoJSON tile %s %s B (gzip %s B); nginx payloads:"
          " MVT %s B, GeoJSON %s B (http_ceiling.sh, 100k data's densest tile)"
          % (wt.get("tile"), wt.get("mvt_bytes"), wt.get("geojson_tile", wt.get("tile")), wt.get("geojson_bytes"),
             wt.get("gzip_bytes"), pay.get("mvt", "?"), pay.get("geojson", "?")))
    line("", "ours: req/s, p99 ms", "nginx (same run): req/s, p99 ms", "target -> verdict")
    pairs = [("ours_mvt", "nginx z14 mvt", True), ("ours_geojson", "nginx z14 geojson", True),
             ("ours_geojson_gzip", "nginx z14 geojson gzip", True), ("ours_health", "nginx small 1KB", False),
             ("ours_204_below_minzoom", "nginx small 1KB", False), ("ours_mvt_no_keepalive", "nginx z14 mvt", False),
             ("pistache_mvt_size", "nginx z14 mvt", False), ("pistache_geojson_size", "nginx z14 geojson", False),
             ("pistache_1kb", "nginx small 1KB", False),
             ("pistache_direct_mvt_size", "nginx z14 mvt", False),
             ("pistache_direct_geojson_size", "nginx z14 geojson", False),
             ("pistache_direct_1kb", "nginx small 1KB", False)]
    for label, ng_label, judged in pairs:
        r = next((x for x in rows if x["kind"] == "wrk" and x["label"] == label), None)
        if not r:
            continue
        ng = a["nginx"].get(ng_label)
        ours = "%.0f req/s, p99 %.2f ms%s" % (r["rps"], r["p99_ms"], (" non2xx=%d" % r["non2xx"]) if r["non2xx"] else "")
        if r.get("socket_errors"):
            ours += " sock: " + r["socket_errors"]
        anchor = "%s: %.0f req/s, p99 %.2f ms" % (ng_label, ng["rps"], ng["p99"]) if ng else "%s: not run" % ng_label
        if ng:
            rr, pr = r["rps"] / ng["rps"], r["p99_ms"] / ng["p99"]
            if judged:
                tgt = ">=0.5x: %.2fx %s; p99<=2x: %.2fx %s" % (rr, verdict("cached %s req/s" % label, rr >= 0.5), pr,
                                                                verdict("cached %s p99" % label, pr <= 2))
            else:
                tgt = "(info) %.2fx req/s, %.2fx p99" % (rr, pr)
        else:
            tgt = "n/a"
        line("  " + label.replace("ours_", ""), ours, anchor, tgt)
    print("    (ours with 'Connection: keep-alive': Pistache closes HTTP/1.1 connections without it; "
          "mvt_no_keepalive is wrk's default request; 204_below_minzoom touches neither database nor cache;"
          " health is no tile and not cached (it counts every table's rows on each request): not judged;"
          " pistache_* is Pistache alone sending that many bytes with its own send: its ceiling;"
          " pistache_direct_* the same with our cached tiles' send path, which skips Pistache's copies)")
    wrk = {x["label"]: x for x in rows if x["kind"] == "wrk"}
    for ours_label, ceiling_label in (("ours_mvt", "pistache_mvt_size"), ("ours_geojson", "pistache_geojson_size"),
                                      ("ours_mvt", "pistache_direct_mvt_size"),
                                      ("ours_geojson", "pistache_direct_geojson_size")):
        if ours_label in wrk and ceiling_label in wrk:
            print("    %s: %.2fx the req/s of %s (%.0f of %.0f)" % (
                ours_label, wrk[ours_label]["rps"] / wrk[ceiling_label]["rps"], ceiling_label,
                wrk[ours_label]["rps"], wrk[ceiling_label]["rps"]))

    # 5. memory
    print()
    m = one("memory")
    if m:
        fetched = sum(r["bytes"] for r in rows if r["kind"] == "memory_fetch")
        limit = 420 + m["budget_mb"]
        line("memory (--tile-cache-mb %d)" % m["budget_mb"], "VmHWM %d MB, VmRSS %d MB (start %d)" % (m["hwm_mb"], m["rss_mb"], m["rss_start_mb"]),
             "after %.0f MB of tiles fetched" % (fetched / 1e6),
             "<= %d MB: peak %s, now %s" % (limit, verdict("peak RSS", m["hwm_mb"] <= limit), verdict("RSS", m["rss_mb"] <= limit)))
    crashes = [r for r in rows if r["kind"] in ("server_exit", "server_died")]
    if crashes:
        print("server exits/crashes: " + json.dumps(crashes))
    loads = [r["load1"] for r in rows if "load1" in r]
    if loads:
        print("1-minute load average during our measurements: %.2f .. %.2f (median %.2f) on %d cores"
              % (min(loads), max(loads), statistics.median(loads), os.cpu_count() or 0))
    print()
    print("targets met: %d of %d; missed: %s" % (sum(ok for _, ok in verdicts), len(verdicts),
                                                ", ".join(n for n, ok in verdicts if not ok) or "none"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grid")
    g.add_argument("z", type=int)
    for name in ("west", "south", "east", "north"):
        g.add_argument(name, type=float)
    s = sub.add_parser("sample")
    s.add_argument("zooms", type=int, nargs="+")
    f = sub.add_parser("fetch")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--connections", type=int, default=1)
    f.add_argument("--prefix", default="/tiles/buildings/")
    f.add_argument("--suffix", default=".mvt")
    f.add_argument("--header", action="append", default=[])
    f.add_argument("--per-tile")
    f.add_argument("--timeout", type=float, default=120)
    f.add_argument("--warmup", help="a path fetched on each connection before the clock starts")
    m = sub.add_parser("summary")
    m.add_argument("results")
    m.add_argument("outdir")
    args = ap.parse_args()
    {"grid": cmd_grid, "sample": cmd_sample, "fetch": cmd_fetch, "summary": cmd_summary}[args.cmd](args)


if __name__ == "__main__":
    main()
