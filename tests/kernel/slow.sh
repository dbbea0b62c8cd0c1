#!/usr/bin/env bash
# The slow kernel tests (make kernel-check, run by CI): from Debian's linux-source-6.1 tarball,
# offline, the sis-guest profile builds with zero dropped symbols; an unchanged rebuild is a cache
# hit; a second build from clean, interrupted and resumed, gives a byte-identical vmlinux; a typo'd
# symbol is refused naming its fragment line; the kernel boots under QEMU microvm (TCG) and has
# what SIS needs. Prints "ok NAME" / "not ok NAME" and the timings for make bench.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=build/sis-provision
src=${SIS_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
tmp=$(mktemp -d /var/tmp/sis-kernel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; status=1; }
now() { date +%s.%N; }

[ -f "$src" ] || { notok "no kernel source at $src (scripts/deps.sh kernel installs linux-source-6.1)"; exit 1; }
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01: both builds claim the same date

# 1. a build from clean
t0=$(now)
"$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache1" --out "$tmp/out1" 2> "$tmp/build1.err"
rc=$?
t1=$(now)
cold=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b - a}')
grep '==>' "$tmp/build1.err"
if [ "$rc" = 0 ] && grep -qE 'all [0-9]+ requested symbols are in the final config' "$tmp/build1.err"; then
        ok "sis-guest from linux-source-6.1: zero dropped symbols, built in ${cold} s"
else
        notok "build from clean (exit $rc)"; tail -20 "$tmp/build1.err"; exit 1
fi
for f in vmlinux bzImage config manifest.json SHA256SUMS; do [ -s "$tmp/out1/$f" ] || notok "output $f missing"; done
file "$tmp/out1/vmlinux" | grep -q 'ELF 64-bit.*x86-64' && ok "vmlinux is an uncompressed x86-64 ELF" || notok "vmlinux is not an ELF"
"$bin" verify "$tmp/out1" > /dev/null && ok "verify: outputs match manifest.json" || notok "verify"
(cd "$tmp/out1" && sha256sum -c --quiet SHA256SUMS) && ok "SHA256SUMS checks with sha256sum -c" || notok "SHA256SUMS"

# 2. an unchanged rebuild is a cache hit in under a second
t0=$(now)
"$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache1" --out "$tmp/out1b" 2> "$tmp/hit.err"
t1=$(now)
hit=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
grep -q 'cache hit' "$tmp/hit.err" && awk -v h="$hit" 'BEGIN{exit !(h < 1)}' && ok "unchanged rebuild: cache hit in ${hit} s" ||
        { notok "cached rebuild took ${hit} s"; cat "$tmp/hit.err"; }
cmp -s "$tmp/out1/vmlinux" "$tmp/out1b/vmlinux" && ok "the cache hit gives the same vmlinux" || notok "cache hit differs"

# 3. a second build from clean, interrupted part-way and resumed: byte-identical
# its own session, so that the interruption reaches make and every compiler (a cancelled job)
setsid "$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache2" --out "$tmp/out2" 2> "$tmp/build2a.err" &
pid=$!
sleep 90
kill -TERM -- "-$pid" 2> /dev/null # SIGINT is ignored by background jobs of a script
wait "$pid"
while pgrep -s "$pid" > /dev/null 2>&1; do sleep 0.5; done # every compiler of the group is gone
[ ! -e "$tmp/out2" ] && [ -z "$(ls -A "$tmp/cache2/kernel" 2> /dev/null)" ] && ok "an interrupted build leaves no outputs" ||
        notok "an interrupted build left outputs"
"$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache2" --out "$tmp/out2" 2> "$tmp/build2.err" ||
        { notok "the rerun after the interruption failed"; tail -20 "$tmp/build2.err"; }
a=$(sha256sum "$tmp/out1/vmlinux" | cut -d' ' -f1)
b=$(sha256sum "$tmp/out2/vmlinux" | cut -d' ' -f1)
echo "  vmlinux build 1: $a"
echo "  vmlinux build 2: $b"
[ "$a" = "$b" ] && ok "two builds from clean give a byte-identical vmlinux" || notok "vmlinux differs between builds"
cmp -s "$tmp/out1/bzImage" "$tmp/out2/bzImage" && ok "and a byte-identical bzImage" || notok "bzImage differs"

# 4. a typo'd symbol is refused with its fragment and line (the unpacked source is reused)
mkdir -p "$tmp/cfg/profiles"
cp kernel-configs/*.conf "$tmp/cfg/"
printf 'CONFIG_VIRTIO_BLKK=y # typo\n' >> "$tmp/cfg/virtio.conf"
cp kernel-configs/profiles/sis-guest "$tmp/cfg/profiles/"
"$bin" kernel --source "$src" --configs "$tmp/cfg" --profile sis-guest --cache "$tmp/cache1" --out "$tmp/out3" 2> "$tmp/typo.err"
rc=$?
[ "$rc" = 1 ] && grep -q "virtio.conf:[0-9]*: CONFIG_VIRTIO_BLKK=y became n: unknown symbol" "$tmp/typo.err" &&
        ok "a typo'd symbol fails naming virtio.conf's line" || { notok "typo (exit $rc)"; cat "$tmp/typo.err"; }

# 5. it boots, and has what SIS needs
tests/kernel/boot.sh "$tmp/out1"

mkdir -p build
printf 'cold_build_seconds=%s\ncached_rebuild_seconds=%s\nvmlinux_sha256=%s\n' "$cold" "$hit" "$a" > build/kernel-bench.txt
exit $status
