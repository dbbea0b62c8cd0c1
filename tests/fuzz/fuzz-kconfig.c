/* SPDX-License-Identifier: MIT */
/* libFuzzer target: kernel .config and /proc/config.gz */
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
        free(s);
        return 0;
}
