#!/usr/bin/env bash
# sis-launch against the real Firecracker and jailer (make fc-check; root).
#
#   make fc-check SIS_FIRECRACKER=/path/to/firecracker SIS_JAILER=/path/to/jailer
#
# The binaries are not in Debian and sis never downloads them: build Firecracker and its jailer
# by hand, outside this repository (docs/sis-launch.1, TESTING AGAINST FIRECRACKER). Without the
# two variables this test says it skipped and why: a skip, never a pass.
#
# What is checked, each answer and that nothing is left behind after each case:
#   - the API's answers before boot, byte for byte where sis depends on them, are the ones the
#     stand-in (tests/launch/fc-server.py) gives: tests/launch/fc-contract.py against both;
#   - run through the API, run --config-file, a 64-character name (its socket path is longer
#     than sun_path): on a host with KVM each starts, and stop, kill and clean end it; on a host
#     without KVM each reaches InstanceStart, which fails with ENODEV, and sis-launch names that
#     (reported as "needs KVM", the rest of the path checked);
#   - a VM left by a sis-launch killed after the jailer ran: list, kill, kill again (not running),
#     clean;
#   - the snapshot of a VM before it boots is refused by the VMM with its own message.
# Network: --net none (the jailer's --netns is tested by the stand-in suites).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ -z "${SIS_FIRECRACKER:-}" ] || [ -z "${SIS_JAILER:-}" ]; then
        skip "fc-check" "SIS_FIRECRACKER and SIS_JAILER name no binaries: nothing ran against the real Firecracker (make fc-check SIS_FIRECRACKER=... SIS_JAILER=...)"
        finish
fi
need_root "the real jailer: chroot, mknod, cgroups"
cd "$SIS_ROOT" || exit 1
lock_host
bin=$PWD/build/sis-launch
run=$tmp/run
jail=$tmp/jail
reg=/run/sis/registry
UIDS=20000-20009
for b in "$SIS_FIRECRACKER" "$SIS_JAILER"; do
        [ -x "$b" ] || { notok "fc-check: $b is not an executable file"; finish; }
done
# root's copies, 0755: what jail.binaries asks of the binaries sis-launch is given
mkdir -p "$tmp/bin" "$tmp/img"
install -m 0755 "$SIS_FIRECRACKER" "$tmp/bin/firecracker"
install -m 0755 "$SIS_JAILER" "$tmp/bin/jailer"
fcv=$("$tmp/bin/firecracker" --version 2>&1)
fcv=${fcv%%$'\n'*}
jlv=$("$tmp/bin/jailer" --version 2>&1)
jlv=${jlv%%$'\n'*}
has '^Firecracker v[0-9]' "$fcv" && has '^Jailer v[0-9]' "$jlv" && ok "binaries: $fcv, $jlv" || notok "binaries: --version" "$fcv" "$jlv"
if python3 -c 'import os; os.close(os.open("/dev/kvm", os.O_RDWR))' 2> /dev/null; then kvm=1; else kvm=0; fi
cleanup() {
        local d
        for d in "$run"/vms/*/; do [ -d "$d" ] && "$bin" clean --run-dir "$run" --chroot-base "$jail" "$(basename "$d")" > /dev/null 2>&1; done
        [ -n "${cpid:-}" ] && kill "$cpid" 2> /dev/null
}
on_exit cleanup

fake_kernel "$tmp/img/vmlinux" 6.1.0-sis
head -c 2M /dev/urandom > "$tmp/img/rootfs.ext4"
truncate -s 64M "$tmp/img/home.ext4"
dev_policy "$tmp/bin" "$jail" "$UIDS" "fc-check: the real binaries on a development host" > /dev/null
L=(--run-dir "$run" --chroot-base "$jail" --uid-range "$UIDS" --jailer "$tmp/bin/jailer" --firecracker "$tmp/bin/firecracker"
   --policy "$tmp/bin/dev-policy.json")
R=(--kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" --home "$tmp/img/home.ext4" --vcpus 1 --mem 128 --net none)

# the live processes of uid $1 (an exited one waits for init to reap it: not counted)
uid_procs() { ps -eo uid=,stat=,pid=,comm= | awk -v u="$1" '$1 == u && $2 !~ /^Z/'; }
# nothing of VM $1 is left: registry entry, run dir, jail, cgroups, processes of its uid
left_nothing() { # ID UID
        local what=
        [ -e "$reg/$1.json" ] && what="$what registry"
        [ -e "$run/vms/$1" ] && what="$what run-dir"
        [ -e "$jail/firecracker/$1" ] && what="$what jail"
        grep -qs "/firecracker/$1" /proc/self/mounts && what="$what mounts"
        compgen -G "/sys/fs/cgroup/*/firecracker/$1" > /dev/null && what="$what cgroup-v1"
        [ -e "/sys/fs/cgroup/firecracker/$1" ] && what="$what cgroup-v2"
        [ -n "$2" ] && [ -n "$(uid_procs "$2")" ] && what="$what processes"
        [ -z "$what" ] || { echo "left:$what"; return 1; }
}
uid_of() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["uid"])' "$reg/$1.json" 2> /dev/null; }

# --- the API before boot: the real one and the stand-in answer alike ----------------------------------
mkdir -p "$tmp/c"
mkfifo "$tmp/c/log.fifo"
"$tmp/bin/firecracker" --api-sock "$tmp/c/fc.sock" --id contract --no-seccomp < /dev/null > "$tmp/c/fc.out" 2>&1 &
cpid=$!
wait_until 10 test -S "$tmp/c/fc.sock"
/usr/bin/python3 tests/launch/fc-contract.py "$tmp/c/fc.sock" "$tmp/c/log.fifo" > "$tmp/c/contract.out" 2>&1
kill "$cpid" 2> /dev/null
wait "$cpid" 2> /dev/null
cpid=
diff -u tests/launch/fc-contract.expected "$tmp/c/contract.out" > "$tmp/c/diff" &&
        ok "API before boot: the real answers are tests/launch/fc-contract.expected, the stand-in's (states, 204 with an empty reason, faults)" ||
        notok "API before boot: the real Firecracker differs from the stand-in" "$(cat "$tmp/c/diff")"
has 'PUT /snapshot/create .*not supported before starting the microVM' "$(cat "$tmp/c/contract.out")" &&
        ok "snapshot before boot: refused by Firecracker with its own message" || notok "snapshot before boot" "$(cat "$tmp/c/contract.out")"

# --- run: through the API, --config-file, a long name -------------------------------------------------
start_case() { # NAME ID ARGS...: one start against the real binaries, checked either way
        local name=$1 id=$2 uid
        shift 2
        "$bin" run --name "$id" "${R[@]}" "${L[@]}" "$@" > "$tmp/out" 2> "$tmp/err"
        last_rc=$?
        last_out=$(cat "$tmp/err" "$tmp/out")
        if [ "$kvm" = 1 ]; then
                [ "$last_rc" = 0 ] && has "started $id: firecracker pid" "$last_out" && ok "$name: $id started" ||
                        notok "$name: $id did not start" "$(lines 8 "$last_out")"
                expect "$name: stop $id" 0 "$id stopped" "$bin" stop --timeout 5 --run-dir "$run" "$id"
                expect "$name: kill $id, stopped" 0 "$id is not running" "$bin" kill --run-dir "$run" "$id"
                uid=$(uid_of "$id")
                expect "$name: clean $id" 0 "" "$bin" clean "${L[@]}" "$id"
        else
                # exit 2, InstanceStart's ENODEV named; everything before it was real
                [ "$last_rc" = 2 ] && has "needs KVM" "$last_out" && ! has "resolve host" "$last_out" &&
                        ok "$name: $id reaches InstanceStart, which needs KVM (ENODEV named): exit 2" ||
                        notok "$name: $id: not the ENODEV refusal" "exit $last_rc" "$(lines 12 "$last_out")"
        fi
        left_nothing "$id" "${uid:-}" > "$tmp/left" && ok "$name: nothing of $id is left" || notok "$name: $id left something" "$(cat "$tmp/left")"
}
start_case "run (API)" fcx1
# the VMM's log reached the error: what Firecracker said, one line each
[ "$kvm" = 1 ] || { has "Firecracker's last words:" "$last_out" && ok "run (API): Firecracker's log lines in the error" ||
        notok "run (API): no log lines" "$(lines 12 "$last_out")"; }
start_case "run --config-file" fcx2 --config-file
if [ "$kvm" = 0 ]; then
        has "Firecracker exited before its log said it had started the VM" "$last_out" && has "exit_code=1" "$last_out" &&
                ok "run --config-file: a dead VMM is a failed start, with its last log lines (exit_code=1)" ||
                notok "run --config-file: the dead VMM" "$(lines 12 "$last_out")"
fi
long=$(printf 'x%.0s' $(seq 64))
start_case "run with a 64-character name ($(( ${#jail} + 64 + 41 ))-byte socket path)" "$long"

# --- a VM left behind by a sis-launch killed right after the jailer ran ---------------------------------
# the wrapper runs the real jailer, then stops its caller (sis-launch) before it records the VMM
cat > "$tmp/bin/jailer-stop" << EOF
#!/bin/bash
[ "\$1" = --version ] && exec "$tmp/bin/jailer" --version
"$tmp/bin/jailer" "\$@"
rc=\$?
kill -STOP "\$PPID"
: > "$tmp/jailer-stop.done"
exit "\$rc"
EOF
chmod 755 "$tmp/bin/jailer-stop"
"$bin" run --name fcx4 "${R[@]}" --run-dir "$run" --chroot-base "$jail" --uid-range "$UIDS" --jailer "$tmp/bin/jailer-stop" \
        --firecracker "$tmp/bin/firecracker" --policy "$tmp/bin/dev-policy.json" > "$tmp/fcx4.out" 2>&1 &
sp=$!
wait_until 30 test -e "$tmp/jailer-stop.done"
kill -KILL "$sp" 2> /dev/null
wait "$sp" 2> /dev/null
u4=$(uid_of fcx4)
wait_until 10 pgrep -U "${u4:-0}" firecracker > /dev/null
[ -n "$u4" ] && pgrep -U "$u4" firecracker > /dev/null && ok "left behind: the real Firecracker runs as uid $u4, its sis-launch gone" ||
        notok "left behind: no Firecracker" "$(cat "$tmp/fcx4.out")"
expect "left behind: list shows fcx4" 0 "fcx4 " "$bin" list --run-dir "$run"
expect "left behind: kill fcx4 kills its VMM" 0 "fcx4 killed" "$bin" kill --run-dir "$run" fcx4
[ -n "$u4" ] && [ -z "$(uid_procs "$u4")" ] && ok "left behind: nothing of uid $u4 runs" || notok "left behind: processes of $u4 remain" "$(uid_procs "${u4:-x}")"
expect "left behind: kill again says it is not running" 0 "fcx4 is not running: nothing to kill" "$bin" kill --run-dir "$run" fcx4
expect "left behind: clean fcx4" 0 "" "$bin" clean "${L[@]}" fcx4
left_nothing fcx4 "$u4" > "$tmp/left" && ok "left behind: nothing of fcx4 is left" || notok "left behind: fcx4 left something" "$(cat "$tmp/left")"
finish
