/* SPDX-License-Identifier: MIT */
#pragma once

/* Small helpers, and the umbrella for the others: number parsing (number.h), string vectors
 * (strv.h), a growable string buffer (sbuf.h), UTF-8 and printable text (utf8text.h). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "number.h"
#include "sbuf.h"
#include "strv.h"
#include "utf8text.h"

/* Remove leading and trailing whitespace in place; returns s. */
char *strstrip(char *s);
/* Duplicate, aborting never: returns NULL on ENOMEM. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
/* Bytes as lowercase hex (NULL on ENOMEM); or into out, which holds 2*len+1. */
char *hex_encode(const void *p, size_t len);
void hex_encode_to(const void *p, size_t len, char *out);
/* len bytes from the first 2*len hex digits of hex (either case; more text may follow them).
 * 0, or -EINVAL when one of them is not a hex digit (or hex is shorter): buf is then zeroed. */
int hex_decode(const char *hex, void *buf, size_t len);
/* Is s exactly len hex digits: lowercase ones only (a digest as sis writes it), or either case
 * (a fingerprint or a digest a user typed)? */
bool is_hex_lower(const char *s, size_t len);
bool is_hex_any(const char *s, size_t len);
/* For functions that explain their failures: sets *ret_error (when ret_error is not NULL) to the
 * formatted message, and returns err. */
int set_error(char **ret_error, int err, const char *fmt, ...) _printf_(3, 4);
/* Format into buf, -ENAMETOOLONG on truncation. */
int snprintf_ok(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/* errno names ("EACCES") for the report and dumps; NULL-safe parse back. */
const char *errno_name(int err);
int errno_from_name(const char *name);

/* A microVM's name: [A-Za-z0-9-]{1,64}, the jailer's rule in ASCII (sis-launch, the vm.* checks). */
bool vm_id_ok(const char *id);

/* Lexically normalise an absolute path: collapse "//", ".", and "..", clamped at "/". */
int path_normalize(const char *path, char **ret);
