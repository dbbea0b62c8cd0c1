/* SPDX-License-Identifier: MIT */
#include "image.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fileio.h"
#include "util.h"

#define BLOCK 4096u
#define MIB (1024u * 1024u)

/* The host's /etc/mke2fs.conf must not leak into the image (features an old guest kernel cannot
 * mount, other inode sizes): every default is pinned here, and -T sis selects nothing else. */
static const char mke2fs_conf[] =
        "[defaults]\n"
        "\tbase_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr\n"
        "\tdefault_mntopts = acl,user_xattr\n"
        "\tenable_periodic_fsck = 0\n"
        "\tblocksize = 4096\n"
        "\tinode_size = 256\n"
        "\tinode_ratio = 16384\n"
        "\treserved_ratio = 0\n"
        "\thash_alg = half_md4\n"
        "\n"
        "[fs_types]\n"
        "\text4 = {\n"
        "\t\tfeatures = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize\n"
        "\t}\n"
        "\tsis = {\n"
        "\t\tinode_size = 256\n"
        "\t}\n";

int parse_size(const char *s, uint64_t *ret) {
        _cleanup_free_ char *num = strdup(s);
        uint64_t mult = 1, v;
        size_t n;

        if (!num || !*num)
                return -EINVAL;
        n = strlen(num);
        switch (num[n - 1]) {
        case 'K':
        case 'k': mult = 1ull << 10; break;
        case 'M':
        case 'm': mult = 1ull << 20; break;
        case 'G':
        case 'g': mult = 1ull << 30; break;
        case 'T':
        case 't': mult = 1ull << 40; break;
        default: break;
        }
        if (mult > 1)
                num[n - 1] = '\0';
        if (safe_atou64(num, &v) < 0 || v == 0 || v > (UINT64_C(1) << 50) / mult)
                return -EINVAL;
        *ret = v * mult;
        return 0;
}

void uuid_from_hex(const char *hex, unsigned char out[16]) {
        (void) hex_decode(hex, out, 16);                   /* a bad hex: zeros */
        out[6] = (unsigned char) ((out[6] & 0x0f) | 0x80); /* version 8: custom, name-based */
        out[8] = (unsigned char) ((out[8] & 0x3f) | 0x80); /* RFC 9562 variant */
}

void uuid_format(const unsigned char u[16], char out[37]) {
        snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Run argv with stdin from in_fd (or /dev/null) and stdout+stderr into err_fd. Returns the pid.
 * Not lib's exec_run: mke2fs reads the pax stream this process writes into its stdin while it
 * runs, and exec_run returns only once its child has exited. */
static int spawn(char *const argv[], char *const envp[], int in_fd, int err_fd, pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        int r;

        posix_spawn_file_actions_init(&fa);
        if (in_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
        else
                posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, err_fd, 1);
        posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
        r = posix_spawnp(ret_pid, argv[0], &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        return -r;
}

static int wait_status(pid_t pid) {
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A command's output (a temp file), as one line for a message: lines joined with " / ". */
static char *output_text(int fd) {
        char buf[2048];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        struct sbuf sb = {};

        if (n <= 0)
                return strdup("");
        buf[n] = '\0';
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
                strstrip(l);
                if (*l)
                        sbuf_printf(&sb, "%s%s", sb.len ? " / " : "", l);
        }
        return sb.len ? sbuf_steal(&sb) : strdup("");
}

static int tmp_output(void) {
        char p[] = "/tmp/sis-mke2fs.XXXXXX";
        int fd = mkostemp(p, O_CLOEXEC);
        if (fd >= 0)
                unlink(p);
        return fd;
}

int mke2fs_check(char **ret_version, char **ret_error) {
        char *argv[] = { (char *) "mke2fs", (char *) "-V", NULL };
        _cleanup_close_ int out = tmp_output();
        _cleanup_free_ char *line = NULL;
        unsigned have[3], want[3];
        pid_t pid;
        int k;

        if (out < 0)
                return -errno;
        k = spawn(argv, environ, -1, out, &pid);
        if (k < 0 || wait_status(pid) != 0)
                return set_error(ret_error, -ENOENT, "mke2fs (e2fsprogs) is not installed");
        line = output_text(out);
        if (line)
                line[strcspn(line, "/")] = '\0', strstrip(line);
        if (!line || strncmp(line, "mke2fs ", 7) != 0 || parse_version(line + 7, have) < 0)
                return set_error(ret_error, -ENOENT, "cannot tell the version of mke2fs: '%s'", strempty(line));
        (void) parse_version(MKE2FS_MIN, want);
        if (ret_version)
                *ret_version = strdup(line);
        if (version_cmp(have, want) < 0)
                return set_error(ret_error, -EPROTONOSUPPORT,
                                 "%s is too old: reproducible images from a tar stream need e2fsprogs >= %s "
                                 "(Debian 12: apt-get install -t bookworm-backports e2fsprogs)",
                                 line, MKE2FS_MIN);
        return 0;
}

uint64_t image_size_for(const struct tree *t, bool journal, uint64_t *ret_inodes) {
        uint64_t blocks, inodes, total;

        tree_usage(t, &blocks, &inodes);
        inodes = inodes + inodes / 4 + 1024; /* room for what the guest writes in /etc at most */
        total = blocks + (inodes * 256 + BLOCK - 1) / BLOCK;
        total += total / 10 + 1024; /* 10 % + 4 MiB: bitmaps, descriptors, slack */
        if (journal)
                total += total < 32768 ? 1024 : total < 262144 ? 4096 : 16384;
        total = (total * BLOCK + MIB - 1) / MIB * MIB;
        if (ret_inodes)
                *ret_inodes = inodes;
        return total;
}

int image_build(const struct image_opts *o, struct tree *t, char **ret_error) {
        _cleanup_free_ char *conf = strdup_printf("%s/mke2fs.conf", o->work), *cenv = NULL, *sde = NULL, *nopt = NULL,
                            *eopt = NULL, *blocks = NULL, *tree_err = NULL, *msg = NULL;
        _cleanup_strv_free_ char **envp = NULL;
        _cleanup_close_ int out = tmp_output(), fd = -1;
        uint64_t inodes, need = image_size_for(t, o->journal, &inodes), size = o->size ? o->size : need;
        char uuid[37], seed[37];
        int pipefd[2], k, rc;
        pid_t pid;

        if (!conf || out < 0)
                return -ENOMEM;
        if (o->size && o->size < need)
                return set_error(ret_error, -ENOSPC, "the image size %llu MiB is too small: the tree needs %llu MiB",
                                 (unsigned long long) (o->size / MIB), (unsigned long long) (need / MIB));
        k = write_file_atomic(conf, mke2fs_conf, sizeof(mke2fs_conf) - 1, 0644);
        if (k < 0)
                return set_error(ret_error, k, "%s: %s", conf, strerror(-k));
        uuid_format(o->uuid, uuid);
        uuid_format(o->hash_seed, seed);
        cenv = strdup_printf("MKE2FS_CONFIG=%s", conf);
        sde = strdup_printf("SOURCE_DATE_EPOCH=%lld", (long long) o->epoch);
        nopt = strdup_printf("%llu", (unsigned long long) (o->size ? MAX(inodes, size / 16384) : inodes));
        eopt = strdup_printf(
                "hash_seed=%s,root_owner=%u:%u,root_perms=%04o,lazy_itable_init=1,assume_storage_prezeroed=1", seed,
                (unsigned) o->root_uid, (unsigned) o->root_gid, (unsigned) (o->root_perms & 07777));
        blocks = strdup_printf("%llu", (unsigned long long) (size / BLOCK));
        if (!cenv || !sde || !nopt || !eopt || !blocks || strv_extend(&envp, cenv) < 0 || strv_extend(&envp, sde) < 0 ||
            strv_extend(&envp, "LC_ALL=C") < 0 || strv_extend(&envp, "PATH=/usr/sbin:/sbin:/usr/bin:/bin") < 0)
                return -ENOMEM;
        {
                char *argv[] = { (char *) "mke2fs",
                                 (char *) "-q",
                                 (char *) "-F",
                                 (char *) "-t",
                                 (char *) "ext4",
                                 (char *) "-T",
                                 (char *) "sis",
                                 (char *) "-b",
                                 (char *) "4096",
                                 (char *) "-I",
                                 (char *) "256",
                                 (char *) "-m",
                                 (char *) "0",
                                 (char *) "-N",
                                 nopt,
                                 (char *) "-L",
                                 (char *) o->label,
                                 (char *) "-U",
                                 uuid,
                                 (char *) "-O",
                                 (char *) (o->journal ? "has_journal" : "^has_journal"),
                                 (char *) "-E",
                                 eopt,
                                 (char *) "-d",
                                 (char *) "-",
                                 (char *) o->path,
                                 blocks,
                                 NULL };
                /* the image file: ours alone (O_EXCL), new and sparse, so truly zeroed: mke2fs need not
                 * write zeros for the journal and inode tables (assume_storage_prezeroed) */
                fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd < 0)
                        return set_error(ret_error, -errno, "%s: %s", o->path, strerror(errno));
                if (pipe2(pipefd, O_CLOEXEC) < 0) {
                        k = -errno;
                        goto fail;
                }
                k = spawn(argv, envp, pipefd[0], out, &pid);
                close(pipefd[0]);
                if (k < 0) {
                        close(pipefd[1]);
                        (void) set_error(ret_error, k, "cannot run mke2fs: %s", strerror(-k));
                        goto fail;
                }
                /* mke2fs stopping early (a full image) closes the pipe: EPIPE here, its message below */
                k = tree_write_pax(t, pipefd[1], o->epoch, &tree_err);
                close(pipefd[1]);
                rc = wait_status(pid);
        }
        if (rc != 0) {
                msg = output_text(out);
                if (msg &&
                    (strstr(msg, "Could not allocate") || strstr(msg, "No space") || strstr(msg, "no free space") ||
                     strstr(msg, "Not enough space")))
                        k = set_error(ret_error, -ENOSPC, "the image (%llu MiB) is too small for the tree: mke2fs: %s",
                                      (unsigned long long) (size / MIB), msg);
                else
                        k = set_error(ret_error, -EIO, "mke2fs failed (exit %d): %s", rc, strempty(msg));
                goto fail;
        }
        if (k < 0) {
                k = set_error(ret_error, k, "%s", tree_err ? tree_err : strerror(-k));
                goto fail;
        }
        /* the file is exactly the filesystem's blocks, however much of its end mke2fs wrote (a
         * verity tree appended after it must not overlap the filesystem) */
        if (ftruncate(fd, (off_t) (size / BLOCK * BLOCK)) < 0 || fsync(fd) < 0) {
                k = set_error(ret_error, -errno, "%s: %s", o->path, strerror(errno));
                goto fail;
        }
        return 0;
fail:
        (void) unlink(o->path);
        return k < 0 ? k : -EIO;
}
