/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
