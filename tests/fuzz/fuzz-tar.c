/* SPDX-License-Identifier: MIT */
/* libFuzzer target: base tarballs unpacked into an image tree (any format and compression
 * libarchive reads), then streamed back out as pax. Nothing may land outside the work dir. */
#include <fcntl.h>

#include "dump.h"
#include "fuzz.h"
#include "tree.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        char dir[] = "/tmp/sis-fuzz-tar.XXXXXX";
        struct tree t;
        char *err = NULL;
        int fd;

        if (!mkdtemp(dir))
                return;
        {
                _cleanup_free_ char *in = strdup_printf("%s/in", dir), *work = strdup_printf("%s/work", dir);
                fd = in ? open(in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
                if (fd >= 0 && write(fd, data, size) == (ssize_t) size && work && tree_init(&t, work) == 0) {
                        close(fd);
                        fd = -1;
                        if (tree_load_tar(&t, in, &err) == 0) {
                                int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
                                (void) tree_write_pax(&t, out, 1700000000, NULL);
                                close(out);
                        }
                        tree_done(&t);
                }
                if (fd >= 0)
                        close(fd);
        }
        free(err);
        rm_rf(dir);
        (void) s;
}
