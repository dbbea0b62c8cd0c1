/* SPDX-License-Identifier: MIT */
/* libFuzzer target: rootfs recipes */
#include "fuzz.h"
#include "recipe.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct recipe r = {};
        char *err = NULL;

        if (recipe_parse(s, "fuzz.recipe", NULL, 0, &r, &err) == 0) {
                for (int d = 0; d < _DISTRO_MAX; d++)
                        (void) recipe_validate(&r, d, &err), free(err), err = NULL;
        }
        free(err);
        recipe_done(&r);
}
