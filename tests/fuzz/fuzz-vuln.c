/* SPDX-License-Identifier: MIT */
/* libFuzzer target: vulnerability status strings */
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
        /* first line: the file name; the rest: the status text */
        char *nl = strchr(s, '\n');
        const char *file = "spectre_v2", *text = s;
        char *reason = NULL;
        if (nl) {
                *nl = '\0';
                file = s;
                text = nl + 1;
        }
        for (int smt = -1; smt <= 1; smt++) {
                (void) vuln_classify(file, text, smt, smt != 0, &reason);
                free(reason);
                reason = NULL;
        }
        free(s);
        return 0;
}
