/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>

static sis_log_fn log_fn;
static void *log_userdata;
static enum sis_log_level log_max = SIS_LOG_WARNING;

void sis_log_set(sis_log_fn fn, void *userdata, enum sis_log_level max_level) {
        log_fn = fn;
        log_userdata = userdata;
        log_max = max_level;
}

void sis_logv(enum sis_log_level level, const char *fmt, va_list ap) {
        if (!log_fn || level > log_max)
                return;
        log_fn(log_userdata, level, fmt, ap);
}

void sis_log(enum sis_log_level level, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        sis_logv(level, fmt, ap);
        va_end(ap);
}

int sis_log_errno(enum sis_log_level level, int err, const char *fmt, ...) {
        va_list ap;
        int saved = errno;

        /* %m in fmt expands to the error passed in, not whatever errno happens to be. */
        errno = err < 0 ? -err : err;
        va_start(ap, fmt);
        sis_logv(level, fmt, ap);
        va_end(ap);
        errno = saved;
        return err < 0 ? err : -err;
}
