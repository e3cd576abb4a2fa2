#!/usr/bin/python3
"""Write load for ./envscore ha-demo: secretaries saving sheets while the primary is killed.

Each worker owns one sheet (a village of its township, the open month) and PATCHes its note with a unique token,
If-Match the last tag. An answer 200 is an acknowledged write. After the kill and the failover the audit trail on the new
primary (every save adds an append-only audit row in the same transaction) is searched for every acknowledged token.
Readers (--readers, default 2) meanwhile load the anonymous public pages (/, /township/{id}, /village/{id}, a new query
string each time so the output cache never answers), which the service reads through ConnectionStrings:PublicReads (the
standby first): their answers are counted before the kill, while the writes fail, and after.
Standard library only."""
import urllib.parse, argparse, json, re, subprocess, threading, time, urllib.request, urllib.error, collections, datetime

ap = argparse.ArgumentParser()
ap.add_argument("--base"); ap.add_argument("--password"); ap.add_argument("--workers", type=int, default=8)
ap.add_argument("--warmup", type=float, default=15); ap.add_argument("--after", type=float, default=15)
ap.add_argument("--kill"); ap.add_argument("--check"); ap.add_argument("--run-as-postgres", default="0")
ap.add_argument("--result", default=None); ap.add_argument("--readers", type=int, default=2)
a = ap.parse_args()

def call(method, path, body=None, token=None, headers=None, timeout=30):
    req = urllib.request.Request(a.base + urllib.parse.quote(path, safe="/?&=$(),'*:;"), method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token: req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except Exception as e:  # connection reset, timeout: no HTTP answer at all
        return 0, {}, str(e).encode()

def login(user):
    s, _, b = call("POST", "/api/auth/login", {"userName": user, "password": a.password})
    assert s == 200, (user, s, b)
    return json.loads(b)["accessToken"]

month = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m")
s, _, b = call("GET", "/odata/Townships?$orderby=id")
townships = json.loads(b)["value"]
tokens = {t["id"]: login("secretary-" + t["code"]) for t in townships}
sheets = []
for w in range(a.workers):
    t = townships[w % len(townships)]
    s, _, b = call("GET", f"/odata/Villages?$filter=townshipId eq {t['id']}&$orderby=id&$top=100")
    village = json.loads(b)["value"][w // len(townships)]
    s, h, b = call("POST", "/odata/Evaluations", {"villageId": village["id"], "month": month, "kind": "Self", "entries": []}, tokens[t["id"]])
    assert s == 201, (s, b)
    sheets.append((tokens[t["id"]], json.loads(b)["id"], h["ETag"]))

lock = threading.Lock()
acked, failures, latencies = [], collections.Counter(), []
examples = {}
t_kill = [None]; t_back = [None]; stop = threading.Event()

def worker(w):
    token, sheet, etag = sheets[w]
    n = 0
    while not stop.is_set():
        n += 1
        mark = f"ha:w{w}:{n};"
        t0 = time.monotonic()
        s, h, b = call("PATCH", f"/odata/Evaluations({sheet})", {"note": mark}, token, {"If-Match": etag})
        t1 = time.monotonic()
        with lock:
            if s == 200:
                acked.append(mark); etag = h["ETag"]; latencies.append(t1 - t0)
                if t_kill[0] is not None and t_back[0] is None and t0 > t_kill[0]: t_back[0] = t1
            else:
                code = ""
                try: code = json.loads(b).get("code", "")
                except Exception: pass
                key = (s, code); failures[key] += 1
                examples.setdefault(key, b.decode("utf-8", "replace")[:200])
        if s != 200:
            time.sleep(0.2)  # a client that got 503 waits a little (Retry-After says 5 s; the demo measures tighter)
            s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
            if s2 == 200: etag = h2["ETag"]

reads = []  # (monotonic time, HTTP status) of every public page read
s, _, b = call("GET", f"/odata/Villages?$filter=townshipId eq {townships[0]['id']}&$orderby=id&$top=1")
public_paths = ["/", f"/township/{townships[0]['id']}", f"/village/{json.loads(b)['value'][0]['id']}"]

def reader(r):
    n = 0
    while not stop.is_set():
        n += 1
        s, _, _ = call("GET", f"{public_paths[n % len(public_paths)]}?r={r}-{n}", timeout=10)
        with lock: reads.append((time.monotonic(), s))
        if s != 200: time.sleep(0.2)

threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(a.workers)]
threads += [threading.Thread(target=reader, args=(r,), daemon=True) for r in range(a.readers)]
for t in threads: t.start()
time.sleep(a.warmup)
before_kill = len(acked)
print(f"[ha-demo] {before_kill} writes acknowledged in {a.warmup:.0f} s; killing the primary (keeper and postgres, SIGKILL) …", flush=True)
subprocess.run(a.kill, shell=True, check=False)
t_kill[0] = time.monotonic()  # after the kill completed: a write acknowledged later was served by the promoted standby
deadline = t_kill[0] + 180
while time.monotonic() < deadline and t_back[0] is None: time.sleep(0.2)
if t_back[0] is not None:
    print(f"[ha-demo] writes succeed again {t_back[0] - t_kill[0]:.1f} s after the kill; going on for {a.after:.0f} s …", flush=True)
    time.sleep(a.after)
stop.set()
for t in threads: t.join(60)

# Every acknowledged token in the audit trail of the new primary.
cmd = a.check.split() + ["-c", "SELECT after::text FROM audit_log WHERE action = 'Evaluation.Update'"]
if a.run_as_postgres == "1": cmd = ["runuser", "-u", "postgres", "--"] + cmd
out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
found = set(re.findall(r"ha:w\d+:\d+;", out))
lost = [m for m in acked if m not in found]
lat = sorted(latencies)
p95 = lat[int(len(lat) * 0.95)] * 1000 if lat else 0
failover = (t_back[0] - t_kill[0]) if t_back[0] else float("nan")
print(f"[ha-demo] acknowledged writes: {len(acked)} ({before_kill} before the kill); found on the new primary: {len(acked) - len(lost)}; "
      f"saves p95 {p95:.0f} ms")
print(f"[ha-demo] failed requests: {sum(failures.values())}")
for (status, code), n in failures.most_common():
    print(f"    {n} × HTTP {status or 'no answer'} {code}: {examples[(status, code)]}")
def phase(lo, hi):
    answered = [st for t, st in reads if lo <= t < hi]
    return f"{sum(1 for st in answered if st == 200)}/{len(answered)}"
end = t_back[0] if t_back[0] is not None else float("inf")
others = collections.Counter(st for _, st in reads if st != 200)
print(f"[ha-demo] public page reads answered 200 (PublicReads, standby first): before the kill {phase(0, t_kill[0])}, "
      f"while the writes failed {phase(t_kill[0], end)}, after {phase(end, float('inf'))}"
      + (f"; other answers: {dict(others)}" if others else ""))
line = f"failover: {failover:.0f} s, acknowledged writes lost: {len(lost)}"
if a.result:
    open(a.result, "w").write(line + "\n")
print(line, flush=True)
