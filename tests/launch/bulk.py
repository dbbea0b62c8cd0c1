#!/usr/bin/python3
"""Bulk transfers and held connections between the network namespaces of tests/launch-net.sh.

  bulk.py sink PORT                 accept connections; read each to its end, then close it
  bulk.py echo PORT                 accept connections; echo what each sends until it closes
  bulk.py send HOST PORT SECONDS    send as fast as possible for SECONDS, then wait until the sink
                                    has read it all (it closes): prints "Mbit/s BYTES SECONDS"
  bulk.py conns HOST PORT N         open N connections one after another (2 s each), then check
                                    that each one that opened still echoes: prints
                                    "connected K alive A", and keeps them until it exits
"""
import socket
import sys
import threading
import time


def serve(port, handler):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def sink(c):
    with c:
        while c.recv(1 << 16):
            pass


def echo(c):
    with c:
        while True:
            b = c.recv(4096)
            if not b:
                return
            c.sendall(b)


def send(host, port, seconds):
    c = socket.create_connection((host, port), timeout=30)
    buf = b"\0" * (1 << 16)
    total = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        total += c.send(buf)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)  # the sink closes once it has read everything
    t = time.monotonic() - t0
    print(f"{total * 8 / t / 1e6:.2f} {total} {t:.2f}")


def conns(host, port, n):
    held = []
    for _ in range(n):
        try:
            held.append(socket.create_connection((host, port), timeout=2))
        except OSError:
            pass
    alive = 0
    for c in held:
        try:
            c.sendall(b"x")
            alive += c.recv(1) == b"x"
        except OSError:
            pass
    print(f"connected {len(held)} alive {alive}", flush=True)
    for c in held:
        c.close()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode in ("sink", "echo"):
        serve(int(sys.argv[2]), sink if mode == "sink" else echo)
    elif mode == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "conns":
        conns(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
