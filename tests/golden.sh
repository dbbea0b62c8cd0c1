#!/usr/bin/env bash
# Golden tests: every fixture host under tests/fixtures/hosts/ audited in text and JSON (and the
# development profile for this-machine) must match tests/expected/ byte for byte; a dump collected
# from a fixture must replay to the same JSON; the verdicts promised in tests/fixtures/hosts/README.md
# must hold. UPDATE=1 rewrites the expected files (review the diff before committing).
# Prints "ok NAME" / "not ok NAME" per test.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=build/sis-audit
if [ "${SIS_VALGRIND:-}" = 1 ]; then
        vgbin() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite build/sis-audit "$@"; }
        bin=vgbin
fi
exp=tests/expected
export SOURCE_DATE_EPOCH=0 NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

ok() { echo "ok $1"; }
notok() { echo "not ok $1"; status=1; }

compare() { # name file-produced expected-file
        if [ "${UPDATE:-}" = 1 ]; then
                cp "$2" "$3"
                ok "$1 (updated)"
        elif diff -u "$3" "$2" > "$tmp/diff"; then
                ok "$1"
        else
                notok "$1"
                head -40 "$tmp/diff"
        fi
}

for dir in tests/fixtures/hosts/*/; do
        name=$(basename "$dir")
        profiles=(production)
        [ "$name" = this-machine ] && profiles+=(development)
        for profile in "${profiles[@]}"; do
                suffix=""
                [ "$profile" = production ] || suffix=".$profile"
                for fmt in text json; do
                        ext=$fmt
                        [ "$fmt" = text ] && ext=txt
                        out="$tmp/$name$suffix.$ext"
                        "$bin" --root "$dir" --profile "$profile" --format "$fmt" > "$out"
                        rc=$?
                        if [ "$rc" -eq 2 ]; then
                                notok "$name$suffix $fmt: exit 2"
                                continue
                        fi
                        compare "$name$suffix $fmt" "$out" "$exp/$name$suffix.$ext"
                        if [ "$fmt" = json ]; then
                                want=$(sed -n 's/^  "exit_code": \([0-9]\),$/\1/p' "$out")
                                [ "$rc" = "$want" ] && ok "$name$suffix exit code $rc" || notok "$name$suffix exit code $rc, report says $want"
                        fi
                done
        done

        # Collect from the fixture, replay the dump: same JSON.
        "$bin" --root "$dir" --format json --collect "$tmp/$name.dump.tar.gz" > "$tmp/$name.a.json"
        "$bin" --root "$tmp/$name.dump.tar.gz" --format json > "$tmp/$name.b.json"
        if cmp -s "$tmp/$name.a.json" "$tmp/$name.b.json"; then ok "$name collect+replay"; else notok "$name collect+replay"; diff "$tmp/$name.a.json" "$tmp/$name.b.json" | head -20; fi

        # The verdicts the fixture's author wrote down before the tool existed.
        section=$(awk -v n="## $name" '$0==n {on=1; next} /^## / {on=0} on' tests/fixtures/hosts/README.md)
        [ -n "$section" ] || continue
        "$bin" --root "$dir" > "$tmp/$name.plain"
        all=$(printf '%s\n' "$section" | sed -n '/^- PASS: every check ID:/,/^$/p' | sed 's/^- PASS: every check ID://' | tr ', ' '\n\n' | grep -E '^[a-z]')
        promised=$( { printf '%s\n' "$section" | sed -n 's/^- \([a-z_.]*\) \(PASS\|WARN\|FAIL\|SKIP\|UNKNOWN\).*/\1 \2/p'
                      for id in $all; do echo "$id PASS"; done; } )
        bad=0
        while read -r id want; do
                [ -n "$id" ] || continue
                got=$(awk -v id="$id" '$2==id {print $1}' "$tmp/$name.plain")
                if [ "$got" != "$want" ]; then
                        echo "  $name: $id is ${got:-absent}, README promises $want"
                        bad=1
                fi
        done <<< "$promised"
        [ "$bad" = 0 ] && ok "$name README verdicts ($(printf '%s\n' "$promised" | grep -c .))" || notok "$name README verdicts"
done

"$bin" --list-checks > "$tmp/list-checks.txt"
compare "list-checks text" "$tmp/list-checks.txt" "$exp/list-checks.txt"
"$bin" --list-checks --format json > "$tmp/list-checks.json"
compare "list-checks json" "$tmp/list-checks.json" "$exp/list-checks.json"
exit $status
