#!/usr/bin/env bash
# The slow kernel tests (make kernel-check, run by CI): from Debian's linux-source-6.1 tarball,
# offline, the sis-guest profile builds with zero dropped symbols; an unchanged rebuild is a cache
# hit; a second build from clean, interrupted and resumed, gives a byte-identical vmlinux; a typo'd
# symbol is refused naming its fragment line; the kernel boots under QEMU microvm (TCG) and has
# what SIS needs. The first build then seeds make e2e's cache (${SIS_E2E_CACHE:-/var/cache/sis};
# SIS_SEED_E2E_CACHE=0: not): e2e asks for the same inputs, whose hash is the cache's key, so its
# hit is honest and the kernel is not built a third time. Prints "ok NAME" / "not ok NAME" and
# the timings for make bench.
# The kernel tree and its builds are large: $tmp goes under /var/tmp (often not a tmpfs).
SIS_TMPDIR=${SIS_TMPDIR:-/var/tmp}
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$SIS_ROOT" || exit 1
bin=build/sis-provision
src=${SIS_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
now() { date +%s.%N; }

[ -f "$src" ] || { notok "no kernel source at $src (scripts/deps.sh kernel installs linux-source-6.1)"; finish; }
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
        notok "build from clean (exit $rc)" "$(tail -n 20 "$tmp/build1.err")"
        finish
fi
for f in vmlinux bzImage config manifest.json SHA256SUMS sbom.cdx.json; do [ -s "$tmp/out1/$f" ] || notok "output $f missing"; done
out=$(node tests/sbom/validate.js "$tmp/out1/sbom.cdx.json" 2>&1) &&
        ok "sbom.cdx.json: valid CycloneDX 1.5 (@cyclonedx/cyclonedx-library's strict validator)" || notok "sbom.cdx.json" "$out"
what=$(file "$tmp/out1/vmlinux")
if has 'ELF 64-bit.*x86-64' "$what"; then ok "vmlinux is an uncompressed x86-64 ELF"; else notok "vmlinux is not an ELF" "$what"; fi
check "verify: outputs match manifest.json" "$bin" verify "$tmp/out1"
check "SHA256SUMS checks with sha256sum -c" env -C "$tmp/out1" sha256sum -c --quiet SHA256SUMS

# make e2e's cache gets this build's entry (kernel/KEY, verified) and the inputs' key pointing at it
# (inputs/IKEY), each put in place by a rename; an entry it has already is left alone
seed_e2e_cache() { # FROM TO
        local e key f
        mkdir -p "$2/kernel" "$2/inputs" || return 1
        for e in "$1"/kernel/*/; do
                e=${e%/}
                key=$(basename "$e")
                [ -e "$2/kernel/$key" ] && continue
                "$bin" verify "$e" > /dev/null || return 1
                rm -rf "$2/kernel/.seed-$key"
                cp -a "$e" "$2/kernel/.seed-$key" && mv -T "$2/kernel/.seed-$key" "$2/kernel/$key" || return 1
        done
        for f in "$1"/inputs/*; do
                cp "$f" "$2/inputs/.seed-$$" && mv "$2/inputs/.seed-$$" "$2/inputs/$(basename "$f")" || return 1
        done
}
if [ "${SIS_SEED_E2E_CACHE:-1}" = 1 ]; then
        seed=${SIS_E2E_CACHE:-/var/cache/sis}
        if seed_e2e_cache "$tmp/cache1" "$seed" 2> "$tmp/seed.err"; then
                echo "# make e2e's cache $seed has this kernel now (its inputs' key included)"
        else
                echo "# could not seed make e2e's cache $seed: $(head -n 1 "$tmp/seed.err")"
        fi
fi

# 2. an unchanged rebuild is a cache hit in under a second
t0=$(now)
"$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache1" --out "$tmp/out1b" 2> "$tmp/hit.err"
t1=$(now)
hit=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
if grep -q 'cache hit' "$tmp/hit.err" && awk -v h="$hit" 'BEGIN{exit !(h < 1)}'; then
        ok "unchanged rebuild: cache hit in ${hit} s"
else
        notok "cached rebuild took ${hit} s" "$(cat "$tmp/hit.err")"
fi
check "the cache hit gives the same vmlinux" cmp "$tmp/out1/vmlinux" "$tmp/out1b/vmlinux"

# 3. a second build from clean, interrupted part-way and resumed: byte-identical
# its own session, so that the interruption reaches make and every compiler (a cancelled job)
setsid "$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache2" --out "$tmp/out2" 2> "$tmp/build2a.err" &
pid=$!
sleep 90
kill -TERM -- "-$pid" 2> /dev/null # SIGINT is ignored by background jobs of a script
wait "$pid"
while pgrep -s "$pid" > /dev/null 2>&1; do sleep 0.5; done # every compiler of the group is gone
left=$(ls -A "$tmp/cache2/kernel" 2> /dev/null)
if [ ! -e "$tmp/out2" ] && [ -z "$left" ]; then
        ok "an interrupted build leaves no outputs"
else
        notok "an interrupted build left outputs" "$(ls -d "$tmp/out2" 2> /dev/null)" "$left"
fi
if ! "$bin" kernel --source "$src" --profile sis-guest --cache "$tmp/cache2" --out "$tmp/out2" 2> "$tmp/build2.err"; then
        notok "the rerun after the interruption failed" "$(tail -n 20 "$tmp/build2.err")"
fi
a=$(sha256sum "$tmp/out1/vmlinux" | cut -d' ' -f1)
b=$(sha256sum "$tmp/out2/vmlinux" | cut -d' ' -f1)
echo "  vmlinux build 1: $a"
echo "  vmlinux build 2: $b"
if [ "$a" = "$b" ]; then ok "two builds from clean give a byte-identical vmlinux"; else notok "vmlinux differs between builds"; fi
check "and a byte-identical bzImage" cmp "$tmp/out1/bzImage" "$tmp/out2/bzImage"

# 4. a typo'd symbol is refused with its fragment and line (the unpacked source is reused)
mkdir -p "$tmp/cfg/profiles"
cp kernel-configs/*.conf "$tmp/cfg/"
printf 'CONFIG_VIRTIO_BLKK=y # typo\n' >> "$tmp/cfg/virtio.conf"
cp kernel-configs/profiles/sis-guest "$tmp/cfg/profiles/"
expect "a typo'd symbol fails naming virtio.conf's line" 1 "virtio.conf:[0-9]*: CONFIG_VIRTIO_BLKK=y became n: unknown symbol" \
        "$bin" kernel --source "$src" --configs "$tmp/cfg" --profile sis-guest --cache "$tmp/cache1" --out "$tmp/out3"

# 5. it boots, and has what SIS needs
tests/kernel/boot.sh "$tmp/out1"

mkdir -p build
printf 'cold_build_seconds=%s\ncached_rebuild_seconds=%s\nvmlinux_sha256=%s\n' "$cold" "$hit" "$a" > build/kernel-bench.txt
finish
