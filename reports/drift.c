/* SPDX-License-Identifier: MIT */
#include "drift.h"

#include "json.h"
#include "render.h"
#include "util.h"

/* Effective badness for drift: a waived finding decides nothing. */
static int badness(const struct sis_finding *f) {
        return f->waived ? 0 : sis_status_rank(f->status);
}

static const char *shown(const struct sis_finding *f) {
        return f->waived ? "WAIVED" : sis_status_name(f->status);
}

static const struct sis_finding *find(const struct sis_report *r, const char *id) {
        for (size_t i = 0; i < r->n_findings; i++)
                if (streq(r->findings[i]->id, id))
                        return r->findings[i];
        return NULL;
}

static int add(struct report_drift *d, const char *kind, const char *id, const char *from, const char *to,
               const char *summary) {
        struct report_change *c = reallocarray(d->changes, d->n_changes + 1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        d->changes = c;
        d->changes[d->n_changes++] = (struct report_change) {
                .kind = kind,
                .id = id,
                .from = from,
                .to = to,
                .summary = summary,
        };
        return 0;
}

/* How finding nf of the new report compares with of, its old self (NULL: it is new). */
static int compare(struct report_drift *d, const struct sis_finding *of, const struct sis_finding *nf) {
        if (!of) {
                d->added++;
                d->worse += badness(nf) == sis_status_rank(SIS_FAIL);
                return add(d, badness(nf) == sis_status_rank(SIS_FAIL) ? "new-fail" : "new", nf->id, NULL, shown(nf),
                           nf->summary);
        }
        if (badness(nf) > badness(of)) {
                d->worse++;
                return add(d, "worse", nf->id, shown(of), shown(nf), nf->summary);
        }
        if (badness(nf) < badness(of)) {
                d->better++;
                return add(d, "better", nf->id, shown(of), shown(nf), nf->summary);
        }
        if (!streq(shown(nf), shown(of)))
                return add(d, "changed", nf->id, shown(of), shown(nf), nf->summary);
        return 0;
}

int report_drift_compute(const struct sis_report *a, const struct sis_report *b, struct report_drift *ret) {
        struct report_drift d = { .before = a, .after = b };
        int k = 0;

        for (size_t i = 0; k >= 0 && i < b->n_findings; i++)
                k = compare(&d, find(a, b->findings[i]->id), b->findings[i]);
        for (size_t i = 0; k >= 0 && i < a->n_findings; i++)
                if (!find(b, a->findings[i]->id)) {
                        d.removed++;
                        k = add(&d, "removed", a->findings[i]->id, shown(a->findings[i]), NULL, NULL);
                }
        if (k < 0) {
                report_drift_done(&d);
                return k;
        }
        *ret = d;
        return 0;
}

void report_drift_done(struct report_drift *d) {
        free(d->changes);
        *d = (struct report_drift) {};
}

bool report_drift_worse(const struct report_drift *d) {
        return d->worse > 0 || (d->before->verdict == SIS_VERDICT_PASS && d->after->verdict != SIS_VERDICT_PASS);
}

char *report_drift_text(const struct report_drift *d) {
        struct sbuf t = {};

        sbuf_printf(&t, "sis-report diff: host %s, verdict %s -> %s\n", strna(report_fact(d->after, "hostname")),
                    sis_verdict_name(d->before->verdict), sis_verdict_name(d->after->verdict));
        for (size_t i = 0; i < d->n_changes; i++) {
                const struct report_change *c = &d->changes[i];
                sbuf_printf(&t, "  %-8s %-36s %-8s -> %-8s %s\n", c->kind, c->id, c->from ? c->from : "-",
                            c->to ? c->to : "-", c->summary ? c->summary : "");
        }
        sbuf_printf(&t, "%u worse, %u better, %u new, %u removed\n", d->worse, d->better, d->added, d->removed);
        return sbuf_steal(&t);
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

char *report_drift_json(const struct report_drift *d) {
        json_object *j = json_object_new_object(), *changes = json_object_new_array();
        char *s;

        for (size_t i = 0; i < d->n_changes; i++) {
                const struct report_change *c = &d->changes[i];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "change", json_object_new_string(c->kind));
                json_object_object_add(o, "id", json_object_new_string(c->id));
                json_object_object_add(o, "from", string_or_null(c->from));
                json_object_object_add(o, "to", string_or_null(c->to));
                json_object_object_add(o, "summary", string_or_null(c->summary));
                json_object_array_add(changes, o);
        }
        json_object_object_add(j, "schema_version", json_object_new_int(1));
        json_object_object_add(j, "tool", json_object_new_string("sis-report"));
        json_object_object_add(j, "kind", json_object_new_string("diff"));
        json_object_object_add(j, "verdict_before", json_object_new_string(sis_verdict_name(d->before->verdict)));
        json_object_object_add(j, "verdict_after", json_object_new_string(sis_verdict_name(d->after->verdict)));
        json_object_object_add(j, "worse", json_object_new_int((int) d->worse));
        json_object_object_add(j, "better", json_object_new_int((int) d->better));
        json_object_object_add(j, "new", json_object_new_int((int) d->added));
        json_object_object_add(j, "removed", json_object_new_int((int) d->removed));
        json_object_object_add(j, "changes", changes);
        s = json_text(j);
        json_object_put(j);
        return s;
}
