/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/swaps */
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
        struct swap_entry *e;
        size_t n;
        if (swaps_parse(s, &e, &n) == 0)
                swaps_free(e, n);
        free(s);
        return 0;
}
