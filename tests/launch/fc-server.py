#!/usr/bin/python3
"""A recording stand-in for Firecracker v1.16.1 (sis tests only).

What it copies of the real one (src/firecracker/src/api_server, src/vmm/src/rpc_interface.rs and
micro_http, checked against the real binary by tests/fc-check.sh):
- the wire: "HTTP/1.1 204 \\r\\n" (an empty reason phrase), "Server: Firecracker API",
  "Connection: keep-alive"; a JSON body with Content-Type and Content-Length, none on a 204;
- the state: GET / says "Not started" until InstanceStart (or a snapshot load), then "Running",
  "Paused" after PATCH /vm Paused; what is allowed only before or only after boot is refused
  otherwise with 400 and Firecracker's own fault_message;
- the log: once PUT /logger names a FIFO, one line a request, as Firecracker words it;
- --config-file FILE (the real --config-file ... --no-api): no API; it opens the config's log
  FIFO, writes "Successfully started microvm ..." and stays, or with --no-kvm writes the error
  a host without KVM gets and exits 1, as the real one does;
- --no-kvm: InstanceStart answers what it answers where /dev/kvm has no driver (ENODEV);
- --guest-mib N: a guest that uses N MiB: once started, the server holds N MiB (touched, in its
  memory cgroup like a real guest's RAM), and a snapshot's memory file holds N MiB like a guest's
  (a third random, a third text, a third zeros) instead of 1 MiB, mostly a hole, with a marker.

Every request is appended to --record as one JSON line: method, path, body, and the server's own
time spent on it (so a benchmark can subtract it).

  fc-server.py --socket PATH --record FILE [--root DIR] [--id ID] [--no-kvm] [--guest-mib N]
               [--fault 'PUT /drives/home=400:Drive not found'] ...
  fc-server.py --config-file FILE [--root DIR] [--id ID] [--no-kvm]
"""
import argparse
import datetime
import http.server
import json
import os
import signal
import socketserver
import sys
import time

PRE_BOOT = "The requested operation is not supported before starting the microVM."
POST_BOOT = "The requested operation is not supported after starting the microVM."
# what a wrapped doc comment gives (src/vmm/src/vstate/kvm.rs): a backslash, a newline, blanks
NO_KVM = ("Kvm error: Error creating KVM object: No such device (os error 19) Make sure the user launching the "
          "firecracker process is \\\n    configured on the /dev/kvm file's ACL.")
REASON = {200: "OK", 204: "No Content", 400: "Bad Request"}
# what sets rpc_interface.rs's boot_path: a VM configured for a boot loads no snapshot
BOOT_PATH = ("/boot-source", "/drives", "/pmem", "/network-interfaces", "/machine-config", "/cpu-config", "/balloon",
             "/mmds/config", "/vsock", "/entropy", "/hotplug/memory")


class Vmm:
    """The state a Firecracker process keeps between requests, and its log."""

    def __init__(self, root, vm_id, no_kvm, mem_mib=0):
        self.root, self.id, self.no_kvm, self.mem_mib = root, vm_id, no_kvm, mem_mib
        self.state = "Not started"
        self.boot_path = False  # a boot-specific resource was configured: no snapshot load then
        self.log = None

    def path(self, jail_path):
        return os.path.join(self.root, jail_path.lstrip("/"))

    def open_log(self, jail_path):
        # like utils::open_file_nonblock: read, write, O_NONBLOCK (a FIFO never blocks it)
        self.log = os.open(self.path(jail_path), os.O_RDWR | os.O_NONBLOCK | os.O_CREAT, 0o600)

    def say(self, thread, level, msg):
        if self.log is None:
            return
        now = datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f000")
        try:
            os.write(self.log, ("%s [%s:%s:%s] %s\n" % (now, self.id, thread, level, msg)).encode())
        except OSError:
            pass  # a full FIFO: Firecracker counts a missed log line and goes on

    def handle(self, method, path, body):
        """(status, body) for one request, Firecracker's rules."""
        pre_only = {"PUT /boot-source", "PUT /logger", "PUT /metrics", "PUT /serial", "PUT /snapshot/load",
                    "PUT /cpu-config", "PUT /balloon", "PUT /vsock", "PUT /mmds/config", "PUT /entropy",
                    "PUT /machine-config", "PATCH /machine-config", "PUT /hotplug/memory"}
        post_only = {"PATCH /vm", "PUT /snapshot/create"}
        key = "%s %s" % (method, path)
        action = body.get("action_type") if isinstance(body, dict) and path == "/actions" else None
        booted = self.state != "Not started"
        if method == "GET" and path == "/":
            return 200, {"id": self.id, "state": self.state, "vmm_version": "1.16.1", "app_name": "Firecracker"}
        if method == "GET" and path == "/version":
            return 200, {"firecracker_version": "1.16.1"}
        if method == "GET":
            return 200, {}
        if booted and (key in pre_only or action == "InstanceStart"):
            return 400, {"fault_message": POST_BOOT}
        if not booted and (key in post_only or action in ("SendCtrlAltDel", "FlushMetrics")):
            return 400, {"fault_message": PRE_BOOT}
        if key == "PUT /logger":
            self.open_log(body["log_path"])
        elif key == "PUT /snapshot/load":
            if self.boot_path:
                return 400, {"fault_message": "Load snapshot error: Loading a microVM snapshot not allowed after "
                                              "configuring boot-specific resources."}
            if not os.path.exists(self.path(body["snapshot_path"])):
                return 400, {"fault_message": "Load snapshot error: Failed to restore from snapshot: Failed to get "
                                              "snapshot state from file: Failed to open snapshot file: No such file "
                                              "or directory (os error 2)"}
            self.state = "Running" if body.get("resume_vm") else "Paused"
        elif key == "PUT /snapshot/create":
            if self.state != "Paused":
                return 400, {"fault_message": "Create snapshot error: Cannot save the microVM state: the microVM "
                                              "must be paused"}
            # the files appear at the jail-relative paths
            for k, size in (("snapshot_path", 4096), ("mem_file_path", 1 << 20)):
                with open(self.path(body[k]), "wb") as f:
                    # what the guest's memory holds: a test looks for it where it must not be
                    f.write(b"SIS-GUEST-MEMORY-MARKER " + os.urandom(64))
                    f.truncate(size)
            if self.mem_mib:
                with open(self.path(body["mem_file_path"]), "wb") as f:
                    text = (b"cookie=session-token; " * 47663)[:1 << 20]
                    for i in range(self.mem_mib):
                        third = 3 * i // self.mem_mib
                        f.write(os.urandom(1 << 20) if third == 0 else text if third == 1 else bytes(1 << 20))
        elif key == "PATCH /vm":
            self.state = "Paused" if body.get("state") == "Paused" else "Running"
        elif action == "InstanceStart":
            if self.no_kvm:
                return 400, {"fault_message": "Start microvm error: " + NO_KVM}
            self.state = "Running"
            if self.mem_mib:
                self.ram = b"\x01" * (self.mem_mib << 20)  # the guest's memory, every page of it used
        elif method in ("PUT", "PATCH") and any(path == p or path.startswith(p + "/") for p in BOOT_PATH):
            self.boot_path = True
        return 204, None


class Server(socketserver.UnixStreamServer):
    allow_reuse_address = True


def make_handler(record, faults, vmm):
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
            # micro_http's bytes: no reason phrase, its own headers, no length on a 204
            data = json.dumps(body).encode() if body is not None else b""
            head = "HTTP/1.1 %d \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n" % status
            if status != 204:
                head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
            # logged before the answer is sent, as convert_to_response() does
            if status < 300:
                vmm.say("fc_api", "INFO", "The request was executed successfully. Status code: %d %s."
                        % (status, REASON.get(status, "")))
            else:
                vmm.say("fc_api", "ERROR", "Received Error. Status code: %d %s. Message: %s"
                        % (status, REASON.get(status, ""), (body or {}).get("fault_message", "")))
            self.wfile.write(head.encode() + b"\r\n" + data)

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
            what = "The API server received a %s request on \"%s\"" % (self.command.capitalize(), self.path)
            vmm.say("fc_api", "INFO", what + (" with body %s." % json.dumps(raw.decode("utf-8", "replace")) if raw else "."))
            if bad:
                self.reply(400, {"fault_message": "malformed JSON: " + bad})
            elif key in faults:
                status, msg = faults[key]
                self.reply(status, {"fault_message": msg})
            else:
                self.reply(*vmm.handle(self.command, self.path, body))
            self.wfile.flush()
            rec = {"method": self.command, "path": self.path, "body": body,
                   "server_ms": (time.monotonic() - t0) * 1000.0, "at": time.time()}
            with open(record, "a") as f:
                f.write(json.dumps(rec) + "\n")

        do_GET = do_PUT = do_PATCH = handle_any

    return Handler


def parse_faults(specs):
    faults = {}
    for f in specs:
        key, _, rest = f.partition("=")
        status, _, msg = rest.partition(":")
        faults[key] = (int(status), msg)
    return faults


def run_config_file(vmm, path):
    """--config-file ... --no-api: boot from the file, no API; alive until killed."""
    cfg = json.load(open(path))
    if "logger" in cfg:
        vmm.open_log(cfg["logger"]["log_path"])
    if vmm.no_kvm:
        vmm.say("main", "ERROR", "RunWithoutApiError error: Failed to build MicroVM from Json: Could not Start MicroVM "
                "from one single json: " + NO_KVM)
        vmm.say("main", "ERROR", "Firecracker exiting with error. exit_code=1")
        sys.exit(1)
    vmm.state = "Running"
    vmm.say("main", "INFO", "Successfully started microvm that was configured from one single json")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket")
    ap.add_argument("--record")
    ap.add_argument("--config-file")
    ap.add_argument("--root", help="the jail's root (default: two levels above the socket)")
    ap.add_argument("--id", default="anonymous-instance")
    ap.add_argument("--no-kvm", action="store_true")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--ready", help="touch this file once listening")
    ap.add_argument("--guest-mib", type=int, default=0)
    a = ap.parse_args()
    root = a.root or os.path.dirname(os.path.dirname(os.path.abspath(a.socket)))  # <chroot>/run/firecracker.socket
    vmm = Vmm(root, a.id, a.no_kvm, a.guest_mib)
    if a.config_file:
        run_config_file(vmm, a.config_file)
    if not a.socket or not a.record:
        ap.error("--socket and --record, or --config-file")
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv = Server(a.socket, make_handler(a.record, parse_faults(a.fault), vmm))
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
