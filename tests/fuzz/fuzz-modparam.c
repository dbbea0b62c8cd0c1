/* SPDX-License-Identifier: MIT */
/* libFuzzer target: module parameters and small numeric values */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        bool b;
        (void) modparam_bool(s, &b);
        uint64_t u;
        (void) safe_atou64(s, &u);
        unsigned v[3];
        (void) parse_version(s, v);
}
