#!/usr/bin/env bash
# The Debian rootfs end to end (network: Debian's archive): two builds from clean give the same
# image byte for byte; a build as nobody from clean (mmdebstrap in its own user namespace) gives
# the same image again, and so does one as nobody offline from the first build's cached base; the
# image is inspected with e2fsck and debugfs. make rootfs-check; CI runs it. The three builds from
# clean run at the same time (each with its own cache: nothing is shared but the archive).
# As nobody, mmdebstrap needs a subordinate id range: the test adds one for nobody to
# /etc/subuid and /etc/subgid and restores both files when it exits.
# The first build's Debian base then seeds make e2e's cache (${SIS_E2E_CACHE:-/var/cache/sis};
# SIS_SEED_E2E_CACHE=0: not): e2e asks for the same base, keyed by its inputs and the archive's
# InRelease, so its hit is honest. Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$SIS_ROOT" || exit 1
bin=$PWD/build/sis-provision
chmod 755 "$tmp"
dbg() { debugfs -R "$2" "$1" 2> /dev/null; }
h() { sha256sum "$1" 2> /dev/null | cut -d' ' -f1; }
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$tmp/nobody" "$@"; }
# shellcheck disable=SC2317 # called through on_exit
restore_subids() {
        local f
        for f in subuid subgid; do
                if [ -e "$tmp/$f.orig" ]; then cp "$tmp/$f.orig" "/etc/$f"; elif [ -e "$tmp/$f.none" ]; then rm -f "/etc/$f"; fi
        done
}

# as an unprivileged user too, when we are root and can become one
nobody=
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
        nobody=1
        mkdir -m 777 "$tmp/nobody"
        on_exit restore_subids
        for f in subuid subgid; do
                if [ -e "/etc/$f" ]; then cp "/etc/$f" "$tmp/$f.orig"; else touch "$tmp/$f.none"; fi
                grep -q '^nobody:' "/etc/$f" 2> /dev/null || echo 'nobody:300000:65536' >> "/etc/$f"
        done
fi

# builds 1 and 2 as this user, 3 as nobody: from clean, at once
pids=()
for i in 1 2; do
        "$bin" rootfs --distro debian --cache "$tmp/cache$i" --out "$tmp/o$i" 2> "$tmp/err$i" &
        pids[i]=$!
done
if [ -n "$nobody" ]; then
        as_nobody "$bin" rootfs --distro debian --cache "$tmp/nobody/cache" --out "$tmp/nobody/o" 2> "$tmp/err3" &
        pids[3]=$!
fi
rcs=()
for i in "${!pids[@]}"; do
        wait "${pids[i]}"
        rcs[i]=$?
done
[ -n "$nobody" ] && restore_subids
for i in 1 2; do
        if [ "${rcs[i]}" = 0 ]; then ok "debian: build $i from clean"; else notok "debian: build $i from clean" "$(tail -n 5 "$tmp/err$i")"; fi
        sed -n '/mmdebstrap\|wrote/s/^/# /p' "$tmp/err$i"
done
h1=$(h "$tmp/o1/rootfs.ext4")
h2=$(h "$tmp/o2/rootfs.ext4")
echo "# build 1: $h1"
echo "# build 2: $h2"
if [ -n "$h1" ] && [ "$h1" = "$h2" ]; then ok "debian: two builds from clean are byte-identical (the dm-verity tree included)"; else notok "debian: builds differ"; fi
vroot=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["verity"]["root_hash"])' "$tmp/o1/manifest.json" 2> /dev/null)
if cmp -s "$tmp/o1/manifest.json" "$tmp/o2/manifest.json" && cmp -s "$tmp/o1/sbom.cdx.json" "$tmp/o2/sbom.cdx.json"; then
        ok "debian: and identical manifests (verity root hash $vroot) and SBOMs"
else
        notok "debian: the manifests or SBOMs differ" "$(lines 5 "$(diff "$tmp/o1/manifest.json" "$tmp/o2/manifest.json")")"
fi
voff=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["verity"]["hash_offset"])' "$tmp/o1/manifest.json" 2> /dev/null)
if out=$(veritysetup verify "$tmp/o1/rootfs.ext4" "$tmp/o1/rootfs.ext4" "${vroot:-none}" --hash-offset="${voff:-0}" 2>&1); then
        ok "debian: veritysetup verify agrees with the manifest's root hash"
else
        notok "debian: veritysetup verify" "$out"
fi

if [ -n "$nobody" ]; then
        h3=$(h "$tmp/nobody/o/rootfs.ext4")
        echo "# as nobody, from clean: $h3"
        if [ -n "$h1" ] && [ "$h1" = "$h3" ]; then
                ok "debian: as nobody from clean (mmdebstrap unshare), the same image byte for byte"
        else
                notok "debian: as nobody from clean" "exit ${rcs[3]}" "$(tail -n 3 "$tmp/err3")"
        fi
        # offline, from the first build's cache (no subordinate ids needed: the base is unpacked, not made)
        cp -a "$tmp/cache1" "$tmp/cache4"
        chown -R 65534:65534 "$tmp/cache4"
        as_nobody "$bin" rootfs --distro debian --offline --cache "$tmp/cache4" --out "$tmp/nobody/o4" 2> "$tmp/err4"
        h4=$(h "$tmp/nobody/o4/rootfs.ext4")
        echo "# as nobody, offline from root's cache: $h4"
        if [ -n "$h1" ] && [ "$h1" = "$h4" ]; then
                ok "debian: as nobody, offline from the cache, the same image again"
        else
                notok "debian: as nobody offline" "$(tail -n 3 "$tmp/err4")"
        fi
fi

# make e2e's cache gets the first build's Debian base (debian/KEY.tar, and the inputs' last
# archive state, debian/IKEY.state), each put in place by a rename; what it has is left alone
seed_e2e_cache() { # FROM TO
        local f
        mkdir -p "$2/debian" || return 1
        for f in "$1"/debian/*.tar "$1"/debian/*.state; do
                [ -e "$f" ] || continue
                [ -e "$2/debian/$(basename "$f")" ] && continue
                cp -a "$f" "$2/debian/.seed-$$" && mv "$2/debian/.seed-$$" "$2/debian/$(basename "$f")" || return 1
        done
}
if [ "${SIS_SEED_E2E_CACHE:-1}" = 1 ] && [ "${rcs[1]}" = 0 ] && [ -n "$h1" ] && [ "$h1" = "$h2" ]; then
        seed=${SIS_E2E_CACHE:-/var/cache/sis}
        if seed_e2e_cache "$tmp/cache1" "$seed" 2> "$tmp/seed.err"; then
                echo "# make e2e's cache $seed has this Debian base now"
        else
                echo "# could not seed make e2e's cache $seed: $(head -n 1 "$tmp/seed.err")"
        fi
fi

img=$tmp/o1/rootfs.ext4
if e2fsck -fn "$img" > "$tmp/fsck" 2>&1; then ok "debian: e2fsck -fn is clean"; else notok "debian: e2fsck" "$(tail -n 5 "$tmp/fsck")"; fi
st=$(dbg "$img" 'stat /usr/bin/newuidmap')
if has 'Mode: +04755' "$st" && has 'User: +0 +Group: +0' "$st"; then ok "debian: newuidmap is 4755 root"; else notok "debian: newuidmap" "$st"; fi
if has '^sis:x:1000:1000:SIS session:/home/sis:/bin/sh$' "$(dbg "$img" 'cat /etc/passwd')"; then
        ok "debian: the session user"
else
        notok "debian: user"
fi
if [ "$(dbg "$img" 'cat /etc/subuid')" = "sis:100000:65536" ] && [ "$(dbg "$img" 'cat /etc/subgid')" = "sis:100000:65536" ]; then
        ok "debian: subuid and subgid"
else
        notok "debian: subuid/subgid"
fi
if has '"/home/sis/.local/share/containers/storage"' "$(dbg "$img" 'cat /etc/containers/storage.conf')"; then
        ok "debian: storage.conf into the home disk"
else
        notok "debian: storage.conf"
fi
if has $'^LABEL=rootfs\t/\text4\tro,' "$(dbg "$img" 'cat /etc/fstab')"; then ok "debian: fstab mounts / read-only"; else notok "debian: fstab"; fi
n=0
for l in sysinit/mountkernfs.sh sysinit/sis-devices sysinit/cgroups boot/hostname.sh boot/mountall.sh default/sis-clock shutdown/sendsigs; do
        has "Fast link dest: \"/etc/init.d/${l#*/}\"" "$(dbg "$img" "stat /etc/runlevels/$l")" && n=$((n + 1))
done
if [ "$n" = 7 ] && ! has 'checkroot\.sh' "$(dbg "$img" 'ls /etc/runlevels/sysinit')"; then
        ok "debian: the recipe's runlevel links, and only those"
else
        notok "debian: runlevels ($n of 7)"
fi
if ! has getty "$(dbg "$img" 'cat /etc/inittab')"; then ok "debian: no getty"; else notok "debian: getty in inittab"; fi
absent=
for f in /usr/sbin/init /usr/sbin/openrc /usr/bin/podman /usr/bin/crun /usr/bin/fuse-overlayfs /usr/bin/pasta; do
        [ -n "$(dbg "$img" "stat $f")" ] || absent="$absent $f"
done
if [ -z "$absent" ]; then ok "debian: init, openrc, podman, crun, fuse-overlayfs and pasta are there"; else notok "debian: missing$absent"; fi
if python3 - "$tmp/o1/manifest.json" << 'PY'; then ok "debian: the manifest lists the packages and the archive state"; else notok "debian: manifest"; fi
import json, sys
m = json.load(open(sys.argv[1]))
names = {p["name"] for p in m["packages"]}
assert {"podman", "openrc", "sysvinit-core", "uidmap", "crun"} <= names, names
assert len(m["inputs"]["base"]["archive_inrelease_sha256"]) == 64
print("# %d packages, podman %s" % (len(names), [p["version"] for p in m["packages"] if p["name"] == "podman"][0]))
PY
check "debian: verify" "$bin" verify "$tmp/o1"
if out=$(node tests/sbom/validate.js "$tmp/o1/sbom.cdx.json" 2>&1) && python3 - "$tmp/o1/manifest.json" "$tmp/o1/sbom.cdx.json" << 'PY'; then
import json, sys
m, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = sorted((p["name"], p["version"]) for p in m["packages"])
got = sorted((c["name"], c["version"]) for c in b["components"])
assert want == got, set(want) ^ set(got)
assert all(c["purl"].startswith("pkg:deb/debian/") for c in b["components"])
print("# the SBOM: %d components" % len(got))
PY
        ok "debian: sbom.cdx.json is valid CycloneDX 1.5 (the real validator) and lists the manifest's packages"
else
        notok "debian: sbom.cdx.json" "$out"
fi
finish
