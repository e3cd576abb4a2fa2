#!/usr/bin/python3
"""Soak load for ./envscore soak (docs/performance.md, issue 19), standard library only.

For a bounded time, against a service seeded with the demo district grown to --townships townships (bench/soak.sh):
- --secretaries simulated township secretaries, spread evenly over the townships (each its own login and its own village):
  in half of the townships ("web") they save their village's sheet (PATCH with If-Match, a unique token in the note), upload
  a photo every 5th save and submit the sheet once (at a random moment in the run's second half); in the other half
  ("spreadsheet") one of them downloads the township's .xlsx template, fills every village's row (a zipfile + XML edit of
  the downloaded workbook: the village's previous-month answers, a unique token in each 备注) and uploads it to the real
  import endpoint every ~20 s (the last upload with submit=true), while the others fix rectification problems of their
  village (an after-photo, then ReportFix with a token);
- --inspectors district inspectors report problems on rounds (a token in the description, a before-photo) and review the
  fixed ones: close (销号) or reject (a token in the note or reason);
- --readers anonymous readers of the public pages, OData lists and the bulletin downloads;
- the district admin recomputing the month every 15 s and reading the working results.
At the end every write the clients saw acknowledged is looked up in the database (audit trail, evidence rows, problem
rows): lost = acknowledged but not found, duplicated = found more than once; and every upload that was refused must have
written nothing. Prints per request type count, 5xx, other non-2xx, p50/p95/max, and the service's RSS and PostgreSQL
connections sampled every 15 s.
"""
import zlib, argparse, base64, collections, datetime, io, json, random, re, subprocess, threading, time, urllib.error, urllib.parse, urllib.request, uuid, zipfile
from xml.sax.saxutils import escape

ap = argparse.ArgumentParser()
ap.add_argument("--base"); ap.add_argument("--password"); ap.add_argument("--minutes", type=float, default=10)
ap.add_argument("--secretaries", type=int, default=200); ap.add_argument("--townships", type=int, default=20)
ap.add_argument("--inspectors", type=int, default=4); ap.add_argument("--readers", type=int, default=10)
ap.add_argument("--think", type=float, default=20.0, help="mean seconds a secretary waits between two actions (uniform 0.5–1.5×)")
ap.add_argument("--ramp", type=float, default=60.0, help="seconds over which the clients start (and log in), evenly at random")
ap.add_argument("--pid", type=int); ap.add_argument("--psql")
a = ap.parse_args()
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg==")

def photo(token):
    """A distinct valid PNG per upload (the 4×3 image with a tEXt chunk naming the upload): the service stores the same
    bytes sent again to a problem once (a phone's retry), so every upload must be a new photo to be counted as one."""
    text = b"Comment\x00" + token.encode()
    chunk = len(text).to_bytes(4, "big") + b"tEXt" + text + zlib.crc32(b"tEXt" + text).to_bytes(4, "big")
    return PNG[:-12] + chunk + PNG[-12:]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def call(method, path, body=None, token=None, headers=None, raw=None, ctype="application/json", timeout=180):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(a.base + urllib.parse.quote(path, safe="/?&=$(),'*:;"), method=method, data=data)
    if data is not None: req.add_header("content-type", ctype)
    if token: req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r: return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e: return e.code, e.headers, e.read()
    except Exception as e: return 0, {}, str(e).encode()


stats = collections.defaultdict(list); codes = collections.defaultdict(collections.Counter); lock = threading.Lock()
errors = collections.defaultdict(list)

def timed(kind, method, path, **kw):
    t0 = time.monotonic(); s, h, b = call(method, path, **kw)
    with lock:
        stats[kind].append(time.monotonic() - t0); codes[kind][s] += 1
        if (s >= 500 or s == 0) and not errors[kind]:
            text = b.decode(errors="replace") if isinstance(b, bytes) else str(b)
            text = re.sub(r"<[^>]+>|\s+", " ", text)[:200]
            errors[kind].append(f"{method} {path} → {s}: {text}")
    return s, h, b

def psql(sql):
    return subprocess.run(a.psql.split() + ["-c", sql], capture_output=True, text=True, check=True).stdout

def login(user, ramp=0.0):
    """Logs in (after a random start within the ramp), retrying every 5 s like a user until it works or the run ends."""
    if ramp and stop.wait(random.uniform(0, ramp)): return None
    while True:
        s, _, b = timed("login", "POST", "/api/auth/login", body={"userName": user, "password": a.password})
        if s == 200: return json.loads(b)["accessToken"]
        if stop.wait(5): return None

def multipart(files, fields=None):
    boundary = uuid.uuid4().hex; out = b""
    for k, v in (fields or {}).items():
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
    for name, ctype, content in files:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"

def odata_all(path, token):
    rows = []
    while path:
        s, _, b = call("GET", path, token=token); assert s == 200, (path, s, b[:300])
        j = json.loads(b); rows += j["value"]
        nxt = j.get("@odata.nextLink"); path = nxt[len(a.base):] if nxt else None
        if path: path = urllib.parse.unquote(path)
    return rows

stop = threading.Event()
china = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
month = china.strftime("%Y-%m")
prev = (china.replace(day=1) - datetime.timedelta(days=1)); prev_key = prev.year * 100 + prev.month
admin = login("admin")
townships = odata_all("/odata/Townships?$orderby=id", admin)[: a.townships]
villages = {t["id"]: odata_all(f"/odata/Villages?$filter=townshipId eq {t['id']} and isActive&$orderby=id", admin) for t in townships}
district_id = townships[0]["districtId"]
# Every village's previous-month self-evaluation (a complete sheet the seed submitted): the answers a secretary types in again.
previous = {}
for e in odata_all(f"/odata/Evaluations?$filter=month eq {prev_key} and kind eq 'Self'&$expand=entries", admin):
    previous[e["villageId"]] = [{k: v for k, v in x.items() if k in ("itemCode", "notApplicable", "count", "level", "failedSamples", "passed") and v is not None}
                                for x in e["entries"]]
any_entries = next(iter(previous.values()))
def answers(vid): return previous.get(vid, any_entries)

published = json.loads(call("GET", "/odata/Publications?$orderby=month desc&$top=1")[2])["value"]
pub_month = f"{published[0]['month'] // 100:04d}-{published[0]['month'] % 100:02d}" if published else None

t_start = time.monotonic(); deadline = t_start + a.minutes * 60
acked = collections.defaultdict(list)   # kind → tokens (or ids) the service acknowledged
refused_uploads = []                    # upload tokens the service refused (must have written nothing)
acked_photos = collections.Counter()    # sheet id → acknowledged photos
acked_rect_photos = collections.Counter()  # problem id → acknowledged photos
submitted = []                          # sheet ids whose Submit was acknowledged

def think(scale=1.0): stop.wait(random.uniform(0.5, 1.5) * a.think * scale)

# ---------- web townships: save, photo, submit ----------
def web_secretary(i, township, village):
    token = login("secretary-" + township["code"], a.ramp)
    if token is None: return
    vid = village["id"]
    sheet = None
    while sheet is None and not stop.is_set():
        s, h, b = timed("create-sheet", "POST", "/odata/Evaluations", body={"villageId": vid, "month": month, "kind": "Self", "entries": answers(vid)}, token=token)
        if s == 201: sheet = json.loads(b)["id"]; etag = h["ETag"]
        elif s == 409:  # created by an earlier try whose answer was lost: read it
            s2, _, b2 = call("GET", f"/odata/Evaluations?$filter=villageId eq {vid} and month eq {month.replace('-', '')} and kind eq 'Self'", token=token)
            rows = json.loads(b2)["value"] if s2 == 200 else []
            if rows: sheet = rows[0]["id"]; etag = rows[0]["@odata.etag"]
        elif s not in (0, 503): return
        if sheet is None: think()
    if sheet is None: return
    k = 0
    submit_at = t_start + a.minutes * 60 * random.uniform(0.5, 0.9)
    counts = [e["itemCode"] for e in answers(vid) if e.get("count") is not None and not e.get("notApplicable")]
    while not stop.is_set():
        k += 1
        if time.monotonic() >= submit_at:
            s, h, _ = timed("submit", "POST", f"/odata/Evaluations({sheet})/Submit", body={}, token=token, headers={"If-Match": etag})
            if s == 200: submitted.append(sheet); break
            s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
            if s2 == 200: etag = h2["ETag"]
            think(); continue
        mark = f"soak:{i}:{k};"
        patch = {"note": mark}
        if counts: patch["entries"] = [{"itemCode": random.choice(counts), "count": k % 3}]
        s, h, _ = timed("save", "PATCH", f"/odata/Evaluations({sheet})", body=patch, token=token, headers={"If-Match": etag})
        if s == 200: etag = h["ETag"]; acked["save"].append(mark)
        else:
            s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
            if s2 == 200: etag = h2["ETag"]
        if k % 5 == 0:
            body, ctype = multipart([(f"p{k}.png", "image/png", photo(f"sheet:{i}:{k}"))])
            s, _, _ = timed("photo", "POST", f"/api/evaluations/{sheet}/evidence", raw=body, token=token, ctype=ctype)
            if s in (200, 201):
                acked_photos[sheet] += 1
                s2, h2, _ = call("GET", f"/odata/Evaluations({sheet})", token=token)
                if s2 == 200: etag = h2["ETag"]
        think()
    # After the submission: the secretary looks at the sheet and the work page now and then.
    while not stop.is_set():
        timed("read-sheet", "GET", f"/odata/Evaluations({sheet})?$expand=entries", token=token)
        think(3)

# ---------- spreadsheet townships: download, fill, upload ----------
def col_index(letters):
    n = 0
    for ch in letters: n = n * 26 + ord(ch) - 64
    return n

def fill_template(xlsx, tag):
    """The downloaded template with every village's row filled: previous-month answers, a token in 备注. Returns bytes and tokens."""
    zin = zipfile.ZipFile(io.BytesIO(xlsx))
    wb = zin.read("xl/workbook.xml").decode()
    rels = zin.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="评比表"[^>]*r:id="([^"]+)"', wb).group(1)
    target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
    path = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    sheet = zin.read(path).decode()
    sst_xml = zin.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in zin.namelist() else f'<sst xmlns="{NS}" count="0" uniqueCount="0"></sst>'
    strings = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<si>(.*?)</si>", sst_xml, re.S)]
    strings = [s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') for s in strings]
    added = []
    def value(cell):
        m = re.search(r"<v>(.*?)</v>", cell, re.S)
        if 't="s"' in cell and m: return strings[int(m.group(1))]
        if 't="inlineStr"' in cell: return re.sub(r"<[^>]+>", "", cell)
        return m.group(1) if m else ""
    def string_index(text):
        added.append(text); return len(strings) + len(added) - 1
    rows = {int(m.group(1)): m for m in re.finditer(r'<row [^>]*r="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', sheet, re.S)}
    cell_re = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
    tokens = {c.group(1): value(c.group(0)) for c in cell_re.finditer(rows[7].group(0))}
    code_col = next(col for col, t in tokens.items() if t == "village_code")
    edits = {}; notes = []
    for r, m in rows.items():
        if r < 8: continue
        cells = {c.group(1): c for c in cell_re.finditer(m.group(0))}
        code = value(cells[code_col].group(0)) if code_col in cells else ""
        if not code: continue
        vid = code_to_id.get(code)
        by_item = {e["itemCode"]: e for e in answers(vid)}
        new = {}
        for col, tok in tokens.items():
            if tok in by_item:
                e = by_item[tok]
                if e.get("notApplicable"): new[col] = ("s", "不适用")
                elif e.get("level") is not None: new[col] = ("s", e["level"])
                elif e.get("passed") is not None: new[col] = ("s", "合格" if e["passed"] else "不合格")
                else: new[col] = ("n", e.get("count") if e.get("count") is not None else e.get("failedSamples") or 0)
            elif tok == "note":
                note = f"soak-import:{tag}:{code};"; notes.append(note); new[col] = ("s", note)
            elif tok == "veto" or tok.endswith("|zero"):
                new[col] = None
        edits[r] = (m, cells, new)
    out = []; pos = 0
    for r in sorted(edits):
        m, cells, new = edits[r]
        def cell_xml(col):
            old = cells.get(col)
            style = re.search(r'\ss="(\d+)"', old.group(3)).group(0) if old is not None and re.search(r'\ss="(\d+)"', old.group(3)) else ""
            if col in new:
                v = new[col]
                if v is None: return f'<c r="{col}{r}"{style}/>'
                if v[0] == "n": return f'<c r="{col}{r}"{style}><v>{v[1]}</v></c>'
                return f'<c r="{col}{r}"{style} t="s"><v>{string_index(v[1])}</v></c>'
            return old.group(0)
        cols = sorted(set(cells) | set(c for c in new if new[c] is not None), key=col_index)
        head = re.match(r"<row [^>]*?(?=/?>)", m.group(0)).group(0)
        out.append(sheet[pos:m.start()] + head + ">" + "".join(cell_xml(c) for c in cols) + "</row>")
        pos = m.end()
    sheet = "".join(out) + sheet[pos:]
    total = len(strings) + len(added)
    sst_xml = re.sub(r'count="\d+"', f'count="{total}"', sst_xml, 1); sst_xml = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{total}"', sst_xml, 1)
    sst_xml = sst_xml.replace("</sst>", "".join(f"<si><t>{escape(t)}</t></si>" for t in added) + "</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == path: data = sheet.encode()
            elif item.filename == "xl/sharedStrings.xml": data = sst_xml.encode()
            zout.writestr(item, data, zipfile.ZIP_DEFLATED)
        if "xl/sharedStrings.xml" not in zin.namelist(): raise SystemExit("template without shared strings")
    return buf.getvalue(), notes

code_to_id = {v["code"]: v["id"] for vs in villages.values() for v in vs}

def uploader(i, township):
    token = login("secretary-" + township["code"], a.ramp)
    if token is None: return
    tid = township["id"]; k = 0
    submit_at = t_start + a.minutes * 60 * random.uniform(0.6, 0.9)
    while not stop.is_set():
        k += 1
        s, _, xlsx = timed("template", "GET", f"/api/spreadsheets/template?month={month}&townshipId={tid}", token=token)
        if s != 200: think(); continue
        submit = time.monotonic() >= submit_at
        filled, notes = fill_template(xlsx, f"{tid}:{k}")
        body, ctype = multipart([(f"{township['name']}-{month}.xlsx", XLSX, filled)])
        s, _, b = timed("import+submit" if submit else "import", "POST",
                        f"/api/spreadsheets/import?month={month}&townshipId={tid}" + ("&submit=true" if submit else ""), raw=body, token=token, ctype=ctype)
        if s == 200:
            acked["import"].extend(notes)
            if submit: acked["import-submit"].append(tid); break
        else:
            refused_uploads.extend(notes)
            if s == 400 and len(errors["import-400"]) < 2: errors["import-400"].append(b[:600].decode(errors="replace"))
        think(2.5)
    while not stop.is_set():
        timed("template", "GET", f"/api/spreadsheets/template?month={month}&townshipId={tid}", token=token)
        think(6)

# ---------- rectifications: secretaries fix, inspectors report and review ----------
def fixer(i, township, village):
    token = login("secretary-" + township["code"], a.ramp)
    if token is None: return
    vid = village["id"]; k = 0
    while not stop.is_set():
        s, _, b = timed("rect-list", "GET", f"/odata/Rectifications?$filter=villageId eq {vid} and state eq 'Open'&$orderby=id&$top=3", token=token)
        for p in (json.loads(b)["value"] if s == 200 else []):
            if stop.is_set(): break
            k += 1; pid = p["id"]
            body, ctype = multipart([("整改后.png", "image/png", photo(f"after:{i}:{k}"))])
            s, h, _ = timed("rect-photo", "POST", f"/api/rectifications/{pid}/photos?kind=after", raw=body, token=token, ctype=ctype)
            if s != 200: continue
            acked_rect_photos[pid] += 1
            note = f"soak-fix:{i}:{k};"
            s, _, _ = timed("rect-fix", "POST", f"/odata/Rectifications({pid})/ReportFix", body={"note": note}, token=token, headers={"If-Match": h["ETag"]})
            if s == 200: acked["rect-fix"].append(note)
        think()

def inspector(i):
    token = login("inspector", a.ramp)
    if token is None: return
    all_villages = [v for vs in villages.values() for v in vs[: max(1, a.secretaries // len(townships))]]
    k = 0
    while not stop.is_set():
        k += 1
        v = random.choice(all_villages)
        desc = f"soak-round:{i}:{k}; 巡查发现村口垃圾未清运"
        s, _, b = timed("rect-create", "POST", "/odata/Rectifications", body={"villageId": v["id"], "itemCode": "L01", "description": desc, "location": "村委会东侧"}, token=token)
        if s == 201:
            acked["rect-create"].append(desc.split(";")[0] + ";")
            pid = json.loads(b)["id"]
            body, ctype = multipart([("整改前.png", "image/png", photo(f"before:{i}:{k}"))])
            s, _, _ = timed("rect-photo", "POST", f"/api/rectifications/{pid}/photos?kind=before", raw=body, token=token, ctype=ctype)
            if s == 200: acked_rect_photos[pid] += 1
        s, _, b = timed("rect-list", "GET", f"/odata/Rectifications?$filter=state eq 'AwaitingReview' and id mod {a.inspectors} eq {i}&$orderby=id&$top=5", token=token)
        for p in (json.loads(b)["value"] if s == 200 else []):
            if stop.is_set(): break
            pid = p["id"]
            s, h, _ = call("GET", f"/odata/Rectifications({pid})", token=token)
            if s != 200: continue
            if random.random() < 0.25:
                note = f"soak-reject:{i}:{pid}:{k};"
                s, _, _ = timed("rect-reject", "POST", f"/odata/Rectifications({pid})/Reject", body={"reason": note + "仍有垃圾"}, token=token, headers={"If-Match": h["ETag"]})
                if s == 200: acked["rect-reject"].append(note)
            else:
                note = f"soak-close:{i}:{pid}:{k};"
                s, _, _ = timed("rect-close", "POST", f"/odata/Rectifications({pid})/Close", body={"note": note + "现场复核合格"}, token=token, headers={"If-Match": h["ETag"]})
                if s == 200: acked["rect-close"].append(note)
        think(0.5)

# ---------- the public and the office ----------
def reader(i):
    tids = [t["id"] for t in townships]; vids = list(code_to_id.values()); k = random.randrange(20)
    while not stop.is_set():
        k += 1; r = f"r={k % 40}"
        choice = k % 20  # the bulletin downloads are built from the frozen rows on every request: 1 in 10 requests
        if choice == 5 and pub_month: timed("bulletin xlsx", "GET", f"/api/bulletins/{district_id}/{pub_month}/1")
        elif choice == 15 and pub_month: timed("bulletin docx", "GET", f"/api/bulletins/{district_id}/{pub_month}/1?format=docx")
        elif choice % 5 == 0: timed("public page", "GET", f"/?{r}")
        elif choice % 5 == 1: timed("public page", "GET", f"/township/{random.choice(tids)}?{r}")
        elif choice % 5 == 2: timed("public page", "GET", f"/village/{random.choice(vids)}?{r}")
        elif choice % 5 == 3: timed("public odata", "GET", "/odata/Publications?$top=5")
        else: timed("public odata", "GET", "/odata/Villages?$top=20&$filter=contains(name,'村')")
        stop.wait(random.uniform(1, 3))

def office():
    while not stop.is_set():
        timed("compute", "POST", "/odata/ComputationRuns/Compute", body={"month": month}, token=admin)
        timed("results", "GET", "/odata/VillageResults?$top=100&$orderby=districtRank", token=admin)
        stop.wait(15)

samples = []
def sampler():
    while not stop.is_set():
        try: rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{a.pid}/status").read()).group(1)) // 1024
        except Exception: rss = -1
        try: conns = int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").strip())
        except Exception: conns = -1
        samples.append((time.monotonic() - t_start, rss, conns)); stop.wait(15)

# Who does what: the secretaries spread evenly over the townships, each on its own village; even townships work on the
# web form, odd ones by spreadsheet (one uploader each, the others fixing problems).
threads = []; per = collections.Counter(); modes = collections.Counter()
for i in range(a.secretaries):
    t = townships[i % len(townships)]; j = per[t["id"]]; per[t["id"]] += 1
    vs = villages[t["id"]]; v = vs[j % len(vs)]
    if townships.index(t) % 2 == 0: threads.append(threading.Thread(target=web_secretary, args=(i, t, v))); modes["web form"] += 1
    elif j == 0: threads.append(threading.Thread(target=uploader, args=(i, t))); modes["spreadsheet"] += 1
    else: threads.append(threading.Thread(target=fixer, args=(i, t, v))); modes["rectification"] += 1
threads += [threading.Thread(target=inspector, args=(i,)) for i in range(a.inspectors)] + [threading.Thread(target=reader, args=(i,)) for i in range(a.readers)] \
    + [threading.Thread(target=office), threading.Thread(target=sampler)]
for t in threads: t.daemon = True; t.start(); time.sleep(0.02)
stop.wait(max(0, deadline - time.monotonic())); stop.set()
for t in threads: t.join(240)
elapsed = time.monotonic() - t_start

# ---------- what the database holds ----------
def written(where, pattern):
    """Tokens each audit row wrote: in its after-image and not in its before-image (a later row of the same problem or sheet
    carries earlier notes along, which is not a second write)."""
    found = collections.Counter()
    for line in psql(f"SELECT coalesce(before::text, '') || ' #after# ' || coalesce(after::text, '') FROM audit_log WHERE {where}").splitlines():
        before, _, after = line.partition(" #after# ")
        found.update(set(re.findall(pattern, after)) - set(re.findall(pattern, before)))
    return found
checks = []
def check(name, sent, found, refused=()):
    lost = [m for m in sent if found[m] == 0]
    dup = [m for m in set(sent) if found[m] > 1]
    written_refused = [m for m in refused if found[m] > 0]
    checks.append((name, len(sent), len(sent) - len(lost), len(lost), len(dup), len(written_refused)))
    return len(lost), len(dup) + len(written_refused)

saves = written("action = 'Evaluation.Update'", r"soak:\d+:\d+;")
imports = written("action IN ('Evaluation.Import', 'Evaluation.ImportUpdate')", r"soak-import:[\d:]+;")
rect = written("action IN ('Rectification.ReportFix', 'Rectification.Close', 'Rectification.Reject')", r"soak-(?:fix|close|reject):[\d:]+;")
created = collections.Counter(re.findall(r"soak-round:\d+:\d+;", psql("SELECT description FROM rectifications WHERE description LIKE 'soak-round:%'")))
totals = [check("sheet saves (audit trail)", acked["save"], saves), check("spreadsheet imports: village rows (audit trail)", acked["import"], imports, refused_uploads),
          check("problems reported (rectifications)", acked["rect-create"], created),
          check("ReportFix (audit trail)", acked["rect-fix"], rect), check("Close 销号 (audit trail)", acked["rect-close"], rect),
          check("Reject (audit trail)", acked["rect-reject"], rect)]
sub_rows = dict(tuple(map(int, r.split("|"))) for r in psql(
    "SELECT e.id, count(a.id) FROM evaluations e LEFT JOIN audit_log a ON a.evaluation_id = e.id AND a.action = 'Evaluation.Submit' WHERE e.status = 'Submitted' GROUP BY e.id").split() if "|" in r)
sub_lost = [s for s in submitted if s not in sub_rows]; sub_dup = [s for s in submitted if sub_rows.get(s, 0) > 1]
checks.append(("sheet submissions (status + audit)", len(submitted), len(submitted) - len(sub_lost), len(sub_lost), len(sub_dup), 0))
stored_photos = dict(tuple(map(int, r.split("|"))) for r in psql("SELECT evaluation_id, count(*) FROM evidence_files GROUP BY 1").split() if "|" in r)
photo_bad = [s for s, c in acked_photos.items() if stored_photos.get(s, 0) != c]
checks.append(("sheet photos (evidence_files per sheet)", sum(acked_photos.values()), sum(min(c, stored_photos.get(s, 0)) for s, c in acked_photos.items()),
               sum(max(0, c - stored_photos.get(s, 0)) for s, c in acked_photos.items()), sum(max(0, stored_photos.get(s, 0) - c) for s, c in acked_photos.items()), 0))
stored_rp = dict(tuple(map(int, r.split("|"))) for r in psql("SELECT rectification_id, count(*) FROM rectification_photos WHERE uploaded_by <> 'system:demo' GROUP BY 1").split() if "|" in r)
checks.append(("problem photos (rectification_photos per problem)", sum(acked_rect_photos.values()), sum(min(c, stored_rp.get(p, 0)) for p, c in acked_rect_photos.items()),
               sum(max(0, c - stored_rp.get(p, 0)) for p, c in acked_rect_photos.items()), sum(max(0, stored_rp.get(p, 0) - c) for p, c in acked_rect_photos.items()), 0))

print(f"soak: {elapsed/60:.1f} min, {a.secretaries} secretaries over {len(townships)} townships ({sum(len(v) for v in villages.values())} villages): "
      + ", ".join(f"{n} {m}" for m, n in modes.items()) + f"; {a.inspectors} inspectors, {a.readers} public readers (a request every 1–3 s each), the office recomputing every 15 s; "
      + f"think time {a.think:g} s (0.5–1.5×), clients starting over the first {a.ramp:g} s")
print("| request | count | 5xx | other non-2xx | p50 ms | p95 ms | max ms |")
print("|---|---:|---:|---:|---:|---:|---:|")
five = 0
for kind in sorted(stats):
    lat = sorted(stats[kind]); c = codes[kind]
    f = sum(v for k, v in c.items() if k >= 500 or k == 0); five += f
    other = {k: v for k, v in c.items() if not (200 <= k < 300) and not (k >= 500 or k == 0)}
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
    print(f"| {kind} | {len(lat)} | {f} | {sum(other.values())} {other or ''} | {q(0.5):.0f} | {q(0.95):.0f} | {lat[-1]*1000:.0f} |")
print("| write (what the clients sent) | acknowledged | found once | lost | duplicated | refused but written |")
print("|---|---:|---:|---:|---:|---:|")
lost_total = dup_total = 0
for name, sent, ok, lost, dup, wr in checks:
    print(f"| {name} | {sent} | {ok} | {lost} | {dup} | {wr} |"); lost_total += lost; dup_total += dup + wr
print(f"refused uploads' village rows: {len(refused_uploads)} (each must have written nothing), imports with submit=true acknowledged: {len(acked['import-submit'])}")
print("memory and connections over time (s, service RSS MB, PostgreSQL connections): " + ", ".join(f"{t:.0f}s {m}MB {c}" for t, m, c in samples))
for kind, errs in errors.items():
    for e in errs: print(f"  first failures of {kind}: {e}")
print(f"5xx: {five}, lost writes: {lost_total}, duplicated writes: {dup_total}")
