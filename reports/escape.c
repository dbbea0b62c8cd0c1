/* SPDX-License-Identifier: MIT */
#include "escape.h"

void put_xml(struct sbuf *b, const char *s) {
        for (; s && *s; s++) {
                unsigned char c = (unsigned char) *s;
                switch (c) {
                case '&': sbuf_puts(b, "&amp;"); break;
                case '<': sbuf_puts(b, "&lt;"); break;
                case '>': sbuf_puts(b, "&gt;"); break;
                case '"': sbuf_puts(b, "&quot;"); break;
                case '\'': sbuf_puts(b, "&#39;"); break;
                case '\n': sbuf_puts(b, "&#10;"); break;
                case '\t': sbuf_puts(b, "&#9;"); break;
                default:
                        /* XML 1.0 has no way to carry other control characters: drop them visibly */
                        if (c < 0x20 || c == 0x7f)
                                sbuf_putc(b, '?');
                        else if (c < 0x80)
                                sbuf_putc(b, (char) c);
                        else {
                                /* the model's text is valid UTF-8; XML forbids U+FFFE and U+FFFF, and
                                 * HTML refuses every noncharacter and the C1 controls: U+FFFD */
                                size_t n = utf8_seq((const unsigned char *) s, strlen(s));
                                uint32_t cp = n ? utf8_cp((const unsigned char *) s, n) : 0xfffd;
                                if (!n || cp <= 0x9f || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
                                        sbuf_puts(b, "\xef\xbf\xbd");
                                else
                                        sbuf_putn(b, s, n);
                                s += (n ? n : 1) - 1;
                        }
                }
        }
}

void put_md(struct sbuf *b, const char *s) {
        for (; s && *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '\n' || c == '\r' || c == '\t')
                        sbuf_putc(b, ' ');
                else if (c < 0x20 || c == 0x7f)
                        sbuf_putc(b, '?');
                else if (c == '<')
                        sbuf_puts(b, "&lt;");
                else if (c == '>')
                        sbuf_puts(b, "&gt;");
                else if (c == '&')
                        sbuf_puts(b, "&amp;");
                else {
                        /* only what can open markup mid-line: nothing here ever starts a line */
                        if (strchr("\\`*_[]|~", c))
                                sbuf_putc(b, '\\');
                        sbuf_putc(b, (char) c);
                }
        }
}

void put_md_code(struct sbuf *b, const char *s) {
        if (!s || strpbrk(s, "`\n\r")) {
                put_md(b, s);
                return;
        }
        sbuf_putc(b, '`');
        for (; *s; s++) {
                if (*s == '|')
                        sbuf_putc(b, '\\'); /* a pipe would end the table cell, even in code */
                sbuf_putc(b, *s);
        }
        sbuf_putc(b, '`');
}

void put_prom(struct sbuf *b, const char *s) {
        for (; s && *s; s++) {
                if (*s == '\\')
                        sbuf_puts(b, "\\\\");
                else if (*s == '"')
                        sbuf_puts(b, "\\\"");
                else if (*s == '\n')
                        sbuf_puts(b, "\\n");
                else
                        sbuf_putc(b, *s);
        }
}
