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

/* A reader of the trimmed content parsed by one of number.h's strict parsers. */
#define DEFINE_READF_NUMBER(name, type, parse) \
        int name(struct sis_root *r, type *ret, const char *fmt, ...) { \
                _cleanup_free_ char *s = NULL; \
                va_list ap; \
                int k; \
\
                va_start(ap, fmt); \
                k = vread(r, &s, fmt, ap); \
                va_end(ap); \
                return k < 0 ? k : parse(s, ret); \
        }

DEFINE_READF_NUMBER(sis_root_readf_int, int, safe_atoi)
DEFINE_READF_NUMBER(sis_root_readf_u32, uint32_t, safe_atou32)
DEFINE_READF_NUMBER(sis_root_readf_u64, uint64_t, safe_atou64)

bool sis_root_existsf(struct sis_root *r, const char *fmt, ...) {
        _cleanup_free_ char *p = NULL;
        va_list ap;

        va_start(ap, fmt);
        p = vformat(fmt, ap);
        va_end(ap);
        return p && sis_root_exists(r, p);
}
