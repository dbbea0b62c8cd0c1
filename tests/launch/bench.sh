#!/usr/bin/env bash
# make bench: sis-launch's own time from `run` to InstanceStart accepted, against the recording
# server (tests/launch/fc-server.py) behind a stand-in jailer. Measured per run: the wall time of
# `sis-launch run`, minus the stand-in jailer's own time (bash, starting python, waiting for its
# socket) and the server's time per request: what remains is sis-launch (the gate's audit, the
# lease, staging, the state, the jailer's fork/exec, the API client). Root only.
# Usage: tests/launch/bench.sh RUNS   -> prints "median_ms p90_ms min_ms peak_rss_kib"
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
bin=$PWD/build/sis-launch
tmp=$(mktemp -d /tmp/sis-launch-bench.XXXXXX)
# the run directory on a tmpfs, as /run/sis is in production (/dev/shm here)
rund=$(mktemp -d /dev/shm/sis-launch-bench.XXXXXX)
trap 'for d in "$rund"/vms/*/; do [ -d "$d" ] && "$bin" clean --run-dir "$rund" --chroot-base "$tmp/jail" "$(basename "$d")" >/dev/null 2>&1; done; rm -rf "$tmp" "$rund"' EXIT
mkdir -p "$tmp/img"
{ head -c 64K /dev/urandom; printf 'Linux version 6.1.0-sis (bench) #1\0'; head -c 64K /dev/urandom; } > "$tmp/img/vmlinux"
head -c 1M /dev/urandom > "$tmp/img/rootfs.ext4"
truncate -s 64M "$tmp/img/home.ext4"
cat > "$tmp/jailer" <<EOF
#!/bin/bash
[ "\$1" = --version ] && { echo "Jailer v1.16.1"; exit 0; }
t0=\$(date +%s%N)
id= base=
while [ \$# -gt 0 ]; do case \$1 in --id) id=\$2; shift ;; --chroot-base-dir) base=\$2; shift ;; --) break ;; esac; shift; done
root="\$base/firecracker/\$id/root"
mkdir -p "\$root/run"
setsid /usr/bin/python3 $PWD/tests/launch/fc-server.py --socket "\$root/run/firecracker.socket" \\
        --record "\$base/firecracker/\$id/requests.jsonl" --ready "\$base/firecracker/\$id/ready" < /dev/null > /dev/null 2>&1 &
echo \$! > "\$root/firecracker.pid"
while [ ! -e "\$base/firecracker/\$id/ready" ]; do sleep 0.005; done
echo \$(( (\$(date +%s%N) - t0) / 1000 )) > "\$base/firecracker/\$id/jailer-us"
EOF
chmod 755 "$tmp/jailer"
printf '#!/bin/sh\necho "Firecracker v1.16.1"\n' > "$tmp/firecracker"
chmod 755 "$tmp/firecracker"
# the gate's policy: waive what fails on this host (a development host), as the tests do
build/sis-audit --format json --firecracker "$tmp/firecracker" --jailer "$tmp/jailer" --chroot-base "$tmp/jail" \
        --jail-uid 20000-20009 --jail-gid 20000-20009 > "$tmp/audit.json" 2>/dev/null || true
/usr/bin/python3 "$PWD/tests/launch/dev-policy.py" "$tmp/audit.json" "$tmp/policy.json" "bench"
chmod 644 "$tmp/policy.json"
L=(--run-dir "$rund" --chroot-base "$tmp/jail" --uid-range 20000-20009 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker")
: > "$tmp/ms"
kib=0
for i in $(seq "$runs"); do
        t0=$EPOCHREALTIME
        /usr/bin/time -f %M -o "$tmp/rss" "$bin" run --name b1 --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" \
                --home "$tmp/img/home.ext4" --net none "${L[@]}" --policy "$tmp/policy.json" > /dev/null 2>&1
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
