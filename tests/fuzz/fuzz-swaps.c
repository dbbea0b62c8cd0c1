/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/swaps */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct swap_entry *e;
        size_t n;
        if (swaps_parse(s, &e, &n) == 0)
                swaps_free(e, n);
}
