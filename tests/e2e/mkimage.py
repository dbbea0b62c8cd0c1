#!/usr/bin/python3
"""A container image without a registry: busybox (static) as one layer, in the docker-archive
format `podman load` reads. Deterministic: fixed times, owners and order.
mkimage.py BUSYBOX OUT.tar NAME:TAG MESSAGE"""
import hashlib
import io
import json
import sys
import tarfile

busybox, out, ref, message = sys.argv[1:5]
EPOCH = 1735689600


def add(tar, name, data=None, mode=0o644, link=None, directory=False):
    ti = tarfile.TarInfo(name)
    ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = EPOCH, 0, 0, "root", "root"
    if directory:
        ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(ti)
    elif link:
        ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, link, 0o777
        tar.addfile(ti)
    else:
        ti.size, ti.mode = len(data), mode
        tar.addfile(ti, io.BytesIO(data))


layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.USTAR_FORMAT) as t:
    add(t, "bin", directory=True)
    add(t, "bin/busybox", open(busybox, "rb").read(), 0o755)
    add(t, "bin/sh", link="busybox")
layer_bytes = layer.getvalue()
diff_id = hashlib.sha256(layer_bytes).hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux", "created": "2025-01-01T00:00:00Z",
    "config": {"Cmd": ["/bin/busybox", "echo", message], "Env": ["PATH=/bin"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
    "history": [{"created": "2025-01-01T00:00:00Z", "created_by": "sis tests/e2e/mkimage.py"}],
}, sort_keys=True).encode()
config_id = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": config_id + ".json", "RepoTags": [ref],
                        "Layers": [diff_id + "/layer.tar"]}]).encode()
with tarfile.open(out, mode="w", format=tarfile.USTAR_FORMAT) as t:
    add(t, diff_id, directory=True)
    add(t, diff_id + "/layer.tar", layer_bytes)
    add(t, config_id + ".json", config)
    add(t, "manifest.json", manifest)
