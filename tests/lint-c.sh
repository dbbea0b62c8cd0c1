#!/usr/bin/env bash
# The C code's shape, as issue 20 set it and the build cannot see: (a) every file laid out as
# .clang-format says (clang-format --dry-run; the generated tables are left out, and the hand-laid
# tables sit between clang-format off and on markers); (b) no function over 120 lines; (c) no .c
# file over 600 lines unless its first comment says why, in a sentence that starts "One file:";
# (d) each check on a planted bad example, so that none can pass for want of looking. make check
# runs all of it; `make format-check` runs (a) alone (--format), `make format` lays every file out
# (--fix). Prints "ok NAME" / "not ok NAME".
# (Which folder may include which header is the build's: Makefile, PUBLIC_*.)
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1

MAX_FN=120 MAX_FILE=600
# generated: the kernel's CPU tables (scripts/gen-vuln-table) and QEMU's syscall list
GENERATED='^(audit/vuln-cpus\.h|launch/qemu-syscalls\.h)$'

sources() {
        local f
        for f in lib/*.[ch] cli/*.[ch] audit/*.[ch] reports/*.[ch] provision/*.[ch] launch/*.[ch] \
                tests/unit/*.[ch] tests/fuzz/*.[ch] tests/bench/*.c tests/launch/*.c tests/hostile/*.c; do
                [ -f "$f" ] && [[ ! $f =~ $GENERATED ]] && echo "$f"
        done
}

# long_functions FILE...: "FILE:LINE NAME N" for each function body over MAX_FN lines (a
# definition starts at column 0 and ends at the first "}" at column 0)
long_functions() {
        awk -v max="$MAX_FN" '
                FNR == 1 { start = 0 }
                /^[A-Za-z_].*\)[ \t]*(__attribute__.*)?\{[ \t]*$/ && !start { start = FNR; name = $0; next }
                /^\}/ && start { if (FNR - start + 1 > max) printf "%s:%d %s %d\n", FILENAME, start, name, FNR - start + 1; start = 0 }
        ' "$@"
}

# long_files FILE...: each .c over MAX_FILE lines whose first comment block gives no "One file:"
long_files() {
        local f
        for f in "$@"; do
                [[ $f == *.c ]] || continue
                (($(wc -l < "$f") > MAX_FILE)) || continue
                awk 'NR > 1 && !/^( \*|\/\*)/ { exit } /One file:/ { found = 1 } END { exit !found }' "$f" || echo "$f"
        done
}

mapfile -t files < <(sources)
case ${1:-} in
--fix) exec clang-format -i "${files[@]}" ;;          # make format
--format) only_format=1 ;;                            # make format-check
*) only_format= ;;                                    # make check: all of it
esac

# (d) the checks themselves, on planted examples
[ -n "$only_format" ] || {
{
        echo "int f(void) {"
        for ((i = 0; i < MAX_FN; i++)); do echo "        x();"; done
        echo "}"
} > "$tmp/long.c"
{
        echo "/* SPDX-License-Identifier: MIT */"
        echo "/* Many things. One file: they share one table. */"
        for ((i = 0; i < MAX_FILE; i++)); do echo "int v$i;"; done
} > "$tmp/why.c"
sed '2d' "$tmp/why.c" > "$tmp/nowhy.c"
out=$(long_functions "$tmp/long.c")
if has "long.c:1 int f\(void\) \{ $((MAX_FN + 2))" "$out"; then ok "lint-c: the function-length check finds a planted long function"; else notok "lint-c: the function-length check missed a planted long function" "$out"; fi
out=$(long_files "$tmp/why.c" "$tmp/nowhy.c")
if [ "$out" = "$tmp/nowhy.c" ]; then ok "lint-c: the file-length check finds a long file that does not say why"; else notok "lint-c: the file-length check" "$out"; fi

# (b), (c)
out=$(long_functions "${files[@]}")
if [ -z "$out" ]; then ok "lint-c: no function over $MAX_FN lines"; else notok "lint-c: functions over $MAX_FN lines" "$out"; fi
out=$(long_files "${files[@]}")
if [ -z "$out" ]; then ok "lint-c: every .c over $MAX_FILE lines says why (One file: ...)"; else notok "lint-c: .c files over $MAX_FILE lines that do not say why" "$out"; fi
}

# (a)
if ! command -v clang-format > /dev/null; then
        skip "lint-c: layout" "clang-format is not installed (make check installs it as root)"
else
        printf 'int  f( void ){return 0;}\n' > "$tmp/bad.c"
        if clang-format --dry-run --Werror --style=file:.clang-format "$tmp/bad.c" > /dev/null 2>&1; then
                notok "lint-c: clang-format passed a badly laid-out file"
        else
                ok "lint-c: clang-format refuses a badly laid-out file"
        fi
        if out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
                ok "lint-c: every C file is laid out as .clang-format says"
        else
                notok "lint-c: files not laid out as .clang-format says (make format)" "$(lines 20 "$out")"
        fi
fi
finish
