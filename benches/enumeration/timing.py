#!/usr/bin/env python3
import json, time, urllib.request, statistics
import socketserver, threading
import sys
# Times the answers that could tell whether an account exists (R-SEC-1):
# a wrong password for an existing email against an unknown email at
# sign-in, and a taken against a new email at sign-up. Run against a fresh
# `portico serve --demo` (the demo's bob@acme.example exists), with
# 127.0.0.1 as a trusted proxy so that each attempt comes from its own
# address (X-Forwarded-For) and no limit is reached:
#   portico serve --demo --trusted-proxies 127.0.0.1
#   python3 benches/enumeration/timing.py http://127.0.0.1:8080
# With `signup = "verify-email"`, sign-up must answer alike for both; this
# script can be the mail server (it keeps nothing), and the per-email
# allowance must admit the repeated taken email, e.g. with a file holding
# `signups_per_email_per_hour = 1000`:
#   portico serve --demo --trusted-proxies 127.0.0.1 --signup verify-email \
#       --smtp-url smtp://127.0.0.1:2525 --config limits.toml
#   python3 benches/enumeration/timing.py http://127.0.0.1:8080 --smtp-sink 2525
# Five attempts per case at sign-in keep under the failed sign-in limit.
# Sign-ups alternate between the two cases, so that a drift of the
# machine's load hits both alike.
base = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "http://127.0.0.1:8080"
SIGNUPS = int(__import__("os").environ.get("TIMING_SIGNUPS", "15"))

class Sink(socketserver.StreamRequestHandler):
    """Answers SMTP and drops what it is given."""
    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        data = False
        for line in self.rfile:
            line = line.rstrip(b"\r\n")
            if data:
                if line == b".":
                    data = False
                    self.wfile.write(b"250 ok\r\n")
                continue
            verb = line.split(b" ")[0].upper()
            if verb == b"DATA":
                data = True
                self.wfile.write(b"354 go\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")

if "--smtp-sink" in sys.argv:
    port = int(sys.argv[sys.argv.index("--smtp-sink") + 1])
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    sink = socketserver.ThreadingTCPServer(("127.0.0.1", port), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()

def post(path, body, ip):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json", "x-forwarded-for": ip})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as r:
            code = r.status; text = r.read(); cookie = r.headers.get("set-cookie") is not None
    except urllib.error.HTTPError as e:
        code = e.code; text = e.read(); cookie = e.headers.get("set-cookie") is not None
    return code, (time.perf_counter() - t) * 1000, text, cookie

def shape(v):
    """The keys of an answer, with the type of each value, not the values."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    return type(v).__name__

res = {}
for name, body in [("login, existing email, wrong password", {"email": "bob@acme.example", "password": "wrong password 1"}),
                   ("login, unknown email", {"email": "nobody@acme.example", "password": "wrong password 1"})]:
    times = []
    for i in range(5):
        code, ms, text, _ = post("/api/auth/login", body, f"10.0.{len(res)}.{i}")
        times.append(ms)
    res[name] = (code, statistics.median(times), text, False)
run = int(time.time())
signups = {"sign-up, taken email": [], "sign-up, new email": []}
answers = {}
for i in range(SIGNUPS):
    for name in signups:
        e = "bob@acme.example" if "taken" in name else f"new{run}-{i}@timing.example"
        code, ms, text, cookie = post("/api/auth/signup", {"email": e, "name": "T", "password": "a long enough password"}, f"10.1.{len(signups[name])}.{i % 250}")
        signups[name].append(ms)
        answers[name] = (code, text, cookie)
for name, times in signups.items():
    code, text, cookie = answers[name]
    res[name] = (code, statistics.median(times), text, cookie)
for k, (code, ms, text, cookie) in res.items():
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    extra = ""
    if k.startswith("sign-up"):
        extra = f", session cookie {'set' if cookie else 'not set'}, body {json.dumps(shape(body))}"
        if isinstance(body, dict) and "verification" in body:
            extra += f", verification {body['verification']}"
    print(f"{k}: status {code}, median {ms:.1f} ms{extra}")
