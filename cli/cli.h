/* SPDX-License-Identifier: MIT */
/* What a sis tool says on stderr, said one way by all four: an error ("sis-launch: MSG"), a usage
 * error ("sis-launch: MSG (see --help)", exit 2) and a step of long work ("==> MSG", the arrow bold
 * on a terminal). Linked into the tools; lib/ never prints, and cannot include this. */
#pragma once

#include <stdarg.h>

#include "macro.h"

#define EXIT_USAGE 2

/* The name every line starts with ("sis-audit"); set once, first thing in main(). */
void cli_set_name(const char *name);
const char *cli_name(void);

/* "NAME: MSG" on stderr; returns code (a tool's `return cli_fail(2, ...)`). */
int cli_fail(int code, const char *fmt, ...) _printf_(2, 3);
int cli_failv(int code, const char *fmt, va_list ap) _printf_(2, 0);
/* "NAME: MSG (see --help)" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) _printf_(1, 2);
/* "==> MSG" on stderr, the arrow bold when stderr is a terminal. */
void cli_step(const char *fmt, ...) _printf_(1, 2);
/* A tool's output: text written atomically to the file output, or to stdout when output is NULL.
 * 0, or EXIT_USAGE after saying why (text NULL: rendering it ran out of memory). */
int cli_write_output(const char *output, const char *text);
