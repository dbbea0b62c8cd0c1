#!/usr/bin/env bash
# The shell scripts themselves: (a) no producer piped into a reader that may exit before reading
# everything (grep -q/-l/-L/-m, head) in a script that sets pipefail or sources tests/lib.sh: the
# producer then dies of SIGPIPE now and then and the pipeline fails, a flake; match the captured
# output instead (out=$(cmd); has PAT "$out"), or read a file. (b) the lint itself, on a planted
# bad example and a good one. (c) shellcheck on every shell script in the repository.
# Prints "ok NAME" / "not ok NAME" / "skip NAME: WHY".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1

# Every shell script: tests/**/*.sh, scripts/*.sh, .ci/run, and any tracked file whose first line
# names sh, bash or openrc-run (rootfs and test overlays; not scripts/gen-vuln-table, Python).
scripts() {
        local f first
        {
                git ls-files -- '*.sh' '.ci/run' 2> /dev/null
                git ls-files 2> /dev/null | while read -r f; do
                        [ -f "$f" ] || continue
                        IFS= read -r first < "$f" 2> /dev/null || continue
                        case $first in
                        '#!'*[/\ ]sh | '#!'*[/\ ]sh\ * | '#!'*bash* | '#!'*openrc-run*) echo "$f" ;;
                        esac
                done
                [ -d .git ] || [ -f .git ] || find tests scripts .ci -name '*.sh' -o -path .ci/run
        } | sort -u
}

# race_lint FILE...: prints FILE:LINE: TEXT for each producer piped into an early-exiting reader,
# in the files that set pipefail or source lib.sh. Lines are joined where they continue (a
# trailing |, \, && or ||); comment lines and here-document bodies (data, or a script run by
# another shell) are skipped. Exit 1 when anything is found.
race_lint() {
        perl -e '
                my $found = 0;
                my $reader = qr{
                        (?<![|])\|(?![|&])\s*
                        (?: head\b
                          | (?:e|f)?grep (?:\s+-[^\s]*)*? \s+
                                (?: -[A-Za-z]*[qlLm]
                                  | --(?:quiet|silent|max-count|files-with(?:out)?-match(?:es)?)\b ) )
                }x;
                for my $f (@ARGV) {
                        open(my $h, "<", $f) or next;
                        my @l = <$h>;
                        close $h;
                        next unless grep { /^[^#]*\bpipefail\b/ || /^\s*(?:\.|source)\s.*lib\.sh/ } @l;
                        my ($acc, $start, $heredoc) = ("", 0, "");
                        for my $i (0 .. $#l) {
                                my $line = $l[$i];
                                chomp $line;
                                if ($heredoc ne "") { # a here-document is data (or a script of its own)
                                        $heredoc = "" if $line =~ /^\t*\Q$heredoc\E$/;
                                        next;
                                }
                                $heredoc = $1 if $line =~ /<<-?\s*[\x27"]?([A-Za-z_][A-Za-z_0-9]*)[\x27"]?/ && $line !~ /<<</;
                                next if $acc eq "" && $line =~ /^\s*#/;
                                $start = $i + 1 if $acc eq "";
                                $acc .= " " . $line;
                                next if $line =~ /(?:\||\\|&&)\s*$/;
                                if ($acc =~ $reader) {
                                        (my $t = $acc) =~ s/^\s+//;
                                        $t =~ s/\s+/ /g;
                                        print "$f:$start: $t\n";
                                        $found = 1;
                                }
                                $acc = "";
                        }
                }
                exit $found;
        ' "$@"
}

# --- (b) the lint, on planted examples ------------------------------------------------------------
mkdir -p "$tmp/lint"
cat > "$tmp/lint/bad.sh" << 'EOF'
#!/usr/bin/env bash
set -uo pipefail
# a comment: cmd | grep -q x is fine here
dmesg | grep -q usb && echo yes
ls /proc |
        grep -qE '^[0-9]+$' || echo none
seq 100 | head -1
printf 'a\n' | grep -m1 a
find / -name x | grep -l y
EOF
cat > "$tmp/lint/good.sh" << 'EOF'
#!/usr/bin/env bash
set -uo pipefail
out=$(dmesg)
grep -q usb <<< "$out" && echo yes
ls /proc | grep -c '^[0-9]' || true
ls /proc | grep -v self > /dev/null
[ a ] || grep -q x /etc/hostname
grep -q x /etc/hostname || true
cat > /dev/null << 'INIT'
dmesg | grep -q usb && echo "a here-document is another program's text"
INIT
EOF
cat > "$tmp/lint/nopipefail.sh" << 'EOF'
#!/bin/sh
dmesg | grep -q usb && echo "no such option set here: the status is grep's"
EOF
got=$(race_lint "$tmp/lint/bad.sh")
want="$tmp/lint/bad.sh:4 $tmp/lint/bad.sh:5 $tmp/lint/bad.sh:7 $tmp/lint/bad.sh:8 $tmp/lint/bad.sh:9"
[ "$(cut -d: -f1,2 <<< "$got" | tr '\n' ' ')" = "$want " ] &&
        ok "lint-sh: the lint finds each planted race (grep -q, a continued line, head, grep -m, grep -l)" ||
        notok "lint-sh: the lint misses or misplaces planted races" "$got"
if got=$(race_lint "$tmp/lint/good.sh" "$tmp/lint/nopipefail.sh") && [ -z "$got" ]; then
        ok "lint-sh: the lint passes captured output, grep -c/-v, files, a here-document, a script without pipefail"
else
        notok "lint-sh: the lint flags a good example" "$got"
fi

# --- (a) the repository ------------------------------------------------------------------------------
mapfile -t all < <(scripts)
found=$(race_lint "${all[@]}")
if [ -z "$found" ]; then
        ok "lint-sh: no producer piped into grep -q/-l/-m or head under pipefail (${#all[@]} scripts)"
else
        while IFS= read -r hit; do
                notok "lint-sh: pipe race at ${hit%%: *}" "${hit#*: }"
        done <<< "$found"
fi

# --- (c) shellcheck ----------------------------------------------------------------------------------
# Excluded everywhere, for the tests' idioms:
#   SC2015  A && ok || notok: ok only echoes, so notok runs exactly when A fails
#   SC2317  functions called through on_exit, check, expect or wait_until look unreachable to it
# and in OpenRC service scripts (checked as sh), SC2034: openrc-run reads description, command...
if ! command -v shellcheck > /dev/null; then
        skip "lint-sh: shellcheck" "not installed (scripts/deps.sh test installs it)"
        finish
fi
sc_one() { # FILE: shellcheck's findings, one a line (gcc format); exit status 1 when there are any
        local f=$1 first='' opts=(-x -f gcc -e SC2015 -e SC2317)
        IFS= read -r first < "$f"
        case $first in
        *openrc-run*) opts+=(--shell=sh -e SC2034) ;;
        '#!'*) ;;
        *) has '^# shellcheck shell=' "$(cat "$f")" || opts+=(--shell=sh) ;; # sourced by sh (profile.d)
        esac
        shellcheck "${opts[@]}" "$f" 2>&1
}
mkdir -p "$tmp/sc"
jobs=$(nproc 2> /dev/null || echo 2)
running=0
for i in "${!all[@]}"; do
        { sc_one "${all[i]}" > "$tmp/sc/$i.out"; echo $? > "$tmp/sc/$i.rc"; } &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for i in "${!all[@]}"; do
        if [ "$(cat "$tmp/sc/$i.rc")" = 0 ]; then
                ok "shellcheck ${all[i]}"
        else
                notok "shellcheck ${all[i]}" "$(cat "$tmp/sc/$i.out")"
        fi
done
finish
