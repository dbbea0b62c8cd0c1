/* SPDX-License-Identifier: MIT */
#pragma once

/* Escaping for each output format; all append to a string buffer. */
#include "util.h"

/* XML and HTML text and attribute values: & < > " ' and control characters. */
void put_xml(struct sbuf *b, const char *s);
/* Markdown inline text: backslash-escapes every punctuation character that could start markup,
 * and folds newlines; safe inside table cells. */
void put_md(struct sbuf *b, const char *s);
/* A code span for identifiers (falls back to put_md if s holds a backtick or a newline). */
void put_md_code(struct sbuf *b, const char *s);
/* Prometheus label values: backslash, double quote and newline. */
void put_prom(struct sbuf *b, const char *s);
