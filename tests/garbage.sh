#!/usr/bin/env bash
# Hosts full of garbage, every format (issue 17): fixture roots whose every file is random bytes,
# or the real content with bytes that are not UTF-8 (and NULs, escapes, overlong forms) sprinkled
# in, audited in every format; each output must parse strictly with a real consumer's parser:
# Python's json (UTF-8 required), xmllint against the JUnit XSD, promtool, html5lib (strict), and
# valid UTF-8 for text and Markdown. On a root of random bytes no check may PASS on evidence read
# from a garbled file (what a dump recorded apart from files, a device node, a directory or a
# probe's answer, is not garbled). The seed is printed: SIS_GARBAGE_SEED=N replays a run.
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
audit=build/sis-audit
seed=${SIS_GARBAGE_SEED:-$RANDOM}
roots=${SIS_GARBAGE_ROOTS:-3}

# garble SRC DST MODE SEED: a copy of the fixture root SRC whose files are random (MODE random) or
# salted with bad bytes (MODE salted)
garble() {
        /usr/bin/python3 - "$@" << 'EOF'
import os, random, shutil, sys
src, dst, mode, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = random.Random(seed)
shutil.copytree(src, dst, symlinks=True)
garbled = open(dst + ".garbled", "w")
bad = [b"\xff", b"\xfe", b"\x00", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x1b[31m",
       b"\xef\xbf\xbe", b"<", b"&", b'"', b"\\", b"\n", b"]]>", b"|", b"`"]
for d, _, files in os.walk(dst):
    for name in files:
        p = os.path.join(d, name)
        if os.path.islink(p) or not os.path.isfile(p) or p == os.path.join(dst, "sis-dump.json"):
            continue  # the dump's own manifest stays: a broken one is refused (exit 2), rightly
        data = open(p, "rb").read()
        if mode == "random":
            data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 2048)))
        else:
            out = bytearray()
            for line in data.split(b"\n"):
                if line and rng.random() < 0.5:
                    at = rng.randint(0, len(line))
                    line = line[:at] + rng.choice(bad) + bytes(rng.getrandbits(8) | 0x80 for _ in range(rng.randint(0, 3))) + line[at:]
                out += line + b"\n"
            data = bytes(out[:-1])
        with open(p, "wb") as f:
            f.write(data)
        print("/" + os.path.relpath(p, dst), file=garbled)
EOF
}

strict_json() { /usr/bin/python3 -c '
import json, sys
def no_constants(x): raise ValueError("not JSON: " + x)
json.loads(open(sys.argv[1], "rb").read(), parse_constant=no_constants)' "$1"; }
strict_html() { /usr/bin/python3 -c '
import html5lib, sys
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb").read().decode("utf-8"))' "$1"; }
utf8() { /usr/bin/python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1"; }

if ! /usr/bin/python3 -c 'import html5lib' 2> /dev/null; then
        notok "html5lib (python3-html5lib) is missing: scripts/deps.sh test installs it"
fi
echo "# seed $seed"
n=0
for src in tests/fixtures/hosts/intel-careless tests/fixtures/hosts/amd-baremetal tests/fixtures/hosts/old-kernel; do
        [ "$n" -lt "$roots" ] || break
        n=$((n + 1))
        for mode in random salted; do
                r=$tmp/$(basename "$src")-$mode
                garble "$src" "$r" "$mode" "$((seed + n))"
                bad=()
                for f in text json junit prometheus markdown html; do
                        out=$tmp/out.$f
                        "$audit" --root "$r" --format "$f" --output "$out" 2> "$tmp/err"
                        rc=$?
                        if [ "$rc" = 2 ] || [ ! -s "$out" ]; then
                                bad+=("$f: exit $rc, $(head -c 300 "$tmp/err")")
                                continue
                        fi
                        case $f in
                        json) strict_json "$out" 2> "$tmp/why" || bad+=("json: $(tail -1 "$tmp/why")") ;;
                        junit) xmllint --noout --schema tests/data/junit.xsd "$out" 2> "$tmp/why" || bad+=("junit: $(head -2 "$tmp/why")") ;;
                        prometheus) promtool check metrics < "$out" > "$tmp/why" 2>&1 || bad+=("prometheus: $(head -2 "$tmp/why")") ;;
                        html) strict_html "$out" 2> "$tmp/why" || bad+=("html: $(tail -1 "$tmp/why")") ;;
                        *) utf8 "$out" 2> "$tmp/why" || bad+=("$f: $(tail -1 "$tmp/why")") ;;
                        esac
                done
                name="$(basename "$src"), $mode bytes: every format parses strictly"
                if [ ${#bad[@]} = 0 ]; then ok "$name"; else notok "$name" "${bad[@]}"; fi
                if [ "$mode" = random ]; then
                        # a PASS that rests on a file this run garbled
                        passed=$(/usr/bin/python3 -c '
import fnmatch, json, sys
garbled = open(sys.argv[2]).read().split()
for c in json.load(open(sys.argv[1]))["checks"]:
    if c["status"] == "PASS":
        for e in c["evidence"]:
            hit = [g for g in garbled if fnmatch.fnmatchcase(g, e["path"])]
            if hit:
                print("%s (%s: %s)" % (c["id"], hit[0], e["value"][:80]))' "$tmp/out.json" "$r.garbled")
                        [ -z "$passed" ] && ok "$(basename "$src"), random bytes: no check PASSes on what it read from garbage ($(wc -l < "$r.garbled") files garbled)" ||
                                notok "$(basename "$src"), random bytes: PASS on garbage" "$passed"
                fi
        done
done
finish
