/* SPDX-License-Identifier: MIT */
/*
 * sis-provision disk: the home disk template, an ext4 image with the user's skeleton directories,
 * the same for the same inputs; each VM gets its own copy of it.
 */
#include "cli.h"
#include "common.h"
#include "dump.h"
#include "fileio.h"
#include "hash.h"
#include "image.h"
#include "rootfs-build.h"
#include "tree.h"
#include "util.h"

int disk_home_build(const struct disk_opts *o) {
        _cleanup_free_ char *err = NULL, *dir = NULL, *tmpdir = NULL, *img = NULL, *mkver = NULL, *keytext = NULL;
        static const char *const skel[] = { ".config",
                                            ".config/containers",
                                            ".local",
                                            ".local/share",
                                            ".local/share/containers",
                                            ".local/share/containers/storage",
                                            ".cache",
                                            NULL };
        struct tree t = { .work_fd = -1 };
        struct image_opts io = { .label = "home",
                                 .root_perms = 0700,
                                 .journal = true,
                                 .size = o->size,
                                 .root_uid = o->uid,
                                 .root_gid = o->gid,
                                 .epoch = 1 };
        char key[SHA256_HEX], hex[SHA256_HEX] = "";
        char *slash;
        int k;

        k = mke2fs_check(&mkver, &err);
        if (k < 0)
                return cli_fail(2, "disk: %s", err);
        dir = strdup(o->out);
        if (!dir)
                return 2;
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        tmpdir = strdup_printf("%s/.%s.tmp.XXXXXX", slash ? dir : ".", slash ? slash + 1 : o->out);
        if (!tmpdir || !mkdtemp(tmpdir))
                return cli_fail(2, "disk: --out %s: cannot create a temporary directory next to it: %s", o->out,
                                strerror(errno));
        k = tree_init(&t, tmpdir);
        for (size_t i = 0; k >= 0 && skel[i]; i++)
                k = tree_put_dir(&t, skel[i], 0700, o->uid, o->gid);
        /* the same inputs make the same template; each VM gets its own copy of it */
        keytext = strdup_printf("home\n%llu\n%u:%u\n%s\n", (unsigned long long) o->size, (unsigned) o->uid,
                                (unsigned) o->gid, SIS_VERSION);
        if (k >= 0 && (!keytext || sha256_buf(keytext, strlen(keytext), key) < 0))
                k = -ENOMEM;
        if (k >= 0) {
                derive_id(key, "uuid", io.uuid);
                derive_id(key, "hash_seed", io.hash_seed);
                io.work = tmpdir;
                img = strdup_printf("%s/home.ext4", tmpdir);
                io.path = img;
                k = img ? image_build(&io, &t, &err) : -ENOMEM;
        }
        if (k >= 0 && rename(img, o->out) < 0)
                k = set_error(&err, -errno, "--out %s: %s", o->out, strerror(errno));
        tree_done(&t);
        (void) rm_rf(tmpdir);
        if (k < 0)
                return cli_fail(2, "disk: %s", err ? err : strerror(-k));
        (void) sha256_file(o->out, hex);
        cli_step("wrote %s (%llu MiB, owner %u:%u, label home, sha256 %s)", o->out,
                 (unsigned long long) (o->size >> 20), (unsigned) o->uid, (unsigned) o->gid, hex);
        return 0;
}
