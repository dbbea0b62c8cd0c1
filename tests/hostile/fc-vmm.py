#!/usr/bin/python3
"""tests/launch/fc-server.py as a jailed Firecracker would run (tests/hostile.sh only): started by
the stand-in jailer in the jail's root, as the VM's uid, which cannot reach that directory by its
host path (its parents are root's, 0700): every path here is relative to the working directory.

  fc-vmm.py --socket run/firecracker.socket --record run/requests.jsonl [--fault ...]
            [--fsize BYTES] [--sparse-mem]

--fsize: the file-size limit the real jailer sets (its --resource-limit fsize=), on this process.
What a compromised Firecracker could do besides, each asked for by an attack:
  --sparse-mem  the snapshot's memory file, once written, made as long as the jail lets a file be
                (its file-size limit; 1 TiB without one): holes, which cost its tmpfs nothing
"""
import argparse
import importlib.util
import os
import resource
import signal
import sys

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
a = ap.parse_args()
if a.fsize:
    resource.setrlimit(resource.RLIMIT_FSIZE, (a.fsize, a.fsize))


class HostileVmm(fc.Vmm):
    def handle(self, method, path, body):
        status, reply = super().handle(method, path, body)
        if a.sparse_mem and status == 204 and method == "PUT" and path == "/snapshot/create":
            limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
            os.truncate(self.path(body["mem_file_path"]), limit if limit != resource.RLIM_INFINITY else 1 << 40)
        return status, reply


try:
    os.unlink(a.socket)
except FileNotFoundError:
    pass
# the jail's root is the working directory: "." is the VMM's root
srv = fc.Server(a.socket, fc.make_handler(a.record, fc.parse_faults(a.fault), HostileVmm(".", "hostile", False)))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
srv.serve_forever()
