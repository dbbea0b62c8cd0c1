#!/usr/bin/env bash
# make check-stress: the test run of make check (CMD..., built once by make) N times in a row with
# a CPU hog busy on one core the whole time, to shake out flaky tests. Each run takes the host
# lock (tests/lib.sh's lock_host: a no-op under a caller that holds it already) and keeps its
# whole output in build/stress/run-I.log. At the end: each run's count line, then every test that
# printed "not ok" or FAILED in any run, with the number of runs it failed in. Exits 1 when any
# run failed. Usage: tests/stress/run.sh N CMD...
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$SIS_ROOT" || exit 2
n=$1
shift
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "check-stress: STRESS_N must be a positive integer, not '$n'" >&2; exit 2; }
logs=build/stress
mkdir -p "$logs"
rm -f "$logs"/run-*.log

# the hog: one busy loop (one core's worth), killed at exit; it also leaves by itself within a
# fraction of a second of this script's end, should this script be killed without its cleanups
# shellcheck disable=SC2016 # $1 and $i are the hog's
sh -c 'while kill -0 "$1" 2> /dev/null; do i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; done' hog $$ &
hog=$!
on_exit "kill $hog 2> /dev/null"
echo "check-stress: $n runs of make check's tests, one core kept busy by pid $hog; logs in $logs/"

failed_runs=0
declare -A fails=() # test -> the runs it failed in
for ((i = 1; i <= n; i++)); do
        log=$logs/run-$i.log
        t0=$EPOCHREALTIME
        # one run under the host lock: the lock is held by a child shell for the run's duration
        # shellcheck disable=SC2016 # "$@" is the inner shell's
        bash -c '. tests/lib.sh; lock_host; "$@"' tests/stress/run "$@" > "$log" 2>&1
        rc=$?
        secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
        count=$(sed -n 's/^check: //p' "$log" | tail -n 1)
        [ "$rc" = 0 ] || failed_runs=$((failed_runs + 1))
        printf 'check-stress: run %d of %d: %s (exit %d, %d s)\n' "$i" "$n" "${count:-no count line}" "$rc" "$secs"
        # the names: "not ok NAME", cmocka's "[  FAILED  ] NAME", run-tests.sh's "  NAME   FAILED"
        while IFS= read -r name; do
                [ -n "$name" ] || continue
                [[ " ${fails[$name]:-} " == *" $i "* ]] || fails[$name]="${fails[$name]:-} $i"
        done < <(sed -n -e 's/^not ok //p' \
                -e '/^\[  FAILED  \] [0-9]* test/d' -e 's/^\[  FAILED  \] \(.*\)/\1 (cmocka)/p' \
                -e 's/^  \([^ ]\{1,\}\) \{1,\}FAILED\( (.*)\)\{0,1\}$/\1 (FAILED)/p' "$log")
        if [ "$rc" != 0 ] && [ -z "$count" ]; then fails["make check's run itself (exit $rc, no count line)"]+=" $i"; fi
done

if [ ${#fails[@]} -gt 0 ]; then
        echo "check-stress: what failed, in how many of the $n runs (which):"
        for name in "${!fails[@]}"; do
                read -ra runs <<< "${fails[$name]}"
                printf '  %3d  %s  (run %s)\n' "${#runs[@]}" "$name" "${runs[*]}"
        done | sort -k1,1nr -k2
fi
echo "check-stress: $((n - failed_runs)) of $n runs passed"
[ "$failed_runs" = 0 ]
