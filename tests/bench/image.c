/* SPDX-License-Identifier: MIT */
/* make bench: sis-provision's image step alone, from a prepared tree (a directory): walk it into
 * an image tree, stream it as sorted pax into mke2fs -d -, fsync; with "verity", then append its
 * dm-verity tree as sis-provision rootfs does. Usage: bench-image DIR IMAGE [verity] */
#include <signal.h>
#include <stdio.h>

#include "image.h"
#include "tree.h"
#include "util.h"
#include "verity.h"

int main(int argc, char **argv) {
        char conf[] = "/tmp/sis-bench-image.XXXXXX";
        struct image_opts io = { .label = "rootfs", .root_perms = 0755, .epoch = 1700000000, .work = conf };
        struct tree t;
        char *err = NULL;
        int k;

        if (argc < 3 || argc > 4 || (argc == 4 && !streq(argv[3], "verity"))) {
                fprintf(stderr, "usage: bench-image DIR IMAGE [verity]\n");
                return 2;
        }
        signal(SIGPIPE, SIG_IGN);
        io.path = argv[2];
        uuid_from_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", io.uuid);
        uuid_from_hex("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", io.hash_seed);
        if (!mkdtemp(conf) || tree_init(&t, argv[1]) < 0)
                return 2;
        k = tree_rescan(&t, &err);
        if (k >= 0)
                k = image_build(&io, &t, &err);
        if (k >= 0 && argc == 4) {
                unsigned char salt[VERITY_SALT_BYTES] = { 1 };
                struct verity_info v;
                k = verity_append(argv[2], salt, io.uuid, &v, &err);
        }
        tree_done(&t);
        rm_rf(conf);
        if (k < 0) {
                fprintf(stderr, "bench-image: %s\n", err ? err : strerror(-k));
                return 1;
        }
        return 0;
}
