#!/usr/bin/python3
"""Soak load for ./envscore soak (docs/performance.md): secretaries saving sheets and uploading photos, the district
office recomputing the month, the public reading pages — for a bounded time. Counts every answer by request type (p95,
5xx), then checks against the database that every acknowledged write is stored exactly once (the audit trail for saves,
evidence rows for photos). Samples the service's memory (RSS) and PostgreSQL connections over time. Standard library only."""
import urllib.parse, argparse, base64, collections, datetime, json, os, re, subprocess, threading, time, urllib.error, urllib.request, uuid

ap = argparse.ArgumentParser()
ap.add_argument("--base"); ap.add_argument("--password"); ap.add_argument("--minutes", type=float, default=10)
ap.add_argument("--secretaries", type=int, default=30); ap.add_argument("--readers", type=int, default=6)
ap.add_argument("--pid", type=int); ap.add_argument("--psql")
a = ap.parse_args()
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg==")

def call(method, path, body=None, token=None, headers=None, raw=None, ctype="application/json", timeout=120):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(a.base + urllib.parse.quote(path, safe="/?&=$(),'*:;"), method=method, data=data)
    if data is not None: req.add_header("content-type", ctype)
    if token: req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r: return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e: return e.code, e.headers, e.read()
    except Exception as e: return 0, {}, str(e).encode()

def psql(sql):
    return subprocess.run(a.psql.split() + ["-c", sql], capture_output=True, text=True, check=True).stdout

def login(user):
    s, _, b = call("POST", "/api/auth/login", {"userName": user, "password": a.password}); assert s == 200, (user, s, b)
    return json.loads(b)["accessToken"]

stats = collections.defaultdict(list); codes = collections.defaultdict(collections.Counter); lock = threading.Lock()
def record(kind, status, seconds):
    with lock: stats[kind].append(seconds); codes[kind][status] += 1

month = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m")
townships = json.loads(call("GET", "/odata/Townships?$orderby=id")[2])["value"]
tokens = {t["id"]: login("secretary-" + t["code"]) for t in townships}
admin = login("admin")
villages = []
for t in townships:
    villages += [(t["id"], v["id"]) for v in json.loads(call("GET", f"/odata/Villages?$filter=townshipId eq {t['id']} and isActive&$orderby=id&$top=100")[2])["value"]]
n = min(a.secretaries, len(villages))
stop = threading.Event(); acked_saves = []; acked_photos = collections.Counter(); submitted = []

def secretary(i):
    tid, vid = villages[i]; token = tokens[tid]
    s, h, b = call("POST", "/odata/Evaluations", {"villageId": vid, "month": month, "kind": "Self", "entries": []}, token)
    if s != 201: record("create", s, 0); return
    sheet = json.loads(b)["id"]; etag = h["ETag"]; k = 0
    while not stop.is_set():
        k += 1
        mark = f"soak:{i}:{k};"
        t0 = time.monotonic(); s, h, b = call("PATCH", f"/odata/Evaluations({sheet})", {"note": mark}, token, {"If-Match": etag})
        record("save", s, time.monotonic() - t0)
        if s == 200: etag = h["ETag"]; acked_saves.append(mark)
        else:
            s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
            if s2 == 200: etag = h2["ETag"]
        if k % 10 == 0:
            boundary = uuid.uuid4().hex
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p{k}.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + PNG + f"\r\n--{boundary}--\r\n".encode()
            t0 = time.monotonic(); s, _, _ = call("POST", f"/api/evaluations/{sheet}/evidence", raw=body, token=token, ctype=f"multipart/form-data; boundary={boundary}")
            record("photo", s, time.monotonic() - t0)
            if s in (200, 201):
                acked_photos[sheet] += 1
                s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
                if s2 == 200: etag = h2["ETag"]
        time.sleep(0.05)
    # The end of the month for this secretary: a clean submission is not possible with an empty sheet; read it back.
    t0 = time.monotonic(); s, _, _ = call("GET", f"/odata/Evaluations({sheet})?$expand=entries", token=token); record("read-sheet", s, time.monotonic() - t0)

def reader(i):
    paths = ["/", "/odata/Publications?$top=5", "/odata/Villages?$top=20&$filter=contains(name,'社区')", "/?r={r}"]
    k = 0
    while not stop.is_set():
        k += 1; p = paths[k % len(paths)].replace("{r}", str(k % 50))
        t0 = time.monotonic(); s, _, _ = call("GET", p); record("public " + ("page" if not p.startswith("/odata") else "odata"), s, time.monotonic() - t0)

def office():
    while not stop.is_set():
        t0 = time.monotonic(); s, _, _ = call("POST", "/odata/ComputationRuns/Compute", {"month": month}, admin); record("compute", s, time.monotonic() - t0)
        t0 = time.monotonic(); s, _, _ = call("GET", "/odata/VillageResults?$top=100&$orderby=districtRank", token=admin); record("results", s, time.monotonic() - t0)
        stop.wait(15)

samples = []
def sampler():
    start = time.monotonic()
    while not stop.is_set():
        try: rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{a.pid}/status").read()).group(1)) // 1024
        except Exception: rss = -1
        try: conns = int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").strip())
        except Exception: conns = -1
        samples.append((time.monotonic() - start, rss, conns)); stop.wait(15)

threads = [threading.Thread(target=secretary, args=(i,)) for i in range(n)] + [threading.Thread(target=reader, args=(i,)) for i in range(a.readers)] \
    + [threading.Thread(target=office), threading.Thread(target=sampler)]
t_start = time.monotonic()
for t in threads: t.start()
stop.wait(a.minutes * 60); stop.set()
for t in threads: t.join(180)
elapsed = time.monotonic() - t_start

audit = psql("SELECT after::text FROM audit_log WHERE action = 'Evaluation.Update'")
found = collections.Counter(re.findall(r"soak:\d+:\d+;", audit))
lost = [m for m in acked_saves if found[m] == 0]; dup = [m for m, c in found.items() if c > 1]
stored_photos = dict((int(r.split("|")[0]), int(r.split("|")[1])) for r in psql("SELECT evaluation_id, count(*) FROM evidence_files GROUP BY 1").split() if "|" in r)
photo_mismatch = {s: (c, stored_photos.get(s, 0)) for s, c in acked_photos.items() if stored_photos.get(s, 0) != c}
print(f"soak: {elapsed/60:.1f} min, {n} secretaries (their own village sheet each, {len(townships)} townships), {a.readers} public readers, the office recomputing every 15 s")
print("| request | count | 5xx | other non-2xx | p50 ms | p95 ms | max ms |")
print("|---|---:|---:|---:|---:|---:|---:|")
five = 0
for kind in sorted(stats):
    lat = sorted(stats[kind]); c = codes[kind]
    f = sum(v for k, v in c.items() if k >= 500 or k == 0); five += f
    other = sum(v for k, v in c.items() if not (200 <= k < 300) and not (k >= 500 or k == 0))
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
    print(f"| {kind} | {len(lat)} | {f} | {other} {dict((k, v) for k, v in c.items() if not 200 <= k < 300) or ''} | {q(0.5):.0f} | {q(0.95):.0f} | {lat[-1]*1000:.0f} |")
print(f"acknowledged saves: {len(acked_saves)}, found in the audit trail: {len(acked_saves) - len(lost)}, lost: {len(lost)}, duplicated: {len(dup)}")
print(f"acknowledged photos: {sum(acked_photos.values())}, stored: {sum(stored_photos.get(s, 0) for s in acked_photos)}, mismatched sheets: {len(photo_mismatch)}")
print("memory and connections over time (s, service RSS MB, PostgreSQL connections): " + ", ".join(f"{t:.0f}s {m}MB {c}" for t, m, c in samples))
print(f"5xx: {five}, lost writes: {len(lost)}, duplicated writes: {len(dup)}")
