/* SPDX-License-Identifier: MIT */
/* make bench: what sealing costs a snapshot and a restore. A guest-memory-like file of MIB MiB (a
 * third random, a third repeated text, a third zeros) in DIR (a tmpfs, as the jail's is) is, RUNS
 * times each: copied plainly (what an unsealed snapshot and restore did), sealed, and opened into
 * a new file. Prints one line per kind: "copy|seal|open MEDIAN_MS MIB_PER_S". Usage:
 * bench-seal DIR MIB RUNS */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "seal.h"
#include "util.h"

static double now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
        static const char id[] = "0123456789abcdef0123456789abcdef";
        unsigned char dk[SEAL_KEY_BYTES];
        const char *kinds[] = { "copy", "seal", "open" };
        unsigned mib, runs;
        double *t[3];
        char *src, *sealed, *out;
        int fd;

        if (argc != 4 || safe_atou32(argv[2], &mib) < 0 || safe_atou32(argv[3], &runs) < 0 || !mib || !runs) {
                fprintf(stderr, "usage: bench-seal DIR MIB RUNS\n");
                return 2;
        }
        src = strdup_printf("%s/mem", argv[1]);
        sealed = strdup_printf("%s/mem.sealed", argv[1]);
        out = strdup_printf("%s/mem.out", argv[1]);
        if (!src || !sealed || !out || seal_new_data_key(dk) < 0)
                return 2;
        fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return 2;
        {
                static char buf[1 << 20];
                int r = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
                for (unsigned i = 0; i < mib; i++) {
                        if (i < mib / 3) {
                                if (r < 0 || read(r, buf, sizeof(buf)) != (ssize_t) sizeof(buf))
                                        return 2;
                        } else if (i < 2 * mib / 3)
                                for (size_t j = 0; j < sizeof(buf); j++)
                                        buf[j] = "cookie=session-token; "[j % 22];
                        else
                                memset(buf, 0, sizeof(buf));
                        if (write(fd, buf, sizeof(buf)) != (ssize_t) sizeof(buf))
                                return 2;
                }
                close(r);
                close(fd);
        }
        for (int k = 0; k < 3; k++)
                t[k] = calloc(runs, sizeof(double));
        for (unsigned i = 0; i < runs; i++)
                for (int k = 0; k < 3; k++) {
                        const char *from = k == 2 ? sealed : src, *to = k == 0 ? out : k == 1 ? sealed : out;
                        int in = open(from, O_RDONLY | O_CLOEXEC),
                            o = open(to, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc;
                        double a = now_ms();
                        if (in < 0 || o < 0)
                                return 2;
                        rc = k == 0      ? copy_fd_sparse(in, o)
                                : k == 1 ? seal_encrypt(dk, id, 1, "mem", in, o, 0, NULL)
                                         : seal_decrypt(dk, id, 1, "mem", in, o, NULL);
                        if (rc < 0) {
                                fprintf(stderr, "bench-seal: %s: %s\n", kinds[k], strerror(-rc));
                                return 1;
                        }
                        t[k][i] = now_ms() - a;
                        close(in);
                        close(o);
                }
        for (int k = 0; k < 3; k++) {
                qsort(t[k], runs, sizeof(double), cmp);
                double med = runs % 2 ? t[k][runs / 2] : (t[k][runs / 2 - 1] + t[k][runs / 2]) / 2;
                printf("%s %.1f %.0f\n", kinds[k], med, mib / (med / 1e3));
        }
        unlink(src);
        unlink(sealed);
        unlink(out);
        return 0;
}
