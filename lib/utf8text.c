/* SPDX-License-Identifier: MIT */
#include "utf8text.h"

#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

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
