/* SPDX-License-Identifier: MIT */
/* libFuzzer target: vulnerability status strings */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
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
}
