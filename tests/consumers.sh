#!/usr/bin/env bash
# Each report format passes a real consumer: xmllint against a JUnit XSD (Ant/Jenkins style),
# promtool, the real prometheus-node-exporter scraped over loopback, and headless Chromium
# rendering the HTML (the inline filter script runs under the page's CSP; a screenshot is taken).
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
exp=tests/expected

# JUnit: every golden validates; the schema is not a rubber stamp; classname+name unique.
for f in "$exp"/*.xml; do
        xmllint --noout --schema tests/data/junit.xsd "$f" 2> "$tmp/err" && ok "xmllint --schema $(basename "$f")" ||
                notok "xmllint --schema $(basename "$f")" "$(head -3 "$tmp/err")"
        dups=$(grep -o '<testcase classname="[^"]*" name="[^"]*"' "$f" | sort | uniq -d)
        [ -z "$dups" ] && ok "unique test cases $(basename "$f")" || notok "duplicate test cases in $(basename "$f"): $dups"
done
sed 's/ classname="[^"]*"//' "$exp/intel-careless.xml" > "$tmp/broken.xml"
! xmllint --noout --schema tests/data/junit.xsd "$tmp/broken.xml" 2> /dev/null && ok "the XSD rejects a testcase without classname" ||
        notok "the XSD accepted a broken document"

# Prometheus exposition format, by Prometheus's own checker.
for f in "$exp"/*.prom; do
        promtool check metrics < "$f" > "$tmp/err" 2>&1 && ok "promtool $(basename "$f")" || notok "promtool $(basename "$f")" "$(head -3 "$tmp/err")"
done
# the alert rules of contrib/: valid, and they fire on what they are about (and only on it)
promtool check rules contrib/prometheus/sis-launch.rules.yml > "$tmp/err" 2>&1 &&
        promtool test rules tests/data/sis-launch.rules.test.yml >> "$tmp/err" 2>&1 &&
        ok "promtool: contrib's alert rules check, and their unit tests pass (metadata probe, denied spike, seccomp)" ||
        notok "promtool: contrib/prometheus/sis-launch.rules.yml" "$(tail -5 "$tmp/err")"
printf 'sis_audit_verdict{host="a"} 1\nsis_audit_verdict{host="a"} 2\n' > "$tmp/dup.prom"
! promtool check metrics < "$tmp/dup.prom" > /dev/null 2>&1 && ok "promtool rejects duplicate series" || notok "promtool accepted duplicates"

# node_exporter's textfile collector, scraped over loopback: the audit's report, and sis-launch
# metrics of three VMs (the golden of tests/unit/test-metrics.c; launch.sh scrapes live ones)
if command -v prometheus-node-exporter > /dev/null; then
        mkdir -p "$tmp/textfile"
        build/sis-audit --root tests/fixtures/hosts/intel-careless --format prometheus --output "$tmp/textfile/sis_audit.prom"
        cp "$exp/metrics-3vms.prom" "$tmp/textfile/sis_vms.prom"
        if scrape_textfile "$tmp/textfile" "$tmp/scrape" && grep -q '^sis_audit_verdict 1$' "$tmp/scrape" &&
                grep -q '^sis_audit_check_status{category="cpu",id="cpu.smt",severity="critical",waived="false"} 4$' "$tmp/scrape" &&
                grep -q '^sis_vm_denied_packets_total{backend="firecracker",reason="private",vm="fc-1"} 41$' "$tmp/scrape" &&
                grep -q '^node_textfile_scrape_error 0$' "$tmp/scrape"; then
                ok "node_exporter serves the sis_ series ($(grep -c '^sis_audit' "$tmp/scrape") audit samples, $(grep -c '^sis_vm' "$tmp/scrape") VM samples)"
        else
                notok "node_exporter scrape" "$(grep -E 'sis_audit_verdict|scrape_error' "$tmp/scrape" 2> /dev/null)" "$(tail -3 "$tmp/ne.log" 2> /dev/null)"
        fi
else
        notok "prometheus-node-exporter not installed (scripts/deps.sh test installs it)"
fi

# HTML in headless Chromium: the page loads nothing from elsewhere, its script runs, it renders.
chrome=$(command -v chromium || true)
if [ -n "$chrome" ]; then
        # shellcheck disable=SC2054 # the comma is --window-size's own
        flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
               --disable-component-update --disable-sync --user-data-dir="$tmp/chrome" --window-size=1280,1600)
        for page in intel-careless.policy.html fleet.html; do
                timeout 60 "$chrome" "${flags[@]}" --dump-dom "file://$PWD/$exp/$page" > "$tmp/dom" 2> /dev/null
                grep -q 'data-filter="ready"' "$tmp/dom" && ok "chromium runs the inline script of $page" ||
                        notok "chromium: the inline script of $page did not run"
                timeout 60 "$chrome" "${flags[@]}" --screenshot="$tmp/shot.png" "file://$PWD/$exp/$page" > /dev/null 2>&1
                # PNG signature, then the IHDR width and height (big-endian at bytes 16..23)
                sig=$(od -An -tx1 -N8 "$tmp/shot.png" 2> /dev/null | tr -d ' \n')
                wh=$(od -An -tu1 -j16 -N8 "$tmp/shot.png" 2> /dev/null | awk '{print ($1*16777216+$2*65536+$3*256+$4) "x" ($5*16777216+$6*65536+$7*256+$8)}')
                size=$(stat -c %s "$tmp/shot.png" 2> /dev/null || echo 0)
                if [ "$sig" = 89504e470d0a1a0a ] && [ "$wh" = 1280x1600 ] && [ "$size" -gt 20000 ]; then
                        ok "chromium screenshot of $page ($wh, $size bytes)"
                else
                        notok "chromium screenshot of $page (signature $sig, $wh, $size bytes)"
                fi
        done
        # nothing but the file itself was requested
        grep -qE '(src|href)="(https?:)?//' "$exp/intel-careless.policy.html" && notok "HTML refers to another origin" || ok "HTML is self-contained"
else
        notok "chromium not installed (scripts/deps.sh test installs it)"
fi
finish
