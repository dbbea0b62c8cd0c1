#!/usr/bin/python3
"""tests/launch/fc-server.py as a jailed Firecracker would run (tests/hostile.sh only): started by
the stand-in jailer in the jail's root, as the VM's uid, which cannot reach that directory by its
host path (its parents are root's, 0700): every path here is relative to the working directory.

  fc-vmm.py --socket run/firecracker.socket --record run/requests.jsonl [--fault ...]
"""
import argparse
import importlib.util
import os
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
a = ap.parse_args()
try:
    os.unlink(a.socket)
except FileNotFoundError:
    pass
# the jail's root is the working directory: "." is the VMM's root
srv = fc.Server(a.socket, fc.make_handler(a.record, fc.parse_faults(a.fault), fc.Vmm(".", "hostile", False)))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
srv.serve_forever()
