#!/usr/bin/env bash
# The CycloneDX SBOMs (provision/sbom.c) checked by a real consumer: @cyclonedx/cyclonedx-library's
# strict JSON validator for spec 1.5 (tests/sbom/validate.js; scripts/deps.sh test installs it under
# build/sbom-npm from tests/sbom/package-lock.json). The unit test's driver (test-sbom --write)
# writes SBOMs of the fixture databases and of a kernel; broken ones must be refused; and a kernel
# "built" by sis-provision from a stand-in tree (a Makefile that copies, no compiler) publishes a
# valid sbom.cdx.json that SHA256SUMS and the manifest cover, byte-identical from a clean cache.
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
need_cmd node python3
drv=build/tests/test-sbom
bin=build/sis-provision
validate=(node tests/sbom/validate.js)

if [ ! -d build/sbom-npm/node_modules/@cyclonedx/cyclonedx-library ]; then
        notok "sbom: the CycloneDX validator is not installed" "run scripts/deps.sh test (npm ci into build/sbom-npm)"
        finish
fi
[ -x "$drv" ] || { notok "sbom: $drv is not built (make check builds it)"; finish; }

# jq-like: python3 -c on a JSON file. JSON FILE EXPR (EXPR on d, the document)
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- the fixtures' SBOMs ------------------------------------------------------------------------
mkdir -p "$tmp/a" "$tmp/b"
check "sbom: the driver writes the SBOMs" "$drv" --write "$tmp/a"
for f in "$tmp"/a/*.cdx.json; do mv "$f" "${f%.cdx.json}"; done # the names the verdicts say
# one validator run for all (node and ajv's schema compilation take a second), one verdict a file
names=(dpkg apk empty utf8 kernel kernel-dir)
out=$("${validate[@]}" "${names[@]/#/$tmp/a/}" 2>&1)
rc=$?
for f in "${names[@]}"; do
        if [ "$rc" = 0 ] && has "^$tmp/a/$f: valid CycloneDX 1\.5$" "$out"; then
                ok "sbom: $f is valid CycloneDX 1.5 (cyclonedx-library)"
        else
                notok "sbom: $f is not valid CycloneDX 1.5 (exit $rc)" "$(lines 30 "$out")"
        fi
done
"$drv" --write "$tmp/b" > /dev/null 2>&1
same=1
for f in "$tmp"/a/*; do cmp -s "$f" "$tmp/b/$(basename "$f").cdx.json" || same=0; done
[ "$same" = 1 ] && ok "sbom: the same inputs give byte-identical SBOMs" || notok "sbom: two runs differ"

# the dpkg SBOM lists exactly the fixture's installed packages, the apk one every package
want=$(awk '/^Package:/ { p = $2 } /^Status: install ok installed$/ { print p }' tests/fixtures/sbom/dpkg-status | sort)
got=$(json "$tmp/a/dpkg" '"\n".join(sorted(c["name"] for c in d["components"]))')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "sbom: dpkg: the $(wc -l <<< "$want") installed packages, no others" ||
        notok "sbom: dpkg: the packages differ from the fixture's installed ones" "want: $want" "got: $got"
want=$(sed -n 's/^P://p' tests/fixtures/sbom/apk-installed | sort)
got=$(json "$tmp/a/apk" '"\n".join(sorted(c["name"] for c in d["components"]))')
[ "$want" = "$got" ] && ok "sbom: apk: every package of the database" || notok "sbom: apk: the packages differ" "$want" "$got"
got=$(json "$tmp/a/apk" 'sum(1 for c in d["components"] if "licenses" in c)')
[ "$got" = "$(grep -c '^L:' tests/fixtures/sbom/apk-installed)" ] && ok "sbom: apk: a licence wherever the database has one" ||
        notok "sbom: apk: $got licences"

# --- the validator says no ----------------------------------------------------------------------
mutate() { # NAME PYTHON-STATEMENT (on d): writes $tmp/bad-NAME.json from the kernel SBOM
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(d, open(sys.argv[3], "w"))' \
                "$tmp/a/kernel" "$2" "$tmp/bad-$1"
}
mutate type 'd["components"][0]["type"] = "kernel"'
mutate noname 'del d["components"][0]["name"]'
mutate serial 'd["serialNumber"] = "urn:uuid:not-a-uuid"'
mutate hash 'd["components"][0]["hashes"][0]["content"] = "xyz"'
mutate extra 'd["components"][0]["kernel"] = True'
mutate spec 'd["specVersion"] = 1.5'
head -c 300 "$tmp/a/dpkg" > "$tmp/bad-truncated"
bad=(type noname serial hash extra spec truncated)
out=$("${validate[@]}" "${bad[@]/#/$tmp/bad-}" 2>&1)
rc=$?
for b in "${bad[@]}"; do
        if [ "$rc" = 1 ] && has "^$tmp/bad-$b: not valid" "$out" && ! has "^$tmp/bad-$b: valid" "$out"; then
                ok "sbom: the validator refuses a broken SBOM ($b)"
        else
                notok "sbom: the validator took a broken SBOM ($b, exit $rc)" "$(lines 30 "$out")"
        fi
done
expect "sbom: the validator without its library is an error, not a pass" 2 "not installed" \
        env SIS_SBOM_NODE_MODULES="$tmp/nothing" "${validate[@]}" "$tmp/a/kernel"

# --- sis-provision kernel publishes one -----------------------------------------------------------
# a stand-in kernel tree: kbuild's targets as copies (the final config is the merged requests)
mkdir -p "$tmp/linux-stand-in"
# shellcheck disable=SC2016 # $(...) is make's, in the Makefile written here
printf '%s\n' 'VERSION = 6' 'PATCHLEVEL = 1' 'SUBLEVEL = 999' \
        'allnoconfig:' '	cp $(KCONFIG_ALLCONFIG) $(O)/.config' 'olddefconfig:' '	@:' \
        'vmlinux:' '	mkdir -p $(O)/include/config $(O)/arch/x86/boot' \
        '	echo $(VERSION).$(PATCHLEVEL).$(SUBLEVEL)-stand-in > $(O)/include/config/kernel.release' \
        '	echo "vmlinux $(ARCH)" > $(O)/vmlinux' \
        'bzImage: vmlinux' '	echo bzImage > $(O)/arch/x86/boot/bzImage' > "$tmp/linux-stand-in/Makefile"
export SOURCE_DATE_EPOCH=1767225600
build() { # CACHE OUT
        "$bin" kernel --source "$tmp/linux-stand-in" --profile sis-guest --cache "$1" --out "$2" --jobs 1
}
expect "sbom: sis-provision kernel (a stand-in tree) builds" 0 "" build "$tmp/c1" "$tmp/k1"
k=$tmp/k1
if [ -s "$k/sbom.cdx.json" ]; then
        ok "sbom: the kernel's outputs include sbom.cdx.json"
        expect "sbom: the kernel's sbom.cdx.json is valid CycloneDX 1.5" 0 "valid CycloneDX 1.5" "${validate[@]}" "$k/sbom.cdx.json"
        check "sbom: SHA256SUMS covers sbom.cdx.json" env -C "$k" sha256sum -c --quiet SHA256SUMS
        expect "sbom: SHA256SUMS lists it" 0 "" grep -q '  sbom\.cdx\.json$' "$k/SHA256SUMS"
        got=$(json "$k/manifest.json" '" ".join(d["outputs"])')
        [ "$got" = "vmlinux bzImage config sbom.cdx.json" ] && ok "sbom: the manifest's outputs list it" ||
                notok "sbom: manifest outputs: $got"
        check "sbom: sis-provision verify" "$bin" verify "$k"
        got=$(json "$k/sbom.cdx.json" '(lambda c, p: (c["version"], c["hashes"][0]["content"], p["sis:config_sha256"],
                p["sis:source_tree_sha256"] != ""))(d["components"][0], {x["name"]: x["value"] for x in d["components"][0]["properties"]})')
        want="('6.1.999-stand-in', '$(sha256sum < "$k/bzImage" | cut -d' ' -f1)', '$(sha256sum < "$k/config" | cut -d' ' -f1)', True)"
        [ "$got" = "$want" ] && ok "sbom: the kernel's release, bzImage and config hashes, source tree hash" ||
                notok "sbom: the kernel component" "got:  $got" "want: $want"
        got=$(json "$k/sbom.cdx.json" 'd["metadata"]["timestamp"]')
        [ "$got" = 2026-01-01T00:00:00Z ] && ok "sbom: its timestamp is SOURCE_DATE_EPOCH" || notok "sbom: timestamp $got"
else
        notok "sbom: no sbom.cdx.json in the kernel's outputs" "$(ls "$k" 2>&1)"
fi
expect "sbom: a clean cache builds again" 0 "" build "$tmp/c2" "$tmp/k2"
check "sbom: byte-identical from a clean cache" cmp "$tmp/k1/sbom.cdx.json" "$tmp/k2/sbom.cdx.json"
check "sbom: and the same manifest" cmp "$tmp/k1/manifest.json" "$tmp/k2/manifest.json"
expect "sbom: an unchanged rebuild is a cache hit" 0 "cache hit" build "$tmp/c1" "$tmp/k3"
check "sbom: the cache hit publishes the SBOM too" cmp "$tmp/k1/sbom.cdx.json" "$tmp/k3/sbom.cdx.json"
# an entry that lost its SBOM is not a hit: it is built again, whole
rm -f "$tmp"/c1/kernel/*/sbom.cdx.json
expect "sbom: an entry without its SBOM is no cache hit" 0 "" build "$tmp/c1" "$tmp/k4"
has 'cache hit' "$last_out" && notok "sbom: the entry without an SBOM was taken as a hit"
check "sbom: it is built again, with the SBOM" cmp "$tmp/k1/sbom.cdx.json" "$tmp/k4/sbom.cdx.json"
finish
