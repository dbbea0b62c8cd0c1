/* SPDX-License-Identifier: MIT */
/* The sysroot's printf-style readers: a formatted path, then the plain reader. */
#include <stdarg.h>
#include <stdio.h>

#include "sysroot.h"
#include "util.h"

static char *vformat(const char *fmt, va_list ap) {
        char *p;
        return vasprintf(&p, fmt, ap) < 0 ? NULL : p;
}

/* The trimmed content of the formatted path. */
static int vread(struct sis_root *r, char **ret, const char *fmt, va_list ap) {
        _cleanup_free_ char *p = vformat(fmt, ap);
        if (!p)
                return -ENOMEM;
        return sis_root_read_string(r, p, ret);
}

int sis_root_readf_string(struct sis_root *r, char **ret, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vread(r, ret, fmt, ap);
        va_end(ap);
        return k;
}

int sis_root_readf_int(struct sis_root *r, int *ret, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vread(r, &s, fmt, ap);
        va_end(ap);
        return k < 0 ? k : safe_atoi(s, ret);
}

int sis_root_readf_u32(struct sis_root *r, uint32_t *ret, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vread(r, &s, fmt, ap);
        va_end(ap);
        return k < 0 ? k : safe_atou32(s, ret);
}

int sis_root_readf_u64(struct sis_root *r, uint64_t *ret, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vread(r, &s, fmt, ap);
        va_end(ap);
        return k < 0 ? k : safe_atou64(s, ret);
}

bool sis_root_existsf(struct sis_root *r, const char *fmt, ...) {
        _cleanup_free_ char *p = NULL;
        va_list ap;

        va_start(ap, fmt);
        p = vformat(fmt, ap);
        va_end(ap);
        return p && sis_root_exists(r, p);
}
