/* SPDX-License-Identifier: MIT */
/* libFuzzer target: ldd's output, line by line, as the QEMU backend reads it to know which host
 * files to bind into the jail. */
#include "fuzz.h"
#include "qemu.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        char *save = NULL;

        (void) data;
        (void) size;
        for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *path = NULL;
                int k = ldd_line_path(line, &path);
                if ((k > 0) != (path != NULL) || (path && path[0] != '/'))
                        abort();
                free(path);
        }
}
