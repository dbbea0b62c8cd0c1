/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/cmdline */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        char **w = NULL;
        if (cmdline_parse(s, &w) == 0) {
                (void) cmdline_get(w, "mitigations");
                (void) cmdline_get(w, "nopti");
                strv_free(w);
        }
}
