#!/usr/bin/env bash
# Runs every unit test binary given on the command line, then the golden tests, and ends with
# one line: "check: N passed, N failed". VALGRIND=1 runs each test under valgrind.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
scripts=(tests/golden.sh tests/cli.sh tests/consumers.sh tests/provision.sh tests/rootfs.sh tests/launch.sh tests/launch-net.sh tests/confine.sh)
if [ "${1:-}" = --only ]; then
        scripts=("$2")
        shift 2
fi
failures=()
vg=()
if [ "${VALGRIND:-}" = 1 ]; then
        vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
            --track-fds=no --suppressions=tests/valgrind.supp)
fi
export SIS_VALGRIND="${VALGRIND:-}"

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)"; count those.
for t in "$@"; do
        out=$("${vg[@]}" "$t" 2>&1)
        rc=$?
        p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0}))
        if [ "$rc" -ne 0 ]; then
                [ -z "$f" ] && failed=$((failed + 1))
                failures+=("$t")
                printf '%s\n' "$out" | grep -vE '^\[ +(RUN|OK) +\]' | tail -40
        fi
        printf '  %-34s %s\n' "$(basename "$t")" "$([ $rc -eq 0 ] && echo ok || echo FAILED)"
done

# Golden and CLI tests: each prints "ok NAME" or "not ok NAME" lines.
for s in "${scripts[@]}"; do
        [ -x "$s" ] || continue
        out=$("$s" 2>&1)
        rc=$?
        p=$(printf '%s\n' "$out" | grep -c '^ok ' || true)
        f=$(printf '%s\n' "$out" | grep -c '^not ok ' || true)
        passed=$((passed + p))
        failed=$((failed + f))
        printf '%s\n' "$out" | grep -v '^ok ' | head -80
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                failed=$((failed + 1))
        fi
        [ "$rc" -ne 0 ] && failures+=("$s")
        printf '  %-34s %s\n' "$(basename "$s")" "$([ $rc -eq 0 ] && echo "ok ($p)" || echo FAILED)"
done

[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
