/* SPDX-License-Identifier: MIT */
#include "fleet.h"

#include <json-c/json.h>
#include <time.h>

#include "escape.h"
#include "json.h"
#include "render.h"

static int host_badness(const struct sis_report *r) {
        return r->verdict == SIS_VERDICT_FAIL ? 2 : r->verdict == SIS_VERDICT_INCONCLUSIVE ? 1 : 0;
}

static int cmp_reports(const void *a, const void *b) {
        const struct sis_report *x = *(struct sis_report *const *) a, *y = *(struct sis_report *const *) b;
        const char *hx = report_fact(x, "hostname"), *hy = report_fact(y, "hostname");

        if (host_badness(x) != host_badness(y))
                return host_badness(y) - host_badness(x);
        if (x->counts[SIS_FAIL] != y->counts[SIS_FAIL])
                return x->counts[SIS_FAIL] > y->counts[SIS_FAIL] ? -1 : 1;
        if (x->counts[SIS_UNKNOWN] != y->counts[SIS_UNKNOWN])
                return x->counts[SIS_UNKNOWN] > y->counts[SIS_UNKNOWN] ? -1 : 1;
        if (x->counts[SIS_WARN] != y->counts[SIS_WARN])
                return x->counts[SIS_WARN] > y->counts[SIS_WARN] ? -1 : 1;
        return strcmp(strempty(hx), strempty(hy));
}

void fleet_free(struct fleet *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++)
                sis_report_free(f->reports[i]);
        free(f->reports);
        strv_free(f->hosts);
        for (size_t i = 0; i < f->n_checks; i++) {
                free(f->checks[i].id);
                free(f->checks[i].category);
        }
        free(f->checks);
        for (size_t i = 0; f->index && i < f->n; i++)
                json_object_put(f->index[i]);
        free(f->index);
        free(f);
}

/* Most failures first, then most UNKNOWNs, then most WARNs; ties in first-seen order. */
static int cmp_check(const void *a, const void *b) {
        const struct fleet_check *x = a, *y = b;
        unsigned bx = x->fail, by = y->fail;
        if (bx != by)
                return bx > by ? -1 : 1;
        if (x->unknown != y->unknown)
                return x->unknown > y->unknown ? -1 : 1;
        if (x->warn != y->warn)
                return x->warn > y->warn ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

int fleet_new(struct sis_report **reports, size_t n, struct fleet **ret) {
        struct fleet *f = calloc(1, sizeof(*f));
        json_object *where = json_object_new_object(); /* check id -> its place in f->checks */
        size_t cap = 0;

        if (!f || !where) {
                free(f);
                json_object_put(where);
                return -ENOMEM;
        }
        f->reports = reports;
        f->n = n;
        qsort(f->reports, n, sizeof(*f->reports), cmp_reports);
        f->hosts = calloc(n + 1, sizeof(char *));
        f->index = calloc(n + 1, sizeof(json_object *));
        if (!f->hosts || !f->index) {
                json_object_put(where);
                fleet_free(f);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                const char *h = report_fact(reports[i], "hostname");
                char *name = strdup(h && *h ? h : "unknown");
                /* the same name twice (clones, or no hostname): number them */
                for (unsigned k = 2; name && strv_contains(f->hosts, name); k++) {
                        free(name);
                        name = strdup_printf("%s#%u", h && *h ? h : "unknown", k);
                }
                f->index[i] = json_object_new_object();
                if (!name || !f->index[i]) {
                        free(name);
                        json_object_put(where);
                        fleet_free(f);
                        return -ENOMEM;
                }
                f->hosts[i] = name;
        }
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < reports[i]->n_findings; j++) {
                        const struct sis_finding *x = reports[i]->findings[j];
                        struct fleet_check *c = NULL;
                        json_object *at;
                        /* a report holds each id once (the reader refuses doubles) */
                        if (json_object_object_add(f->index[i], x->id, json_object_new_int64((int64_t) j)) < 0) {
                                json_object_put(where);
                                fleet_free(f);
                                return -ENOMEM;
                        }
                        if (json_object_object_get_ex(where, x->id, &at))
                                c = &f->checks[json_object_get_int64(at)];
                        if (!c) {
                                if (f->n_checks == cap) {
                                        struct fleet_check *nc;
                                        cap = cap ? cap * 2 : 64;
                                        nc = realloc(f->checks, cap * sizeof(*nc));
                                        if (!nc) {
                                                json_object_put(where);
                                                fleet_free(f);
                                                return -ENOMEM;
                                        }
                                        f->checks = nc;
                                }
                                c = &f->checks[f->n_checks];
                                *c = (struct fleet_check) { .id = strdup(x->id),
                                                            .category = strdup(x->category),
                                                            .order = f->n_checks };
                                f->n_checks++;
                                if (!c->id || !c->category ||
                                    json_object_object_add(where, x->id, json_object_new_int64((int64_t) c->order)) <
                                            0) {
                                        json_object_put(where);
                                        fleet_free(f);
                                        return -ENOMEM;
                                }
                        }
                        if (x->waived)
                                c->waived++;
                        else if (x->status == SIS_FAIL)
                                c->fail++;
                        else if (x->status == SIS_WARN)
                                c->warn++;
                        else if (x->status == SIS_UNKNOWN)
                                c->unknown++;
                }
        json_object_put(where);
        /* most failures first (ties broken by first appearance: the order is total) */
        if (f->n_checks)
                qsort(f->checks, f->n_checks, sizeof(*f->checks), cmp_check);
        *ret = f;
        return 0;
}

const struct sis_finding *fleet_get(const struct fleet *f, size_t host, const char *id) {
        json_object *at;
        if (!json_object_object_get_ex(f->index[host], id, &at))
                return NULL;
        return f->reports[host]->findings[json_object_get_int64(at)];
}

char *fleet_json(const struct fleet *f) {
        json_object *o = json_object_new_object(), *hosts = json_object_new_array(), *checks = json_object_new_array();
        char *s;

        json_object_object_add(o, "schema_version", json_object_new_int(1));
        json_object_object_add(o, "tool", json_object_new_string("sis-report"));
        json_object_object_add(o, "kind", json_object_new_string("fleet"));
        json_object_object_add(o, "version", json_object_new_string(SIS_VERSION));
        for (size_t i = 0; i < f->n; i++) {
                const struct sis_report *r = f->reports[i];
                json_object *h = json_object_new_object();
                json_object_object_add(h, "host", json_object_new_string(f->hosts[i]));
                json_object_object_add(h, "verdict", json_object_new_string(sis_verdict_name(r->verdict)));
                json_object_object_add(h, "profile", json_object_new_string(r->profile));
                json_object_object_add(h, "kernel",
                                       report_fact(r, "kernel") ? json_object_new_string(report_fact(r, "kernel"))
                                                                : NULL);
                json_object_object_add(h, "summary", report_summary_json(r));
                json_object_array_add(hosts, h);
        }
        for (size_t k = 0; k < f->n_checks; k++) {
                const struct fleet_check *c = &f->checks[k];
                json_object *x = json_object_new_object(), *st = json_object_new_object();
                json_object_object_add(x, "id", json_object_new_string(c->id));
                json_object_object_add(x, "category", json_object_new_string(c->category));
                json_object_object_add(x, "fail", json_object_new_int((int) c->fail));
                json_object_object_add(x, "warn", json_object_new_int((int) c->warn));
                json_object_object_add(x, "unknown", json_object_new_int((int) c->unknown));
                json_object_object_add(x, "waived", json_object_new_int((int) c->waived));
                for (size_t i = 0; i < f->n; i++) {
                        const struct sis_finding *fi = fleet_get(f, i, c->id);
                        json_object_object_add(
                                st, f->hosts[i],
                                fi ? json_object_new_string(fi->waived ? "WAIVED" : sis_status_name(fi->status))
                                   : NULL);
                }
                json_object_object_add(x, "status", st);
                json_object_array_add(checks, x);
        }
        json_object_object_add(o, "hosts", hosts);
        json_object_object_add(o, "checks", checks);
        s = json_text(o);
        json_object_put(o);
        return s;
}

static unsigned count_verdict(const struct fleet *f, enum sis_verdict v) {
        unsigned n = 0;
        for (size_t i = 0; i < f->n; i++)
                n += f->reports[i]->verdict == v;
        return n;
}

char *fleet_markdown(const struct fleet *f) {
        struct sbuf b = {};

        sbuf_printf(&b, "## sis fleet: %zu hosts, %u FAIL, %u inconclusive, %u pass\n\n", f->n,
                    count_verdict(f, SIS_VERDICT_FAIL), count_verdict(f, SIS_VERDICT_INCONCLUSIVE),
                    count_verdict(f, SIS_VERDICT_PASS));
        sbuf_puts(&b,
                  "| Host | Verdict | FAIL | UNKNOWN | WARN | waived | Kernel |\n|---|---|---:|---:|---:|---:|---|\n");
        for (size_t i = 0; i < f->n; i++) {
                const struct sis_report *r = f->reports[i];
                sbuf_puts(&b, "| ");
                put_md_code(&b, f->hosts[i]);
                sbuf_printf(&b, " | %s | %u | %u | %u | %u | ", verdict_text(r->verdict), r->counts[SIS_FAIL],
                            r->counts[SIS_UNKNOWN], r->counts[SIS_WARN], r->waived);
                put_md(&b, strna(report_fact(r, "kernel")));
                sbuf_puts(&b, " |\n");
        }
        sbuf_puts(&b, "\n| Check | Hosts failing | UNKNOWN | WARN | Failing hosts |\n|---|---:|---:|---:|---|\n");
        for (size_t k = 0; k < f->n_checks; k++) {
                const struct fleet_check *c = &f->checks[k];
                unsigned listed = 0;
                if (!c->fail && !c->unknown && !c->warn)
                        continue;
                sbuf_puts(&b, "| ");
                put_md_code(&b, c->id);
                sbuf_printf(&b, " | %u | %u | %u | ", c->fail, c->unknown, c->warn);
                for (size_t i = 0; i < f->n && listed < 10; i++) {
                        const struct sis_finding *x = fleet_get(f, i, c->id);
                        if (x && !x->waived && x->status == SIS_FAIL) {
                                if (listed++)
                                        sbuf_puts(&b, ", ");
                                put_md(&b, f->hosts[i]);
                        }
                }
                if (c->fail > listed)
                        sbuf_printf(&b, " and %u more", c->fail - listed);
                sbuf_puts(&b, " |\n");
        }
        return sbuf_steal(&b);
}

char *fleet_html(const struct fleet *f) {
        struct sbuf b = {};
        static const char *const letters[] = { "P", "W", "F", "S", "U" };

        html_head(&b, "sis fleet report");
        sbuf_printf(&b,
                    "<header class=\"v-%s\"><h1>sis fleet: %zu hosts</h1><p>%u FAIL &middot; %u inconclusive "
                    "&middot; %u pass &middot; hosts worst first, checks most-failing first</p></header>\n<main>\n",
                    count_verdict(f, SIS_VERDICT_FAIL)                   ? "FAIL"
                            : count_verdict(f, SIS_VERDICT_INCONCLUSIVE) ? "INCONCLUSIVE"
                                                                         : "PASS",
                    f->n, count_verdict(f, SIS_VERDICT_FAIL), count_verdict(f, SIS_VERDICT_INCONCLUSIVE),
                    count_verdict(f, SIS_VERDICT_PASS));
        sbuf_puts(&b,
                  "<table>\n<thead><tr><th>Host</th><th>Verdict</th><th>FAIL</th><th>UNKNOWN</th><th>WARN</th>"
                  "<th>waived</th><th>Kernel</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < f->n; i++) {
                const struct sis_report *r = f->reports[i];
                const char *v = verdict_text(r->verdict);
                sbuf_printf(&b, "<tr data-status=\"%s\"><td><code>",
                            r->verdict == SIS_VERDICT_FAIL           ? "FAIL"
                                    : r->verdict == SIS_VERDICT_PASS ? "PASS"
                                                                     : "UNKNOWN");
                put_xml(&b, f->hosts[i]);
                sbuf_printf(
                        &b,
                        "</code></td><td><span class=\"badge b-%s\">%s</span></td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>",
                        r->verdict == SIS_VERDICT_FAIL           ? "FAIL"
                                : r->verdict == SIS_VERDICT_PASS ? "PASS"
                                                                 : "UNKNOWN",
                        v, r->counts[SIS_FAIL], r->counts[SIS_UNKNOWN], r->counts[SIS_WARN], r->waived);
                put_xml(&b, strna(report_fact(r, "kernel")));
                sbuf_puts(&b, "</td></tr>\n");
        }
        sbuf_puts(&b, "</tbody>\n</table>\n<h2>Checks &times; hosts</h2>\n");
        html_filters(&b);
        sbuf_puts(&b,
                  "<div style=\"overflow-x:auto\"><table class=\"matrix\">\n<thead><tr><th>Check</th><th>FAIL</th>");
        for (size_t i = 0; i < f->n; i++) {
                sbuf_puts(&b, "<th title=\"");
                put_xml(&b, f->hosts[i]);
                sbuf_printf(&b, "\">%zu</th>", i + 1);
        }
        sbuf_puts(&b, "</tr></thead>\n<tbody>\n");
        for (size_t k = 0; k < f->n_checks; k++) {
                const struct fleet_check *c = &f->checks[k];
                const char *worst = c->fail ? "FAIL" : c->unknown ? "UNKNOWN" : c->warn ? "WARN" : "PASS";
                sbuf_printf(&b, "<tr data-status=\"%s\"><td><code>", worst);
                put_xml(&b, c->id);
                sbuf_printf(&b, "</code></td><td>%u</td>", c->fail);
                for (size_t i = 0; i < f->n; i++) {
                        const struct sis_finding *x = fleet_get(f, i, c->id);
                        const char *st = !x ? NULL : x->waived ? "waived" : sis_status_name(x->status);
                        if (!x) {
                                sbuf_puts(&b, "<td>&ndash;</td>");
                                continue;
                        }
                        sbuf_printf(&b, "<td><span class=\"badge b-%s\" style=\"min-width:0\" title=\"", st);
                        put_xml(&b, f->hosts[i]);
                        sbuf_puts(&b, ": ");
                        put_xml(&b, x->summary);
                        sbuf_printf(&b, "\">%s</span></td>", x->waived ? "w" : letters[x->status]);
                }
                sbuf_puts(&b, "</tr>\n");
        }
        sbuf_puts(&b, "</tbody>\n</table></div>\n<p>Columns: ");
        for (size_t i = 0; i < f->n; i++) {
                sbuf_printf(&b, "%s%zu = ", i ? ", " : "", i + 1);
                put_xml(&b, f->hosts[i]);
        }
        sbuf_printf(&b, ".</p>\n</main>\n<script>%s</script>\n</body>\n</html>\n", html_script);
        return sbuf_steal(&b);
}

char *fleet_junit(const struct fleet *f) {
        struct sbuf b = {};
        unsigned tests = 0, failures = 0, skipped = 0;

        for (size_t i = 0; i < f->n; i++) {
                tests += (unsigned) f->reports[i]->n_findings;
                failures += f->reports[i]->counts[SIS_FAIL];
                skipped += f->reports[i]->waived + f->reports[i]->counts[SIS_SKIP] + f->reports[i]->counts[SIS_UNKNOWN];
        }
        sbuf_printf(&b,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sis fleet\" tests=\"%u\" "
                    "failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"0\">\n",
                    tests, failures, skipped);
        for (size_t i = 0; i < f->n; i++)
                junit_suite(&b, f->reports[i], f->hosts[i], NULL);
        sbuf_puts(&b, "</testsuites>\n");
        return sbuf_steal(&b);
}

char *fleet_prometheus(const struct fleet *f) {
        struct sbuf b = {};
        prom_render(&b, f->reports, f->hosts, f->n);
        return sbuf_steal(&b);
}
