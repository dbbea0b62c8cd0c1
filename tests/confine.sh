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
for a in sh cat ls id hostname mount ip grep unshare chroot sleep; do ln -s busybox "$root/bin/$a"; done
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
        ip link 2>&1 | sed "s/^/ip: /"
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
# the generic filter: sockets in AF_UNIX only, so no netlink for ip(8)
grep -q 'ip: .*Operation not permitted' <<< "$log" && ok "confine: ip(8) cannot open a netlink socket (AF_UNIX only)" || notok "confine: netlink ($log)"
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
# the stand-in's own syscalls, from inside: confine-run probe, with its binary and libraries bound
# in as QEMU's are, under the generic filter, QEMU's allowlist (--qemu) and with vsock (--vsock)
files=$run
for f in $(ldd "$run" | grep -o '/[^ ]*'); do files=$files,$f; done
probe() { # LOG [confine-run options...]: runs the probe, its output in LOG
        local log=$1
        shift
        "$run" "$@" "$root" 20300 "$log" - - "$files" "$run" probe
}
for mode in generic qemu; do
        opts=()
        [ "$mode" = qemu ] && opts=(--qemu)
        probe "$tmp/probe-$mode" "${opts[@]}"
        rc=$?
        p=$(cat "$tmp/probe-$mode")
        [ $rc = 0 ] && has '^forbidden: ' "$p" || { notok "confine: the probe ran ($mode filter): exit $rc" "$p"; continue; }
        bad=
        for want in 'socket unix: ok' 'socketpair unix: ok' 'socket inet: EPERM' 'socket inet6: EPERM' \
                'socket netlink: EPERM' 'socket vsock: EPERM' 'socket packet: EPERM' 'socketpair inet: EPERM'; do
                has "^$want\$" "$p" || bad="$bad; $want"
        done
        [ -z "$bad" ] && ok "confine: AF_UNIX sockets only, no AF_INET, AF_INET6, AF_NETLINK, AF_VSOCK, AF_PACKET ($mode filter)" ||
                notok "confine: sockets ($mode filter): not${bad#;}" "$p"
        bad=
        for want in io_uring_setup userfaultfd kcmp modify_ldt pidfd_open 'unshare user'; do
                has "^$want: EPERM\$" "$p" || bad="$bad $want"
        done
        [ -z "$bad" ] && ok "confine: io_uring_setup, userfaultfd, kcmp, modify_ldt, pidfd_open, unshare refused ($mode filter)" ||
                notok "confine: not refused ($mode filter):$bad" "$p"
        n=$(sed -n 's/^forbidden: \([0-9]*\) of \([0-9]*\) refused$/\1 \2/p' <<< "$p")
        [ -n "$n" ] && [ "${n% *}" = "${n#* }" ] && ok "confine: every forbidden syscall refused, EPERM (${n% *} of ${n#* }, $mode filter)" ||
                notok "confine: forbidden syscalls let through ($mode filter)" "$(grep '^forbidden' <<< "$p")"
        has '^clone3: ENOSYS$' "$p" && has '^thread: ok$' "$p" && ok "confine: clone3 ENOSYS, threads through clone ($mode filter)" ||
                notok "confine: clone3/threads ($mode filter)" "$p"
        [ "$(grep -cE '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb):[[:space:]]+0{16}$' <<< "$p")" = 5 ] && has '^NoNewPrivs:[[:space:]]+1$' "$p" &&
                has '^Seccomp:[[:space:]]+2$' "$p" && ok "confine: no capabilities, no_new_privs, seccomp mode 2 ($mode filter)" ||
                notok "confine: capabilities/nnp/seccomp ($mode filter)" "$p"
done
p=$(cat "$tmp/probe-generic" 2> /dev/null)
has '^session leader: yes$' "$p" && ok "confine: the jail's init leads a session of its own (getsid(0) == getpid())" ||
        notok "confine: not a session leader" "$p"
has '^nproc: 256$' "$p" && ok "confine: RLIMIT_NPROC 256 by default" || notok "confine: RLIMIT_NPROC" "$p"
has '^fork: ok$' "$p" && has '^fork: EPERM$' "$(cat "$tmp/probe-qemu" 2> /dev/null)" &&
        ok "confine: fork under the generic filter, threads only under QEMU's allowlist" || notok "confine: fork" "$p"
probe "$tmp/probe-vsock" --qemu --vsock
p=$(cat "$tmp/probe-vsock")
has '^socket vsock: ' "$p" && ! has '^socket vsock: EPERM$' "$p" && has '^socket inet: EPERM$' "$p" &&
        ok "confine: --vsock lets AF_VSOCK through, AF_INET still refused ($(sed -n 's/^socket vsock: //p' <<< "$p"))" ||
        notok "confine: vsock" "$p"
# RLIMIT_NPROC counts the VM's uid's tasks: with 4, a shell cannot start six children
"$run" --nproc 4 "$root" 20300 "$tmp/log4" - - - /bin/sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait' 2> /dev/null
log4=$(cat "$tmp/log4")
has "can't fork" "$log4" && ok "confine: RLIMIT_NPROC holds (--nproc 4: fork refused)" || notok "confine: nproc" "$log4"
finish
