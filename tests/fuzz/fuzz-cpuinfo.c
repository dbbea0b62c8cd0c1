/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/cpuinfo */
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
        struct cpuinfo c;
        if (cpuinfo_parse(s, &c) == 0) {
                (void) cpuinfo_has_flag(&c, "hypervisor");
                cpuinfo_done(&c);
        }
        free(s);
        return 0;
}
