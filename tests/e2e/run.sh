#!/usr/bin/env bash
# shellcheck disable=SC2015 # ok only echoes: "A && ok || notok" is an if-then-else here
# The whole chain, end to end (make e2e, run by CI; root): the sis-guest kernel from Debian's
# linux-source-6.1 (cached by its inputs' hash), the Debian-flavour rootfs with the e2e service,
# home disks holding a container image built here, an audit with a development policy recorded
# in the run, then QEMU microvm VMs under sis-launch's jail with TCG:
#   A and B at once: each prints its markers (kernel, / read-only, home read-write, Podman's
#     storage on the home disk, a container from the local image, no name resolution), reaches
#     the "internet" namespace and not the other VM; escape checks on both VMMs while they run;
#     B runs with --disk-rate 5: its dd of 32 MiB to its home disk, timed by the host, is at
#     most 5.5 MB/s, and sis-launch metrics shows its block, network and CPU counters move.
#     B powers off and its teardown leaves nothing.
#   A is snapshotted, cleaned, restored 30 s later once as A2 (it goes on ticking, its clock the
#     host's within 2 s of the resume, then powers off); a second restore is refused.
#   V boots a copy of the image with one byte of a file's data flipped: sis-launch refuses it (the
#     manifest's sha256); let through with --no-image-hash, the guest's dm-verity root gives an I/O
#     error for that file (A and B show / is /dev/dm-0, and that every block reads back).
#   K is SIGKILLed mid-run; clean leaves nothing.
# The network is only namespaces made here (th: the test's host with uplink up0; inet: "the
# internet", 198.51.100.1); nothing has a route to a real interface. Prints "ok NAME" /
# "not ok NAME", and the figures for make bench in build/e2e-bench.txt.
# Images and jails are large: $tmp goes under /var/tmp (often not a tmpfs).
SIS_TMPDIR=${SIS_TMPDIR:-/var/tmp}
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$SIS_ROOT" || exit 1
top=$PWD
launch=$top/build/sis-launch prov=$top/build/sis-provision audit=$top/build/sis-audit
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [ "$(id -u)" != 0 ]; then notok "e2e needs root (namespaces, cgroups, jails)"; finish; fi
cache=${SIS_E2E_CACHE:-/var/cache/sis}
src=${SIS_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
qemu=${SIS_QEMU:-/usr/bin/qemu-system-x86_64}
# the jails' base must be root-owned all the way up (the audit's jail.chroot_base)
chmod 755 "$tmp"
sfx=$$
TH=sise-th-$sfx INET=sise-inet-$sfx
run=$tmp/run jail=$tmp/jail
L=(--run-dir "$run" --chroot-base "$jail" --uid-range 40000-40009 --backend qemu --accel tcg --qemu "$qemu")
inth() { inns "$TH" "$@"; }
servers=() # the http.servers started here
# shellcheck disable=SC2317 # called through on_exit
cleanup() { # before the namespaces go (cleanups run in reverse order)
        local d p
        for p in "${servers[@]}"; do kill "$p" 2> /dev/null; done
        for d in "$run"/vms/*/; do [ -d "$d" ] && inth "$launch" clean "${L[@]}" "$(basename "$d")" > /dev/null 2>&1; done
}

# --- images -------------------------------------------------------------------------------------
# The kernel with make kernel-check's epoch, the rootfs with its recipe's (as make rootfs-check
# builds it): the same inputs as theirs, so a cache they seeded is hit, honestly (keyed by the
# inputs' hash), and a cache they did not seed is filled the same way.
t0=$(now)
if SOURCE_DATE_EPOCH=1767225600 "$prov" kernel --source "$src" --profile sis-guest --cache "$cache" --out "$tmp/kernel" 2> "$tmp/kernel.err"; then
        how=built
        grep -q 'cache hit' "$tmp/kernel.err" && how="cache hit, keyed by the inputs' hash"
        ok "kernel: sis-guest from $(basename "$src") ($how in $(since "$t0") s)"
else
        notok "kernel build" "$(tail -n 5 "$tmp/kernel.err")"; finish
fi
mkdir -p "$tmp/recipes"
cp -r rootfs/. "$tmp/recipes/"
cp tests/e2e/sis-e2e.recipe "$tmp/recipes/"
cp -r tests/e2e/overlay "$tmp/recipes/overlay/e2e"
t0=$(now)
if env -u SOURCE_DATE_EPOCH "$prov" rootfs --distro debian --recipes "$tmp/recipes" --recipe sis-e2e --cache "$cache" --out "$tmp/rootfs" 2> "$tmp/rootfs.err"; then
        how="Debian base built"
        grep -q 'the cache holds this Debian base already' "$tmp/rootfs.err" && how="Debian base from the cache, keyed by the inputs and the archive's InRelease"
        ok "rootfs: debian sis-session + the e2e service ($how; $(since "$t0") s, sha256 $(sha256sum "$tmp/rootfs/rootfs.ext4" | cut -c1-12))"
else
        notok "rootfs build" "$(tail -n 5 "$tmp/rootfs.err")"; finish
fi
python3 tests/e2e/mkimage.py "$(command -v busybox)" "$tmp/image.tar" localhost/sis-marker:1 "SIS-E2E-CONTAINER: hello from rootless podman"
"$prov" disk --home --size 512M --owner 1000:1000 --out "$tmp/home.ext4" 2> /dev/null || { notok "home disk"; finish; }
home_for() { # NAME TICKS PROBES [DD_MB]: a home disk template with the e2e directory for one VM
        cp --sparse=always "$tmp/home.ext4" "$tmp/home-$1.ext4"
        printf 'TICKS=%s\nPROBES="%s"\nDD_MB=%s\n' "$2" "$3" "${4:-}" > "$tmp/env-$1"
        debugfs -w -f - "$tmp/home-$1.ext4" > /dev/null 2>&1 <<EOF
mkdir e2e
sif e2e uid 1000
sif e2e gid 1000
cd e2e
write $tmp/image.tar image.tar
write $tmp/env-$1 env
EOF
}

# --- the test's world: a host namespace with an uplink to "the internet" ------------------------
# from here on, host-wide names (netns sis-e2e-*, cgroups qemu/e2e-*, the uid range): the host lock
lock_host
for n in $TH $INET; do netns_new "$n"; done
on_exit cleanup
uplink_world "$TH" "$INET"
ip netns exec "$INET" python3 -m http.server --bind 198.51.100.1 --directory "$tmp" 8080 > /dev/null 2>&1 &
servers+=($!)

# --- the audit, and a development policy for what this host fails --------------------------------
mkdir -p "$jail"
"$audit" --format json --qemu "$qemu" --chroot-base "$jail" --jail-uid 40000-40009 --jail-gid 40000-40009 > "$tmp/audit.json" 2> /dev/null
python3 tests/launch/dev-policy.py "$tmp/audit.json" "$tmp/dev-policy.json" "sis e2e: TCG on a development host"
chmod 644 "$tmp/dev-policy.json"
ok "audit: $(python3 -c "import json; r = json.load(open('$tmp/audit.json')); print(len(r['checks']), 'checks,', sum(c['status'] == 'FAIL' for c in r['checks']), 'failing, waived by the development policy')")"

# --- A and B at once ----------------------------------------------------------------------------
# slots of the pool in order: A gets 10.250.0.1/.2, B 10.250.0.5/.6
POOL=(--net-pool 10.250.0.0/24)
home_for a 60 "inet:198.51.100.1:8080 b-host:10.250.0.5:8080 b-vm:10.250.0.6:8080"
# B writes 32 MiB to its home disk under --disk-rate 5 (QEMU lets a request through while its
# bucket is not full: the larger the write, the less that first burst weighs), then lives 6 s
# more: the monitor asks QEMU for its block counters every 5 s
home_for b 6 "inet:198.51.100.1:8080 a-host:10.250.0.1:8080 a-vm:10.250.0.2:8080" 32
R=(--kernel "$tmp/kernel/vmlinux" --rootfs "$tmp/rootfs/rootfs.ext4" --vcpus 1 --mem 768 --console --policy "$tmp/dev-policy.json")
t_start=$(now)
for v in a b; do
        lim=()
        [ "$v" = b ] && lim=(--disk-rate 5)
        if inth "$launch" run --name "e2e-$v" "${R[@]}" "${lim[@]}" --home "$tmp/home-$v.ext4" "${POOL[@]}" "${L[@]}" 2> "$tmp/run-$v.err"; then
                ok "run e2e-$v: started under the jail ($(grep -o 'uid [0-9]*' "$tmp/run-$v.err" | tail -1))"
        else
                notok "run e2e-$v" "$(cat "$tmp/run-$v.err")"; finish
        fi
done
state() { python3 -c "import json, sys; s = json.load(open('$run/vms/$1/state.json')); print(eval(sys.argv[1]))" "$2"; }
# the first metrics, while the guests boot: what follows must move from here
inth "$launch" metrics --format json > "$tmp/metrics-0.json" 2> /dev/null
# B's dd, timed by the host: when "dd start" and the dd's result appear on its console (polled every
# 0.1 s; a guest's own clock under TCG may run slow)
(
        t_dd=
        for _ in $(seq 6000); do
                tr -d '\r' < "$run/vms/e2e-b/qemu.log" > "$tmp/dd-watch.console" 2> /dev/null
                if [ -z "$t_dd" ] && grep -saq 'SIS-E2E: dd start' "$tmp/dd-watch.console"; then t_dd=$(now); fi
                if [ -n "$t_dd" ] && grep -saq 'SIS-E2E: dd [0-9]* bytes' "$tmp/dd-watch.console"; then echo "$t_dd $(now)"; break; fi
                sleep 0.1
        done > "$tmp/dd-host"
) &
# something to be reached at each VM's own addresses (owned by its namespace): only the firewall stops a probe
for v in a b; do
        ip netns exec "sis-e2e-$v" python3 -m http.server --bind "$(state "e2e-$v" "s['net']['vm_ip']")" --directory "$tmp" 8080 > /dev/null 2>&1 &
        servers+=($!)
done
[ "$(state e2e-a "s['net']['vm_ip']")" = 10.250.0.2 ] && [ "$(state e2e-b "s['net']['vm_ip']")" = 10.250.0.6 ] &&
        ok "two VMs: their links are 10.250.0.0/30 and 10.250.0.4/30 as planned" || notok "the VMs' links are not the planned ones"
[ "$(state e2e-a "s['audit']['policy']")" = "$tmp/dev-policy.json" ] && ok "the development policy is recorded in the VM's state" ||
        notok "the policy is not recorded"
log() { { tr -d '\r' < "$run/vms/$1/qemu.log"; } 2> /dev/null; }
# inlog VM PATTERN: the VM's console has a line matching PATTERN (grep on a copy: grep -q reading
# a pipe would stop the writer early, and pipefail made that a failure now and then)
inlog() { log "$1" > "$tmp/$1.console"; grep -aq -- "$2" "$tmp/$1.console"; }
wait_for() { # VM PATTERN SECONDS
        local i
        for ((i = 0; i < $3 * 2; i++)); do inlog "$1" "$2" && return 0; sleep 0.5; done
        return 1
}
# watch_ticks VM SINCE SECONDS: for SECONDS from SINCE, every 0.1 s, each new "tick N at T" on the
# VM's console, with the host's time when it was first seen: "N T HOST" lines in $tmp/ticks-VM
watch_ticks() {
        local seen=" " n g h
        : > "$tmp/ticks-$1"
        while awk -v a="$(now)" -v e="$2" -v d="$3" 'BEGIN { exit !(a < e + d) }'; do
                h=$(now)
                log "$1" > "$tmp/$1.console"
                while read -r n g; do
                        [[ $seen == *" $n "* ]] && continue
                        seen+="$n "
                        echo "$n $g $h" >> "$tmp/ticks-$1"
                done < <(grep -ao 'SIS-E2E: tick [0-9]* at [0-9.]*' "$tmp/$1.console" | awk '{ print $3, $5 }')
                sleep 0.1
        done
}
peak_rss() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2> /dev/null || echo 0; }
pa=$(state e2e-a "s['pid']") pb=$(state e2e-b "s['pid']")
rss=0
wait_for e2e-a 'SIS-E2E: kernel' 300 && boot_a=$(since "$t_start") || boot_a=
wait_for e2e-a 'SIS-E2E: checks done' 600 && wait_for e2e-b 'SIS-E2E: checks done' 600 ||
        { notok "the guests never finished their checks"; log e2e-a | tail -30; log e2e-b | tail -30; }
for p in $pa $pb; do r=$(peak_rss "$p"); [ "${r:-0}" -gt "$rss" ] && rss=$r; done
jail_ms="$(state e2e-a "'%.1f' % s['jail_setup_ms']") $(state e2e-b "'%.1f' % s['jail_setup_ms']")"
for v in a b; do
        log "e2e-$v" | grep -a 'SIS-E2E' | sed "s/^/  e2e-$v: /"
        want() { if inlog "e2e-$v" "SIS-E2E: $1"; then ok "e2e-$v: $2"; else notok "e2e-$v: $2"; fi; }
        want "kernel 6\.1\." "the guest prints its kernel version"
        want "root ext4 ro" "/ is mounted read-only"
        want "root device dm-0 ([0-9]*:[0-9]*) sis-root over vda" "/ is dm-verity's /dev/dm-0 (sis-root over vda), from the manifest's root hash"
        want "verity probe read" "every block of the unchanged image reads back"
        want "home /dev/vdb ext4 rw" "/home/sis is the home disk, read-write"
        want "user sis uid 1000 gid 1000 caps 0000000000000000" "the session runs as the unprivileged user, no capabilities"
        want "root write refused" "the user cannot write /"
        want "podman storage /home/sis/.local/share/containers/storage on /home/sis" "Podman's storage is on the home disk"
        want "image loaded" "podman load from the local tarball (no registry)"
        want "container: SIS-E2E-CONTAINER: hello from rootless podman" "podman run --rm prints the container's marker"
        want "resolve example.com: nothing" "nothing outside resolves"
        want "probe inet 198.51.100.1:8080 reachable" "the VM reaches the internet namespace through its NAT"
done
inlog e2e-a "probe b-host 10.250.0.5:8080 unreachable" && inlog e2e-a "probe b-vm 10.250.0.6:8080 unreachable" &&
        ok "e2e-a cannot reach e2e-b's addresses" || notok "e2e-a reaches e2e-b"
inlog e2e-b "probe a-host 10.250.0.1:8080 unreachable" && inlog e2e-b "probe a-vm 10.250.0.2:8080 unreachable" &&
        ok "e2e-b cannot reach e2e-a's addresses" || notok "e2e-b reaches e2e-a"

# --- escape checks on the running VMMs -----------------------------------------------------------
for v in a b; do
        p=$(state "e2e-$v" "s['pid']") uid=$(state "e2e-$v" "s['uid']")
        st=/proc/$p/status
        [ "$(awk '/^Uid/ { print $2 $3 $4 $5 }' "$st")" = "$uid$uid$uid$uid" ] && ok "e2e-$v: QEMU runs as the VM's uid $uid" || notok "e2e-$v: uid"
        awk '/^Cap(Inh|Prm|Eff|Bnd|Amb)/ { if ($2 != "0000000000000000") bad = 1 } END { exit bad }' "$st" &&
                ok "e2e-$v: no capabilities in any set" || notok "e2e-$v: capabilities left"
        grep -q '^Seccomp:[[:space:]]*2' "$st" && grep -q '^NoNewPrivs:[[:space:]]*1' "$st" &&
                ok "e2e-$v: seccomp mode 2 and no_new_privs (/proc/$p/status)" || notok "e2e-$v: seccomp / no_new_privs"
        for ns in mnt pid net ipc uts; do
                [ "$(readlink "/proc/$p/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] || notok "e2e-$v: shares the $ns namespace"
        done
        ok "e2e-$v: its own mount, pid, net, ipc and uts namespaces"
        # shellcheck disable=SC2012 # the jail's own names, plain
        top_level=$(ls -A "/proc/$p/root" | sort | tr '\n' ' ')
        [ "$top_level" = "dev disk lib lib64 logger.fifo metrics.fifo proc rootfs.ext4 run usr vmlinux " ] &&
                ok "e2e-$v: its root holds only its jail: $top_level" || notok "e2e-$v: its root shows $top_level"
        ! ls -d "/proc/$p/root/etc" "/proc/$p/root/home" "/proc/$p/root$tmp" > /dev/null 2>&1 &&
                ok "e2e-$v: no host /etc, /home, or the other VM's files" || notok "e2e-$v: host paths visible"
        # shellcheck disable=SC2012 # the jail's own names, plain
        [ "$(ls "/proc/$p/root/dev" | sort | tr '\n' ' ')" = "net null urandom " ] && ok "e2e-$v: /dev has null, urandom, net/tun only" ||
                notok "e2e-$v: /dev has $(ls "/proc/$p/root/dev" | tr '\n' ' ')"
        ifnames() { awk -F: '/:/ { gsub(/ /, "", $1); print $1 }'; }
        ifs=$(ifnames < "/proc/$p/net/dev" | sort | tr '\n' ' ')
        seen=
        # the real host's interfaces and the test host's (up0)
        for i in $({ cat /proc/self/net/dev; inth cat /proc/self/net/dev; } | ifnames); do
                [ "$i" != lo ] && [[ " $ifs " == *" $i "* ]] && seen="$seen $i"
        done
        [ -z "$seen" ] && [[ " $ifs " == *" tap0 "* ]] && ok "e2e-$v: its network is its own ($ifs), none of the host's" ||
                notok "e2e-$v: sees the host's$seen ($ifs)"
        grep -q ":/qemu/e2e-$v\$" "/proc/$p/cgroup" && ok "e2e-$v: in its cgroups (qemu/e2e-$v)" || notok "e2e-$v: cgroup $(cat "/proc/$p/cgroup")"
done
[ "$(state e2e-a "s['uid']")" != "$(state e2e-b "s['uid']")" ] && ok "two VMs: separate uids" || notok "two VMs share a uid"

# --- B's fair share and visibility: --disk-rate 5 holds its writes; its counters move ------------
dd_line=$(log e2e-b | grep -ao 'SIS-E2E: dd [0-9]* bytes.*' | tail -1)
wait_until 10 test -s "$tmp/dd-host"
read -r d0 d1 < "$tmp/dd-host"
dd_rate=$(awk -v a="$d0" -v b="$d1" 'BEGIN { if (b > a) printf "%.2f", 33554432 / (b - a) / 1e6 }')
[ -n "$dd_rate" ] && has ' 33554432 bytes' "$dd_line" && awk -v r="$dd_rate" 'BEGIN { exit !(r > 0 && r <= 5.5) }' &&
        ok "e2e-b: --disk-rate 5: the guest's dd of 32 MiB to its home disk (O_DIRECT) ran at $dd_rate MB/s by the host's clock (${dd_line##*, } by the guest's)" ||
        notok "e2e-b: dd under --disk-rate 5 at ${dd_rate:-?} MB/s by the host's clock, not at most 5.5" "$dd_line"
moved() {
        inth "$launch" metrics --format json > "$tmp/metrics-1.json" 2> /dev/null &&
                python3 - "$tmp/metrics-0.json" "$tmp/metrics-1.json" > "$tmp/moved" 2>&1 << 'EOF'
import json, sys
def vm(path):
    return {v["vm"]: v for v in json.load(open(path))["vms"]}.get("e2e-b", {})
a, b = vm(sys.argv[1]), vm(sys.argv[2])
get = lambda v, k, f: (v.get(k) or {}).get(f, 0)
# B may have powered off by now: what it did is still counted (its namespace and its monitor's
# counters stay until clean)
assert b["backend"] == "qemu", b
assert get(b, "block", "write_bytes") >= 32 << 20 > get(a, "block", "write_bytes"), (a.get("block"), b.get("block"))
assert get(b, "block", "read_ops") > get(a, "block", "read_ops")
assert get(b, "network", "out_bytes") > get(a, "network", "out_bytes") and get(b, "network", "in_packets") > 0, b.get("network")
# CPU: the cgroup's where it has cpuacct, else the live VMM's threads
assert not b["up"] or (b["cpu_s"] or 0) > (a.get("cpu_s") or 0), (a.get("cpu_s"), b["cpu_s"])
print(f'{get(b, "block", "write_bytes")} bytes written, {get(b, "block", "read_ops")} reads, '
      f'{get(b, "network", "out_bytes")} bytes sent, {b["cpu_s"]} CPU seconds')
EOF
}
wait_until 15 moved && ok "e2e-b: sis-launch metrics: its block, network and CPU counters moved ($(cat "$tmp/moved"))" ||
        notok "e2e-b: metrics did not move" "$(tail -2 "$tmp/moved")"

# --- B powers off; its teardown --------------------------------------------------------------------
leftovers() { # VM: what it left behind
        local id=$1 p
        p=$(state "$id" "s['pid']" 2> /dev/null)
        ls -d "$jail/qemu/$id" 2> /dev/null
        ls -d /sys/fs/cgroup/*/qemu/"$id" /sys/fs/cgroup/qemu/"$id" 2> /dev/null
        ip netns list | grep -w "sis-$id"
        inth nft list tables 2> /dev/null | grep -x "table ip sis-$id"
        grep -F "$jail/qemu/$id" /proc/mounts
        grep -rlx "$id.*" "$run/leases" 2> /dev/null
        ls "/run/sis/registry/$id.json" 2> /dev/null # sis-launch's host-wide registry entry
        [ -d "$run/vms/$id" ] && echo "$run/vms/$id"
        pgrep -f -- "-name $id,debug-threads" > /dev/null && echo "a process"
}
wait_for e2e-b 'reboot: Restarting system' 180 && ok "e2e-b powers off by itself" || notok "e2e-b never powered off"
for _ in $(seq 40); do kill -0 "$pb" 2> /dev/null && [ "$(awk '/^State/ { print $2 }' "/proc/$pb/status" 2> /dev/null)" != Z ] || break; sleep 0.25; done
listed=$(inth "$launch" list --run-dir "$run")
if has 'e2e-b .*stopped' "$listed"; then ok "e2e-b: list shows it stopped"; else notok "e2e-b: list" "$listed"; fi
inth "$launch" clean "${L[@]}" e2e-b > /dev/null 2>&1
left=$(leftovers e2e-b)
[ -z "$left" ] && ok "e2e-b: clean leaves no process, jail, mount, netns, nftables table, cgroup, lease or registry entry" || notok "e2e-b left: $left"

# --- A: snapshot, restore once, refuse the second ---------------------------------------------------
wait_for e2e-a 'SIS-E2E: tick 2 ' 120
# sealed under the test's own key; the ledger issues its id; a restore finds the images by hash
mkdir -m 0700 "$tmp/keys" "$tmp/images"
head -c 32 /dev/urandom > "$tmp/keys/snapshot.key"
chmod 600 "$tmp/keys/snapshot.key"
ln "$tmp/kernel/vmlinux" "$tmp/rootfs/rootfs.ext4" "$tmp/images/" 2> /dev/null || cp "$tmp/kernel/vmlinux" "$tmp/rootfs/rootfs.ext4" "$tmp/images/"
SN=(--key "$tmp/keys/snapshot.key" --ledger "$tmp/ledger" --images "$tmp/images")
if inth "$launch" snapshot e2e-a --out "$tmp/snap" "${L[@]}" "${SN[@]}" 2> "$tmp/snap.err"; then
        # shellcheck disable=SC2012 # the snapshot's own names, plain
        ok "snapshot of e2e-a: $(ls "$tmp/snap" | tr '\n' ' ')($(du -sh --apparent-size "$tmp/snap/vmstate.sealed" | cut -f1) of sealed state)"
        grep -rqa 'SIS-E2E: tick' "$tmp/snap" && notok "the guest's memory is readable in the snapshot" ||
                ok "nothing the guest printed (its memory) is in the snapshot in clear"
else
        notok "snapshot"; cat "$tmp/snap.err"
fi
last=$(log e2e-a | grep -ao 'SIS-E2E: tick [0-9]*' | tail -1 | grep -o '[0-9]*$')
inth "$launch" clean "${L[@]}" e2e-a > /dev/null 2>&1
# a copy, for the second restore: the first one consumes the directory, and a copy is the same snapshot
cp -r --sparse=always "$tmp/snap" "$tmp/snap-copy"
# the snapshot waits 30 s: the restored guest's clock then stands 30 s (and the restore) behind
sleep 30
t0=$(now)
if inth "$launch" restore "$tmp/snap" --name e2e-a2 --policy "$tmp/dev-policy.json" "${SN[@]}" "${L[@]}" 2> "$tmp/restore.err"; then
        t_resumed=$(now)
        ok "restore as e2e-a2 ($(since "$t0") s)"
        watch_ticks e2e-a2 "$t_resumed" 8
        clock=$(awk -v r="$t_resumed" '
                { lag = $3 - $2; if (NR == 1) first = lag
                  if ($3 >= r + 2) { n++; d = lag < 0 ? -lag : lag; if (d > worst) worst = d } }
                END { printf "%d %.2f %.2f", n, first, worst }' "$tmp/ticks-e2e-a2")
        read -r n first worst <<< "$clock"
        stepped=$(grep -m 1 -ao 'sis-clock: the RTC is [0-9]* s ahead' "$tmp/e2e-a2.console")
        if [ "${n:-0}" -ge 3 ] && awk -v w="$worst" 'BEGIN { exit !(w < 1) }'; then
                ok "the restored guest's clock: its first tick was $first s behind the host's; from 2 s after the resume, its $n ticks are within 1 s of the host's (at worst $worst s; ${stepped:-no sis-clock line})"
        else
                notok "the restored guest's clock is not the host's 2 s after the resume ($n ticks, at worst $worst s off, the first $first s)" "$(cat "$tmp/ticks-e2e-a2")"
        fi
else
        notok "restore"; cat "$tmp/restore.err"
fi
next=$((last + 1))
wait_for e2e-a2 "SIS-E2E: tick $next " 60 && ! inlog e2e-a2 'SIS-E2E: kernel' &&
        ok "the restored guest goes on where it stopped (tick $last, then tick $next), without booting again" ||
        { notok "the restored guest did not continue"; log e2e-a2 | tail -20; }
inth "$launch" restore "$tmp/snap-copy" --name e2e-a3 --policy "$tmp/dev-policy.json" "${SN[@]}" "${L[@]}" 2> "$tmp/restore2.err"
rc=$?
[ "$rc" = 1 ] && grep -q 'restored once already' "$tmp/restore2.err" && ok "a second restore, of a copy, is refused by the ledger (exit 1)" ||
        { notok "second restore (exit $rc)"; cat "$tmp/restore2.err"; }
wait_for e2e-a2 'reboot: Restarting system' 180 && ok "e2e-a2 powers off by itself" || notok "e2e-a2 never powered off"
sleep 1
inth "$launch" clean "${L[@]}" e2e-a2 > /dev/null 2>&1
left=$(leftovers e2e-a2)
[ -z "$left" ] && ok "e2e-a2: clean leaves nothing behind" || notok "e2e-a2 left: $left"

# --- V: one byte flipped in a file's data block, in a copy of the image ----------------------------
# sis-launch's own check refuses the copy; let through (--no-image-hash), the guest's dm-verity
# refuses to read the changed block while the rest of the image boots
mkdir -p "$tmp/rootfs-v"
cp --sparse=always "$tmp/rootfs/rootfs.ext4" "$tmp/rootfs-v/rootfs.ext4"
cp "$tmp/rootfs/manifest.json" "$tmp/rootfs/SHA256SUMS" "$tmp/rootfs-v/"
vblk=$(debugfs -R 'bmap /usr/share/sis-e2e/verity-probe 1' "$tmp/rootfs-v/rootfs.ext4" 2> /dev/null)
home_for v 0 "" # its fstab mounts the home disk: without one, boot stops at a maintenance shell
RVF=(--kernel "$tmp/kernel/vmlinux" --rootfs "$tmp/rootfs-v/rootfs.ext4" --home "$tmp/home-v.ext4" --vcpus 1 --mem 384 --console --net none
        --policy "$tmp/dev-policy.json")
if [[ $vblk =~ ^[0-9]+$ ]]; then
        printf '\x5a' | dd of="$tmp/rootfs-v/rootfs.ext4" bs=1 seek=$((vblk * 4096 + 7)) conv=notrunc status=none
        out=$(inth "$launch" run --name e2e-v "${RVF[@]}" "${L[@]}" 2>&1)
        rc=$?
        [ "$rc" = 1 ] && has "$tmp/rootfs-v/rootfs.ext4: its sha256 .* is not the .* that $tmp/rootfs-v/manifest.json records" "$out" &&
                [ ! -e "$run/vms/e2e-v" ] && ok "e2e-v: the image with a flipped byte (block $vblk) is refused before anything starts (exit 1, naming it)" ||
                notok "e2e-v: a changed image is refused by sis-launch" "exit $rc" "$out"
        if inth "$launch" run --name e2e-v "${RVF[@]}" --no-image-hash "${L[@]}" 2> "$tmp/run-v.err"; then
                if wait_for e2e-v 'SIS-E2E: verity probe' 300; then
                        log e2e-v | grep -a -e 'SIS-E2E: root' -e 'SIS-E2E: verity' -e 'verity' | sed 's/^/  e2e-v: /'
                        inlog e2e-v 'SIS-E2E: verity probe refused: .*Input/output error' &&
                                ok "e2e-v: let through (--no-image-hash), it boots, and reading the changed file is an I/O error" ||
                                notok "e2e-v: the guest read a changed block" "$(log e2e-v | grep -a 'SIS-E2E: verity')"
                        inlog e2e-v 'device-mapper: verity: .*data block .* is corrupted' &&
                                ok "e2e-v: the guest's kernel names the corrupted data block (dm-verity)" ||
                                notok "e2e-v: no dm-verity corruption message on the console"
                else
                        notok "e2e-v: the guest never reached its verity probe" "$(log e2e-v | tail -20)"
                fi
                inth "$launch" kill "${L[@]}" e2e-v > /dev/null 2>&1
                inth "$launch" clean "${L[@]}" e2e-v > /dev/null 2>&1
                left=$(leftovers e2e-v)
                [ -z "$left" ] && ok "e2e-v: clean leaves nothing behind" || notok "e2e-v left: $left"
        else
                notok "run e2e-v --no-image-hash" "$(cat "$tmp/run-v.err")"
        fi
else
        notok "e2e-v: the data block of /usr/share/sis-e2e/verity-probe" "$vblk"
fi

# --- K: SIGKILL mid-run, then clean ----------------------------------------------------------------
home_for k 600 ""
if inth "$launch" run --name e2e-k "${R[@]}" --home "$tmp/home-k.ext4" "${POOL[@]}" "${L[@]}" 2> "$tmp/run-k.err"; then
        pk=$(state e2e-k "s['pid']")
        wait_for e2e-k 'Linux version' 60
        kill -KILL "$pk"
        sleep 0.5
        inth "$launch" clean "${L[@]}" e2e-k > /dev/null 2>&1
        left=$(leftovers e2e-k)
        [ -z "$left" ] && ok "e2e-k: SIGKILL mid-boot, then clean: nothing left" || notok "e2e-k left: $left"
else
        notok "run e2e-k"; cat "$tmp/run-k.err"
fi
tables=$(inth nft list tables 2>&1)
if has '^table ip sis(-|$)' "$tables"; then
        notok "the host's sis tables are still there after the last VM" "$tables"
else
        ok "the last VM gone, no sis table is left on the host"
fi

mkdir -p build
printf 'tcg_boot_to_first_marker_s=%s\nvmm_peak_rss_kib=%s\njail_setup_ms=%s\n' "${boot_a:-?}" "$rss" "$jail_ms" > build/e2e-bench.txt
echo "  TCG boot to the first guest marker: ${boot_a:-?} s; QEMU peak RSS: $((rss / 1024)) MiB; jail setup: $jail_ms ms"
finish
