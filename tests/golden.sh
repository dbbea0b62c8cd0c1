#!/usr/bin/env bash
# Golden tests: every fixture host under tests/fixtures/hosts/ audited in text and JSON (and the
# development profile for this-machine) must match tests/expected/ byte for byte; a dump collected
# from a fixture must replay to the same JSON; the verdicts promised in tests/fixtures/hosts/README.md
# must hold. UPDATE=1 rewrites the expected files (review the diff before committing).
# Prints "ok NAME" / "not ok NAME" per test.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
bin=build/sis-audit
if [ "${SIS_VALGRIND:-}" = 1 ]; then
        vgbin() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite build/sis-audit "$@"; }
        bin=vgbin
fi
exp=tests/expected
export SOURCE_DATE_EPOCH=0 NO_COLOR=1
formats=(text json junit prometheus markdown html)
declare -A ext_of=([text]=txt [json]=json [junit]=xml [prometheus]=prom [markdown]=md [html]=html)

compare() { # name file-produced expected-file
        if [ "${UPDATE:-}" = 1 ]; then
                cp "$2" "$3"
                ok "$1 (updated)"
        elif diff -u "$3" "$2" > "$tmp/diff"; then
                ok "$1"
        else
                notok "$1" "$(head -40 "$tmp/diff")"
        fi
}

for dir in tests/fixtures/hosts/*/; do
        name=$(basename "$dir")
        profiles=(production)
        [ "$name" = this-machine ] && profiles+=(development)
        for profile in "${profiles[@]}"; do
                suffix=""
                [ "$profile" = production ] || suffix=".$profile"
                for fmt in "${formats[@]}"; do
                        ext=${ext_of[$fmt]}
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
                                # sis-report render of the saved JSON gives the same bytes as sis-audit
                                for f2 in "${formats[@]}"; do
                                        build/sis-report render "$out" --format "$f2" > "$tmp/rerender"
                                        cmp -s "$tmp/rerender" "$exp/$name$suffix.${ext_of[$f2]}" || { notok "$name$suffix render $f2 != sis-audit --format $f2" "$(lines 5 "$(diff "$tmp/rerender" "$exp/$name$suffix.${ext_of[$f2]}")")"; continue 2; }
                                done
                                ok "$name$suffix sis-report render reproduces every format"
                        fi
                done
        done

        # Collect from the fixture, replay the dump: same JSON.
        "$bin" --root "$dir" --format json --collect "$tmp/$name.dump.tar.gz" > "$tmp/$name.a.json" 2> /dev/null
        "$bin" --root "$tmp/$name.dump.tar.gz" --format json > "$tmp/$name.b.json"
        if cmp -s "$tmp/$name.a.json" "$tmp/$name.b.json"; then ok "$name collect+replay"; else notok "$name collect+replay" "$(lines 20 "$(diff "$tmp/$name.a.json" "$tmp/$name.b.json")")"; fi

        # The verdicts the fixture's author wrote down before the tool existed.
        section=$(awk -v n="## $name" '$0==n {on=1; next} /^## / {on=0} on' tests/fixtures/hosts/README.md)
        [ -n "$section" ] || continue
        "$bin" --root "$dir" > "$tmp/$name.plain"
        all=$(printf '%s\n' "$section" | sed -n '/^- PASS: every check ID:/,/^$/p' | sed 's/^- PASS: every check ID://' | sed 's/[, ]/\n/g' | grep -E '^[a-z]')
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

# A policy: severities, waivers in force, an expired, a malformed and an unknown waiver.
for fmt in "${formats[@]}"; do
        SOURCE_DATE_EPOCH=1795000000 "$bin" --root tests/fixtures/hosts/intel-careless \
                --policy tests/fixtures/policies/careless.json --format "$fmt" > "$tmp/policy.${ext_of[$fmt]}"
        compare "policy $fmt" "$tmp/policy.${ext_of[$fmt]}" "$exp/intel-careless.policy.${ext_of[$fmt]}"
done

# The fleet view of every fixture, and drift between two of them.
for dir in tests/fixtures/hosts/*/; do
        "$bin" --root "$dir" --format json > "$tmp/fleet-$(basename "$dir").json"
done
for fmt in html markdown json junit prometheus; do
        build/sis-report merge "$tmp"/fleet-*.json --format "$fmt" > "$tmp/fleet.${ext_of[$fmt]}"
        compare "fleet $fmt" "$tmp/fleet.${ext_of[$fmt]}" "$exp/fleet.${ext_of[$fmt]}"
done
build/sis-report diff "$tmp/fleet-intel-hardened.json" "$tmp/fleet-intel-careless.json" > "$tmp/diff.txt"
[ $? = 1 ] && ok "diff: a regression exits 1" || notok "diff: a regression exits 1"
compare "diff text" "$tmp/diff.txt" "$exp/diff.txt"
build/sis-report diff "$tmp/fleet-intel-hardened.json" "$tmp/fleet-intel-careless.json" --format json > "$tmp/diff.json"
compare "diff json" "$tmp/diff.json" "$exp/diff.json"
if build/sis-report diff "$tmp/fleet-intel-careless.json" "$tmp/fleet-intel-hardened.json" > /dev/null; then
        ok "diff: an improvement exits 0"
else
        notok "diff: an improvement exits 0"
fi

"$bin" --list-checks > "$tmp/list-checks.txt"
compare "list-checks text" "$tmp/list-checks.txt" "$exp/list-checks.txt"
"$bin" --list-checks --format json > "$tmp/list-checks.json"
compare "list-checks json" "$tmp/list-checks.json" "$exp/list-checks.json"
finish
