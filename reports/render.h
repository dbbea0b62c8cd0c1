/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "report.h"

/* Renderers turn the one report model into a format. They return a malloc'd string (NULL on
 * out-of-memory) and never print; the tool writes the result once. */
struct render_opts {
        bool color; /* ANSI colour (text only; the tool enables it on a terminal) */
};

char *render_text(const struct sis_report *r, const struct render_opts *o);
char *render_json(const struct sis_report *r, const struct render_opts *o);
json_object *report_to_json(const struct sis_report *r);

typedef char *(*render_fn)(const struct sis_report *r, const struct render_opts *o);
/* By format name ("text", "json"); NULL if unknown. */
render_fn render_lookup(const char *format);
