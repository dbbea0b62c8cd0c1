/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

/* Parse text as exactly one JSON value (only blanks may follow it). On failure returns -EBADMSG
 * and *ret_why says why: "empty", "truncated", "a NUL byte", or json-c's description. */
int json_parse_strict(const char *text, size_t len, json_object **ret, const char **ret_why);
