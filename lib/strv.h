/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

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
