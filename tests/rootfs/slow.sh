#!/usr/bin/env bash
# The Debian rootfs end to end (network: Debian's archive): two builds from clean give the same
# image byte for byte; a build as nobody (offline, from the first build's cached base) gives the
# same image again; the image is inspected with e2fsck and debugfs. make rootfs-check; CI runs it.
# As nobody, mmdebstrap needs a subordinate id range: the test adds one for nobody to
# /etc/subuid and /etc/subgid and restores both files when it exits.
# Prints "ok NAME" / "not ok NAME".
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/build/sis-provision
tmp=$(mktemp -d /tmp/sis-rootfs-slow.XXXXXX)
chmod 755 "$tmp"
restore_subids() {
        for f in subuid subgid; do
                if [ -e "$tmp/$f.orig" ]; then cp "$tmp/$f.orig" "/etc/$f"; elif [ -e "$tmp/$f.none" ]; then rm -f "/etc/$f"; fi
        done
}
trap 'restore_subids; rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; status=1; }
dbg() { debugfs -R "$2" "$1" 2> /dev/null; }

for i in 1 2; do
        if "$bin" rootfs --distro debian --cache "$tmp/cache$i" --out "$tmp/o$i" 2> "$tmp/err$i"; then
                ok "debian: build $i from clean"
        else
                notok "debian: build $i from clean"
                tail -5 "$tmp/err$i"
        fi
        grep -E 'mmdebstrap|wrote' "$tmp/err$i" | sed 's/^/# /'
done
h1=$(sha256sum "$tmp/o1/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
h2=$(sha256sum "$tmp/o2/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
echo "# build 1: $h1"
echo "# build 2: $h2"
[ -n "$h1" ] && [ "$h1" = "$h2" ] && ok "debian: two builds from clean are byte-identical" || notok "debian: builds differ"

# as an unprivileged user: from clean (mmdebstrap in its own user namespace), then offline from
# the first build's cache
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
        mkdir -m 777 "$tmp/nobody"
        for f in subuid subgid; do
                if [ -e "/etc/$f" ]; then cp "/etc/$f" "$tmp/$f.orig"; else touch "$tmp/$f.none"; fi
                grep -q '^nobody:' "/etc/$f" 2> /dev/null || echo 'nobody:300000:65536' >> "/etc/$f"
        done
        setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$tmp/nobody" \
                "$bin" rootfs --distro debian --cache "$tmp/nobody/cache" --out "$tmp/nobody/o" 2> "$tmp/err3"
        restore_subids
        h3=$(sha256sum "$tmp/nobody/o/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
        echo "# as nobody, from clean: $h3"
        [ "$h1" = "$h3" ] && ok "debian: as nobody from clean (mmdebstrap unshare), the same image byte for byte" ||
                { notok "debian: as nobody from clean"; tail -3 "$tmp/err3"; }
        cp -a "$tmp/cache1" "$tmp/cache4"
        chown -R 65534:65534 "$tmp/cache4"
        setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$tmp/nobody" \
                "$bin" rootfs --distro debian --offline --cache "$tmp/cache4" --out "$tmp/nobody/o4" 2> "$tmp/err4"
        h4=$(sha256sum "$tmp/nobody/o4/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
        echo "# as nobody, offline from root's cache: $h4"
        [ "$h1" = "$h4" ] && ok "debian: as nobody, offline from the cache, the same image again" || { notok "debian: as nobody offline"; tail -3 "$tmp/err4"; }
fi

img=$tmp/o1/rootfs.ext4
e2fsck -fn "$img" > "$tmp/fsck" 2>&1 && ok "debian: e2fsck -fn is clean" || { notok "debian: e2fsck"; tail -5 "$tmp/fsck"; }
st=$(dbg "$img" 'stat /usr/bin/newuidmap')
echo "$st" | grep -q 'Mode:  04755' && echo "$st" | grep -qE 'User: +0 +Group: +0' && ok "debian: newuidmap is 4755 root" || notok "debian: newuidmap"
dbg "$img" 'cat /etc/passwd' | grep -qx 'sis:x:1000:1000:SIS session:/home/sis:/bin/sh' && ok "debian: the session user" || notok "debian: user"
[ "$(dbg "$img" 'cat /etc/subuid')" = "sis:100000:65536" ] && [ "$(dbg "$img" 'cat /etc/subgid')" = "sis:100000:65536" ] &&
        ok "debian: subuid and subgid" || notok "debian: subuid/subgid"
dbg "$img" 'cat /etc/containers/storage.conf' | grep -q '"/home/sis/.local/share/containers/storage"' && ok "debian: storage.conf into the home disk" || notok "debian: storage.conf"
dbg "$img" 'cat /etc/fstab' | grep -qP '^LABEL=rootfs\t/\text4\tro,' && ok "debian: fstab mounts / read-only" || notok "debian: fstab"
n=0
for l in sysinit/mountkernfs.sh sysinit/sis-devices sysinit/cgroups boot/hostname.sh boot/mountall.sh shutdown/sendsigs; do
        dbg "$img" "stat /etc/runlevels/$l" | grep -q "Fast link dest: \"/etc/init.d/${l#*/}\"" && n=$((n + 1))
done
[ "$n" = 6 ] && [ -z "$(dbg "$img" 'ls /etc/runlevels/sysinit' | grep -o 'checkroot.sh')" ] &&
        ok "debian: the recipe's runlevel links, and only those" || notok "debian: runlevels ($n of 6)"
! dbg "$img" 'cat /etc/inittab' | grep -q getty && ok "debian: no getty" || notok "debian: getty in inittab"
missing=
for f in /usr/sbin/init /usr/sbin/openrc /usr/bin/podman /usr/bin/crun /usr/bin/fuse-overlayfs /usr/bin/pasta; do
        [ -n "$(dbg "$img" "stat $f")" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "debian: init, openrc, podman, crun, fuse-overlayfs and pasta are there" || notok "debian: missing$missing"
python3 - "$tmp/o1/manifest.json" << 'PY' && ok "debian: the manifest lists the packages and the archive state" || notok "debian: manifest"
import json, sys
m = json.load(open(sys.argv[1]))
names = {p["name"] for p in m["packages"]}
assert {"podman", "openrc", "sysvinit-core", "uidmap", "crun"} <= names, names
assert len(m["inputs"]["base"]["archive_inrelease_sha256"]) == 64
print("# %d packages, podman %s" % (len(names), [p["version"] for p in m["packages"] if p["name"] == "podman"][0]))
PY
"$bin" verify "$tmp/o1" > /dev/null && ok "debian: verify" || notok "debian: verify"
exit $status
