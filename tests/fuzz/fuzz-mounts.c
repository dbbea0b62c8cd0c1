/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/mounts */
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
        struct mount_entry *m;
        size_t n;
        if (mounts_parse(s, &m, &n) == 0)
                mounts_free(m, n);
        free(s);
        return 0;
}
