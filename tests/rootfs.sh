#!/usr/bin/env bash
# sis-provision rootfs (Alpine path, offline) and disk --home, fast and without a mirror.
#
# No Alpine mirror is reachable here, so the test makes what one would serve: a minirootfs-shaped
# tarball (Debian's static busybox as the shell) whose /sbin/apk is a stand-in that installs
# packages from a local repository directory: each PKG.tar.gz with the files, PKG.db with apk's
# installed-database record. What is real: the pinned sha256, the .asc checked with gpgme, the
# unpacking, the user namespace + chroot the packages are installed in, owners and modes taken
# from the installed database, every SIS setting, mke2fs -d -, the manifest, reproducibility as
# root and as nobody, and every bad input. What the stand-in cannot show is apk itself: APKINDEX
# signatures and real packages (README, "What needs an Alpine mirror").
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
bin=$PWD/build/sis-provision
chmod 755 "$tmp"
lock_host
dbg() { debugfs -R "$2" "$1" 2> /dev/null; }
busybox=$(command -v busybox || echo /bin/busybox)
if ! has 'mke2fs 1\.(4[7-9]\.([1-9]|[1-9][0-9])|4[8-9]|[5-9][0-9])' "$(mke2fs -V 2>&1)"; then
        notok "mke2fs >= 1.47.1 (scripts/deps.sh test installs it from bookworm-backports)"
        exit 1
fi
if ! has 'statically linked' "$(file -L "$busybox")"; then
        notok "a static busybox (busybox-static)"
        exit 1
fi

# --- a minirootfs-shaped base ------------------------------------------------------------------
mini=$tmp/mini
mkdir -p "$mini"/{bin,sbin,etc/apk/keys,lib/apk/db,dev,tmp,root,usr/bin,var/lib}
cp "$busybox" "$mini/bin/busybox"
for a in sh tar cat sleep gzip mkdir echo; do ln -s busybox "$mini/bin/$a"; done
cat > "$mini/sbin/apk" <<'EOF'
#!/bin/sh
# A stand-in for apk (sis tests only): "apk add [options] PKG..." from local repository dirs.
set -e
[ -e /etc/apk/SLOW ] && sleep 60
echo "$*" > /etc/apk/argv
repos=/etc/apk/repositories
pkgs=
while [ $# -gt 0 ]; do
        case $1 in
        add) ;;
        --allow-untrusted) echo "apk: --allow-untrusted refused" >&2; exit 99 ;;
        --repositories-file) repos=$2; shift ;;
        --keys-dir) shift ;;
        -*) ;;
        *) pkgs="$pkgs $1" ;;
        esac
        shift
done
for p in $pkgs; do
        found=
        for r in $(cat "$repos"); do
                if [ -f "$r/$p.tar.gz" ]; then
                        tar -xzof "$r/$p.tar.gz" -C /
                        cat "$r/$p.db" >> /lib/apk/db/installed
                        found=1
                        break
                fi
        done
        [ -n "$found" ] || { echo "ERROR: unable to select packages: $p (no such package)" >&2; exit 1; }
done
EOF
chmod 755 "$mini/sbin/apk"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$mini/etc/passwd"
printf 'root:x:0:root\nshadow:x:42:\nnobody:x:65534:\n' > "$mini/etc/group"
printf 'root:::0:::::\nnobody:!::0:::::\n' > "$mini/etc/shadow"
printf '::sysinit:/sbin/openrc sysinit\n::sysinit:/sbin/openrc boot\n::wait:/sbin/openrc default\ntty1::respawn:/sbin/getty 38400 tty1\n::shutdown:/sbin/openrc shutdown\n' > "$mini/etc/inittab"
printf 'P:alpine-baselayout\nV:3.7.0-r0\nF:etc\nR:passwd\na:0:0:644\nR:shadow\na:0:42:640\n\n' > "$mini/lib/apk/db/installed"
echo "test key" > "$mini/etc/apk/keys/sis-test.rsa.pub"
echo "nameserver 192.0.2.1" > "$mini/etc/resolv.conf"
if [ "$(id -u)" = 0 ]; then
        mknod -m 666 "$mini/dev/null" c 1 3
        # a file capability, carried as an xattr in the tar, must reach the image byte for byte
        cp "$busybox" "$mini/usr/bin/capped"
        setcap cap_net_raw+ep "$mini/usr/bin/capped"
        capxattr=$(/usr/bin/python3 -c "import os,sys; print(os.getxattr(sys.argv[1], 'security.capability').hex())" "$mini/usr/bin/capped")
fi
mktar() { tar --owner=0 --group=0 --numeric-owner --sort=name --mtime=@1700000000 -C "$1" -czf "$2" .; }
# /etc/shadow is root:shadow 0640 in the base's own tar headers (set with --transform-free trick)
chmod 640 "$mini/etc/shadow"
tar --owner=0 --group=0 --numeric-owner --sort=name --mtime=@1700000000 --xattrs --xattrs-include='security.*' \
        -C "$mini" -cf "$tmp/mini.tar" --exclude=./etc/shadow .
tar --owner=0 --group=42 --numeric-owner --mtime=@1700000000 -C "$mini" -rf "$tmp/mini.tar" ./etc/shadow
gzip -n -9 < "$tmp/mini.tar" > "$tmp/mini.tar.gz"
sha=$(sha256sum "$tmp/mini.tar.gz" | cut -d' ' -f1)

# --- a local repository: every package the sis-session recipe asks for ---------------------------
repo=$tmp/repo
mkdir -p "$repo"
mkpkg() { # NAME VERSION DBLINES [FILE MODE]...
        local name=$1 ver=$2 db=$3 d=$tmp/pkg/$1
        shift 3
        mkdir -p "$d/usr/share/sis-test"
        echo "$name" > "$d/usr/share/sis-test/$name"
        while [ $# -gt 0 ]; do
                mkdir -p "$(dirname "$d/$1")"
                printf '#!/bin/sh\n# %s\n' "$1" > "$d/$1"
                chmod "$2" "$d/$1"
                shift 2
        done
        tar --owner=0 --group=0 --numeric-owner --sort=name --mtime=@1700000000 -C "$d" -czf "$repo/$name.tar.gz" .
        printf 'P:%s\nV:%s\nF:usr/share/sis-test\nR:%s\na:0:0:644\n%b\n' "$name" "$ver" "$name" "$db" > "$repo/$name.db"
}
services=(devfs dmesg mdev cgroups hostname sysctl bootmisc seedrng networking killprocs mount-ro)
args=()
for s in "${services[@]}"; do args+=("etc/init.d/$s" 755); done
mkpkg openrc 0.62.6-r0 '' sbin/openrc 755 "${args[@]}"
mkpkg shadow-uidmap 4.17.3-r0 'F:usr/bin\nR:newuidmap\na:0:0:4711\nR:newgidmap\na:0:0:4711\n' usr/bin/newuidmap 755 usr/bin/newgidmap 755
mkpkg podman 5.5.2-r1 'F:usr/bin\nR:podman\na:0:0:755\nF:var/lib/sis-owned\nM:100:101:750\nR:state\na:100:101:640\n' \
        usr/bin/podman 755 var/lib/sis-owned/state 644
for p in busybox-openrc busybox-mdev-openrc crun fuse-overlayfs passt slirp4netns iproute2 nftables ca-certificates; do
        mkpkg "$p" 1.0-r0 ''
done

build() { # OUT [extra args]: an offline Alpine build from the test base and repository
        local out=$1
        shift
        "$bin" rootfs --base "$tmp/mini.tar.gz" --sha256 "$sha" --repo "$repo" --offline --cache "$tmp/cache" --out "$out" "$@"
}

# --- a build, inspected ------------------------------------------------------------------------
expect "rootfs: an offline Alpine build from a local repository" 0 "wrote $tmp/o1/rootfs.ext4" build "$tmp/o1"
img=$tmp/o1/rootfs.ext4
check "rootfs: e2fsck -fn is clean" e2fsck -fn "$img"
hdr=$(dumpe2fs -h "$img" 2> /dev/null)
has 'volume name:.*rootfs' "$hdr" && ! has has_journal "$hdr" && has metadata_csum "$hdr" &&
        ok "rootfs: no journal, label rootfs, pinned features" || notok "rootfs: no journal, label rootfs, pinned features"
st=$(dbg "$img" 'stat /usr/bin/newuidmap')
has 'Mode:  04755' "$st" && has 'User: +0 +Group: +0' "$st" && ok "rootfs: newuidmap is 4755 root" || notok "rootfs: newuidmap is 4755 root"
has 'Mode:  04755' "$(dbg "$img" 'stat /usr/bin/newgidmap')" && ok "rootfs: newgidmap is 4755" || notok "rootfs: newgidmap is 4755"
st=$(dbg "$img" 'stat /var/lib/sis-owned')
has 'Mode:  0750' "$st" && has 'User: +100 +Group: +101' "$st" &&
        ok "rootfs: owners and modes come from apk's installed database" || notok "rootfs: owners from the installed database"
has 'User: +100 +Group: +101' "$(dbg "$img" 'stat /var/lib/sis-owned/state')" && ok "rootfs: a package file owned 100:101" || notok "rootfs: a package file owned 100:101"
st=$(dbg "$img" 'stat /etc/shadow')
has 'Mode:  0640' "$st" && has 'Group: +42' "$st" && ok "rootfs: /etc/shadow keeps root:shadow 0640" || notok "rootfs: /etc/shadow keeps root:shadow 0640"
has '^sis:x:1000:1000:SIS session:/home/sis:/bin/sh$' "$(dbg "$img" 'cat /etc/passwd')" && ok "rootfs: the session user, fixed ids" || notok "rootfs: the session user"
has '^sis:x:1000:$' "$(dbg "$img" 'cat /etc/group')" && ok "rootfs: the user's group" || notok "rootfs: the user's group"
sh_=$(dbg "$img" 'cat /etc/shadow')
has '^sis:!::0:99999:7:::$' "$sh_" && has '^root:\*:' "$sh_" && ok "rootfs: no passwords, root locked" || notok "rootfs: shadow"
[ "$(dbg "$img" 'cat /etc/subuid')" = "sis:100000:65536" ] && [ "$(dbg "$img" 'cat /etc/subgid')" = "sis:100000:65536" ] &&
        ok "rootfs: subuid and subgid ranges" || notok "rootfs: subuid/subgid"
has '^rootless_storage_path = "/home/sis/.local/share/containers/storage"$' "$(dbg "$img" 'cat /etc/containers/storage.conf')" &&
        ok "rootfs: storage.conf points into the home disk" || notok "rootfs: storage.conf"
cc=$(dbg "$img" 'cat /etc/containers/containers.conf')
has '^cgroup_manager = "cgroupfs"$' "$cc" && has '^events_logger = "file"$' "$cc" && ok "rootfs: containers.conf for OpenRC" || notok "rootfs: containers.conf"
fstab=$(dbg "$img" 'cat /etc/fstab')
has $'^LABEL=rootfs\t/\text4\tro,' "$fstab" && has $'^LABEL=home\t/home/sis\text4\trw,' "$fstab" &&
        has $'^tmpfs\t/tmp\t' "$fstab" && has $'^tmpfs\t/run\t' "$fstab" && ok "rootfs: fstab: / read-only, home disk, tmpfs" || notok "rootfs: fstab"
st=$(dbg "$img" 'stat /home/sis')
has 'Mode:  0700' "$st" && has 'User: +1000 +Group: +1000' "$st" && ok "rootfs: /home/sis mount point owned by the user" || notok "rootfs: /home/sis"
links=$(for l in sysinit/devfs sysinit/mdev sysinit/cgroups sysinit/sis-devices boot/hostname boot/networking default/sis-clock shutdown/mount-ro; do
        dbg "$img" "stat /etc/runlevels/$l" | grep -o 'Fast link dest: "[^"]*"'; done)
[ "$(grep -c '/etc/init.d/' <<< "$links")" = 8 ] && has '"/etc/init.d/sis-devices"' "$links" && has '"/etc/init.d/sis-clock"' "$links" &&
        ok "rootfs: OpenRC runlevel links" || notok "rootfs: OpenRC runlevel links" "$links"
has 'chmod 0666 /dev/fuse /dev/net/tun' "$(dbg "$img" 'cat /etc/init.d/sis-devices')" && ok "rootfs: the overlay opens /dev/fuse and /dev/net/tun" || notok "rootfs: overlay"
has 'Mode:  0755' "$(dbg "$img" 'stat /usr/local/sbin/sis-clock')" && has 'since_epoch' "$(dbg "$img" 'cat /usr/local/sbin/sis-clock')" &&
        ok "rootfs: sis-clock, executable, steps the clock from the RTC" || notok "rootfs: sis-clock"
! has getty "$(dbg "$img" 'cat /etc/inittab')" && has 'openrc sysinit' "$(dbg "$img" 'cat /etc/inittab')" && ok "rootfs: no serial getty" || notok "rootfs: inittab"
has 'Fast link dest: "/proc/net/pnp"' "$(dbg "$img" 'stat /etc/resolv.conf')" && ok "rootfs: resolv.conf from the kernel's ip=" || notok "rootfs: resolv.conf"
argv=$(dbg "$img" 'cat /etc/apk/argv')
has '--keys-dir /etc/apk/keys' "$argv" && ! has '--allow-untrusted' "$argv" && has 'shadow-uidmap' "$argv" &&
        ok "rootfs: apk ran with signatures on, the recipe's packages" || notok "rootfs: apk argv" "$argv"
[ -z "$(dbg "$img" 'stat /etc/apk/repositories.sis')" ] && ok "rootfs: the build's repositories file is not in the image" || notok "rootfs: repositories.sis left"
if [ "$(id -u)" = 0 ]; then
        has 'Type: character special' "$(dbg "$img" 'stat /dev/null')" && ok "rootfs: device nodes from the base survive" || notok "rootfs: /dev/null"
        got=$(dbg "$img" 'ea_get -x /usr/bin/capped security.capability' | tr -d ' \n' | sed 's/.*=//' | tr 'A-F' 'a-f')
        [ -n "$capxattr" ] && [ "$got" = "$capxattr" ] && ok "rootfs: a security.capability xattr reaches the image byte for byte" ||
                notok "rootfs: file capability ($got vs $capxattr)"
else
        skip "rootfs: device nodes from the base survive, a security.capability xattr" "needs root (mknod, setcap)"
fi
m=$tmp/o1/manifest.json
python3 - "$m" "$sha" << 'EOF' && ok "rootfs: manifest.json (recipe, base, packages, outputs)" || notok "rootfs: manifest.json"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["kind"] == "rootfs" and m["distro"] == "alpine"
assert m["inputs"]["base"]["sha256"] == sys.argv[2]
assert {"name": "podman", "version": "5.5.2-r1"} in m["packages"]
assert len(m["recipe"]["sha256"]) == 64 and m["outputs"]["rootfs.ext4"]["size"] > 0
EOF
(cd "$tmp/o1" && sha256sum -c --quiet SHA256SUMS) && ok "rootfs: SHA256SUMS checks with sha256sum -c" || notok "rootfs: SHA256SUMS"
# the SBOM: a real CycloneDX consumer accepts it, and it lists exactly the manifest's packages
out=$(node tests/sbom/validate.js "$tmp/o1/sbom.cdx.json" 2>&1) && ok "rootfs: sbom.cdx.json is valid CycloneDX 1.5 (@cyclonedx/cyclonedx-library's strict validator)" ||
        notok "rootfs: sbom.cdx.json" "$out"
/usr/bin/python3 - "$m" "$tmp/o1/sbom.cdx.json" << 'EOF' && ok "rootfs: the SBOM lists the packages the manifest lists, each with its purl" || notok "rootfs: SBOM packages"
import json, sys
m, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = sorted((p["name"], p["version"]) for p in m["packages"])
got = sorted((c["name"], c["version"]) for c in b["components"])
assert want == got and len(want) > 5, (want, got)
assert all(c["purl"].startswith("pkg:apk/alpine/") for c in b["components"])
assert m["outputs"]["sbom.cdx.json"]["sha256"]
EOF
expect "rootfs: verify" 0 "matches" "$bin" verify "$tmp/o1"

# --- dm-verity: the tree after the filesystem, the root hash in the manifest --------------------
read -r vroot voff vblocks vstart < <(python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["verity"]
assert v["hash_algorithm"] == "sha256" and v["data_block_size"] == v["hash_block_size"] == 4096
print(v["root_hash"], v["hash_offset"], v["data_blocks"], v["hash_start_block"])' "$m") || true
if [ -n "${vroot:-}" ] && [ "$voff" = $((vblocks * 4096)) ] && [ "$vstart" = $((vblocks + 1)) ] &&
        [ "$(stat -c %s "$img")" -gt "$voff" ]; then
        ok "rootfs: the manifest records the verity tree (root hash $vroot, $vblocks data blocks, tree after them)"
else
        notok "rootfs: manifest verity" "$(cat "$m")"
fi
out=$(veritysetup verify "$img" "$img" "${vroot:-x}" --hash-offset="${voff:-0}" 2>&1) &&
        ok "rootfs: veritysetup verify agrees with the manifest's root hash" || notok "rootfs: veritysetup verify" "$out"
# one byte of a file's data block flipped in a copy: the tree no longer agrees
blk=$(dbg "$img" 'bmap /var/lib/sis-owned/state 0')
cp "$img" "$tmp/flipped.ext4"
if [[ $blk =~ ^[0-9]+$ ]] && [ "$blk" -lt "${vblocks:-0}" ]; then
        printf '\x5a' | dd of="$tmp/flipped.ext4" bs=1 seek=$((blk * 4096 + 1)) conv=notrunc status=none
        out=$(veritysetup verify "$tmp/flipped.ext4" "$tmp/flipped.ext4" "$vroot" --hash-offset="$voff" 2>&1) &&
                notok "rootfs: a flipped data byte passes veritysetup verify" ||
                ok "rootfs: a byte flipped in a file's data block (block $blk) fails veritysetup verify"
else
        notok "rootfs: the block of /var/lib/sis-owned/state" "$blk"
fi

# --- reproducible: twice, and as nobody -----------------------------------------------------------
h1=$(sha256sum "$img" | cut -d' ' -f1)
rm -rf "$tmp/cache"
build "$tmp/o2" > /dev/null 2>&1
h2=$(sha256sum "$tmp/o2/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
[ -n "$h1" ] && [ "$h1" = "$h2" ] && ok "rootfs: two builds from clean are byte-identical, verity tree included ($h1)" || notok "rootfs: not reproducible ($h1 vs $h2)"
cmp -s "$m" "$tmp/o2/manifest.json" && ok "rootfs: and their manifests are identical (root hash $vroot)" || notok "rootfs: manifests differ" "$(diff "$m" "$tmp/o2/manifest.json")"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
        mkdir -m 777 "$tmp/nobody"
        setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$tmp/nobody" "$bin" rootfs --base "$tmp/mini.tar.gz" \
                --sha256 "$sha" --repo "$repo" --offline --cache "$tmp/nobody/cache" --out "$tmp/nobody/o" > "$tmp/err" 2>&1
        h3=$(sha256sum "$tmp/nobody/o/rootfs.ext4" 2> /dev/null | cut -d' ' -f1)
        [ "$h1" = "$h3" ] && ok "rootfs: as nobody, the same image byte for byte" || notok "rootfs: as nobody ($h3)" "$(tail -3 "$tmp/err")"
else
        skip "rootfs: as nobody, the same image byte for byte" "needs root and setpriv"
fi
expect "rootfs: the debug recipe adds a serial getty" 0 "" build "$tmp/o3" --recipe sis-session-debug
has '^ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100$' "$(dbg "$tmp/o3/rootfs.ext4" 'cat /etc/inittab')" && ok "rootfs: ttyS0 getty in the debug image" || notok "rootfs: debug getty"

# --- signatures ---------------------------------------------------------------------------------
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'sis rootfs test <rootfs@example.invalid>' ed25519 sign 1d > /dev/null 2>&1
fpr=$(gpg --batch --with-colons --list-keys rootfs@example.invalid 2> /dev/null | awk -F: '/^fpr/ { print $10; exit }')
mkdir -p "$tmp/recipes"
cp rootfs/*.recipe "$tmp/recipes/"
ln -s "$PWD/rootfs/overlay" "$tmp/recipes/overlay"
printf 'include sis-session\n[alpine]\nsigning-key %s\n' "$fpr" > "$tmp/recipes/signed.recipe"
mkdir -p "$tmp/sig"
cp "$tmp/mini.tar.gz" "$tmp/sig/mini.tar.gz"
gpg --batch --detach-sign --armor -o "$tmp/sig/mini.tar.gz.asc" "$tmp/sig/mini.tar.gz" 2> /dev/null
sigbuild() { "$bin" rootfs --base "$tmp/sig/mini.tar.gz" --sha256 "$sha" --repo "$repo" --offline --cache "$tmp/cache" \
        --recipes "$tmp/recipes" "$@"; }
expect "rootfs: a good signature by the pinned key" 0 "good signature" sigbuild --recipe signed --out "$tmp/s1"
grep -q '"signature_checked": true' "$tmp/s1/manifest.json" && ok "rootfs: the manifest records the checked signature" || notok "rootfs: signature_checked"
expect "rootfs: a good signature by another key than the pinned one" 2 "not by the pinned key" sigbuild --out "$tmp/s2"
echo "tampered" | gpg --batch --detach-sign --armor 2> /dev/null > "$tmp/other.asc"
cp "$tmp/other.asc" "$tmp/sig/mini.tar.gz.asc"
expect "rootfs: a bad signature" 2 "BAD signature" sigbuild --recipe signed --out "$tmp/s3"
[ ! -e "$tmp/s2" ] && [ ! -e "$tmp/s3" ] && ok "rootfs: nothing written on a signature failure" || notok "rootfs: output after a signature failure"

# --- bad inputs ---------------------------------------------------------------------------------
bad=$(printf '%064d' 0)
expect "rootfs: sha256 mismatch" 2 "sha256 $sha, expected $bad" \
        "$bin" rootfs --base "$tmp/mini.tar.gz" --sha256 "$bad" --repo "$repo" --offline --cache "$tmp/cache" --out "$tmp/b1"
head -c 20000 "$tmp/mini.tar.gz" > "$tmp/trunc.tar.gz"
tsha=$(sha256sum "$tmp/trunc.tar.gz" | cut -d' ' -f1)
expect "rootfs: truncated tarball" 2 "trunc.tar.gz" \
        "$bin" rootfs --base "$tmp/trunc.tar.gz" --sha256 "$tsha" --repo "$repo" --offline --cache "$tmp/cache" --out "$tmp/b2"
mkdir -p "$tmp/evil/x"
echo evil > "$tmp/evil/x/f"
tar -C "$tmp/evil" -czf "$tmp/evil.tar.gz" --transform 's,^\./x/f,../../escaped,' ./x/f
esha=$(sha256sum "$tmp/evil.tar.gz" | cut -d' ' -f1)
expect "rootfs: a tarball entry escaping the tree" 2 "escapes the tree" \
        "$bin" rootfs --base "$tmp/evil.tar.gz" --sha256 "$esha" --repo "$repo" --offline --cache "$tmp/cache" --out "$tmp/b3"
[ ! -e "$tmp/cache/../escaped" ] && [ ! -e "$tmp/escaped" ] && ok "rootfs: nothing written outside the work directory" || notok "rootfs: escaped"
expect "rootfs: unknown recipe" 2 "no recipe" build "$tmp/b4" --recipe no-such-recipe
printf 'include sis-session\n[alpine]\nremove /etc/../../home\n' > "$tmp/recipes/escape.recipe"
expect "rootfs: a recipe path escaping the tree" 2 "escape.recipe:3: remove: '/etc/../../home'" \
        "$bin" rootfs --base "$tmp/mini.tar.gz" --sha256 "$sha" --repo "$repo" --offline --cache "$tmp/cache" \
        --recipes "$tmp/recipes" --recipe escape --out "$tmp/b5"
printf 'user sis 1000 1000\nfrobnicate yes\n' > "$tmp/recipes/typo.recipe"
expect "rootfs: an unknown directive" 2 "typo.recipe:2: unknown directive 'frobnicate'" \
        "$bin" rootfs --recipes "$tmp/recipes" --recipe typo --offline --out "$tmp/b6"
expect "rootfs: an image size too small" 2 "too small" build "$tmp/b7" --size 2M
[ ! -e "$tmp/b7" ] && ! has '^b7|\.tmp\.' "$(ls "$tmp")" && ok "rootfs: no partial image when too small" || notok "rootfs: partial output"
expect "rootfs: --offline without a local repository" 2 "need --repo" \
        "$bin" rootfs --base "$tmp/mini.tar.gz" --sha256 "$sha" --offline --cache "$tmp/cache" --out "$tmp/b8"
printf 'include sis-session\n[alpine]\nrunlevel default no-such-service\n' > "$tmp/recipes/nosvc.recipe"
expect "rootfs: a runlevel naming a missing service" 2 "no service /etc/init.d/no-such-service" \
        "$bin" rootfs --base "$tmp/mini.tar.gz" --sha256 "$sha" --repo "$repo" --offline --cache "$tmp/cache" \
        --recipes "$tmp/recipes" --recipe nosvc --out "$tmp/b9"
expect "rootfs: --distro typo" 2 "not alpine or debian" "$bin" rootfs --distro fedora --out "$tmp/b10"

# an interrupted build (SIGTERM to the whole group while apk runs): no output, and the next build
# cleans the dead build's work directory and succeeds
mkdir -p "$tmp/slow"
(cd "$mini" && touch etc/apk/SLOW)
mktar "$mini" "$tmp/slow/mini.tar.gz"
rm -f "$mini/etc/apk/SLOW"
ssha=$(sha256sum "$tmp/slow/mini.tar.gz" | cut -d' ' -f1)
setsid "$bin" rootfs --base "$tmp/slow/mini.tar.gz" --sha256 "$ssha" --repo "$repo" --offline --cache "$tmp/cache" \
        --out "$tmp/b11" > /dev/null 2> "$tmp/slow/err" &
pid=$!
wait_until 10 grep -q 'apk add' "$tmp/slow/err"
sleep 0.5
kill -TERM -- "-$pid" 2> /dev/null
wait "$pid" 2> /dev/null
[ ! -e "$tmp/b11" ] && ! has '^b11' "$(ls "$tmp")" && [ -d "$tmp/cache/work/$pid" ] &&
        ok "rootfs: an interrupted build leaves no output" || notok "rootfs: interrupted build ($(ls "$tmp/cache/work" 2>&1))"
build "$tmp/b12" > /dev/null 2>&1
[ -f "$tmp/b12/rootfs.ext4" ] && [ ! -e "$tmp/cache/work/$pid" ] && ok "rootfs: the next build succeeds and removes the dead work directory" ||
        notok "rootfs: after an interruption"

# --- the home disk ------------------------------------------------------------------------------
expect "disk: a home disk" 0 "label home" "$bin" disk --home --size 256M --owner 1000:1000 --out "$tmp/home.ext4"
h=$tmp/home.ext4
check "disk: e2fsck -fn is clean" e2fsck -fn "$h"
hdr=$(dumpe2fs -h "$h" 2> /dev/null)
has 'volume name: *home$' "$hdr" && has has_journal "$hdr" && ok "disk: label home, with a journal" || notok "disk: label/journal"
[ "$(stat -c %s "$h")" = $((256 << 20)) ] && [ "$(du -k "$h" | cut -f1)" -lt 65536 ] && ok "disk: 256 MiB, sparse" || notok "disk: size $(stat -c %s "$h"), $(du -k "$h" | cut -f1) KiB used"
st=$(dbg "$h" 'stat /')
has 'Mode:  0700' "$st" && has 'User: +1000 +Group: +1000' "$st" && ok "disk: the root is the user's, 0700" || notok "disk: root owner"
has 'User: +1000 +Group: +1000' "$(dbg "$h" 'stat /.local/share/containers/storage')" && ok "disk: Podman's storage skeleton" || notok "disk: skeleton"
"$bin" disk --home --size 256M --owner 1000:1000 --out "$tmp/home2.ext4" 2> /dev/null
cmp -s "$h" "$tmp/home2.ext4" && ok "disk: the same inputs give the same template" || notok "disk: not reproducible"
expect "disk: --owner must be UID:GID" 2 "is not UID:GID" "$bin" disk --home --size 64M --owner sis --out "$tmp/h3.ext4"
expect "disk: --size is required" 2 "needs --size" "$bin" disk --home --owner 1000:1000 --out "$tmp/h4.ext4"
expect "disk: a bad --size" 2 "is not a size" "$bin" disk --home --size lots --owner 1000:1000 --out "$tmp/h5.ext4"
expect "disk: too small for the skeleton and a journal" 2 "too small" "$bin" disk --home --size 1M --owner 1000:1000 --out "$tmp/h6.ext4"
[ ! -e "$tmp/h6.ext4" ] && ! has '^\.h6' "$(ls -a "$tmp")" && ok "disk: nothing left behind on failure" || notok "disk: leftovers"
finish
