#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS, seeded from the fixture hosts; any crash fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=$1
shift
corpus=build/fuzz/corpus
for bin in "$@"; do
        name=$(basename "$bin" | sed 's/^fuzz-//')
        mkdir -p "$corpus/$name"
        case $name in
        cpuinfo) seeds=(tests/fixtures/hosts/*/proc/cpuinfo) ;;
        cmdline) seeds=(tests/fixtures/hosts/*/proc/cmdline) ;;
        swaps) seeds=(tests/fixtures/hosts/*/proc/swaps) ;;
        mounts) seeds=(tests/fixtures/hosts/*/proc/mounts) ;;
        kconfig) seeds=(tests/fixtures/hosts/*/boot/config-* tests/fixtures/hosts/*/proc/config.gz) ;;
        vuln) seeds=(tests/fixtures/hosts/*/sys/devices/system/cpu/vulnerabilities/*) ;;
        modparam) seeds=(tests/fixtures/hosts/*/sys/module/*/parameters/*) ;;
        dumpmeta) seeds=(tests/fixtures/hosts/*/sis-dump.json) ;;
        policy) seeds=(tests/fixtures/policies/*.json) ;;
        report) seeds=(tests/expected/*.json) ;;
        recipe) seeds=(rootfs/*.recipe) ;;
        tar) seeds=(tests/data/tar/*) ;;
        qmp) seeds=(tests/data/qmp/*) ;;
        ldd) seeds=(tests/data/ldd/*) ;;
        cgroup) seeds=(tests/fixtures/hosts/*/proc/mounts) ;;
        *) seeds=() ;;
        esac
        i=0
        for s in "${seeds[@]}"; do
                [ -f "$s" ] && cp "$s" "$corpus/$name/seed-$i" && i=$((i + 1))
        done
        echo "fuzz $name: ${secs}s, $i seeds"
        "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
                -artifact_prefix="build/fuzz/$name-" "$corpus/$name" 2>&1 | tail -3
done
echo "fuzz: all targets ran ${secs}s without a finding"
