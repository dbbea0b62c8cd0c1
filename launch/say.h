/* SPDX-License-Identifier: MIT */
#pragma once
/* How sis-launch's verbs report: once, where a step is decided. */

/* "sis-launch: ..." on stderr, returns code; "==> ..." progress on stderr. */
int launch_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void launch_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
