/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

#include "macro.h"

/* The library never prints: it hands messages to a callback the tool installs once. */
enum sis_log_level { SIS_LOG_ERR = 3, SIS_LOG_WARNING = 4, SIS_LOG_INFO = 6, SIS_LOG_DEBUG = 7 };

typedef void (*sis_log_fn)(void *userdata, enum sis_log_level level, const char *fmt, va_list ap);

void sis_log_set(sis_log_fn fn, void *userdata, enum sis_log_level max_level);
void sis_logv(enum sis_log_level level, const char *fmt, va_list ap);
void sis_log(enum sis_log_level level, const char *fmt, ...) _printf_(2, 3);
/* Logs and returns the (negative) error, so callers can `return log_error_errno(r, …)`. */
int sis_log_errno(enum sis_log_level level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_debug(...) sis_log(SIS_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) sis_log(SIS_LOG_INFO, __VA_ARGS__)
#define log_warning(...) sis_log(SIS_LOG_WARNING, __VA_ARGS__)
#define log_error(...) sis_log(SIS_LOG_ERR, __VA_ARGS__)
#define log_error_errno(err, ...) sis_log_errno(SIS_LOG_ERR, (err), __VA_ARGS__)
#define log_debug_errno(err, ...) sis_log_errno(SIS_LOG_DEBUG, (err), __VA_ARGS__)
