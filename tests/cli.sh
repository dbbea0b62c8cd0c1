#!/usr/bin/env bash
# Command-line behaviour of sis-audit: exit codes, one-line errors, atomic --output, colour only on
# a terminal, --help against the man page, live collect/replay, and that a live audit never writes
# to the host or loads a module. Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
bin=build/sis-audit
fx=tests/fixtures/hosts
vg=()
[ "${SIS_VALGRIND:-}" = 1 ] && vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)

# code NAME CODE CMD...: exit code CODE (lib.sh's expect, no output check; stdout and stderr are
# left in $tmp/out and $tmp/err)
code() {
        local name=$1 want=$2
        shift 2
        expect "$name (exit $want)" "$want" "" "$@"
}
# errline NAME PATTERN: stderr (of the last code) is exactly one line matching the extended regex PATTERN
errline() {
        local err
        err=$(cat "$tmp/err")
        if [ "$(wc -l < "$tmp/err")" = 1 ] && has "$2" "$err"; then ok "$1 message"; else notok "$1 message" "$err"; fi
}

code "pass verdict" 0 "${vg[@]}" "$bin" --root "$fx/intel-hardened"
code "fail verdict" 1 "${vg[@]}" "$bin" --root "$fx/intel-careless"
# a plain tree has no probe answers: the required kvm.api is UNKNOWN, nothing FAILs
mkdir -p "$tmp/plain/proc"
code "inconclusive verdict" 3 "${vg[@]}" "$bin" --root "$tmp/plain" --only kvm.api
code "unknown format" 2 "$bin" --format yaml
errline "unknown format" "^sis-audit: --format: unknown format 'yaml'"
code "unknown profile" 2 "$bin" --profile lax
errline "unknown profile" "--profile"
code "unknown option" 2 "$bin" --bogus
code "unknown check" 2 "$bin" --only cpu.nonexistent
errline "unknown check" "no check matches 'cpu.nonexistent'"
code "missing root" 2 "$bin" --root /nonexistent/root
errline "missing root" "^sis-audit: --root /nonexistent/root: No such file or directory"
printf 'not a tarball' > "$tmp/bad.tar.gz"
code "garbage dump" 2 "$bin" --root "$tmp/bad.tar.gz"
errline "garbage dump" "bad.tar.gz: not a valid dump"
code "bad jail range" 2 "$bin" --jail-uid 5-1
code "relative jailer" 2 "$bin" --jailer jailer
code "stray argument" 2 "$bin" extra
code "version" 0 "$bin" --version
grep -qx "sis-audit [0-9.]*" "$tmp/out" && ok "version text" || notok "version text"
code "list checks" 0 "$bin" --list-checks
code "category selection" 0 "$bin" --root "$fx/intel-hardened" --only memory
[ "$(grep -cE '^  [A-Z]+ +mem\.' "$tmp/out")" = 3 ] && grep -q '^3 checks' "$tmp/out" && ok "--only category" || notok "--only category"
# the jailer execs Firecracker in a chroot without libraries: a dynamically linked one cannot start
code "jail.binaries: a dynamically linked firecracker" 1 "$bin" --only jail.binaries --firecracker /bin/true --jailer /bin/true
has 'jail.binaries +/bin/true is dynamically linked: it cannot run inside the jailer' "$(cat "$tmp/out")" &&
        ok "jail.binaries: says why a dynamically linked firecracker fails" || notok "jail.binaries: dynamic binary" "$(cat "$tmp/out")"
code "family selection" 0 "$bin" --root "$fx/intel-hardened" --only 'cpu.vuln.*' --format json
[ "$(grep -c '"id": "cpu.vuln.' "$tmp/out")" -ge 10 ] && ! grep -q '"id": "cpu.smt"' "$tmp/out" && ok "--only family" || notok "--only family"

# libkmod, loaded on demand, reads the root's module index: tun built in, /dev/net/tun missing
{
        k="$tmp/kmodroot"
        mkdir -p "$k/lib/modules/6.1.0" "$k/proc/sys/kernel"
        echo 6.1.0 > "$k/proc/sys/kernel/osrelease"
        echo kernel/drivers/net/tun.ko > "$k/lib/modules/6.1.0/modules.builtin"
        touch "$k/lib/modules/6.1.0/modules.order" "$k/lib/modules/6.1.0/modules.builtin.modinfo"
        PATH=$PATH:/sbin:/usr/sbin depmod -b "$k" 6.1.0
        code "module database" 1 "$bin" --root "$k" --only jail.tun
        grep -q "tun is built in: mknod /dev/net/tun c 10 200" "$tmp/out" && ok "libkmod on the root's index" || notok "libkmod on the root's index: $(grep jail.tun "$tmp/out")"
        "$bin" --root "$k" --only jail.tun --format json --collect "$tmp/kmod.tar.gz" > "$tmp/k1.json" 2> /dev/null
        rm -rf "$k"
        "$bin" --root "$tmp/kmod.tar.gz" --only jail.tun --format json > "$tmp/k2.json"
        diff <(grep -v -e started -e duration "$tmp/k1.json") <(grep -v -e started -e duration "$tmp/k2.json") > /dev/null &&
                ok "module index travels in the dump" || notok "module index travels in the dump"
}

# crafted dumps: a FIFO as sis-dump.json must not hang; a swap path with ".." must not make
# --collect write outside its directory; host text cannot carry terminal escapes into the report
mkdir -p "$tmp/fifo"
mkfifo "$tmp/fifo/sis-dump.json"
code "FIFO as sis-dump.json" 2 timeout 10 "$bin" --root "$tmp/fifo"
mkdir -p "$tmp/evil/proc" "$tmp/evil/sys/devices/system/clocksource/clocksource0" "$tmp/evil/tmp/escape-target"
printf 'Filename Type Size Used Priority\n/../../../../../../%s/escaped partition 1 0 -2\n' "${tmp#/}" > "$tmp/evil/proc/swaps"
ln -s /dev/dm-0 "$tmp/evil/tmp/escaped"
printf 'tsc\033[2K\rPASS\n' > "$tmp/evil/sys/devices/system/clocksource/clocksource0/current_clocksource"
"$bin" --root "$tmp/evil" --only mem.swap,cpu.clocksource --collect "$tmp/evil-dump" > "$tmp/evil.txt" 2> /dev/null
[ ! -e "$tmp/escaped" ] && ok "--collect stays inside its directory" || notok "--collect wrote $tmp/escaped"
! grep -q $'\033' "$tmp/evil.txt" && ok "no terminal escapes from host text" || notok "terminal escape in the report"

# --output: the same bytes as stdout, written atomically, nothing left behind; a bad path writes nothing
SOURCE_DATE_EPOCH=0 "$bin" --root "$fx/intel-careless" --format json > "$tmp/stdout.json"
mkdir -p "$tmp/o"
code "output file" 1 env SOURCE_DATE_EPOCH=0 "$bin" --root "$fx/intel-careless" --format json --output "$tmp/o/report.json"
cmp -s "$tmp/o/report.json" "$tmp/stdout.json" && [ "$(ls "$tmp/o")" = report.json ] && ok "--output content, no temp files" || notok "--output content"
code "output into missing dir" 2 "$bin" --root "$fx/intel-careless" --output "$tmp/nodir/x.txt"
[ ! -e "$tmp/nodir" ] && ok "--output failure leaves nothing" || notok "--output failure leaves nothing"

# colour: only on a terminal, never with NO_COLOR or --no-color
"$bin" --root "$fx/intel-careless" > "$tmp/pipe.txt"
! grep -q $'\033' "$tmp/pipe.txt" && ok "no colour into a pipe" || notok "no colour into a pipe"
if ! command -v script > /dev/null; then
        skip "colour on a terminal, NO_COLOR, --no-color" "no script(1) (util-linux)"
else
        script -qec "$bin --root $fx/intel-careless" /dev/null > "$tmp/tty.txt" < /dev/null
        grep -q $'\033\[1;31mFAIL' "$tmp/tty.txt" && ok "colour on a terminal" || notok "colour on a terminal"
        NO_COLOR=1 script -qec "$bin --root $fx/intel-careless" /dev/null > "$tmp/tty2.txt" < /dev/null
        ! grep -q $'\033' "$tmp/tty2.txt" && ok "NO_COLOR" || notok "NO_COLOR"
        script -qec "$bin --no-color --root $fx/intel-careless" /dev/null > "$tmp/tty3.txt" < /dev/null
        ! grep -q $'\033' "$tmp/tty3.txt" && ok "--no-color" || notok "--no-color"
fi

# --help and the man page document the same long options, for each tool
for tool in sis-audit sis-report sis-provision sis-launch; do
        help=$("build/$tool" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
        man=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "docs/$tool.1" | grep -o -- '\\-\\-[a-z][a-z-]*' | sed 's/\\//g' | sort -u)
        if [ -n "$help" ] && [ "$help" = "$man" ]; then ok "$tool --help matches the man page ($(echo "$help" | wc -l) options)"
        else notok "$tool --help vs man page" "$(diff <(echo "$help") <(echo "$man"))"; fi
        if command -v man > /dev/null; then
                w=$(MANWIDTH=80 man --warnings -l "docs/$tool.1" 2>&1 > /dev/null)
                [ -z "$w" ] && ok "$tool man page renders cleanly" || notok "$tool man page warnings: $w"
        else
                skip "$tool man page renders cleanly" "no man (man-db)"
        fi
done

# sis-report: one-line errors naming the file, exit 2; --policy conflicts
rep=build/sis-report
"$bin" --root "$fx/intel-hardened" --format json > "$tmp/good.json"
printf '{"schema_version": 9, "tool": "x"}' > "$tmp/v9.json"
code "report: unknown schema" 2 "$rep" render "$tmp/v9.json"
errline "report: unknown schema" "v9.json: unknown schema_version 9"
head -c 100 "$tmp/good.json" > "$tmp/cut.json"
code "report: truncated JSON" 2 "$rep" render "$tmp/cut.json"
errline "report: truncated JSON" "cut.json: malformed JSON \(truncated\)"
code "report: missing file" 2 "$rep" merge "$tmp/good.json" "$tmp/none.json"
errline "report: missing file" "none.json: No such file or directory"
code "report: no verb" 2 "$rep"
code "report: bad verb" 2 "$rep" frobnicate
code "report: bad merge format" 2 "$rep" merge "$tmp/good.json" --format text
code "report: diff needs two" 2 "$rep" diff "$tmp/good.json"
code "report: render" 0 "$rep" render "$tmp/good.json" --format markdown
code "report: merge to file" 0 "$rep" merge "$tmp/good.json" "$tmp/good.json" --format json --output "$tmp/fleet.json"
grep -q '"host": "intel-hardened#2"' "$tmp/fleet.json" && ok "merge numbers duplicate hosts" || notok "merge numbers duplicate hosts"
code "report: no drift" 0 "$rep" diff "$tmp/good.json" "$tmp/good.json"
cp tests/fixtures/policies/careless.json "$tmp/policy.json"
chmod 644 "$tmp/policy.json"
code "policy vs --profile" 2 "$bin" --root "$fx/intel-careless" --policy "$tmp/policy.json" --profile production
errline "policy vs --profile" "contradicts the policy's profile development"
chmod 664 "$tmp/policy.json"
code "group-writable policy" 2 "$bin" --root "$fx/intel-careless" --policy "$tmp/policy.json"
errline "group-writable policy" "policy .*policy.json: refused: group-writable \(mode 0664\)"
chmod 644 "$tmp/policy.json"
if chown 65534:65534 "$tmp/policy.json" 2> /dev/null; then
        code "policy owned by someone else" 2 "$bin" --root "$fx/intel-careless" --policy "$tmp/policy.json"
        errline "policy owned by someone else" "refused: owned by uid 65534"
else
        skip "policy owned by someone else" "needs root (chown)"
fi

# live: collect this host, replay the dump, same JSON (but for the timestamps)
export SOURCE_DATE_EPOCH=0
"$bin" --format json --collect "$tmp/live.tar.gz" > "$tmp/live.json" 2> /dev/null
rc=$?
[ "$rc" != 2 ] && ok "live audit (exit $rc)" || notok "live audit (exit 2)"
"$bin" --format json --root "$tmp/live.tar.gz" > "$tmp/replay.json"
cmp -s "$tmp/live.json" "$tmp/replay.json" && ok "live collect+replay identical" ||
        notok "live collect+replay" "$(lines 10 "$(diff "$tmp/live.json" "$tmp/replay.json")")"
unset SOURCE_DATE_EPOCH

# a live audit never writes to the host, loads no module and touches no MSR
if command -v strace > /dev/null; then
        strace -f -qq -o "$tmp/trace" -e trace=open,openat,openat2,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,chmod,fchmod,fchmodat,chown,fchown,fchownat,truncate,ftruncate,init_module,finit_module,delete_module,mknod,mknodat,symlink,symlinkat,link,linkat \
                "$bin" > /dev/null 2>&1
        # a writing open, or a syscall that changes the filesystem or the kernel (by its name at the
        # start of the line: a path such as /proc/sys/fs/protected_symlinks is not a symlink())
        writes=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|^[0-9]+ +(mkdir|mkdirat|unlink|unlinkat|rename|renameat2?|chmod|fchmod|fchmodat|chown|fchown|fchownat|truncate|ftruncate|init_module|finit_module|delete_module|mknod|mknodat|symlink|symlinkat|link|linkat)\(' "$tmp/trace" |
                 grep -vE 'openat\(AT_FDCWD, "/dev/kvm", O_RDWR\|O_CLOEXEC\)' | grep -v ' = -1 ' || true)
        msr=$(grep -E '/dev/cpu/[0-9]+/msr' "$tmp/trace" || true)
        if [ -z "$writes" ] && [ -z "$msr" ] && grep -q 'execve\|openat' "$tmp/trace"; then ok "live audit writes nothing to the host"
        else notok "live audit wrote to the host:" "$(lines 10 "$writes$msr")"; fi
else
        skip "live audit writes nothing to the host" "no strace"
fi
finish
