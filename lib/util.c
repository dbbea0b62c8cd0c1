/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

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

static bool byte_printable(unsigned char c) {
        return c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7f);
}

bool str_is_printable(const char *s, size_t len) {
        /* eight bytes at a time (a 100 KiB kernel config is read this way): a word with no byte
         * below 0x20 and none equal to 0x7f is printable; any other is looked at byte by byte */
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        size_t i = 0;

        for (; i + 8 <= len; i += 8) {
                uint64_t w, del;
                memcpy(&w, s + i, 8);
                del = w ^ (0x7f * ones);
                if ((((w - 0x20 * ones) & ~w) | ((del - ones) & ~del)) & highs)
                        for (size_t j = 0; j < 8; j++)
                                if (!byte_printable((unsigned char) s[i + j]))
                                        return false;
        }
        for (; i < len; i++)
                if (!byte_printable((unsigned char) s[i]))
                        return false;
        return true;
}

size_t utf8_seq(const unsigned char *s, size_t len) {
        unsigned char c = s[0];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;

        if (c == 0)
                return 0;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                if (c == 0xe0)
                        lo = 0xa0; /* no overlong forms */
                else if (c == 0xed)
                        hi = 0x9f; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f; /* nothing above U+10FFFF */
        } else
                return 0;
        if (len < n || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return n;
}

/* Eight bytes of ASCII without a NUL? */
static bool ascii8(const unsigned char *p) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t w;
        memcpy(&w, p, 8);
        return !(w & highs) && !((w - ones) & ~w & highs);
}

bool utf8_valid(const char *s, size_t len) {
        const unsigned char *u = (const unsigned char *) s;
        for (size_t i = 0; i < len;) {
                size_t n;
                if (i + 8 <= len && ascii8(u + i)) { /* ASCII, most of it, a word at a time */
                        i += 8;
                        continue;
                }
                if (u[i] > 0 && u[i] < 0x80) {
                        i++;
                        continue;
                }
                n = utf8_seq(u + i, len - i);
                if (!n)
                        return false;
                i += n;
        }
        return true;
}

char *utf8_repair(const char *s, size_t len, bool *changed) {
        const unsigned char *u = (const unsigned char *) (s ? s : "");
        struct sbuf b = {};

        if (changed)
                *changed = false;
        if (!s)
                len = 0;
        if (utf8_valid((const char *) u, len)) {
                /* the common case: one copy */
                char *t = malloc(len + 1);
                if (t) {
                        memcpy(t, u, len);
                        t[len] = '\0';
                }
                return t;
        }
        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(u + i, len - i);
                if (n) {
                        /* a run of well-formed sequences at once */
                        size_t j = i + n;
                        while (j < len && (n = utf8_seq(u + j, len - j)))
                                j += n;
                        sbuf_putn(&b, (const char *) u + i, j - i);
                        i = j;
                } else {
                        sbuf_puts(&b, "\xef\xbf\xbd"); /* U+FFFD REPLACEMENT CHARACTER */
                        if (changed)
                                *changed = true;
                        i++;
                }
        }
        return sbuf_steal(&b);
}

uint32_t utf8_cp(const unsigned char *s, size_t n) {
        static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
        uint32_t cp = s[0] & lead_mask[n];
        for (size_t i = 1; i < n; i++)
                cp = cp << 6 | (s[i] & 0x3f);
        return cp;
}

void utf8_blank_controls(char *s) {
        unsigned char *r = (unsigned char *) s, *w;
        /* most text has none: find the first, and write nothing before it */
        while (*r >= 0x20 && *r != 0x7f && *r != 0xc2)
                r++;
        w = r;
        while (*r) {
                if (*r < 0x20 || *r == 0x7f) {
                        *w++ = ' ';
                        r++;
                } else if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) { /* U+0080..U+009F: C1, CSI among them */
                        *w++ = ' ';
                        r += 2;
                } else
                        *w++ = *r++;
        }
        *w = '\0';
}

char *utf8_truncate(char *s, size_t max) {
        size_t len = strlen(s);
        if (len <= max)
                return s;
        while (max > 0 && ((unsigned char) s[max] & 0xc0) == 0x80)
                max--; /* s[max] continues a sequence: cut before the sequence starts */
        s[max] = '\0';
        return s;
}

char *hex_encode(const void *p, size_t len) {
        static const char d[] = "0123456789abcdef";
        const unsigned char *u = p;
        char *h = malloc(2 * len + 1);

        if (!h)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                h[2 * i] = d[u[i] >> 4];
                h[2 * i + 1] = d[u[i] & 15];
        }
        h[2 * len] = '\0';
        return h;
}

char *str_one_line(const char *s) {
        struct sbuf b = {};
        bool space = false;

        for (const char *c = s ? s : ""; *c; c++) {
                unsigned char u = (unsigned char) *c;
                if (u == '\\' && (c[1] == '\n' || (c[1] == '\r' && c[2] == '\n'))) {
                        space = true;
                        continue;
                }
                if (u == ' ' || u == '\t' || u == '\n' || u == '\r') {
                        space = true;
                        continue;
                }
                if (space && b.len > 0)
                        sbuf_putc(&b, ' ');
                space = false;
                if (u < 0x20 || u == 0x7f)
                        sbuf_printf(&b, "\\x%02x", u);
                else
                        sbuf_putc(&b, (char) u);
        }
        return sbuf_steal(&b);
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

static bool sbuf_grow(struct sbuf *b, size_t extra) {
        size_t need;
        char *n;

        if (b->oom)
                return false;
        need = b->len + extra + 1;
        if (need <= b->cap)
                return true;
        need = MAX(need, b->cap * 2);
        need = MAX(need, (size_t) 64);
        n = realloc(b->buf, need);
        if (!n) {
                b->oom = true;
                return false;
        }
        b->buf = n;
        b->cap = need;
        return true;
}

void sbuf_putn(struct sbuf *b, const char *s, size_t n) {
        if (!sbuf_grow(b, n))
                return;
        memcpy(b->buf + b->len, s, n);
        b->len += n;
        b->buf[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s) {
        sbuf_putn(b, s, strlen(s));
}

void sbuf_putc(struct sbuf *b, char c) {
        sbuf_putn(b, &c, 1);
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        if (!sbuf_grow(b, (size_t) n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->buf + b->len, (size_t) n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t) n;
}

char *sbuf_steal(struct sbuf *b) {
        char *s;

        if (b->oom) {
                sbuf_done(b);
                return NULL;
        }
        s = b->buf ? b->buf : strdup("");
        b->buf = NULL;
        b->len = b->cap = 0;
        return s;
}

void sbuf_done(struct sbuf *b) {
        free(b->buf);
        *b = (struct sbuf) {};
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
