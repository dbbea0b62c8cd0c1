#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS, seeded from the fixture hosts; any crash fails.
# Targets run FUZZ_JOBS at a time (default: one per CPU), each on its own corpus, its whole
# output kept in build/fuzz/NAME.log and its findings in build/fuzz/NAME-crash-* (and -leak-,
# -timeout-, -oom-); the last lines of each log are printed when the target ends.
# Usage: tests/fuzz/run.sh SECONDS BIN...
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."
secs=$1
shift
jobs=${FUZZ_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive integer" >&2; exit 2; }
corpus=build/fuzz/corpus

seed() { # NAME: copies the seeds of one target into its corpus, prints how many
        local name=$1 s i=0 seeds
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
        render) seeds=(tests/fixtures/hosts/*/proc/cpuinfo tests/fixtures/hosts/*/proc/cmdline) ;;
        recipe) seeds=(rootfs/*.recipe) ;;
        tar) seeds=(tests/data/tar/*) ;;
        qmp) seeds=(tests/data/qmp/*) ;;
        ldd) seeds=(tests/data/ldd/*) ;;
        cgroup) seeds=(tests/fixtures/hosts/*/proc/mounts) ;;
        *) seeds=() ;;
        esac
        for s in "${seeds[@]}"; do
                if [ -f "$s" ]; then
                        cp "$s" "$corpus/$name/seed-$i"
                        i=$((i + 1))
                fi
        done
        echo "$i"
}

declare -A running=() # pid -> target name
failed=()
reap() { # waits for one running target and reports it
        local pid rc=0 name
        wait -n -p pid || rc=$?
        name=${running[$pid]}
        unset "running[$pid]"
        if [ "$rc" = 0 ]; then
                # libFuzzer's summary: "#RUNS DONE cov: ... corp: ... exec/s: ... rss: ..."
                sed -n "s/^#\([0-9]*\)[[:space:]]*DONE[[:space:]]*/fuzz $name: nothing found in \1 runs, /p" "build/fuzz/$name.log"
        else
                sed "s/^/  $name: /" < <(tail -n 30 "build/fuzz/$name.log")
                echo "fuzz $name: FAILED (exit $rc): build/fuzz/$name.log $(compgen -G "build/fuzz/$name-*" | tr '\n' ' ')"
                failed+=("$name")
        fi
}
# a target still running when this script is stopped is stopped with it
on_stop() { for p in "${!running[@]}"; do kill "$p" 2> /dev/null || true; done; }
trap on_stop EXIT

for bin in "$@"; do
        name=$(basename "$bin")
        name=${name#fuzz-}
        n=$(seed "$name")
        while [ ${#running[@]} -ge "$jobs" ]; do reap; done
        echo "fuzz $name: ${secs}s, $n seeds"
        "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
                -artifact_prefix="build/fuzz/$name-" "$corpus/$name" > "build/fuzz/$name.log" 2>&1 &
        running[$!]=$name
done
while [ ${#running[@]} -gt 0 ]; do reap; done
if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzz: ${#failed[@]} target(s) found something: ${failed[*]}"
        exit 1
fi
echo "fuzz: all $# targets ran ${secs}s without a finding ($jobs at a time)"
