/* SPDX-License-Identifier: MIT */
#include "strv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c;

        if (!value)
                return -ENOMEM;
        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        return strv_push(l, strdup(value));
}

void strv_add(char ***l, int *k, const char *value) {
        if (*k >= 0)
                *k = value ? strv_extend(l, value) : -EINVAL;
}

void strv_addf(char ***l, int *k, const char *fmt, ...) {
        char *v = NULL;
        va_list ap;

        if (*k < 0)
                return;
        va_start(ap, fmt);
        if (vasprintf(&v, fmt, ap) < 0)
                v = NULL;
        va_end(ap);
        *k = v ? strv_push(l, v) : -ENOMEM;
}

bool strv_contains(char *const *l, const char *value) {
        if (!l)
                return false;
        for (char *const *i = l; *i; i++)
                if (streq(*i, value))
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);
        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
}

int strv_split(const char *s, const char *sep, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;
        size_t n = 0, cap = 8;

        /* Always return a (possibly empty) vector; grow geometrically (files have thousands of lines). */
        l = calloc(cap + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (*p) {
                size_t w;
                p += strspn(p, sep);
                w = strcspn(p, sep);
                if (w == 0)
                        break;
                if (n == cap) {
                        char **nl = realloc(l, (cap * 2 + 1) * sizeof(char *));
                        if (!nl)
                                return -ENOMEM;
                        l = nl;
                        cap *= 2;
                }
                l[n] = strndup(p, w);
                if (!l[n])
                        return -ENOMEM;
                l[++n] = NULL;
                p += w;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
