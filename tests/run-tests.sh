#!/usr/bin/env bash
# Runs every unit test binary given on the command line, then the shell tests, and ends with
# one line: "check: N passed, N failed, N skipped". VALGRIND=1 runs each unit test under valgrind,
# and of the shell tests those that run the tools under it (golden.sh, cli.sh: SIS_VALGRIND); the
# others would run exactly as in a plain run, so a VALGRIND=1 run leaves them to it.
# A shell test prints "ok NAME", "not ok NAME" or "skip NAME: WHY" lines (tests/lib.sh); a skip
# is never counted as a pass.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
skipped=0
scripts=(tests/lint-sh.sh tests/lint-c.sh tests/golden.sh tests/cli.sh tests/consumers.sh tests/garbage.sh tests/vuln-table.sh tests/provision.sh tests/sign.sh tests/sbom.sh tests/rootfs.sh tests/launch.sh
         tests/launch-net.sh tests/confine.sh tests/hostile.sh)
if [ "${1:-}" = --only ]; then
        scripts=("$2")
        shift 2
elif [ "${VALGRIND:-}" = 1 ]; then
        scripts=(tests/golden.sh tests/cli.sh)
        echo "  (VALGRIND=1: the shell tests that run the tools under valgrind; the others run as in a plain make check)"
fi
failures=()
vg=()
if [ "${VALGRIND:-}" = 1 ]; then
        vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
            --track-fds=no --suppressions=tests/valgrind.supp)
fi
export SIS_VALGRIND="${VALGRIND:-}"

# cmocka prints "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)" and "[  SKIPPED ] N test(s)"; count those.
for t in "$@"; do
        out=$("${vg[@]}" "$t" 2>&1)
        rc=$?
        p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        k=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0}))
        skipped=$((skipped + ${k:-0}))
        if [ "$rc" -ne 0 ]; then
                [ -z "$f" ] && failed=$((failed + 1))
                failures+=("$t")
                printf '%s\n' "$out" | grep -vE '^\[ +(RUN|OK) +\]' | tail -40
        fi
        printf '  %-34s %s\n' "$(basename "$t")" "$([ $rc -eq 0 ] && echo ok || echo FAILED)"
done

# The shell tests. Their output is matched as captured text, never piped into a reader that may
# exit early (under pipefail that fails the producer now and then: tests/lint-sh.sh).
for s in "${scripts[@]}"; do
        [ -x "$s" ] || continue
        out=$("$s" 2>&1)
        rc=$?
        p=$(grep -c '^ok ' <<< "$out")
        f=$(grep -c '^not ok ' <<< "$out")
        k=$(grep -c '^skip ' <<< "$out")
        passed=$((passed + p))
        failed=$((failed + f))
        skipped=$((skipped + k))
        rest=$(grep -v '^ok ' <<< "$out")
        [ -n "$rest" ] && head -80 <<< "$rest"
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                failed=$((failed + 1))
        fi
        [ "$rc" -ne 0 ] && failures+=("$s")
        if [ "$rc" -eq 0 ]; then verdict="ok ($p)"; else verdict="FAILED ($p ok, $f not ok)"; fi
        [ "$k" -gt 0 ] && verdict="$verdict, $k skipped"
        printf '  %-34s %s\n' "$(basename "$s")" "$verdict"
done

[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
