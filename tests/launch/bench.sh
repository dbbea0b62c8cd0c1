#!/usr/bin/env bash
# make bench: sis-launch's own time from `run` to InstanceStart accepted, against the recording
# server (tests/launch/fc-server.py) behind a stand-in jailer. Measured per run: the wall time of
# `sis-launch run`, minus the stand-in jailer's own time (bash, starting python, waiting for its
# socket) and the server's time per request: what remains is sis-launch (the gate's audit, the
# lease, staging, the state, the jailer's fork/exec, the API client). Root only.
# Usage: tests/launch/bench.sh RUNS   -> prints "median_ms p90_ms min_ms peak_rss_kib"
# With "metrics N RUNS": N stand-in VMs, each with its network (namespace, TAP, veth, firewall,
# rate limit, connection cap) made by sis-launch inside a namespace of the bench's own, then
# `sis-launch metrics` RUNS times, and once the baseline an operator would otherwise script: per
# VM, `ip -s -j link show tap0` and `nft -j list counters` in its namespace
#   -> prints "median_ms p90_ms peak_rss_kib baseline_ms samples"
# With "restore RUNS MIB": a VM of MIB MiB is run, snapshotted (the server writes MIB MiB of memory
# like a guest's) and restored, RUNS times: the wall time of `sis-launch snapshot` and of `sis-launch
# restore` (unsealing into the jail, the stand-in's start and its time subtracted, the load)
#   -> prints "snapshot_median_ms restore_median_ms restore_min_ms"
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
set -e
cd "$SIS_ROOT"
mode=run memmib=0 nvms=0
if [ "$1" = restore ]; then
        mode=restore memmib=${3:-256}
        shift
elif [ "$1" = metrics ]; then
        mode=metrics nvms=${2:-100}
        shift 2
fi
runs=${1:-20}
bin=$PWD/build/sis-launch
# the uid range and VM name are the launch tests' too
lock_host
# the run directory on a tmpfs, as /run/sis is in production (/dev/shm here)
rund=$(mktemp -d /dev/shm/sis-launch-bench.XXXXXX)
# shellcheck disable=SC2317 # called through on_exit
cleanup() {
        local d
        for d in "$rund"/vms/*/; do [ -d "$d" ] && "$bin" clean --run-dir "$rund" --chroot-base "$tmp/jail" "$(basename "$d")" > /dev/null 2>&1; done
        rm -rf "$rund"
}
on_exit cleanup
mkdir -p "$tmp/img"
fake_kernel "$tmp/img/vmlinux" 6.1.0-sis 64
head -c 1M /dev/urandom > "$tmp/img/rootfs.ext4"
truncate -s 64M "$tmp/img/home.ext4"
# the stand-in jailer of tests/lib.sh (standin_vmm: the VMM in the VM's cgroup as the VM's uid, the
# record on fd 3 and the jail's root on fd 4), timing itself until the server's socket is there
cat > "$tmp/jailer" << EOF
$STANDIN_JAILER_HEAD
t0=\$(date +%s%N)
cg=\$(cgdir pids)
mkdir -p "\$cg"
rec=\$vm/requests.jsonl
: >> "\$rec"
chmod 666 "\$rec"
# shellcheck disable=SC2016 # \$\$ and \$1 belong to the inner shell
setsid sh -c 'echo \$\$ > "\$1/cgroup.procs" && shift && exec "\$@"' sh "\$cg" \\
        setpriv --reuid="\$uid" --regid="\$gid" --clear-groups \\
        /usr/bin/python3 $PWD/tests/launch/fc-server.py --socket /proc/self/fd/4/run/firecracker.socket --record /proc/self/fd/3 --guest-mib $memmib \\
        3>> "\$rec" 4< "\$root" < /dev/null > /dev/null 2>&1 &
echo \$! > "\$root/firecracker.pid"
while [ ! -S "\$root/run/firecracker.socket" ]; do sleep 0.005; done
echo \$(( (\$(date +%s%N) - t0) / 1000 )) > "\$vm/jailer-us"
EOF
chmod 755 "$tmp/jailer"
printf '#!/bin/sh\necho "Firecracker v1.16.1"\n' > "$tmp/firecracker"
chmod 755 "$tmp/firecracker"
# the gate's policy: waive what fails on this host (a development host), as the tests do
dev_policy "$tmp" "$tmp/jail" 20000-20009 bench || true
L=(--run-dir "$rund" --chroot-base "$tmp/jail" --uid-range 20000-20009 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker")
: > "$tmp/ms"
if [ "$mode" = metrics ]; then
        TH=sisb-th-$$ INET=sisb-inet-$$
        for n in $TH $INET; do netns_new "$n" || exit 1; done
        uplink_world "$TH" "$INET" || exit 1
        M=(--run-dir "$rund" --chroot-base "$tmp/jail" --uid-range 20500-20999 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker")
        # shellcheck disable=SC2317 # called through on_exit
        clean_all() {
                local d
                for d in "$rund"/vms/*/; do [ -d "$d" ] && inns "$TH" "$bin" clean "${M[@]}" "$(basename "$d")" > /dev/null 2>&1; done
        }
        on_exit clean_all
        for i in $(seq "$nvms"); do
                inns "$TH" "$bin" run --name "bm$i" --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" \
                        --net-pool 172.30.0.0/21 --net-rate 100 --max-conns 100 "${M[@]}" --policy "$tmp/dev-policy.json" > /dev/null 2>&1 ||
                        { echo "bench: VM bm$i did not start" >&2; exit 1; }
        done
        # timed inside the namespace, as a timer unit would run it: no nsenter in the figure
        # shellcheck disable=SC2016 # the inner shell expands its own arguments
        inns "$TH" /bin/bash -c '
                for i in $(seq "$2"); do
                        t0=$EPOCHREALTIME
                        "$1" metrics > "$3/metrics.prom" || exit 1
                        t1=$EPOCHREALTIME
                        awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.3f\n\", (b - a) * 1000 }"
                done' sh "$bin" "$runs" "$tmp" > "$tmp/ms" || exit 1
        kib=$(inns "$TH" /usr/bin/time -f %M "$bin" metrics 2>&1 > /dev/null | tail -1)
        samples=$(grep -c '^sis_vm' "$tmp/metrics.prom")
        [ "$(grep -c '^sis_vm_up{.*} 1$' "$tmp/metrics.prom")" = "$nvms" ] || { echo "bench: not every VM is up in the metrics" >&2; exit 1; }
        promtool check metrics < "$tmp/metrics.prom" > /dev/null 2>&1 || { echo "bench: promtool refuses the metrics" >&2; exit 1; }
        t0=$EPOCHREALTIME
        for i in $(seq "$nvms"); do
                ip -n "sis-bm$i" -s -j link show tap0 > /dev/null
                ip netns exec "sis-bm$i" nft -j list counters table inet sis > /dev/null
        done
        t1=$EPOCHREALTIME
        base=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
        sort -n "$tmp/ms" | awk -v kib="$kib" -v base="$base" -v s="$samples" '{ v[NR] = $1 } END { n = NR;
                med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; p = int(0.9 * n); if (p < 0.9 * n) p++;
                printf "%.2f %.2f %d %s %d\n", med, v[p], kib, base, s }'
        exit 0
fi
if [ "$mode" = restore ]; then
        # a key, a ledger and the images by hash, as an operator's; the snapshot on /var/tmp (a disk)
        mkdir -m 0700 "$tmp/keys" "$tmp/images"
        head -c 32 /dev/urandom > "$tmp/keys/snapshot.key"
        chmod 600 "$tmp/keys/snapshot.key"
        cp "$tmp/img/rootfs.ext4" "$tmp/images/"
        SN=(--key "$tmp/keys/snapshot.key" --ledger "$tmp/ledger" --images "$tmp/images")
        snapd=$(mktemp -d /var/tmp/sis-bench-snap.XXXXXX)
        : > "$tmp/snap-ms"
        for i in $(seq "$runs"); do
                "$bin" run --name b1 --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" --mem "$memmib" \
                        --home "$tmp/img/home.ext4" --net none "${L[@]}" --policy "$tmp/dev-policy.json" > /dev/null 2>&1
                t0=$EPOCHREALTIME
                "$bin" snapshot b1 --out "$snapd/s" "${L[@]}" "${SN[@]}" > /dev/null 2>&1
                t1=$EPOCHREALTIME
                awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f\n", (b - a) * 1000}' >> "$tmp/snap-ms"
                "$bin" clean --run-dir "$rund" --chroot-base "$tmp/jail" b1 > /dev/null 2>&1
                t0=$EPOCHREALTIME
                "$bin" restore "$snapd/s" --name b2 "${L[@]}" "${SN[@]}" --policy "$tmp/dev-policy.json" > /dev/null 2>&1
                t1=$EPOCHREALTIME
                jus=$(cat "$tmp/jail/firecracker/b2/jailer-us")
                awk -v a="$t0" -v b="$t1" -v j="$jus" 'BEGIN{printf "%.3f\n", (b - a) * 1000 - j / 1000}' >> "$tmp/ms"
                "$bin" clean --run-dir "$rund" --chroot-base "$tmp/jail" b2 > /dev/null 2>&1
                rm -rf "$snapd/s"
        done
        rm -rf "$snapd"
        med() { sort -n "$1" | awk '{ v[NR] = $1 } END { n = NR; printf "%.2f", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
        echo "$(med "$tmp/snap-ms") $(med "$tmp/ms") $(sort -n "$tmp/ms" | awk 'NR == 1 { printf "%.2f", $1 }')"
        exit 0
fi
kib=0
for i in $(seq "$runs"); do
        t0=$EPOCHREALTIME
        /usr/bin/time -f %M -o "$tmp/rss" "$bin" run --name b1 --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" \
                --home "$tmp/img/home.ext4" --net none "${L[@]}" --policy "$tmp/dev-policy.json" > /dev/null 2>&1
        t1=$EPOCHREALTIME
        jus=$(cat "$tmp/jail/firecracker/b1/jailer-us")
        sms=$(/usr/bin/python3 -c "import json,sys; print(sum(json.loads(l)['server_ms'] for l in open(sys.argv[1])))" "$tmp/jail/firecracker/b1/requests.jsonl")
        awk -v a="$t0" -v b="$t1" -v j="$jus" -v s="$sms" 'BEGIN{printf "%.3f\n", (b - a) * 1000 - j / 1000 - s}' >> "$tmp/ms"
        k=$(tail -n1 "$tmp/rss")
        [ "$k" -gt "$kib" ] && kib=$k
        "$bin" clean --run-dir "$rund" --chroot-base "$tmp/jail" b1 > /dev/null 2>&1
done
sort -n "$tmp/ms" | awk -v kib="$kib" '{ v[NR] = $1 } END { n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
        p = int(0.9 * n); if (p < 0.9 * n) p++; printf "%.2f %.2f %.2f %d\n", med, v[p], v[1], kib }'
