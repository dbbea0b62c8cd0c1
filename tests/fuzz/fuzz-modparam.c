/* SPDX-License-Identifier: MIT */
/* libFuzzer target: module parameters and small numeric values */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        bool b;
        (void) modparam_bool(s, &b);
        uint64_t u;
        (void) safe_atou64(s, &u);
        unsigned v[3];
        (void) parse_version(s, v);
        (void) cpulist_count(s);
        free(s);
        return 0;
}
