/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "strv.h"

char *strstrip(char *s) {
        char *b = s, *e;

        while (isspace((unsigned char) *b))
                b++;
        e = b + strlen(b);
        while (e > b && isspace((unsigned char) e[-1]))
                e--;
        memmove(s, b, (size_t) (e - b));
        s[e - b] = '\0';
        return s;
}

char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

void hex_encode_to(const void *p, size_t len, char *out) {
        static const char d[] = "0123456789abcdef";
        const unsigned char *u = p;

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = d[u[i] >> 4];
                out[2 * i + 1] = d[u[i] & 15];
        }
        out[2 * len] = '\0';
}

char *hex_encode(const void *p, size_t len) {
        char *h = malloc(2 * len + 1);

        if (h)
                hex_encode_to(p, len, h);
        return h;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool is_hex_lower(const char *s, size_t len) {
        return s && strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

bool is_hex_any(const char *s, size_t len) {
        return s && strlen(s) == len && strspn(s, "0123456789abcdefABCDEF") == len;
}

int hex_decode(const char *hex, void *buf, size_t len) {
        unsigned char *u = buf;

        for (size_t i = 0; i < len; i++) {
                int hi = hex_digit(hex[2 * i]), lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
                if (lo < 0) {
                        memset(buf, 0, len);
                        return -EINVAL;
                }
                u[i] = (unsigned char) (hi << 4 | lo);
        }
        return 0;
}

int set_error(char **ret_error, int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (ret_error && vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return err;
}

int snprintf_ok(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -EINVAL;
        if ((size_t) r >= size)
                return -ENAMETOOLONG;
        return 0;
}

const char *errno_name(int err) {
        const char *n;

        if (err < 0)
                err = -err;
        n = strerrorname_np(err);
        return n ? n : "EIO";
}

int errno_from_name(const char *name) {
        if (!name)
                return 0;
        for (int e = 1; e < 256; e++) {
                const char *n = strerrorname_np(e);
                if (n && streq(n, name))
                        return e;
        }
        return EIO;
}

int path_normalize(const char *path, char **ret) {
        _cleanup_strv_free_ char **parts = NULL;
        const char *keep[PATH_MAX / 2];
        struct sbuf b = {};
        size_t n = 0;

        if (strv_split(path, "/", &parts) < 0)
                return -ENOMEM;
        for (size_t i = 0; parts[i]; i++) {
                if (streq(parts[i], "."))
                        continue;
                if (streq(parts[i], "..")) {
                        if (n > 0)
                                n--;
                        continue;
                }
                if (n >= ELEMENTSOF(keep))
                        return -ENAMETOOLONG;
                keep[n++] = parts[i];
        }
        for (size_t i = 0; i < n; i++)
                sbuf_printf(&b, "/%s", keep[i]);
        if (n == 0)
                sbuf_puts(&b, "/");
        *ret = sbuf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

bool vm_id_ok(const char *id) {
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > 64)
                return false;
        for (const char *c = id; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
                        return false;
        return true;
}
