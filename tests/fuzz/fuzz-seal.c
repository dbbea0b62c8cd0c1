/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a sealed snapshot file is read from storage that others may write. Opening
 * any bytes must end in -EBADMSG (or success for what was sealed here), never a crash, a hang or
 * a leak; and whatever is sealed opens to itself. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "hash.h"
#include "seal.h"

static const unsigned char dk[SEAL_KEY_BYTES] = { 0x5e, 0xa1 };
static const char id[] = "0123456789abcdef0123456789abcdef";

static int memfd_with(const uint8_t *data, size_t size) {
        int fd = memfd_create("fuzz", MFD_CLOEXEC);
        if (fd >= 0 && (write(fd, data, size) != (ssize_t) size || lseek(fd, 0, SEEK_SET) != 0)) {
                close(fd);
                fd = -1;
        }
        return fd;
}

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        int in = memfd_with(data, size), sealed = memfd_create("sealed", MFD_CLOEXEC),
            out = memfd_create("out", MFD_CLOEXEC);
        struct seal_info a;
        uint64_t b;
        int p[2];

        (void) s;
        if (in >= 0 && out >= 0) {
                /* the bytes as a sealed file: refused unless they are one (the fuzzer cannot forge a tag) */
                (void) seal_decrypt(dk, id, 0, "mem", in, out, NULL);
                /* and as a stream: what fits in a pipe's buffer, written whole first */
                if (size <= 65536 && pipe(p) == 0) {
                        if (write(p[1], data, size) == (ssize_t) size) {
                                close(p[1]);
                                p[1] = -1;
                                if (ftruncate(out, 0) == 0 && lseek(out, 0, SEEK_SET) == 0)
                                        (void) seal_decrypt(dk, id, 0, "mem", p[0], out, NULL);
                        }
                        close(p[0]);
                        if (p[1] >= 0)
                                close(p[1]);
                }
                /* the bytes sealed, then opened: the same bytes */
                if (lseek(in, 0, SEEK_SET) == 0 && sealed >= 0 &&
                    seal_encrypt(dk, id, 3, "vmstate", in, sealed, 0, &a) == 0 && lseek(sealed, 0, SEEK_SET) == 0 &&
                    ftruncate(out, 0) == 0 && lseek(out, 0, SEEK_SET) == 0) {
                        char h[SHA256_HEX];
                        if (seal_decrypt(dk, id, 3, "vmstate", sealed, out, &b) != 0 || a.size != size || b != size ||
                            lseek(out, 0, SEEK_SET) != 0 || sha256_fd(out, h) != 0 || strcmp(a.sha256, h) != 0)
                                abort();
                }
        }
        if (in >= 0)
                close(in);
        if (sealed >= 0)
                close(sealed);
        if (out >= 0)
                close(out);
}
