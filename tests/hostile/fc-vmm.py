#!/usr/bin/python3
"""tests/launch/fc-server.py as a jailed Firecracker would run (tests/hostile.sh only): started by
the stand-in jailer in the jail's root, as the VM's uid, which cannot reach that directory by its
host path (its parents are root's, 0700): every path here is relative to the working directory.

  fc-vmm.py --socket run/firecracker.socket --record run/requests.jsonl [--fault ...]
            [--fsize BYTES] [--sparse-mem] [--flood-log]

--fsize: the file-size limit the real jailer sets (its --resource-limit fsize=), on this process.
What a compromised Firecracker could do besides, each asked for by an attack:
  --sparse-mem  the snapshot's memory file, once written, made as long as the jail lets a file be
                (its file-size limit; 1 TiB without one): holes, which cost its tmpfs nothing
  --flood-log   from the start, its log FIFO written without end, in short packets (each read of
                root's gets one line), the FIFO grown to the most a process may ask
Once run/hang is in its jail (put there by the test, as root), its API answers nothing more: a hung
VMM, for the watchdog, which goes on writing its log.
"""
import argparse
import fcntl
import importlib.util
import os
import resource
import signal
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("fc_server", os.path.join(here, "..", "launch", "fc-server.py"))
fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)

ap = argparse.ArgumentParser()
ap.add_argument("--socket", required=True)
ap.add_argument("--record", required=True)
ap.add_argument("--fault", action="append", default=[])
ap.add_argument("--fsize", type=int, default=0)
ap.add_argument("--sparse-mem", action="store_true")
ap.add_argument("--flood-log", action="store_true")
a = ap.parse_args()
if a.fsize:
    resource.setrlimit(resource.RLIMIT_FSIZE, (a.fsize, a.fsize))


class HostileVmm(fc.Vmm):
    def handle(self, method, path, body):
        while os.path.exists("run/hang"):
            time.sleep(1)
        status, reply = super().handle(method, path, body)
        if a.sparse_mem and status == 204 and method == "PUT" and path == "/snapshot/create":
            limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
            os.truncate(self.path(body["mem_file_path"]), limit if limit != resource.RLIM_INFINITY else 1 << 40)
        return status, reply


def flood():
    # the log FIFO is there before the VMM starts, and root holds a reader open
    while True:
        try:
            fd = os.open("logger.fifo", os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            time.sleep(0.05)
    # packets (O_DIRECT): each read(2) of root's returns one short line; the FIFO as large as an
    # unprivileged process may make it (F_SETPIPE_SZ): 256 of them waiting
    fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK | os.O_DIRECT)
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass
    while True:
        try:
            os.write(fd, b"[hostile:fc_api:INFO] flood\n")
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            time.sleep(0.01)


if a.flood_log:
    threading.Thread(target=flood, daemon=True).start()
try:
    os.unlink(a.socket)
except FileNotFoundError:
    pass
# the jail's root is the working directory: "." is the VMM's root
srv = fc.Server(a.socket, fc.make_handler(a.record, fc.parse_faults(a.fault), HostileVmm(".", "hostile", False)))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
srv.serve_forever()
