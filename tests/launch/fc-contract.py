#!/usr/bin/python3
"""What Firecracker's API answers before a VM boots, byte for byte where sis-launch depends on it.

Sends a fixed sequence of requests to a Firecracker API socket and prints one normalised line per
answer: the raw status line, which headers came, the JSON body's state or fault_message. Run by
tests/fc-check.sh against the real Firecracker and by tests/launch.sh against the stand-in
(tests/launch/fc-server.py): both must print tests/launch/fc-contract.expected. Needs no KVM:
nothing here starts a VM.

  fc-contract.py SOCKET LOG-FIFO
"""
import json
import socket
import sys

PRE = [
    ("GET", "/", None),
    ("GET", "/version", None),
    ("PATCH", "/vm", {"state": "Paused"}),
    ("PUT", "/snapshot/create", {"snapshot_type": "Full", "snapshot_path": "/s/vmstate", "mem_file_path": "/s/mem"}),
    ("PUT", "/actions", {"action_type": "SendCtrlAltDel"}),
    ("PUT", "/logger", {"log_path": None, "level": "Info", "show_level": True}),
    ("PUT", "/machine-config", {"vcpu_count": 1, "mem_size_mib": 128, "smt": False, "track_dirty_pages": False}),
    ("PUT", "/snapshot/load", {"snapshot_path": "/s/vmstate", "mem_backend": {"backend_type": "File", "backend_path": "/s/mem"},
                               "resume_vm": True}),
    ("GET", "/", None),
]


def request(path, method, url, body):
    data = json.dumps(body).encode() if body is not None else b""
    head = "%s %s HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n" % (method, url)
    if data:
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(head.encode() + b"\r\n" + data)
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = s.recv(4096)
        if not chunk:
            break
        raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(b":")
        headers[k.decode().lower()] = v.decode().strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    s.close()
    return lines[0].decode(), headers, rest[:n]


def main():
    sock, fifo = sys.argv[1], sys.argv[2]
    for method, url, body in PRE:
        if url == "/logger":
            body = dict(body, log_path=fifo)
        status, headers, data = request(sock, method, url, body)
        what = []
        if data:
            j = json.loads(data)
            for k in ("state", "app_name", "fault_message"):
                if k in j:
                    what.append("%s=%s" % (k, json.dumps(j[k])))
            if "firecracker_version" in j:
                what.append("firecracker_version")
        hs = ",".join(sorted(k for k in headers if k != "date"))
        print("%s %s -> %r [%s] %s" % (method, url, status, hs, " ".join(what)))


if __name__ == "__main__":
    main()
