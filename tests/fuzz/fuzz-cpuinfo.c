/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/cpuinfo */
#include "fuzz.h"
#include "parse.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct cpuinfo c;
        if (cpuinfo_parse(s, &c) == 0) {
                (void) cpuinfo_has_flag(&c, "hypervisor");
                cpuinfo_done(&c);
        }
}
