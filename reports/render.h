/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "report.h"

/* Renderers turn the one report model into a format. They return a malloc'd string (NULL on
 * out-of-memory) and never print; the tool writes the result once. */
struct render_opts {
        bool color; /* ANSI colour (text only; the tool enables it on a terminal) */
};
/* Does the environment want colour on stdout: a terminal, no NO_COLOR, TERM not "dumb"? */
bool render_color_auto(void);

char *render_text(const struct sis_report *r, const struct render_opts *o);
char *render_json(const struct sis_report *r, const struct render_opts *o);
json_object *report_to_json(const struct sis_report *r);
/* {"pass": n, "warn": n, "fail": n, "skip": n, "unknown": n, "waived": n} */
json_object *report_summary_json(const struct sis_report *r);

/* Helpers shared by the renderers. */
const char *report_fact(const struct sis_report *r, const char *key); /* host fact as text, or NULL */
void report_time(const struct sis_report *r, char buf[static 32]);    /* "2026-11-22T08:00:00Z" */
const char *verdict_text(enum sis_verdict v);                         /* "PASS", "FAIL", "INCONCLUSIVE" */

char *render_junit(const struct sis_report *r, const struct render_opts *o);
char *render_prometheus(const struct sis_report *r, const struct render_opts *o);
char *render_markdown(const struct sis_report *r, const struct render_opts *o);
char *render_html(const struct sis_report *r, const struct render_opts *o);

typedef char *(*render_fn)(const struct sis_report *r, const struct render_opts *o);

/* The format registry (formats.c): every output format sis-audit --format and sis-report's
 * render and merge know, and what each can render. */
struct fleet;
struct report_format {
        const char *name;                             /* "text", "json", … */
        render_fn render;                             /* one host's report */
        char *(*render_fleet)(const struct fleet *f); /* merge: many hosts; NULL if the format has none */
};
/* By name; NULL if unknown. */
const struct report_format *report_format_lookup(const char *name);
