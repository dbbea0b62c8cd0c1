/* SPDX-License-Identifier: MIT */
/* JUnit XML (Ant/Jenkins dialect, as GitLab and Jenkins read it): one <testsuites>, one
 * <testsuite> per category, one <testcase> per check. FAIL -> <failure>; SKIP, UNKNOWN and
 * anything waived -> <skipped>; WARN passes with its warning in <system-out>. */
#include "escape.h"
#include "fleet.h"
#include "render.h"

static void attr(struct sbuf *b, const char *name, const char *value) {
        sbuf_printf(b, " %s=\"", name);
        put_xml(b, value);
        sbuf_putc(b, '"');
}

static void details(struct sbuf *b, const struct sis_finding *f) {
        put_xml(b, f->summary);
        for (size_t i = 0; i < f->n_evidence; i++) {
                sbuf_puts(b, "\n");
                put_xml(b, f->evidence[i].path);
                sbuf_puts(b, ": ");
                put_xml(b, f->evidence[i].value);
        }
        if (f->remediation && *f->remediation) {
                sbuf_puts(b, "\nRemediation: ");
                put_xml(b, f->remediation);
        }
}

/* One category's suite (or a whole host's, for the fleet view: category NULL). */
void junit_suite(struct sbuf *b, const struct sis_report *r, const char *name, const char *category) {
        unsigned tests = 0, failures = 0, skipped = 0;
        char ts[32];

        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (category && !streq(f->category, category))
                        continue;
                tests++;
                if (f->waived || f->status == SIS_SKIP || f->status == SIS_UNKNOWN)
                        skipped++;
                else if (f->status == SIS_FAIL)
                        failures++;
        }
        report_time(r, ts);
        sbuf_puts(b, "  <testsuite");
        attr(b, "name", name);
        sbuf_printf(b, " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.6f\"", tests, failures,
                    skipped, category ? 0.0 : r->duration);
        attr(b, "timestamp", ts);
        attr(b, "hostname", report_fact(r, "hostname") ? report_fact(r, "hostname") : "unknown");
        sbuf_puts(b, ">\n    <properties>\n");
        json_object_object_foreach(r->host, k, v) {
                sbuf_puts(b, "      <property");
                attr(b, "name", k);
                attr(b, "value", v ? json_object_get_string(v) : "");
                sbuf_puts(b, "/>\n");
        }
        sbuf_puts(b, "      <property");
        attr(b, "name", "profile");
        attr(b, "value", r->profile);
        sbuf_puts(b, "/>\n");
        if (r->policy) {
                sbuf_puts(b, "      <property");
                attr(b, "name", "policy");
                attr(b, "value", r->policy);
                sbuf_puts(b, "/>\n");
        }
        sbuf_puts(b, "    </properties>\n");
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                _cleanup_free_ char *cls = NULL;
                if (category && !streq(f->category, category))
                        continue;
                cls = strdup_printf("%s.%s", category ? "sis-audit" : name, f->category);
                sbuf_puts(b, "    <testcase");
                attr(b, "classname", strna(cls));
                attr(b, "name", f->id);
                sbuf_puts(b, " time=\"0\">\n");
                if (f->waived) {
                        _cleanup_free_ char *m = strdup_printf("%s, waived until %s by %s: %s",
                                                               sis_status_name(f->status), strna(f->waiver.expires),
                                                               strna(f->waiver.approver), strna(f->waiver.reason));
                        sbuf_puts(b, "      <skipped");
                        attr(b, "message", strna(m));
                        sbuf_puts(b, "/>\n");
                } else if (f->status == SIS_FAIL) {
                        sbuf_puts(b, "      <failure");
                        attr(b, "message", f->summary);
                        attr(b, "type", sis_severity_name(f->severity));
                        sbuf_puts(b, ">");
                        details(b, f);
                        sbuf_puts(b, "</failure>\n");
                } else if (f->status == SIS_SKIP || f->status == SIS_UNKNOWN) {
                        _cleanup_free_ char *m =
                                strdup_printf("%s: %s", sis_status_name(f->status), strempty(f->summary));
                        sbuf_puts(b, "      <skipped");
                        attr(b, "message", strna(m));
                        sbuf_puts(b, "/>\n");
                } else {
                        sbuf_puts(b, "      <system-out>");
                        sbuf_printf(b, "%s: ", sis_status_name(f->status));
                        details(b, f);
                        sbuf_puts(b, "</system-out>\n");
                }
                sbuf_puts(b, "    </testcase>\n");
        }
        sbuf_puts(b, "  </testsuite>\n");
}

char *render_junit(const struct sis_report *r, const struct render_opts *o _unused_) {
        struct sbuf b = {};
        _cleanup_strv_free_ char **cats = NULL;
        unsigned skipped = 0;

        for (size_t i = 0; i < r->n_findings; i++) {
                if (!strv_contains(cats, r->findings[i]->category))
                        (void) strv_extend(&cats, r->findings[i]->category);
                if (r->findings[i]->waived || r->findings[i]->status == SIS_SKIP ||
                    r->findings[i]->status == SIS_UNKNOWN)
                        skipped++;
        }
        sbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
        attr(&b, "name", r->tool);
        sbuf_printf(&b, " tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.6f\">\n", r->n_findings,
                    r->counts[SIS_FAIL], skipped, r->duration);
        for (size_t i = 0; cats && cats[i]; i++)
                junit_suite(&b, r, cats[i], cats[i]);
        sbuf_puts(&b, "</testsuites>\n");
        return sbuf_steal(&b);
}
