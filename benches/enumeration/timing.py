#!/usr/bin/env python3
import json, time, urllib.request, statistics
import sys
# Times the answers that could tell whether an account exists (R-SEC-1):
# a wrong password for an existing email against an unknown email at
# sign-in, and a taken against a new email at sign-up. Run against a fresh
# `portico serve --demo` (the demo's bob@acme.example exists):
#   python3 benches/enumeration/timing.py http://127.0.0.1:8080
# Five attempts per case at sign-in keep under the failed sign-in limit.
base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
def post(path, body, ip):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json", "x-forwarded-for": ip})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as r:
            code = r.status; r.read()
    except urllib.error.HTTPError as e:
        code = e.code; e.read()
    return code, (time.perf_counter() - t) * 1000
res = {}
for name, body in [("login, existing email, wrong password", {"email": "bob@acme.example", "password": "wrong password 1"}),
                   ("login, unknown email", {"email": "nobody@acme.example", "password": "wrong password 1"})]:
    times = []
    for i in range(5):
        code, ms = post("/api/auth/login", body, f"10.0.{len(res)}.{i}")
        times.append(ms)
    res[name] = (code, statistics.median(times))
for name, email in [("sign-up, taken email", "bob@acme.example"), ("sign-up, new email", None)]:
    times = []
    for i in range(8):
        e = email or f"new{i}@timing.example"
        code, ms = post("/api/auth/signup", {"email": e, "name": "T", "password": "a long enough password"}, f"10.1.{len(res)}.{i}")
        times.append(ms)
    res[name] = (code, statistics.median(times))
for k, (code, ms) in res.items():
    print(f"{k}: status {code}, median {ms:.1f} ms")
