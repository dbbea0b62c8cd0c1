#!/usr/bin/env bash
# launch/confine.c, sis's own jail for a VMM that is not Firecracker (root only): what a process
# inside can see and do, read from its own /proc/self/status and by trying. Prints ok/not ok.
set -uo pipefail
cd "$(dirname "$0")/.."
run=$PWD/build/confine-run
if [ "$(id -u)" != 0 ]; then echo "ok confine: skipped (needs root)"; exit 0; fi
tmp=$(mktemp -d /tmp/sis-confine.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; status=1; }
busybox=$(command -v busybox || echo /bin/busybox)
root=$tmp/root
mkdir -p "$root/bin" "$root/out" "$tmp/other-vm"
cp "$busybox" "$root/bin/busybox"
for a in sh cat ls id hostname mount ip grep unshare chroot; do ln -s busybox "$root/bin/$a"; done
chown 20300:20300 "$root/out"
echo secret > "$tmp/other-vm/disk"
"$run" "$root" 20300 "$tmp/log" net/tun,urandom /bin/sh -c '
        grep -E "^(Uid|Gid|CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
        echo "root: $(ls / | tr "\n" " ")"
        echo "dev: $(ls /dev /dev/net | tr "\n" " ")"
        echo "pids: $(ls /proc | grep -cE "^[0-9]+$")"
        echo "host: $(hostname)"
        unshare -U -r /bin/sh -c true 2>&1 | sed "s/^/unshare: /"
        chroot /out /bin/sh 2>&1 | sed "s/^/chroot: /"
        echo "links: $(ip -o link | cut -d: -f2 | tr -d " " | tr "\n" " ")"
        echo w > /out/w && echo "write: ok"
        cat /etc/passwd 2>&1 | sed "s/^/passwd: /"'
rc=$?
log=$(cat "$tmp/log")
[ $rc = 0 ] && ok "confine: the command ran in the jail" || notok "confine: exit $rc ($log)"
grep -qP '^Uid:\t20300\t20300\t20300\t20300$' <<< "$log" && grep -qP '^Gid:\t20300' <<< "$log" && ok "confine: the VM's uid and gid" || notok "confine: uid"
[ "$(grep -cP '^Cap(Eff|Prm|Bnd|Amb):\t0000000000000000$' <<< "$log")" = 4 ] && ok "confine: no capabilities (effective, permitted, bounding, ambient)" || notok "confine: capabilities"
grep -qP '^NoNewPrivs:\t1$' <<< "$log" && grep -qP '^Seccomp:\t2$' <<< "$log" && ok "confine: no_new_privs and seccomp mode 2" || notok "confine: nnp/seccomp"
grep -qx 'root: bin dev out proc ' <<< "$log" && grep -q 'passwd: cat: can.t open' <<< "$log" && ok "confine: only the staged files are visible (no host /etc)" || notok "confine: root ($log)"
grep -qx 'dev: /dev: net urandom  /dev/net: tun ' <<< "$log" && ok "confine: /dev holds only the nodes asked for" || notok "confine: dev"
pids=$(sed -n 's/^pids: //p' <<< "$log")
[ -n "$pids" ] && [ "$pids" -le 4 ] && ok "confine: its own pid namespace ($pids processes visible)" || notok "confine: pids $pids"
grep -qx 'host: sis-test' <<< "$log" && ok "confine: its own hostname (uts namespace)" || notok "confine: uts"
# an unprivileged user namespace would give back capabilities: the seccomp filter refuses it
grep -q 'unshare: .*Operation not permitted' <<< "$log" && ok "confine: no user namespace (seccomp: unshare refused)" || notok "confine: unshare allowed? ($log)"
grep -q 'chroot: .*Operation not permitted' <<< "$log" && ok "confine: chroot refused" || notok "confine: chroot"
grep -qx 'links: lo ' <<< "$log" && ok "confine: an empty network namespace (lo only) unless given the VM's" || notok "confine: network ($log)"
grep -qx 'write: ok' <<< "$log" && [ "$(stat -c %u "$root/out/w")" = 20300 ] && ok "confine: it writes what the VM owns, as the VM" || notok "confine: write"
[ ! -e "$root/old_root" ] && ok "confine: the host root is detached (no old_root left)" || notok "confine: old_root"
exit $status
