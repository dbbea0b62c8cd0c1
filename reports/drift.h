/* SPDX-License-Identifier: MIT */
#pragma once
/* sis-report diff: what changed between two reports of one host, as a list the text and JSON
 * outputs render. */
#include "report.h"

struct report_change {
        const char *kind;                /* "new-fail", "new", "worse", "better", "changed", "removed" */
        const char *id;                  /* these point into the two reports */
        const char *from, *to, *summary; /* NULL: none */
};

struct report_drift {
        const struct sis_report *before, *after;
        struct report_change *changes; /* the new report's order, then what it no longer has */
        size_t n_changes;
        unsigned worse, better, added, removed;
};

/* The changes from a to b; the drift points into both, which must outlive it. 0 or -ENOMEM. */
int report_drift_compute(const struct sis_report *a, const struct sis_report *b, struct report_drift *ret);
void report_drift_done(struct report_drift *d);
/* Did anything get worse (a new or worse FAIL, or a verdict that left PASS)? */
bool report_drift_worse(const struct report_drift *d);
/* NULL on ENOMEM. */
char *report_drift_text(const struct report_drift *d);
char *report_drift_json(const struct report_drift *d);
