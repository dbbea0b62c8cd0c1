/* SPDX-License-Identifier: MIT */
/* libFuzzer target: kernel .config and /proc/config.gz */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct kconfig k;
        char *out = NULL;
        size_t len;
        if (kconfig_parse(s, size, &k) == 0) {
                (void) kconfig_get(&k, "PAGE_TABLE_ISOLATION");
                kconfig_done(&k);
        }
        /* the same bytes as /proc/config.gz */
        if (gunzip_capped(data, size, 1 << 20, &out, &len) == 0) {
                if (kconfig_parse(out, len, &k) == 0)
                        kconfig_done(&k);
                free(out);
        }
}
