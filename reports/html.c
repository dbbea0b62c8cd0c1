/* SPDX-License-Identifier: MIT */
/* One self-contained HTML page: inline CSS, one small inline script for filtering, a Content
 * Security Policy that forbids loading anything from elsewhere, and print styles. */
#include "escape.h"
#include "fleet.h"
#include "render.h"

static const char html_style[] =
        ":root{--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--skip:#6e7781;--unknown:#8250df;--waived:#0969da}"
        "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328;background:#fff}"
        "header{padding:18px 24px;color:#fff}header h1{margin:0;font-size:26px}header p{margin:4px 0 0;opacity:.92}"
        ".v-PASS{background:var(--pass)}.v-FAIL{background:var(--fail)}.v-INCONCLUSIVE{background:var(--unknown)}"
        "main{padding:16px 24px}.counts{display:flex;gap:10px;flex-wrap:wrap;margin:0 0 14px}"
        ".counts span{border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;font-weight:600}"
        ".filters{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:0 0 10px}"
        ".filters input[type=search]{padding:4px 8px;min-width:220px}"
        "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d8dee4;padding:6px 8px;"
        "text-align:left;vertical-align:top}th{background:#f6f8fa;position:sticky;top:0}"
        "code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}.title{color:#57606a;font-size:12px}"
        ".badge{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-weight:700;"
        "font-size:12px;padding:2px 6px}.b-PASS{background:var(--pass)}.b-WARN{background:var(--warn)}"
        ".b-FAIL{background:var(--fail)}.b-SKIP{background:var(--skip)}.b-UNKNOWN{background:var(--unknown)}"
        ".b-waived{background:var(--waived)}ul.ev{margin:4px 0;padding-left:18px;color:#57606a;font-size:12px}"
        ".fix{margin:4px 0 0;font-size:12px}.fix b{color:#1f2328}.waiver{margin:4px 0 0;font-size:12px;color:var(--waived)}"
        "footer{padding:12px 24px;color:#57606a;font-size:12px}"
        "@media print{.filters{display:none}th{position:static}header{-webkit-print-color-adjust:exact;"
        "print-color-adjust:exact}tr{break-inside:avoid}}";

const char html_script[] =
        "(function(){var q=document.getElementById('q'),boxes=document.querySelectorAll('.filters input[type=checkbox]');"
        "function apply(){var on={};boxes.forEach(function(b){on[b.value]=b.checked});"
        "var t=q.value.toLowerCase();document.querySelectorAll('tbody tr').forEach(function(tr){"
        "var show=on[tr.getAttribute('data-status')]&&tr.textContent.toLowerCase().indexOf(t)>=0;"
        "tr.style.display=show?'':'none'})}"
        "q.addEventListener('input',apply);boxes.forEach(function(b){b.addEventListener('change',apply)});apply();"
        "document.documentElement.setAttribute('data-filter','ready')})();";

void html_head(struct sbuf *b, const char *title) {
        sbuf_puts(b,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>");
        put_xml(b, title);
        sbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", html_style);
}

static int html_rank(const struct sis_finding *f) {
        if (f->waived)
                return 3;
        switch (f->status) {
        case SIS_FAIL: return 0;
        case SIS_UNKNOWN: return 1;
        case SIS_WARN: return 2;
        case SIS_SKIP: return 4;
        default: return 5;
        }
}

static void row(struct sbuf *b, const struct sis_finding *f) {
        const char *st = f->waived ? "waived" : sis_status_name(f->status);

        sbuf_printf(b, "<tr data-status=\"%s\"><td><span class=\"badge b-%s\">%s</span></td><td><code>", st, st,
                    f->waived ? "WAIVED" : st);
        put_xml(b, f->id);
        sbuf_puts(b, "</code><div class=\"title\">");
        put_xml(b, f->title);
        sbuf_puts(b, "</div></td><td>");
        put_xml(b, f->category);
        sbuf_puts(b, "</td><td>");
        put_xml(b, sis_severity_name(f->severity));
        sbuf_puts(b, "</td><td>");
        put_xml(b, f->summary);
        if (f->n_evidence) {
                sbuf_puts(b, "<ul class=\"ev\">");
                for (size_t i = 0; i < f->n_evidence; i++) {
                        sbuf_puts(b, "<li><code>");
                        put_xml(b, f->evidence[i].path);
                        sbuf_puts(b, "</code>: ");
                        put_xml(b, f->evidence[i].value);
                        sbuf_puts(b, "</li>");
                }
                sbuf_puts(b, "</ul>");
        }
        if (f->waived) {
                sbuf_printf(b, "<p class=\"waiver\">%s, waived until ", sis_status_name(f->status));
                put_xml(b, f->waiver.expires);
                sbuf_puts(b, " by ");
                put_xml(b, f->waiver.approver);
                sbuf_puts(b, ": ");
                put_xml(b, f->waiver.reason);
                sbuf_puts(b, "</p>");
        } else if ((f->status == SIS_FAIL || f->status == SIS_WARN) && f->remediation && *f->remediation) {
                sbuf_puts(b, "<p class=\"fix\"><b>Fix:</b> ");
                put_xml(b, f->remediation);
                sbuf_puts(b, "</p>");
        }
        sbuf_puts(b, "</td></tr>\n");
}

void html_filters(struct sbuf *b) {
        static const char *const st[] = { "FAIL", "UNKNOWN", "WARN", "waived", "SKIP", "PASS" };
        sbuf_puts(b, "<div class=\"filters\">");
        for (size_t i = 0; i < ELEMENTSOF(st); i++)
                sbuf_printf(b, "<label><input type=\"checkbox\" value=\"%s\" checked> %s</label>", st[i], st[i]);
        sbuf_puts(
                b,
                "<input type=\"search\" id=\"q\" placeholder=\"Filter checks\" aria-label=\"Filter checks\"></div>\n");
}

char *render_html(const struct sis_report *r, const struct render_opts *o _unused_) {
        struct sbuf b = {};
        _cleanup_free_ char *title = NULL;
        char ts[32];

        report_time(r, ts);
        title = strdup_printf("%s: %s on %s", r->tool, verdict_text(r->verdict),
                              report_fact(r, "hostname") ? report_fact(r, "hostname") : "unknown host");
        html_head(&b, strna(title));
        sbuf_printf(&b, "<header class=\"v-%s\"><h1>", verdict_text(r->verdict));
        put_xml(&b, strna(title));
        sbuf_puts(&b, "</h1><p>");
        sbuf_puts(&b, "kernel ");
        put_xml(&b, strna(report_fact(r, "kernel")));
        sbuf_puts(&b, " &middot; ");
        put_xml(&b, strna(report_fact(r, "cpu_model")));
        sbuf_puts(&b, " &middot; profile ");
        put_xml(&b, r->profile);
        if (r->policy) {
                sbuf_puts(&b, " &middot; policy ");
                put_xml(&b, r->policy);
        }
        sbuf_printf(&b, " &middot; %s</p></header>\n<main>\n<div class=\"counts\">", ts);
        sbuf_printf(&b,
                    "<span>%u PASS</span><span>%u WARN</span><span>%u FAIL</span><span>%u SKIP</span>"
                    "<span>%u UNKNOWN</span><span>%u waived</span></div>\n",
                    r->counts[SIS_PASS], r->counts[SIS_WARN], r->counts[SIS_FAIL], r->counts[SIS_SKIP],
                    r->counts[SIS_UNKNOWN], r->waived);
        html_filters(&b);
        sbuf_puts(&b,
                  "<table>\n<thead><tr><th>Status</th><th>Check</th><th>Category</th><th>Severity</th>"
                  "<th>Result, evidence and fix</th></tr></thead>\n<tbody>\n");
        /* the worst first, table order within each status */
        for (int rank = 0; rank < 6; rank++)
                for (size_t i = 0; i < r->n_findings; i++)
                        if (html_rank(r->findings[i]) == rank)
                                row(&b, r->findings[i]);
        sbuf_puts(&b, "</tbody>\n</table>\n</main>\n<footer>");
        put_xml(&b, r->tool);
        sbuf_puts(&b, " ");
        put_xml(&b, r->version);
        sbuf_printf(&b, "</footer>\n<script>%s</script>\n</body>\n</html>\n", html_script);
        return sbuf_steal(&b);
}
