#!/usr/bin/python3
"""What the snapshot tests do to a sealed snapshot (tests only): as an operator holding the host key
(edit a manifest and re-MAC it, so that a later check, not the MAC, must refuse it), and as an
attacker without it.

  snapshot-tool.py remac KEY DIR FIELD=JSON ...   set manifest fields, MAC again under KEY
  snapshot-tool.py edit DIR FIELD=JSON ...        set manifest fields, keep the old MAC
  snapshot-tool.py check KEY DIR                  the manifest verifies; print its id and files
"""
import hashlib
import hmac
import json
import os
import sys


def mac_key(key_file):
    raw = open(key_file, "rb").read()
    return hmac.new(raw, b"sis snapshot manifest mac v1", hashlib.sha256).digest()


def edit(d, pairs):
    path = os.path.join(d, "manifest.json")
    m = json.load(open(path))
    for p in pairs:
        k, _, v = p.partition("=")
        m[k] = json.loads(v)
    text = json.dumps(m, indent=2) + "\n"
    open(path, "w").write(text)
    return text.encode()


def main():
    cmd = sys.argv[1]
    if cmd == "remac":
        text = edit(sys.argv[3], sys.argv[4:])
        mac = hmac.new(mac_key(sys.argv[2]), text, hashlib.sha256).hexdigest()
        open(os.path.join(sys.argv[3], "manifest.mac"), "w").write(mac + "\n")
    elif cmd == "edit":
        edit(sys.argv[2], sys.argv[3:])
    elif cmd == "check":
        d = sys.argv[3]
        text = open(os.path.join(d, "manifest.json"), "rb").read()
        want = open(os.path.join(d, "manifest.mac")).read().strip()
        if hmac.new(mac_key(sys.argv[2]), text, hashlib.sha256).hexdigest() != want:
            sys.exit("manifest.mac does not match")
        m = json.loads(text)
        print(m["id"], " ".join(f["name"] for f in m["files"]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
