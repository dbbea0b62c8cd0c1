/* SPDX-License-Identifier: MIT */
#include "number.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static const char *skip_blanks(const char *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
                s++;
        return s;
}

static bool only_blanks(const char *s) {
        return *skip_blanks(s) == '\0';
}

int safe_atou64(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (!s)
                return -EINVAL;
        s = skip_blanks(s);
        if (*s == '-' || *s == '\0')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno)
                return -errno;
        if (end == s || !only_blanks(end))
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atoi64(const char *s, int64_t *ret) {
        char *end;
        long long v;

        if (!s)
                return -EINVAL;
        s = skip_blanks(s);
        if (*s == '\0')
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno)
                return -errno;
        if (end == s || !only_blanks(end))
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou32(const char *s, uint32_t *ret) {
        uint64_t v;
        int r = safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int safe_atoi(const char *s, int *ret) {
        int64_t v;
        int r = safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v < INT32_MIN || v > INT32_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_version(const char *s, unsigned v[3]) {
        unsigned part = 0;

        if (!s)
                return -EINVAL;
        while (*s && !isdigit((unsigned char) *s))
                s++;
        if (!*s)
                return -EINVAL;
        v[0] = v[1] = v[2] = 0;
        while (part < 3 && isdigit((unsigned char) *s)) {
                unsigned long x;
                char *end;

                errno = 0;
                x = strtoul(s, &end, 10);
                if (errno || x > 1000000)
                        return -ERANGE;
                v[part++] = (unsigned) x;
                s = end;
                if (*s != '.' || !isdigit((unsigned char) s[1]))
                        break;
                s++;
        }
        return 0;
}

int version_cmp(const unsigned a[3], const unsigned b[3]) {
        for (int i = 0; i < 3; i++)
                if (a[i] != b[i])
                        return a[i] < b[i] ? -1 : 1;
        return 0;
}

_Static_assert(sizeof(time_t) == sizeof(int64_t), "time_t holds what int64_t does");

int source_date_epoch(time_t *ret) {
        const char *s = getenv("SOURCE_DATE_EPOCH");
        uint64_t v = 0;

        if (!s || !*s)
                return -ENOENT;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - 9) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*c - '0');
        }
        if (v > (uint64_t) INT64_MAX)
                return -EINVAL;
        *ret = (time_t) v;
        return 0;
}
