/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <stdarg.h>

#include "util.h"

static const char *const status_names[_SIS_STATUS_MAX] = {
        [SIS_PASS] = "PASS", [SIS_WARN] = "WARN", [SIS_FAIL] = "FAIL", [SIS_SKIP] = "SKIP", [SIS_UNKNOWN] = "UNKNOWN",
};
static const char *const severity_names[_SIS_SEV_MAX] = {
        [SIS_SEV_INFO] = "info", [SIS_SEV_LOW] = "low",           [SIS_SEV_MEDIUM] = "medium",
        [SIS_SEV_HIGH] = "high", [SIS_SEV_CRITICAL] = "critical",
};
static const char *const verdict_names[] = {
        [SIS_VERDICT_PASS] = "pass",
        [SIS_VERDICT_FAIL] = "fail",
        [SIS_VERDICT_INCONCLUSIVE] = "inconclusive",
};

const char *sis_status_name(enum sis_status s) {
        return s < _SIS_STATUS_MAX ? status_names[s] : "UNKNOWN";
}

int sis_status_from_name(const char *s) {
        for (int i = 0; i < _SIS_STATUS_MAX; i++)
                if (s && streq(s, status_names[i]))
                        return i;
        return -EINVAL;
}

int sis_severity_from_name(const char *s) {
        for (int i = 0; i < _SIS_SEV_MAX; i++)
                if (s && streq(s, severity_names[i]))
                        return i;
        return -EINVAL;
}

const char *sis_severity_name(enum sis_severity s) {
        return s < _SIS_SEV_MAX ? severity_names[s] : "info";
}

const char *sis_verdict_name(enum sis_verdict v) {
        return v <= SIS_VERDICT_INCONCLUSIVE ? verdict_names[v] : "inconclusive";
}

int sis_status_rank(enum sis_status s) {
        switch (s) {
        case SIS_PASS:
        case SIS_SKIP: return 0;
        case SIS_WARN: return 1;
        case SIS_UNKNOWN: return 2;
        case SIS_FAIL: return 3;
        default: return 2;
        }
}

char *sis_text(const char *s, size_t len) {
        char *t = utf8_repair(s, s ? len : 0, NULL);
        if (t)
                utf8_blank_controls(t);
        return t;
}

static char *text0(const char *s) {
        return sis_text(s, s ? strlen(s) : 0);
}

struct sis_finding *sis_finding_new(const char *id, const char *title, const char *category, enum sis_severity severity,
                                    bool required) {
        struct sis_finding *f = calloc(1, sizeof(*f));

        if (!f)
                return NULL;
        f->id = text0(id);
        f->title = text0(title);
        f->category = text0(category);
        f->severity = severity;
        f->required = required;
        f->status = SIS_UNKNOWN;
        if (!f->id || !f->title || !f->category) {
                sis_finding_free(f);
                return NULL;
        }
        return f;
}

void sis_finding_free(struct sis_finding *f) {
        if (!f)
                return;
        free(f->id);
        free(f->title);
        free(f->category);
        free(f->rationale);
        free(f->remediation);
        free(f->summary);
        free(f->waiver.reason);
        free(f->waiver.expires);
        free(f->waiver.approver);
        for (size_t i = 0; i < f->n_evidence; i++) {
                free(f->evidence[i].path);
                free(f->evidence[i].value);
                free(f->evidence[i].value_hex);
        }
        free(f->evidence);
        for (size_t i = 0; i < f->n_notes; i++)
                free(f->notes[i].text);
        free(f->notes);
        strv_free(f->references);
        free(f);
}

static char *vformat(const char *fmt, va_list ap) {
        char *s;
        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

/* Takes s, returns its copy as report text (NULL on ENOMEM). */
static char *sanitize(char *s) {
        char *t = s ? text0(s) : NULL;
        free(s);
        return t;
}

static void add_note(struct sis_finding *f, enum sis_status status, char *text) {
        struct sis_note *n;

        text = sanitize(text);
        if (!text) {
                f->oom = true;
                return;
        }
        n = realloc(f->notes, (f->n_notes + 1) * sizeof(*n));
        if (!n) {
                free(text);
                f->oom = true;
                return;
        }
        f->notes = n;
        f->notes[f->n_notes++] = (struct sis_note) { status, text };
}

void sis_finding_note(struct sis_finding *f, enum sis_status status, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_note(f, status, vformat(fmt, ap));
        va_end(ap);
}

void sis_finding_skip(struct sis_finding *f, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_note(f, SIS_SKIP, vformat(fmt, ap));
        va_end(ap);
}

static bool is_hex(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n > 0 && n % 2 == 0 && is_hex_lower(s, n);
}

void sis_finding_evidence_bytes(struct sis_finding *f, const char *path, const char *value, size_t len,
                                const char *value_hex) {
        struct sis_evidence *e = realloc(f->evidence, (f->n_evidence + 1) * sizeof(*e));
        bool changed = false;
        char *v = utf8_repair(value, value ? len : 0, &changed), *p = text0(path), *h = NULL;

        if (e)
                f->evidence = e;
        /* bytes that are not text: the value shows them as U+FFFD, value_hex keeps them (the first
         * 512, as the value is bounded too) */
        if (changed)
                h = hex_encode(value, MIN(len, (size_t) 512));
        else if (is_hex(value_hex))
                h = strdup(value_hex);
        if (!v || !p || !e || ((changed || is_hex(value_hex)) && !h)) {
                free(v);
                free(p);
                free(h);
                f->oom = true;
                return;
        }
        /* Evidence shows raw values; keep them on one line and bounded (at a character's end). */
        utf8_blank_controls(v);
        if (strlen(v) > 512)
                strcat(utf8_truncate(v, 509), "...");
        f->evidence[f->n_evidence++] = (struct sis_evidence) { p, strstrip(v), h };
}

void sis_finding_evidence(struct sis_finding *f, const char *path, const char *fmt, ...) {
        _cleanup_free_ char *v = NULL;
        va_list ap;

        va_start(ap, fmt);
        v = vformat(fmt, ap);
        va_end(ap);
        if (!v) {
                f->oom = true;
                return;
        }
        sis_finding_evidence_bytes(f, path, v, strlen(v), NULL);
}

void sis_finding_set_text(char **field, const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        s = vformat(fmt, ap);
        va_end(ap);
        if (!s)
                return;
        free(*field);
        *field = text0(s);
        free(s);
}

void sis_finding_add_reference(struct sis_finding *f, const char *ref) {
        char *r = text0(ref);
        if (!r || strv_contains(f->references, r)) {
                f->oom |= !r;
                free(r);
                return;
        }
        if (strv_push(&f->references, r) < 0) /* takes r */
                f->oom = true;
}

void sis_finding_finish(struct sis_finding *f) {
        struct sbuf b = {};
        int worst = -1;
        enum sis_status st = SIS_UNKNOWN;
        bool all_skip = f->n_notes > 0;

        free(f->summary);
        f->summary = NULL;
        for (size_t i = 0; i < f->n_notes; i++) {
                if (f->notes[i].status != SIS_SKIP)
                        all_skip = false;
                if (sis_status_rank(f->notes[i].status) > worst) {
                        worst = sis_status_rank(f->notes[i].status);
                        st = f->notes[i].status;
                }
        }
        if (f->n_notes == 0) {
                f->status = SIS_UNKNOWN;
                f->summary = strdup("the check produced no result");
                return;
        }
        if (all_skip)
                st = SIS_SKIP;
        else if (st == SIS_SKIP)
                st = SIS_PASS; /* a skipped part next to passing parts */
        for (size_t i = 0; i < f->n_notes; i++) {
                enum sis_status ns = f->notes[i].status;
                bool same = ns == st || (st == SIS_PASS && ns == SIS_SKIP);
                if (!same)
                        continue;
                if (b.len)
                        sbuf_puts(&b, "; ");
                sbuf_puts(&b, f->notes[i].text);
        }
        f->status = f->oom ? SIS_UNKNOWN : st;
        f->summary = f->oom ? strdup("out of memory while evaluating") : sbuf_steal(&b);
        sbuf_done(&b);
}

struct sis_report *sis_report_new(const char *tool, const char *version, const char *profile) {
        struct sis_report *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->tool = text0(tool);
        r->version = text0(version);
        r->profile = text0(profile);
        r->host = json_object_new_object();
        if (!r->tool || !r->version || !r->profile || !r->host) {
                sis_report_free(r);
                return NULL;
        }
        return r;
}

void sis_report_free(struct sis_report *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n_findings; i++)
                sis_finding_free(r->findings[i]);
        free(r->findings);
        json_object_put(r->host);
        free(r->tool);
        free(r->version);
        free(r->profile);
        free(r->policy);
        free(r);
}

int sis_report_add(struct sis_report *r, struct sis_finding *f) {
        struct sis_finding **n = realloc(r->findings, (r->n_findings + 1) * sizeof(*n));

        if (!n) {
                sis_finding_free(f);
                return -ENOMEM;
        }
        r->findings = n;
        r->findings[r->n_findings++] = f;
        return 0;
}

void sis_report_host_fact(struct sis_report *r, const char *key, const char *value) {
        _cleanup_free_ char *k = text0(key), *v = value ? sanitize(strdup(value)) : NULL;
        if (k)
                json_object_object_add(r->host, k, v ? json_object_new_string(utf8_truncate(v, 256)) : NULL);
}

void sis_report_host_fact_int(struct sis_report *r, const char *key, long value) {
        json_object_object_add(r->host, key, json_object_new_int64(value));
}

void sis_report_finish(struct sis_report *r) {
        bool fail = false, inconclusive = false;

        memset(r->counts, 0, sizeof(r->counts));
        r->waived = 0;
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (f->waived) {
                        r->waived++;
                        continue;
                }
                r->counts[f->status]++;
                if (f->status == SIS_FAIL)
                        fail = true;
                if (f->status == SIS_UNKNOWN && f->required)
                        inconclusive = true;
        }
        r->verdict = fail ? SIS_VERDICT_FAIL : inconclusive ? SIS_VERDICT_INCONCLUSIVE : SIS_VERDICT_PASS;
}

int sis_report_exit_code(const struct sis_report *r) {
        switch (r->verdict) {
        case SIS_VERDICT_PASS: return 0;
        case SIS_VERDICT_FAIL: return 1;
        default: return 3;
        }
}
