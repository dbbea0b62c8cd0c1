/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Strict number parsing: the whole string (after optional surrounding blanks) must be the number. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atou32(const char *s, uint32_t *ret);
int safe_atoi(const char *s, int *ret);

/* Remove leading and trailing whitespace in place; returns s. */
char *strstrip(char *s);
/* Duplicate, aborting never: returns NULL on ENOMEM. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
/* True when every byte is printable ASCII or a blank (used to reject garbage). */
bool str_is_printable(const char *s, size_t len);
/* Text another program wrote (an error message, a log line), made one line fit to print: a
 * backslash-newline continuation and every run of blanks, tabs and line breaks become one space,
 * other control bytes "\xNN"; leading and trailing blanks go. NULL on ENOMEM. */
char *str_one_line(const char *s);
/* Text in a report is valid UTF-8 without NUL, whatever bytes it came from. The one rule: each
 * byte that does not belong to a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), and each NUL, becomes U+FFFD; everything else is kept.
 * utf8_valid: whether s[0..len) holds nothing the rule would change. utf8_repair: the repaired
 * copy (NULL on ENOMEM), *changed (may be NULL) set when something was replaced. */
size_t utf8_seq(const unsigned char *s, size_t len); /* length of a well-formed sequence at s, or 0 */
bool utf8_valid(const char *s, size_t len);
char *utf8_repair(const char *s, size_t len, bool *changed);
/* The code point of the well-formed sequence of n bytes at s. */
uint32_t utf8_cp(const unsigned char *s, size_t n);
/* Control characters (C0, DEL and C1) of s (valid UTF-8) become one space each, in place. */
void utf8_blank_controls(char *s);
/* Cut s (valid UTF-8) to at most max bytes at a character boundary; returns s. */
char *utf8_truncate(char *s, size_t max);
/* Bytes as lowercase hex (NULL on ENOMEM). */
char *hex_encode(const void *p, size_t len);
/* For functions that explain their failures: sets *ret_error (when ret_error is not NULL) to the
 * formatted message, and returns err. */
int set_error(char **ret_error, int err, const char *fmt, ...) _printf_(3, 4);
/* Format into buf, -ENAMETOOLONG on truncation. */
int snprintf_ok(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/* NULL-terminated string vectors. */
typedef char **strv_t;
void strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *l);
int strv_push(char ***l, char *value); /* takes ownership, frees value on failure */
int strv_extend(char ***l, const char *value);
/* For building an argv: append (a formatted string), remembering the first failure in *k and doing
 * nothing once *k < 0, so that a list of appends is checked once at the end. */
void strv_add(char ***l, int *k, const char *value);
void strv_addf(char ***l, int *k, const char *fmt, ...) _printf_(3, 4);
bool strv_contains(char *const *l, const char *value);
void strv_sort(char **l);
/* Split on any of the separator characters, dropping empty fields. */
int strv_split(const char *s, const char *sep, char ***ret);

/* A growable string buffer. */
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

/* errno names ("EACCES") for the report and dumps; NULL-safe parse back. */
const char *errno_name(int err);
int errno_from_name(const char *name);

/* Version strings "6.1.0-28-amd64" / "v1.10.1" -> comparable triple. */
int parse_version(const char *s, unsigned v[3]);
int version_cmp(const unsigned a[3], const unsigned b[3]);

/* A microVM's name: [A-Za-z0-9-]{1,64}, the jailer's rule in ASCII (sis-launch, the vm.* checks). */
bool vm_id_ok(const char *id);

/* Lexically normalise an absolute path: collapse "//", ".", and "..", clamped at "/". */
int path_normalize(const char *path, char **ret);
