#!/usr/bin/env bash
# launch/confine.c, sis's own jail for a VMM that is not Firecracker (root only): what a process
# inside can see and do, read from its own /proc/self/status and by trying. Prints ok/not ok.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root "namespaces, cgroups, pivot_root"
cd "$SIS_ROOT" || exit 1
lock_host
run=$PWD/build/confine-run
# the jail's cgroups: v2, or two v1 hierarchies (the init joins each by itself)
cg=sis-confine-test-$$
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        cgdirs=/sys/fs/cgroup/$cg
        cgwant="0::/$cg"
else
        cgdirs=/sys/fs/cgroup/pids/$cg,/sys/fs/cgroup/memory/$cg
        cgwant=$(printf '%s\n' "pids:/$cg" "memory:/$cg")
fi
for d in ${cgdirs//,/ }; do
        mkdir "$d" || { notok "confine: mkdir $d"; finish; }
        on_exit "rmdir '$d' 2>/dev/null"
done
busybox=$(command -v busybox || echo /bin/busybox)
root=$tmp/root
mkdir -p "$root/bin" "$root/out" "$tmp/other-vm"
cp "$busybox" "$root/bin/busybox"
for a in sh cat ls id hostname mount ip grep unshare chroot; do ln -s busybox "$root/bin/$a"; done
chown 20300:20300 "$root/out"
echo secret > "$tmp/other-vm/disk"
# a host file bound in at its own path, its directories made on a tmpfs that only the jail sees
echo vmm-file > "$tmp/vmm-file"
mkdir -p "$tmp/vmm-dir" && ln -s "$tmp/vmm-file" "$tmp/vmm-dir/link"
# shellcheck disable=SC2016 # the script runs inside the jail; its $(...) expand there
"$run" "$root" 20300 "$tmp/log" net/tun,urandom "$cgdirs" "$tmp/vmm-dir/link" /bin/sh -c '
        grep -E "^(Uid|Gid|CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
        echo "root: $(ls / | tr "\n" " ")"
        echo "dev: $(ls /dev /dev/net | tr "\n" " ")"
        echo "pids: $(ls /proc | grep -cE "^[0-9]+$")"
        echo "procfs: $(ls /proc | grep -vE "^[0-9]+$" | tr "\n" " ")"
        echo "host: $(hostname)"
        unshare -U -r /bin/sh -c true 2>&1 | sed "s/^/unshare: /"
        chroot /out /bin/sh 2>&1 | sed "s/^/chroot: /"
        echo "links: $(sed -n "s/^ *\([^ :]*\):.*/\1/p" /proc/self/net/dev | tr "\n" " ")"
        echo w > /out/w && echo "write: ok"
        cat /etc/passwd 2>&1 | sed "s/^/passwd: /"
        sed -n "s/^[0-9]*:\(.*\)/cgroup: \1/p" /proc/self/cgroup
        echo "bound: $(cat '"$tmp/vmm-dir/link"')"
        echo x > '"$tmp/vmm-dir/new"' 2>/dev/null || echo "bound dir: read-only"
        echo x > '"$tmp/vmm-dir/link"' 2>/dev/null || echo "bound file: read-only"'
rc=$?
log=$(cat "$tmp/log")
[ $rc = 0 ] && ok "confine: the command ran in the jail" || notok "confine: exit $rc ($log)"
grep -qP '^Uid:\t20300\t20300\t20300\t20300$' <<< "$log" && grep -qP '^Gid:\t20300' <<< "$log" && ok "confine: the VM's uid and gid" || notok "confine: uid"
[ "$(grep -cP '^Cap(Eff|Prm|Bnd|Amb):\t0000000000000000$' <<< "$log")" = 4 ] && ok "confine: no capabilities (effective, permitted, bounding, ambient)" || notok "confine: capabilities"
grep -qP '^NoNewPrivs:\t1$' <<< "$log" && grep -qP '^Seccomp:\t2$' <<< "$log" && ok "confine: no_new_privs and seccomp mode 2" || notok "confine: nnp/seccomp"
grep -qx 'root: bin dev out proc tmp ' <<< "$log" && grep -q 'passwd: cat: can.t open' <<< "$log" && ok "confine: only the staged files are visible (no host /etc)" || notok "confine: root ($log)"
grep -qx 'dev: /dev: net urandom  /dev/net: tun ' <<< "$log" && ok "confine: /dev holds only the nodes asked for" || notok "confine: dev"
pids=$(sed -n 's/^pids: //p' <<< "$log")
[ -n "$pids" ] && [ "$pids" -le 4 ] && ok "confine: its own pid namespace ($pids processes visible)" || notok "confine: pids $pids"
grep -qx 'procfs: self thread-self ' <<< "$log" && ok "confine: /proc holds processes only (no /proc/sys, kcore, ...)" || notok "confine: procfs ($(grep procfs <<< "$log"))"
grep -qx 'host: sis-test' <<< "$log" && ok "confine: its own hostname (uts namespace)" || notok "confine: uts"
# an unprivileged user namespace would give back capabilities: the seccomp filter refuses it
grep -q 'unshare: .*Operation not permitted' <<< "$log" && ok "confine: no user namespace (seccomp: unshare refused)" || notok "confine: unshare allowed? ($log)"
grep -q 'chroot: .*Operation not permitted' <<< "$log" && ok "confine: chroot refused" || notok "confine: chroot"
grep -qx 'links: lo ' <<< "$log" && ok "confine: an empty network namespace (lo only) unless given the VM's" || notok "confine: network ($log)"
grep -qx 'write: ok' <<< "$log" && [ "$(stat -c %u "$root/out/w")" = 20300 ] && ok "confine: it writes what the VM owns, as the VM" || notok "confine: write"
[ ! -e "$root/old_root" ] && ok "confine: the host root is detached (no old_root left)" || notok "confine: old_root"
joined_all() { # every cgroup in $cgwant is in the log
        local want
        while read -r want; do grep -qx "cgroup: $want" <<< "$log" || return 1; done <<< "$cgwant"
}
[ "$(grep '^cgroup: ' <<< "$log" | grep -c "/$cg\$")" = "$(grep -c . <<< "$cgwant")" ] && joined_all &&
        ok "confine: the jail's init joined its cgroups ($(tr '\n' ' ' <<< "$cgwant"))" || notok "confine: cgroups ($log)"
grep -qx 'bound: vmm-file' <<< "$log" && grep -qx 'bound dir: read-only' <<< "$log" && grep -qx 'bound file: read-only' <<< "$log" &&
        ok "confine: a host file bound in read-only at its path (through a symlink), its directory read-only" || notok "confine: files ($log)"
[ -z "$(find "$root/tmp" -mindepth 1)" ] && ok "confine: the mount points are on a tmpfs: nothing written to the staged directory" ||
        notok "confine: staged directory has files" "$(lines 3 "$(find "$root/tmp" -mindepth 1)")"
# a hybrid host: its cgroup2 mount too (the init is cloned straight into a v2 cgroup)
unified=$(awk '$3 == "cgroup2" && $2 != "/sys/fs/cgroup" { print $2; exit }' /proc/self/mounts)
if [ -n "$unified" ]; then
        mkdir "$unified/$cg"
        on_exit "rmdir '$unified/$cg' 2>/dev/null"
        "$run" "$root" 20300 "$tmp/log3" - "$unified/$cg" - /bin/sh -c 'grep "^0::" /proc/self/cgroup'
        rc=$?
        rmdir "$unified/$cg"
        [ $rc = 0 ] && grep -qx "0::/$cg" "$tmp/log3" && ok "confine: cloned into a cgroup v2 directory ($unified)" ||
                notok "confine: v2: rc $rc: $(cat "$tmp/log3")"
else
        skip "confine: cloned into a cgroup v2 directory" "no cgroup2 mount besides /sys/fs/cgroup (not a hybrid host)"
fi
# a failure names the step: a device the host does not have
out=$("$run" "$root" 20300 "$tmp/log2" no-such-device - - /bin/sh -c true 2>&1); rc=$?
[ $rc = 3 ] && grep -qx 'confine-run: the jail could not be set up: making /dev: No such device' <<< "$out" &&
        ok "confine: a failure inside names its step" || notok "confine: failure: rc $rc: $out"
finish
