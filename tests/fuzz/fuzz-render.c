/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a report built from any bytes (what a garbled host puts in titles, summaries,
 * evidence paths and values, host facts, references), rendered alone and as a fleet of two in
 * every format; each output must pass a strict parser of its format (valid.h). */
#include "fleet.h"
#include "fuzz.h"
#include "render.h"
#include "valid.h"

static const char *const formats[] = { "text", "json", "junit", "prometheus", "markdown", "html" };

static struct sis_report *build(const uint8_t *data, size_t size, const char *host) {
        struct sis_report *r = sis_report_new("sis-audit", "1", "production");
        struct sis_finding *f = NULL;
        size_t start = 0, field = 0;
        char id[32];

        if (!r)
                return NULL;
        sis_report_host_fact(r, "hostname", host);
        /* fields separated by 0x01, each in turn: a new check's title, its note, an evidence path,
         * an evidence value (bytes, NUL included), a host fact, a reference */
        for (size_t i = 0; i <= size; i++) {
                _cleanup_free_ char *s = NULL;
                size_t len;
                if (i < size && data[i] != 1)
                        continue;
                len = i - start;
                s = strndup((const char *) data + start, len);
                if (!s)
                        break;
                switch (field++ % 6) {
                case 0:
                        if (f) {
                                sis_finding_finish(f);
                                (void) sis_report_add(r, f);
                        }
                        snprintf(id, sizeof(id), "check.%zu", field);
                        f = sis_finding_new(id, s, len % 2 ? "cpu" : s, (enum sis_severity)(len % _SIS_SEV_MAX),
                                            len % 3 == 0);
                        if (f)
                                sis_finding_set_text(&f->remediation, "%s", s);
                        break;
                case 1:
                        if (f)
                                sis_finding_note(f, (enum sis_status)(len % _SIS_STATUS_MAX), "%s", s);
                        break;
                case 2:
                        if (f)
                                sis_finding_evidence_bytes(f, s, "", 0, NULL);
                        break;
                case 3:
                        if (f)
                                sis_finding_evidence_bytes(f, "/proc/x", (const char *) data + start, len, NULL);
                        break;
                case 4: sis_report_host_fact(r, s, s); break;
                default:
                        if (f)
                                sis_finding_add_reference(f, s);
                }
                start = i + 1;
        }
        if (f) {
                sis_finding_finish(f);
                (void) sis_report_add(r, f);
        }
        sis_report_finish(r);
        return r;
}

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct sis_report *r = build(data, size, "a\xff"), **rs = calloc(2, sizeof(*rs));
        struct fleet *fl = NULL;

        (void) s;
        if (r)
                for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                        char *out = report_format_lookup(formats[i])->render(r, &(struct render_opts) {});
                        check_output(formats[i], out);
                        free(out);
                }
        if (!rs) {
                sis_report_free(r);
                return;
        }
        rs[0] = build(data, size, "b");
        rs[1] = r;
        /* the fleet takes the array and the reports */
        if (rs[0] && rs[1] && fleet_new(rs, 2, &fl) == 0) {
                for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                        if (report_format_lookup(formats[i])->render_fleet) {
                                char *out = report_format_lookup(formats[i])->render_fleet(fl);
                                check_output(formats[i], out);
                                free(out);
                        }
                fleet_free(fl);
        } else {
                sis_report_free(rs[0]);
                sis_report_free(rs[1]);
                free(rs);
        }
}
