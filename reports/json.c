/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "json.h"
#include "render.h"
#include "util.h"

#include "read.h"

#define SCHEMA_VERSION REPORT_SCHEMA_VERSION

static json_object *str_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

json_object *report_summary_json(const struct sis_report *r) {
        static const char *const names[_SIS_STATUS_MAX] = {
                [SIS_PASS] = "pass", [SIS_WARN] = "warn",       [SIS_FAIL] = "fail",
                [SIS_SKIP] = "skip", [SIS_UNKNOWN] = "unknown",
        };
        json_object *sum = json_object_new_object();

        for (int s = 0; s < _SIS_STATUS_MAX; s++)
                json_object_object_add(sum, names[s], json_object_new_int((int) r->counts[s]));
        json_object_object_add(sum, "waived", json_object_new_int((int) r->waived));
        return sum;
}

json_object *report_to_json(const struct sis_report *r) {
        json_object *o = json_object_new_object(), *checks;
        char ts[32];
        struct tm tm;

        if (!o)
                return NULL;
        gmtime_r(&r->started, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(o, "schema_version", json_object_new_int(SCHEMA_VERSION));
        json_object_object_add(o, "tool", json_object_new_string(r->tool));
        json_object_object_add(o, "version", json_object_new_string(r->version));
        json_object_object_add(o, "profile", json_object_new_string(r->profile));
        json_object_object_add(o, "verdict", json_object_new_string(sis_verdict_name(r->verdict)));
        json_object_object_add(o, "exit_code", json_object_new_int(sis_report_exit_code(r)));
        json_object_object_add(o, "started", json_object_new_string(ts));
        {
                char d[32];
                snprintf(d, sizeof(d), "%.6f", r->duration); /* microseconds, printed as such */
                json_object_object_add(o, "duration_seconds", json_object_new_double_s(r->duration, d));
        }
        json_object_object_add(o, "summary", report_summary_json(r));
        json_object_object_add(o, "policy", str_or_null(r->policy));
        json_object_object_add(o, "host", json_object_get(r->host));
        checks = json_object_new_array();
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                json_object *c = json_object_new_object(), *ev = json_object_new_array(),
                            *refs = json_object_new_array();
                json_object_object_add(c, "id", json_object_new_string(f->id));
                json_object_object_add(c, "title", json_object_new_string(f->title));
                json_object_object_add(c, "category", json_object_new_string(f->category));
                json_object_object_add(c, "severity", json_object_new_string(sis_severity_name(f->severity)));
                json_object_object_add(c, "required", json_object_new_boolean(f->required));
                json_object_object_add(c, "status", json_object_new_string(sis_status_name(f->status)));
                json_object_object_add(c, "waived", json_object_new_boolean(f->waived));
                if (f->waived) {
                        json_object *w = json_object_new_object();
                        json_object_object_add(w, "reason", str_or_null(f->waiver.reason));
                        json_object_object_add(w, "expires", str_or_null(f->waiver.expires));
                        json_object_object_add(w, "approver", str_or_null(f->waiver.approver));
                        json_object_object_add(c, "waiver", w);
                }
                json_object_object_add(c, "summary", str_or_null(f->summary));
                for (size_t j = 0; j < f->n_evidence; j++) {
                        json_object *e = json_object_new_object();
                        json_object_object_add(e, "path", json_object_new_string(f->evidence[j].path));
                        json_object_object_add(e, "value", json_object_new_string(f->evidence[j].value));
                        if (f->evidence[j].value_hex)
                                json_object_object_add(e, "value_hex",
                                                       json_object_new_string(f->evidence[j].value_hex));
                        json_object_array_add(ev, e);
                }
                json_object_object_add(c, "evidence", ev);
                json_object_object_add(c, "rationale", str_or_null(f->rationale));
                json_object_object_add(c, "remediation", str_or_null(f->remediation));
                for (size_t j = 0; f->references && f->references[j]; j++)
                        json_object_array_add(refs, json_object_new_string(f->references[j]));
                json_object_object_add(c, "references", refs);
                json_object_array_add(checks, c);
        }
        json_object_object_add(o, "checks", checks);
        return o;
}

char *render_json(const struct sis_report *r, const struct render_opts *o _unused_) {
        json_object *j = report_to_json(r);
        char *s;

        if (!j)
                return NULL;
        s = json_text(j);
        json_object_put(j);
        return s;
}

const char *report_fact(const struct sis_report *r, const char *key) {
        json_object *v;
        return json_object_object_get_ex(r->host, key, &v) && v ? json_object_get_string(v) : NULL;
}

void report_time(const struct sis_report *r, char buf[static 32]) {
        struct tm tm;
        gmtime_r(&r->started, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *verdict_text(enum sis_verdict v) {
        return v == SIS_VERDICT_PASS ? "PASS" : v == SIS_VERDICT_FAIL ? "FAIL" : "INCONCLUSIVE";
}
