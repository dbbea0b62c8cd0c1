#!/usr/bin/python3
"""A recording stand-in for Firecracker's API server (sis tests only).

Listens on a UNIX socket and answers like Firecracker: 204 to PUT and PATCH, 200 with JSON to
GET, {"fault_message": ...} with the chosen status for requests told to fail. Every request is
appended to --record as one JSON line: method, path, body, and the server's own time spent on
it (so a benchmark can subtract it).

  fc-server.py --socket PATH --record FILE [--fault 'PUT /drives/home=400:Drive not found'] ...
"""
import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import time


class Server(socketserver.UnixStreamServer):
    allow_reuse_address = True


def make_handler(record, faults, root):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def address_string(self):
            return "unix"

        def handle_one_request(self):
            # the server's own time per request: reading and parsing it, answering, writing
            self.t_start = time.monotonic()
            super().handle_one_request()

        def log_message(self, *args):
            pass

        def reply(self, status, body):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        def handle_any(self):
            t0 = getattr(self, "t_start", time.monotonic())
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                body = json.loads(raw) if raw else None
                bad = None
            except ValueError as e:
                body, bad = raw.decode("utf-8", "replace"), str(e)
            key = "%s %s" % (self.command, self.path)
            if bad:
                self.reply(400, {"fault_message": "malformed JSON: " + bad})
            elif key in faults:
                status, msg = faults[key]
                self.reply(status, {"fault_message": msg})
            elif key == "PUT /snapshot/create":
                # like Firecracker: the files appear at the jail-relative paths
                for k, size in (("snapshot_path", 4096), ("mem_file_path", 1 << 20)):
                    with open(os.path.join(root, body[k].lstrip("/")), "wb") as f:
                        f.write(os.urandom(64))
                        f.truncate(size)
                self.reply(204, None)
            elif key == "PUT /snapshot/load" and not os.path.exists(os.path.join(root, body["snapshot_path"].lstrip("/"))):
                self.reply(400, {"fault_message": "Cannot open the snapshot file: No such file or directory"})
            elif self.command == "GET" and self.path == "/version":
                self.reply(200, {"firecracker_version": "1.16.1"})
            elif self.command == "GET":
                self.reply(200, {"app_name": "Firecracker", "id": "test", "state": "Running", "vmm_version": "1.16.1"})
            else:
                self.reply(204, None)
            self.wfile.flush()
            rec = {"method": self.command, "path": self.path, "body": body,
                   "server_ms": (time.monotonic() - t0) * 1000.0, "at": time.time()}
            with open(record, "a") as f:
                f.write(json.dumps(rec) + "\n")

        do_GET = do_PUT = do_PATCH = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--ready", help="touch this file once listening")
    a = ap.parse_args()
    faults = {}
    for f in a.fault:
        key, _, rest = f.partition("=")
        status, _, msg = rest.partition(":")
        faults[key] = (int(status), msg)
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    root = os.path.dirname(os.path.dirname(os.path.abspath(a.socket)))  # <chroot>/run/firecracker.socket
    srv = Server(a.socket, make_handler(a.record, faults, root))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if a.ready:
        open(a.ready, "w").close()
    try:
        srv.serve_forever()
    finally:
        try:
            os.unlink(a.socket)
        except OSError:
            pass


if __name__ == "__main__":
    main()
