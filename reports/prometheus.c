/* SPDX-License-Identifier: MIT */
/* node_exporter textfile collector format (no client-side timestamps), under our own sis_
 * prefix. Check status values rise with badness so an alert can say "> 2": 0 PASS, 1 SKIP,
 * 2 WARN, 3 UNKNOWN, 4 FAIL. The verdict is sis-audit's exit code: 0 pass, 1 fail,
 * 3 inconclusive. One report, or a fleet with a host label; each metric family is written in
 * one piece, as the format requires. */
#include "escape.h"
#include "fleet.h"
#include "render.h"

static int status_value(enum sis_status s) {
        switch (s) {
        case SIS_PASS: return 0;
        case SIS_SKIP: return 1;
        case SIS_WARN: return 2;
        case SIS_UNKNOWN: return 3;
        default: return 4;
        }
}

/* Open a sample: name{host="…",  (labels continue with label()) */
static void start(struct sbuf *b, const char *name, const char *host, bool *first) {
        sbuf_puts(b, name);
        sbuf_putc(b, '{');
        *first = true;
        if (host) {
                sbuf_puts(b, "host=\"");
                put_prom(b, host);
                sbuf_putc(b, '"');
                *first = false;
        }
}

static void label(struct sbuf *b, bool *first, const char *name, const char *value) {
        sbuf_printf(b, "%s%s=\"", *first ? "" : ",", name);
        put_prom(b, value);
        sbuf_putc(b, '"');
        *first = false;
}

static void end(struct sbuf *b, const char *value) {
        /* "{}" is valid but noisy: drop an empty label set */
        if (b->len >= 1 && b->buf[b->len - 1] == '{')
                b->buf[--b->len] = '\0';
        else
                sbuf_putc(b, '}');
        sbuf_printf(b, " %s\n", value);
}

static void help(struct sbuf *b, const char *name, const char *text) {
        sbuf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, text, name);
}

void prom_render(struct sbuf *b, struct sis_report *const *rs, char *const *hosts, size_t n) {
        static const char *const names[] = { "pass", "warn", "fail", "skip", "unknown" };
        char v[64];
        bool first;

        help(b, "sis_audit_info", "sis-audit run metadata.");
        for (size_t i = 0; i < n; i++) {
                start(b, "sis_audit_info", hosts ? hosts[i] : NULL, &first);
                label(b, &first, "version", rs[i]->version);
                label(b, &first, "profile", rs[i]->profile);
                label(b, &first, "kernel", report_fact(rs[i], "kernel") ? report_fact(rs[i], "kernel") : "");
                end(b, "1");
        }
        help(b, "sis_audit_verdict", "Audit verdict as sis-audit's exit code: 0 pass, 1 fail, 3 inconclusive.");
        for (size_t i = 0; i < n; i++) {
                start(b, "sis_audit_verdict", hosts ? hosts[i] : NULL, &first);
                snprintf(v, sizeof(v), "%d", sis_report_exit_code(rs[i]));
                end(b, v);
        }
        help(b, "sis_audit_checks", "Checks by status; waived checks are counted apart.");
        for (size_t i = 0; i < n; i++)
                for (int s = 0; s <= _SIS_STATUS_MAX; s++) {
                        start(b, "sis_audit_checks", hosts ? hosts[i] : NULL, &first);
                        label(b, &first, "status", s < _SIS_STATUS_MAX ? names[s] : "waived");
                        snprintf(v, sizeof(v), "%u", s < _SIS_STATUS_MAX ? rs[i]->counts[s] : rs[i]->waived);
                        end(b, v);
                }
        help(b, "sis_audit_check_status", "Check status: 0 pass, 1 skip, 2 warn, 3 unknown, 4 fail.");
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < rs[i]->n_findings; j++) {
                        const struct sis_finding *f = rs[i]->findings[j];
                        start(b, "sis_audit_check_status", hosts ? hosts[i] : NULL, &first);
                        label(b, &first, "id", f->id);
                        label(b, &first, "category", f->category);
                        label(b, &first, "severity", sis_severity_name(f->severity));
                        label(b, &first, "waived", f->waived ? "true" : "false");
                        snprintf(v, sizeof(v), "%d", status_value(f->status));
                        end(b, v);
                }
        help(b, "sis_audit_last_run_timestamp_seconds", "When the audit ran, in Unix time.");
        for (size_t i = 0; i < n; i++) {
                start(b, "sis_audit_last_run_timestamp_seconds", hosts ? hosts[i] : NULL, &first);
                snprintf(v, sizeof(v), "%lld", (long long) rs[i]->started);
                end(b, v);
        }
        help(b, "sis_audit_duration_seconds", "How long the audit took.");
        for (size_t i = 0; i < n; i++) {
                start(b, "sis_audit_duration_seconds", hosts ? hosts[i] : NULL, &first);
                snprintf(v, sizeof(v), "%.6f", rs[i]->duration);
                end(b, v);
        }
}

char *render_prometheus(const struct sis_report *r, const struct render_opts *o _unused_) {
        struct sbuf b = {};
        struct sis_report *one[] = { (struct sis_report *) r };

        prom_render(&b, one, NULL, 1);
        return sbuf_steal(&b);
}
