#!/usr/bin/env python3
"""A stand-in for a Go service's net/http/pprof, for tests/capture.sh.

Serves the committed captures of one instance (a directory holding
NN.pb.gz, NN.debug1.txt, NN.debug2.txt) in sequence, one per request of
each kind, with the content types Go's net/http/pprof sends; and the ways
a real endpoint fails:

  /debug/pprof/goroutine          NN.pb.gz, then the next one, ...
  /debug/pprof/goroutine?debug=1  NN.debug1.txt in sequence
  /debug/pprof/goroutine?debug=2  NN.debug2.txt in sequence
  /debug/pprof/goroutineleak      the goroutineleak profiles of --leakdir
  /debug/pprof/trace?seconds=N    the trace of --trace
  /auth/...                       the same, with 'Authorization: Bearer t'
  /flaky/...                      the same, but every second request a 500
  /404  /html  /hang  /cut  /loop not found, an HTML page, no answer,
                                  a body cut short, a redirect loop

Prints the port it listens on (127.0.0.1, chosen by the system) on
stdout, then serves until killed. Writes how many profiles it served to
--count-file after each one.
"""
import argparse
import glob
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--leakdir")
    ap.add_argument("--trace")
    ap.add_argument("--count-file")
    args = ap.parse_args()

    files = {
        "0": sorted(glob.glob(os.path.join(args.dir, "*.pb.gz"))),
        "1": sorted(glob.glob(os.path.join(args.dir, "*.debug1.txt"))),
        "2": sorted(glob.glob(os.path.join(args.dir, "*.debug2.txt"))),
        "leak": sorted(glob.glob(os.path.join(args.leakdir, "*.leak.pb.gz")))
        if args.leakdir else [],
    }
    next_of = {k: 0 for k in files}
    served = [0]
    flaky = [0]
    lock = threading.Lock()

    def take(kind):
        with lock:
            v = files[kind]
            if not v:
                return None
            i = min(next_of[kind], len(v) - 1)
            next_of[kind] += 1
            served[0] += 1
            if args.count_file:
                with open(args.count_file, "w") as f:
                    f.write("%d\n" % served[0])
            with open(v[i], "rb") as f:
                return f.read()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, code, ctype, body, extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urlsplit(self.path)
            path, q = u.path, parse_qs(u.query)
            if path.startswith("/auth/"):
                if self.headers.get("Authorization") != "Bearer t":
                    return self.send(401, "text/plain; charset=utf-8",
                                     b"Unauthorized\n")
                path = path[5:]
            if path.startswith("/flaky/"):
                with lock:
                    flaky[0] += 1
                    fail = flaky[0] % 2 == 0
                if fail:
                    return self.send(500, "text/plain; charset=utf-8",
                                     b"internal error\n")
                path = path[6:]
            if path == "/debug/pprof/goroutine":
                d = q.get("debug", ["0"])[0]
                body = take(d if d in ("1", "2") else "0")
                if body is None:
                    return self.send(404, "text/plain", b"no such capture\n")
                if d in ("1", "2"):
                    return self.send(200, "text/plain; charset=utf-8", body)
                return self.send(200, "application/octet-stream", body, {
                    "Content-Disposition":
                        'attachment; filename="goroutine"'})
            if path == "/debug/pprof/goroutineleak":
                body = take("leak")
                if body is None:
                    return self.send(404, "text/plain; charset=utf-8",
                                     b"Unknown profile\n")
                return self.send(200, "application/octet-stream", body)
            if path == "/debug/pprof/trace" and args.trace:
                secs = float(q.get("seconds", ["1"])[0])
                time.sleep(min(secs, 0.3))
                with open(args.trace, "rb") as f:
                    return self.send(200, "application/octet-stream",
                                     f.read())
            if path == "/html":
                return self.send(200, "text/html; charset=utf-8",
                                 b"<!doctype html><html><body><h1>Sign in"
                                 b"</h1></body></html>\n")
            if path == "/hang":
                time.sleep(3600)
                return
            if path == "/cut":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"\x1f\x8b" + b"\0" * 98)
                self.wfile.flush()
                self.close_connection = True
                return
            if path == "/loop":
                return self.send(302, "text/plain", b"", {"Location": "/loop"})
            return self.send(404, "text/plain; charset=utf-8",
                             b"404 page not found\n")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
