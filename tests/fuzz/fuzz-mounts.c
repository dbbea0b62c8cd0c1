/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/mounts */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct mount_entry *m;
        size_t n;
        if (mounts_parse(s, &m, &n) == 0)
                mounts_free(m, n);
}
