#!/usr/bin/env python3
"""Driver of scripts/reliability/concurrency.sh (Python 3 standard library only).

  concurrency_client.py footprints --boundary KOMMUNE.geojson --near W,S,E,N --count N --out FILE
      writes a GeoJSON FeatureCollection of N square footprints (about 8 m) on a grid around
      the box W,S,E,N (the Kommune's demo buildings), every corner inside the Kommune's boundary
      (the geometry of KOMMUNE.geojson, as SpatiaLite's AsGeoJSON writes it).
  concurrency_client.py wrk-lua --paths FILE --token TOKEN --out FILE.lua
      the wrk script: it cycles through the paths (every other request with the editor's
      token, so per-caller tiles are read too) and counts statuses and "locked" bodies.
  concurrency_client.py run --port P --pid PID --token T --kommune AGS --near W,S,E,N
                            --upload FILE --seconds S [--editors 8] [--uploaders 2]
                            [--vacancies 4] [--mode replace] --out RESULTS.json
      creates the shared vacancies, then for S seconds runs the editor and upload threads
      while sampling the server's VmRSS every 5 s; then reads every vacancy back and checks
      that no acknowledged update was lost. Writes everything to RESULTS.json.
  concurrency_client.py report RESULTS.json WRK.out INTEGRITY ALIVE
      prints the summary table; exit status 1 when a must-hold condition failed.

Every request sends `Connection: keep-alive` (Pistache 0.0.5 closes HTTP/1.1 connections
without it). A 503 must carry `Retry-After`; the clients then wait that long, as a polite
client would, and try again with a fresh GET (editors) or the same upload (uploaders).
"""
import argparse
import http.client
import json
import math
import os
import random
import re
import sys
import threading
import time
import uuid

TIMEOUT_S = 60  # a request not answered in time counts as "no answer"


# ---------------------------------------------------------------- footprints
def point_in_ring(x, y, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def polygons_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise SystemExit("boundary is a %s, not a (multi)polygon" % geometry["type"])


def inside(x, y, polygons):
    for poly in polygons:
        if point_in_ring(x, y, poly[0]) and not any(point_in_ring(x, y, h) for h in poly[1:]):
            return True
    return False


def cmd_footprints(args):
    polygons = polygons_of(json.load(open(args.boundary)))
    w, s, e, n = (float(v) for v in args.near.split(","))
    cx, cy = (w + e) / 2, (s + n) / 2
    dlat = 8.0 / 111320.0                          # about 8 m
    dlon = dlat / math.cos(math.radians(cy))
    step_lat, step_lon = 2.5 * dlat, 2.5 * dlon    # 20 m grid, gaps between the squares
    features = []
    ring = 0
    # Squares on rings of grid cells around the centre, outwards, until COUNT fit inside.
    while len(features) < args.count and ring < 2000:
        cells = [(i, j) for i in range(-ring, ring + 1) for j in range(-ring, ring + 1)
                 if max(abs(i), abs(j)) == ring]
        for i, j in cells:
            x0, y0 = cx + i * step_lon, cy + j * step_lat
            corners = [(x0, y0), (x0 + dlon, y0), (x0 + dlon, y0 + dlat), (x0, y0 + dlat)]
            if not all(inside(x, y, polygons) for x, y in corners):
                continue
            coords = [[round(x, 7), round(y, 7)] for x, y in corners + [corners[0]]]
            k = len(features) + 1
            features.append({"type": "Feature",
                             "properties": {"id": "conc-%d" % k, "function": "Wohnhaus",
                                            "floors": 1 + k % 4},
                             "geometry": {"type": "Polygon", "coordinates": [coords]}})
            if len(features) == args.count:
                break
        ring += 1
    if len(features) < args.count:
        raise SystemExit("only %d footprints fit inside the boundary" % len(features))
    with open(args.out, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, separators=(",", ":"))
    xs = [c[0] for ft in features for c in ft["geometry"]["coordinates"][0]]
    ys = [c[1] for ft in features for c in ft["geometry"]["coordinates"][0]]
    print("%d footprints, %.1f MB, extent %.5f,%.5f,%.5f,%.5f" % (
        len(features), os.path.getsize(args.out) / 1e6, min(xs), min(ys), max(xs), max(ys)))


# ---------------------------------------------------------------- wrk script
WRK_LUA = r"""-- made by concurrency_client.py wrk-lua
local paths = {%(paths)s}
local token = "%(token)s"
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end
function init(args)
  n = offset
  statuses = {}
  locked = 0
end
function request()
  n = n + 1
  local path = paths[(n %% #paths) + 1]
  local headers = {["Connection"] = "keep-alive"}
  if n %% 2 == 0 then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path, headers)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 and body and string.find(string.lower(body), "locked", 1, true) then
    locked = locked + 1
  end
end
function done(summary, latency, requests)
  local total, lk = {}, 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, count in pairs(s) do total[code] = (total[code] or 0) + count end
    lk = lk + t:get("locked")
  end
  local parts = {}
  for code, count in pairs(total) do table.insert(parts, string.format('"%%d":%%d', code, count)) end
  io.write(string.format('WRKJSON {"statuses":{%%s},"locked":%%d,"p50_ms":%%.3f,"p99_ms":%%.3f,' ..
    '"errors":{"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d,"status":%%d}}\n',
    table.concat(parts, ","), lk, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
"""


def cmd_wrk_lua(args):
    paths = [line.strip() for line in open(args.paths) if line.strip()]
    with open(args.out, "w") as f:
        f.write(WRK_LUA % {"paths": ",".join('"%s"' % p for p in paths), "token": args.token})


# ---------------------------------------------------------------- HTTP
class Client:
    """One keep-alive connection, reopened after an error."""

    def __init__(self, port, token=None):
        self.port, self.token, self.conn = port, token, None

    def request(self, method, path, body=None, headers=None):
        """(status, headers dict lower-case, body bytes) or (None, {}, error text)."""
        h = {"Connection": "keep-alive"}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        h.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                hdrs = {k.lower(): v for k, v in r.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, hdrs, data
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                self.conn.close()
                self.conn = None
                # A keep-alive connection the server closed between two requests: once more
                # on a new one. A timeout or a second failure is "no answer".
                if attempt == 2 or isinstance(e, TimeoutError) or "timed out" in str(e):
                    return None, {}, str(e).encode()
        return None, {}, b""


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = {}          # "op status" → count
        self.locked = []          # (op, status, body excerpt) of bodies containing "locked"
        self.busy = {"with_retry_after": 0, "without_retry_after": 0}
        self.server_errors = []   # (op, status, body excerpt) of 5xx other than 503+Retry-After
        self.no_answer = []       # (op, error)
        self.other_4xx = []       # excerpts of unexpected 4xx

    def add(self, op, status, headers, body, expected_4xx=()):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        with self.lock:
            key = "%s %s" % (op, status if status is not None else "none")
            self.status[key] = self.status.get(key, 0) + 1
            if status is None:
                self.no_answer.append((op, text[:200]))
                return
            if "locked" in text.lower():
                self.locked.append((op, status, text[:300]))
            if status == 503:
                if "retry-after" in headers:
                    self.busy["with_retry_after"] += 1
                else:
                    self.busy["without_retry_after"] += 1
                    self.server_errors.append((op, status, text[:300]))
            elif status >= 500:
                self.server_errors.append((op, status, text[:300]))
            elif 400 <= status < 500 and status not in expected_4xx and len(self.other_4xx) < 20:
                self.other_4xx.append((op, status, text[:300]))


def etag_version(headers):
    m = re.match(r'^(?:W/)?"(\d+)"$', headers.get("etag", ""))
    return int(m.group(1)) if m else None


def retry_after(headers):
    try:
        return min(10.0, float(headers.get("retry-after", "2")))
    except ValueError:
        return 2.0


# ---------------------------------------------------------------- run
def create_vacancies(args, counters):
    w, s, e, n = (float(v) for v in args.near.split(","))
    client = Client(args.port, args.token)
    ids = []
    for k in range(args.vacancies):
        lon = w + (e - w) * (0.3 + 0.4 * k / max(1, args.vacancies - 1))
        lat = s + (n - s) * 0.5
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                   "properties": {"status": "gemeldet", "use": "laden", "internal_notes": "created"}}
        for _ in range(20):
            st, h, body = client.request("POST", "/collections/vacancies/items", json.dumps(feature),
                                         {"Content-Type": "application/geo+json"})
            counters.add("post", st, h, body)
            if st == 201:
                ids.append(int(h["location"].rstrip("/").rsplit("/", 1)[1]))
                break
            time.sleep(retry_after(h) if st == 503 else 0.5)
        else:
            raise SystemExit("could not create vacancy %d: %s %s" % (k, st, body[:300]))
    return ids


def editor(args, idx, ids, stop, counters, acks, unknown):
    rnd = random.Random(1000 + idx)
    client = Client(args.port, args.token)
    n = 0
    while not stop.is_set():
        vid = rnd.choice(ids)
        path = "/collections/vacancies/items/%d" % vid
        st, h, body = client.request("GET", path)
        counters.add("get", st, h, body)
        if st != 200:
            time.sleep(retry_after(h) if st == 503 else 0.2)
            continue
        version = etag_version(h)
        if version is None:
            counters.add("get-without-etag", 599, {}, b"no ETag")
            continue
        n += 1
        notes = "editor %d edit %d %s" % (idx, n, uuid.uuid4().hex[:8])
        patch = json.dumps({"properties": {"internal_notes": notes}})
        st, h, body = client.request("PATCH", path, patch,
                                     {"Content-Type": "application/merge-patch+json",
                                      "If-Match": '"%d"' % version})
        counters.add("patch", st, h, body, expected_4xx=(412,))
        if st is not None and 200 <= st < 300:
            new_version = etag_version(h)
            acks.append((vid, new_version, notes, version))
        elif st is None:
            unknown.append((vid, notes))
        elif st == 503:
            time.sleep(retry_after(h))
        time.sleep(rnd.uniform(0, 0.02))  # a person's think time, shortened


def multipart(fields, file_name, content):
    boundary = "----leerstand%s" % uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                      % (boundary, k, v)).encode())
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                  "Content-Type: application/geo+json\r\n\r\n" % (boundary, file_name)).encode())
    parts.append(content)
    parts.append(("\r\n--%s--\r\n" % boundary).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def uploader(args, idx, content, stop, counters, jobs):
    client = Client(args.port, args.token)
    while not stop.is_set():
        body, ctype = multipart({"kommune": args.kommune, "layer": "buildings", "mode": args.mode},
                                "concurrency-%d.geojson" % idx, content)
        t0 = time.monotonic()
        st, h, resp = client.request("POST", "/api/uploads", body, {"Content-Type": ctype})
        counters.add("upload", st, h, resp)
        if st != 202:
            time.sleep(retry_after(h) if st == 503 else 1.0)
            continue
        href = json.loads(resp)["href"]
        state, last = "queued", {}
        # Poll to the job's end, even after the stop: a job is not abandoned half-way.
        while True:
            st, h, resp = client.request("GET", href)
            counters.add("job", st, h, resp)
            if st == 200:
                last = json.loads(resp)
                state = last.get("state", "")
                if state in ("done", "failed"):
                    break
            elif st is not None and st != 503:
                state = "poll %d" % st
                break
            time.sleep(0.25)
        text = json.dumps(last)
        jobs.append({"uploader": idx, "state": state, "seconds": round(time.monotonic() - t0, 2),
                     "error": None if state == "done" else text[:400],
                     "locked": "locked" in text.lower()})


def rss_mb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def sampler(pid, stop, samples, t_start):
    while True:
        samples.append((round(time.monotonic() - t_start, 1), rss_mb(pid)))
        if stop.wait(5.0):
            samples.append((round(time.monotonic() - t_start, 1), rss_mb(pid)))
            return


def verify(args, ids, acks, unknown, counters):
    """Lost updates: per vacancy, version = 1 + acknowledged PATCHes; notes = the newest ack's."""
    client = Client(args.port, args.token)
    out = []
    for vid in ids:
        st, h, body = client.request("GET", "/collections/vacancies/items/%d" % vid)
        counters.add("verify", st, h, body)
        mine = sorted((a for a in acks if a[0] == vid), key=lambda a: a[1] or 0)
        unk = sum(1 for u in unknown if u[0] == vid)
        row = {"id": vid, "acks": len(mine), "unknown": unk, "problems": []}
        if st != 200:
            row["problems"].append("final GET answered %s" % st)
            out.append(row)
            continue
        final_version = etag_version(h)
        notes = json.loads(body)["properties"].get("internal_notes")
        row.update(final_version=final_version, final_notes=notes)
        versions = [a[1] for a in mine]
        if None in versions:
            row["problems"].append("an acknowledged PATCH had no ETag")
        if len(set(versions)) != len(versions):
            row["problems"].append("two PATCHes acknowledged with the same version: %s" %
                                   sorted(v for v in set(versions) if versions.count(v) > 1))
        if any(a[1] != a[3] + 1 for a in mine if a[1] is not None):
            row["problems"].append("an acknowledged PATCH did not raise the version by one")
        if not (1 + len(mine) <= (final_version or 0) <= 1 + len(mine) + unk):
            row["problems"].append("final version %s, but 1 + %d acknowledged PATCHes (+%d unanswered)"
                                   % (final_version, len(mine), unk))
        if mine and unk == 0 and notes != mine[-1][2]:
            row["problems"].append("final notes %r are not the newest acknowledged %r (version %s)"
                                   % (notes, mine[-1][2], mine[-1][1]))
        # The history has one row per change (the create and each acknowledged PATCH).
        st, h, body = client.request("GET", "/collections/vacancies/items/%d/history" % vid)
        counters.add("verify", st, h, body)
        if st == 200:
            doc = json.loads(body)
            entries = doc if isinstance(doc, list) else doc.get("history", doc.get("changes", []))
            row["history"] = len(entries) if isinstance(entries, list) else None
        out.append(row)
    return out


def cmd_run(args):
    content = open(args.upload, "rb").read()
    counters = Counters()
    ids = create_vacancies(args, counters)
    print("vacancies %s (each PATCHed by %d editors)" % (ids, args.editors), flush=True)
    stop, sample_stop = threading.Event(), threading.Event()
    acks, unknown, jobs, samples = [], [], [], []
    t_start = time.monotonic()
    threads = [threading.Thread(target=sampler, args=(args.pid, sample_stop, samples, t_start))]
    threads += [threading.Thread(target=editor, args=(args, i, ids, stop, counters, acks, unknown))
                for i in range(args.editors)]
    threads += [threading.Thread(target=uploader, args=(args, i, content, stop, counters, jobs))
                for i in range(args.uploaders)]
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads[1:]:
        t.join()
    sample_stop.set()
    threads[0].join()
    elapsed = time.monotonic() - t_start
    rows = verify(args, ids, acks, unknown, counters)
    result = {"seconds": round(elapsed, 1), "editors": args.editors, "uploaders": args.uploaders,
              "mode": args.mode, "vacancies": ids, "status": counters.status,
              "locked": counters.locked, "busy": counters.busy,
              "server_errors": counters.server_errors[:50], "server_error_count": len(counters.server_errors),
              "no_answer": counters.no_answer[:20], "no_answer_count": len(counters.no_answer),
              "other_4xx": counters.other_4xx, "acks": len(acks), "unknown": len(unknown),
              "ack_log": [{"id": a[0], "if_match": a[3], "etag": a[1], "notes": a[2]} for a in acks],
              "jobs": jobs, "rss": samples, "verify": rows}
    json.dump(result, open(args.out, "w"), indent=1)


# ---------------------------------------------------------------- report
def classes(status, op):
    out = {}
    for key, count in status.items():
        o, _, st = key.partition(" ")
        if o != op:
            continue
        c = "no answer" if st == "none" else st if st in ("412", "428", "503") else st[0] + "xx"
        out[c] = out.get(c, 0) + count
    return " ".join("%s:%d" % kv for kv in sorted(out.items())) or "-"


def rss_verdict(samples, seconds):
    """Flat: after the caches filled (the first 2/3 of the run, 40 s of 60), the RSS of the
    last third (20 s) stays within 10 % of the highest RSS of the first two thirds."""
    vals = [(t, v) for t, v in samples if v is not None]
    if len(vals) < 3:
        return None, "too few samples"
    cut = seconds * 2 / 3
    early = [v for t, v in vals if t <= cut] or [vals[0][1]]
    late = [v for t, v in vals if t > cut] or [vals[-1][1]]
    limit = 1.10 * max(early)
    flat = max(late) <= limit
    return flat, "last third max %.1f MB vs first two thirds max %.1f MB (limit %.1f MB)" % (
        max(late), max(early), limit)


def cmd_report(args):
    r = json.load(open(args.results))
    wrk_text = open(args.wrk).read()
    m = re.search(r"^WRKJSON (.*)$", wrk_text, re.M)
    wrk = json.loads(m.group(1)) if m else {"statuses": {}, "locked": 0, "errors": {}}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk_text)
    reqs = re.search(r"(\d+) requests in", wrk_text)
    wrk_5xx = sum(c for s, c in wrk["statuses"].items() if int(s) >= 500)
    wrk_non2xx = sum(c for s, c in wrk["statuses"].items() if not 200 <= int(s) < 300)
    jobs = r["jobs"]
    job_states = {}
    for j in jobs:
        job_states[j["state"]] = job_states.get(j["state"], 0) + 1
    lost = [row for row in r["verify"] if row["problems"]]
    samples = [(t, v) for t, v in r["rss"] if v is not None]
    flat, flat_why = rss_verdict(r["rss"], r["seconds"])
    locked_total = len(r["locked"]) + wrk["locked"] + sum(1 for j in jobs if j["locked"])
    checks = [
        ("no 5xx other than 503 with Retry-After (clients)", r["server_error_count"] == 0),
        ("no 5xx from wrk", wrk_5xx == 0),
        ("no 'locked' body reaching a client (clients, wrk, job reports)", locked_total == 0),
        ("no lost update", not lost),
        ("PRAGMA integrity_check ok", args.integrity.strip() == "ok"),
        ("server alive at the end", args.alive == "yes"),
    ]
    print()
    print("| what | result |")
    print("|---|---|")
    print("| run | %.1f s, %d editors on %d shared vacancies, %d uploaders (mode %s), wrk -t2 -c16 |" % (
        r["seconds"], r["editors"], len(r["vacancies"]), r["uploaders"], r["mode"]))
    print("| editors GET | %s |" % classes(r["status"], "get"))
    print("| editors PATCH | %s (412 = expected conflict) |" % classes(r["status"], "patch"))
    print("| creates (POST) | %s |" % classes(r["status"], "post"))
    print("| acknowledged PATCHes | %d (%d unanswered) |" % (r["acks"], r["unknown"]))
    print("| uploads POST | %s |" % classes(r["status"], "upload"))
    print("| upload jobs | %s; %s |" % (
        " ".join("%s:%d" % kv for kv in sorted(job_states.items())) or "none",
        "seconds each %s" % ", ".join("%.1f" % j["seconds"] for j in jobs[:12])))
    print("| job polls | %s |" % classes(r["status"], "job"))
    print("| wrk | %s req/s, %s requests, statuses %s, non-2xx %d, p50 %.1f ms, p99 %.1f ms, socket errors %s |" % (
        rps.group(1) if rps else "?", reqs.group(1) if reqs else "?",
        " ".join("%s:%d" % kv for kv in sorted(wrk["statuses"].items())), wrk_non2xx,
        wrk.get("p50_ms", 0), wrk.get("p99_ms", 0),
        " ".join("%s:%d" % kv for kv in sorted(wrk.get("errors", {}).items()) if kv[1]) or "none"))
    print("| 503 with / without Retry-After | %d / %d |" % (
        r["busy"]["with_retry_after"], r["busy"]["without_retry_after"]))
    print("| other 5xx (clients / wrk) | %d / %d |" % (r["server_error_count"], wrk_5xx))
    print("| 'locked' bodies | %d (clients %d, wrk %d, job reports %d) |" % (
        locked_total, len(r["locked"]), wrk["locked"], sum(1 for j in jobs if j["locked"])))
    print("| requests without an answer | %d |" % r["no_answer_count"])
    print("| lost updates | %d of %d vacancies (%s) |" % (len(lost), len(r["verify"]), "; ".join(
        "id %d: version %s, %d acks, history %s" % (row["id"], row.get("final_version"), row["acks"],
                                                    row.get("history")) for row in r["verify"])))
    if samples:
        print("| server RSS (MB, every 5 s) | start %.1f, max %.1f, end %.1f: %s |" % (
            samples[0][1], max(v for _, v in samples), samples[-1][1],
            " ".join("%.0f" % v for _, v in samples)))
    print("| memory flat | %s (%s) |" % ({True: "yes", False: "NO", None: "?"}[flat], flat_why))
    print("| integrity_check | %s |" % args.integrity.strip().replace("\n", " ")[:200])
    print("| server alive | %s |" % args.alive)
    print()
    for row in lost:
        print("LOST UPDATE vacancy %d: %s" % (row["id"], "; ".join(row["problems"])))
    for e in r["server_errors"][:5]:
        print("5xx: %s %s %s" % tuple(e))
    for e in r["locked"][:5]:
        print("locked: %s %s %s" % tuple(e))
    for j in [j for j in jobs if j["state"] != "done"][:5]:
        print("upload job %s: %s" % (j["state"], j["error"]))
    for e in r["other_4xx"][:5]:
        print("unexpected 4xx: %s %s %s" % tuple(e))
    for e in r["no_answer"][:5]:
        print("no answer: %s %s" % tuple(e))
    failed = [name for name, ok in checks if not ok]
    for name, ok in checks:
        print("%s %s" % ("ok  " if ok else "FAIL", name))
    if flat is False:
        print("note: memory did not stay flat by the definition above (reported, not a failure)")
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("footprints")
    f.add_argument("--boundary", required=True)
    f.add_argument("--near", required=True)
    f.add_argument("--count", type=int, default=20000)
    f.add_argument("--out", required=True)
    w = sub.add_parser("wrk-lua")
    w.add_argument("--paths", required=True)
    w.add_argument("--token", required=True)
    w.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--token", required=True)
    r.add_argument("--kommune", required=True)
    r.add_argument("--near", required=True)
    r.add_argument("--upload", required=True)
    r.add_argument("--seconds", type=float, default=60)
    r.add_argument("--editors", type=int, default=8)
    r.add_argument("--uploaders", type=int, default=2)
    r.add_argument("--vacancies", type=int, default=4)
    r.add_argument("--mode", default="replace")
    r.add_argument("--out", required=True)
    s = sub.add_parser("report")
    s.add_argument("results")
    s.add_argument("wrk")
    s.add_argument("integrity")
    s.add_argument("alive")
    args = p.parse_args()
    if args.cmd == "footprints":
        cmd_footprints(args)
    elif args.cmd == "wrk-lua":
        cmd_wrk_lua(args)
    elif args.cmd == "run":
        cmd_run(args)
    else:
        sys.exit(cmd_report(args))


if __name__ == "__main__":
    main()
