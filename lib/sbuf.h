/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A growable string buffer. An append that runs out of memory sets oom and later appends do
 * nothing; sbuf_steal() then reports it. */
struct sbuf {
        char *buf;
        size_t len, cap;
        bool oom;
};
void sbuf_putc(struct sbuf *b, char c);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) _printf_(2, 3);
/* Returns the string (caller frees) or NULL if any append ran out of memory. */
char *sbuf_steal(struct sbuf *b);
void sbuf_done(struct sbuf *b);
