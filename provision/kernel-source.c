/* SPDX-License-Identifier: MIT */
/* sis-provision kernel: the source's identity (a tarball's sha256 is hashed by the caller; a
 * tree's is hashed here) and its unpacking into the cache. */
#include "kernel-source.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dl.h"
#include "dump.h"
#include "fileio.h"
#include "macro.h"
#include "util.h"
#include "walk.h"

/* A directory's identity: the sorted list of (path, size, mtime) of its files. */
struct tree_lines {
        char **lines;
        size_t skip; /* the directory's name: the lines start after it */
};

static int tree_line(const struct walk_entry *e, void *userdata) {
        struct tree_lines *tl = userdata;

        if (e->error)
                return 0; /* as nftw(): an unreadable entry is left out */
        if (!S_ISDIR(e->st->st_mode)) {
                char *l = strdup_printf("%s %lld %lld", e->path + tl->skip, (long long) e->st->st_size,
                                        (long long) e->st->st_mtime);
                if (!l || strv_push(&tl->lines, l) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int kernel_source_hash(const char *dir, char hex[static SHA256_HEX]) {
        struct tree_lines tl = { .skip = strlen(dir) };
        _cleanup_strv_free_ char **lines = NULL;
        struct sha256_ctx *c;
        int k = walk(dir, WALK_NO_ROOT, tree_line, &tl);

        lines = tl.lines;
        if (k < 0)
                return k;
        strv_sort(lines);
        k = sha256_begin(&c);
        for (size_t i = 0; k >= 0 && lines && lines[i]; i++) {
                k = sha256_add(c, lines[i], strlen(lines[i]));
                if (k >= 0)
                        k = sha256_add(c, "\n", 1);
        }
        if (k < 0)
                return k;
        return sha256_end(c, hex);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, sym_archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, sym_archive_write_free);

/* One entry of the archive a, its top-level directory stripped, written by w below dir. */
static int unpack_entry(struct archive *a, struct archive *w, struct archive_entry *ae, const char *dir) {
        const char *name = sym_archive_entry_pathname(ae), *rest;
        _cleanup_free_ char *to = NULL;
        mode_t t = sym_archive_entry_filetype(ae);
        int r;

        if (!name || name[0] == '/' || strstr(name, "../"))
                return -EBADMSG;
        rest = strchr(name, '/');
        if (!rest || !rest[1])
                return 0; /* the top-level directory itself */
        if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
                return 0;
        if (sym_archive_entry_hardlink(ae)) {
                const char *hl = strchr(sym_archive_entry_hardlink(ae), '/');
                _cleanup_free_ char *hto = hl ? strdup_printf("%s%s", dir, hl) : NULL;
                if (hto)
                        sym_archive_entry_set_hardlink(ae, hto);
        }
        to = strdup_printf("%s%s", dir, rest);
        if (!to)
                return -ENOMEM;
        sym_archive_entry_set_pathname(ae, to);
        if (sym_archive_write_header(w, ae) != ARCHIVE_OK)
                return -(sym_archive_errno(w) ?: EIO);
        if (t == AE_IFREG && !sym_archive_entry_hardlink(ae)) {
                const void *buf;
                size_t size;
                la_int64_t off;
                while ((r = sym_archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
                        if (sym_archive_write_data_block(w, buf, size, off) != ARCHIVE_OK)
                                return -(sym_archive_errno(w) ?: EIO);
                if (r != ARCHIVE_EOF)
                        return -EBADMSG;
        }
        if (sym_archive_write_finish_entry(w) != ARCHIVE_OK)
                return -(sym_archive_errno(w) ?: EIO);
        return 0;
}

/* The tarball's contents into dir; the archives are freed (the writer's last metadata on disk)
 * before it returns. */
static int unpack_into(const char *tarball, const char *dir) {
        _cleanup_(sym_archive_read_freep) struct archive *a = NULL;
        _cleanup_(sym_archive_write_freep) struct archive *w = NULL;
        struct archive_entry *ae;
        int r, k = dlopen_libarchive();

        if (k < 0)
                return k;
        a = sym_archive_read_new();
        w = sym_archive_write_disk_new();
        if (!a || !w)
                return -ENOMEM;
        sym_archive_read_support_format_tar(a);
        sym_archive_read_support_filter_gzip(a);
        if (sym_archive_read_support_filter_xz)
                sym_archive_read_support_filter_xz(a);
        sym_archive_write_disk_set_options(w,
                                           ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
        if (sym_archive_read_open_filename(a, tarball, 1 << 16) != ARCHIVE_OK)
                return -EBADMSG;
        while ((r = sym_archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                k = unpack_entry(a, w, ae, dir);
                if (k < 0)
                        return k;
        }
        return r == ARCHIVE_EOF ? 0 : -EBADMSG;
}

/* Unpack a tarball into a new directory, atomically; the top-level directory of the archive
 * (linux-source-6.1/) is stripped. */
int kernel_source_unpack(const char *tarball, const char *dest) {
        _cleanup_free_ char *tmp = NULL;
        int k = atomic_tmpdir_open(dest, 0700, 0, &tmp);

        if (k < 0)
                return k;
        return atomic_tmpdir_publish(tmp, dest, 0, unpack_into(tarball, tmp));
}
