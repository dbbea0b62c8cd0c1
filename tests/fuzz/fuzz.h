/* SPDX-License-Identifier: MIT */
#pragma once
/* The libFuzzer entry point shared by the parser targets: each defines fuzz_one(), which gets the
 * input both as raw bytes and as a NUL-terminated copy (what the sysroot layer hands parsers). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_one(char *s, const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        fuzz_one(s, data, size);
        free(s);
        return 0;
}
