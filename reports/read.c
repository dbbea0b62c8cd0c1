/* SPDX-License-Identifier: MIT */
/* Reading a saved JSON report back into the report model (sis-report). Unknown fields are
 * ignored, as docs/report-json.md promises; missing core fields, wrong types or another
 * schema_version are errors that name the file. Strings are read whole (a \u0000 does not cut
 * them) and repaired by the model's one rule (lib/report.h): bytes that are not UTF-8, and NULs,
 * become U+FFFD, an evidence value's raw bytes go to value_hex. Linear in the number of checks. */
#include <stdarg.h>

#include "fileio.h"
#include "json.h"
#include "read.h"
#include "util.h"

#define REPORT_MAX (64 * 1024 * 1024)

static json_object *string_member(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return v;
}

/* A string member as report text (repaired), NULL when absent or on ENOMEM. */
static char *text(json_object *o, const char *key) {
        json_object *v = string_member(o, key);
        return v ? sis_text(json_object_get_string(v), (size_t) json_object_get_string_len(v)) : NULL;
}

static const char *str(json_object *o, const char *key) {
        json_object *v = string_member(o, key);
        return v ? json_object_get_string(v) : NULL;
}

static int read_finding(json_object *c, struct sis_finding **ret) {
        _cleanup_free_ char *id = text(c, "id"), *title = text(c, "title"), *category = text(c, "category");
        const char *status = str(c, "status"), *sev = str(c, "severity");
        struct sis_finding *f;
        json_object *v;
        int st, sv;

        if (!json_object_is_type(c, json_type_object) || !id || !*id || !status)
                return -EBADMSG;
        st = sis_status_from_name(status);
        sv = sev ? sis_severity_from_name(sev) : SIS_SEV_MEDIUM;
        if (st < 0 || sv < 0)
                return -EBADMSG;
        f = sis_finding_new(id, title, category ? category : "other", (enum sis_severity) sv,
                            json_object_object_get_ex(c, "required", &v) && json_object_get_boolean(v));
        if (!f)
                return -ENOMEM;
        f->status = (enum sis_status) st;
        f->summary = text(c, "summary");
        f->rationale = text(c, "rationale");
        f->remediation = text(c, "remediation");
        if (json_object_object_get_ex(c, "evidence", &v) && json_object_is_type(v, json_type_array))
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i), *val = string_member(e, "value");
                        _cleanup_free_ char *path = text(e, "path");
                        sis_finding_evidence_bytes(f, path, val ? json_object_get_string(val) : "",
                                                   val ? (size_t) json_object_get_string_len(val) : 0,
                                                   str(e, "value_hex"));
                }
        if (json_object_object_get_ex(c, "references", &v) && json_object_is_type(v, json_type_array))
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        _cleanup_free_ char *ref = json_object_is_type(e, json_type_string)
                                ? sis_text(json_object_get_string(e), (size_t) json_object_get_string_len(e))
                                : NULL;
                        if (ref)
                                sis_finding_add_reference(f, ref);
                }
        if (json_object_object_get_ex(c, "waived", &v) && json_object_get_boolean(v)) {
                json_object *w = NULL;
                f->waived = true;
                (void) json_object_object_get_ex(c, "waiver", &w);
                f->waiver.reason = text(w, "reason");
                f->waiver.expires = text(w, "expires");
                f->waiver.approver = text(w, "approver");
        }
        if (f->oom) {
                sis_finding_free(f);
                return -ENOMEM;
        }
        *ret = f;
        return 0;
}

int report_from_json(json_object *o, const char *name, struct sis_report **ret, char **ret_error) {
        _cleanup_report_ struct sis_report *r = NULL;
        json_object *v, *checks, *seen = NULL;
        _cleanup_free_ char *tool_s = NULL, *version_s = NULL, *profile_s = NULL;
        const char *tool, *version, *profile;
        int rc = 0;
        int64_t sv;

        if (!json_object_is_type(o, json_type_object))
                return set_error(ret_error, -EBADMSG, "%s: not a report (a JSON object is expected)", name);
        if (!json_object_object_get_ex(o, "schema_version", &v) || !json_object_is_type(v, json_type_int))
                return set_error(ret_error, -EBADMSG, "%s: not a sis report (no schema_version)", name);
        sv = json_object_get_int64(v);
        if (sv != REPORT_SCHEMA_VERSION)
                return set_error(ret_error, -EPROTONOSUPPORT,
                                 "%s: unknown schema_version %" PRId64 " (this version reads %d)", name, sv,
                                 REPORT_SCHEMA_VERSION);
        tool = tool_s = text(o, "tool");
        version = version_s = text(o, "version");
        profile = profile_s = text(o, "profile");
        if (!tool || !version || !profile)
                return set_error(ret_error, -EBADMSG, "%s: report lacks tool, version or profile", name);
        if (!json_object_object_get_ex(o, "checks", &checks) || !json_object_is_type(checks, json_type_array))
                return set_error(ret_error, -EBADMSG, "%s: report has no \"checks\" array", name);
        r = sis_report_new(tool, version, profile);
        if (!r)
                return -ENOMEM;
        if (json_object_object_get_ex(o, "host", &v) && json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, hv) {
                        if (json_object_is_type(hv, json_type_int))
                                sis_report_host_fact_int(r, key, (long) json_object_get_int64(hv));
                        else if (json_object_is_type(hv, json_type_string)) {
                                _cleanup_free_ char *t =
                                        sis_text(json_object_get_string(hv), (size_t) json_object_get_string_len(hv));
                                sis_report_host_fact(r, key, t);
                        } else
                                sis_report_host_fact(r, key, hv ? json_object_get_string(hv) : NULL);
                }
        }
        if (str(o, "started")) {
                struct tm tm = {};
                const char *end = strptime(str(o, "started"), "%Y-%m-%dT%H:%M:%SZ", &tm);
                if (end && !*end)
                        r->started = timegm(&tm);
        }
        if (json_object_object_get_ex(o, "duration_seconds", &v) &&
            (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
                r->duration = json_object_get_double(v);
        r->policy = text(o, "policy");
        /* the ids seen so far, in json-c's hash table: one lookup a check */
        seen = json_object_new_object();
        if (!seen)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(checks); i++) {
                struct sis_finding *f;
                int k = read_finding(json_object_array_get_idx(checks, i), &f);
                if (k == -ENOMEM) {
                        rc = k;
                        break;
                }
                if (k < 0) {
                        rc = set_error(ret_error, k, "%s: check %zu is malformed (needs id and a known status)", name,
                                       i + 1);
                        break;
                }
                if (json_object_object_get_ex(seen, f->id, NULL)) {
                        rc = set_error(ret_error, -EBADMSG, "%s: check %s appears twice", name, f->id);
                        sis_finding_free(f);
                        break;
                }
                if (json_object_object_add(seen, f->id, NULL) < 0) {
                        sis_finding_free(f);
                        rc = -ENOMEM;
                        break;
                }
                k = sis_report_add(r, f);
                if (k < 0) {
                        rc = k;
                        break;
                }
        }
        json_object_put(seen);
        if (rc < 0)
                return rc;
        sis_report_finish(r);
        *ret = TAKE_PTR(r);
        return 0;
}

int report_parse(const char *text, size_t len, const char *name, struct sis_report **ret, char **ret_error) {
        json_object *o = NULL;
        const char *why = NULL;
        int k = json_parse_strict(text, len, &o, &why);

        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_error(ret_error, -EBADMSG, "%s: malformed JSON (%s)", name, why);
        k = report_from_json(o, name, ret, ret_error);
        json_object_put(o);
        return k;
}

int report_load(const char *path, struct sis_report **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = read_file_capped(path, REPORT_MAX, &text, &len);

        if (k < 0)
                return set_error(ret_error, k, "%s: %s", path, k == -EFBIG ? "larger than 64 MiB" : strerror(-k));
        return report_parse(text, len, path, ret, ret_error);
}
