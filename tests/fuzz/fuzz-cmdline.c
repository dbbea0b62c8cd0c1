/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/cmdline */
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
        char **w = NULL;
        if (cmdline_parse(s, &w) == 0) {
                (void) cmdline_get(w, "mitigations");
                (void) cmdline_get(w, "nopti");
                strv_free(w);
        }
        free(s);
        return 0;
}
