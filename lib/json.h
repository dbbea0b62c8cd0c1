/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "macro.h"

/* A json_object reference dropped when it goes out of scope. */
DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* o as sis writes JSON: pretty, spaced, '/' not escaped, a newline at the end. NULL on ENOMEM. */
char *json_text(json_object *o);
/* Parse text as exactly one JSON value (only blanks may follow it). On failure returns -EBADMSG
 * and *ret_why says why: "empty", "truncated", "a NUL byte", or json-c's description. */
int json_parse_strict(const char *text, size_t len, json_object **ret, const char **ret_why);
/* o's member key when it is a string, else NULL (absent, null, or of another type: json-c would
 * give NULL for null, or the JSON text of a number). */
const char *json_str(json_object *o, const char *key);
