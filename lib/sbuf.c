/* SPDX-License-Identifier: MIT */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
