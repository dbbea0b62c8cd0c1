/* SPDX-License-Identifier: MIT */
/*
 * The image tree (tree.h): the sorted index in memory, the work directory (reached only through
 * openat() from its descriptor, never through a symlink), a tarball read in, the work directory
 * read back after a package manager ran, and the sorted pax stream out.
 * One file: about 800 lines on purpose, because every section works on the index's private helpers
 * (grow, entry_new, sort_dedup, open_parent), which would otherwise need an internal header, and
 * the tar fuzzer (tests/fuzz/fuzz-tar.c) links this file alone.
 */
#include "tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "util.h"
#include "walk.h"

#define BLOCK 4096u

static uint32_t seq_counter;

struct entry_ext {
        struct tree_entry e;
        uint32_t seq; /* load order: the later of two same-named tar entries wins */
};

static void entry_free(struct tree_entry *e) {
        if (!e)
                return;
        free(e->path);
        free(e->link);
        free(e->data);
        for (size_t i = 0; i < e->n_xattrs; i++) {
                free(e->xattrs[i].name);
                free(e->xattrs[i].value);
        }
        free(e->xattrs);
        free(e);
}

int tree_init(struct tree *t, const char *work) {
        *t = (struct tree) { .work_fd = -1 };
        if (mkdir_parents(work, 0755) < 0)
                return -errno;
        t->work = strdup(work);
        if (!t->work)
                return -ENOMEM;
        t->work_fd = open(work, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return t->work_fd < 0 ? -errno : 0;
}

void tree_done(struct tree *t) {
        for (size_t i = 0; i < t->n; i++)
                entry_free(t->e[i]);
        free(t->e);
        free(t->work);
        if (t->work_fd >= 0)
                close(t->work_fd);
        *t = (struct tree) { .work_fd = -1 };
}

/* "./usr/bin/", "/etc/x" -> "usr/bin", "etc/x"; "" for the root; NULL when it escapes. */
static char *clean_path(const char *p) {
        _cleanup_free_ char *abs = NULL, *n = NULL;

        while (p[0] == '.' && p[1] == '/')
                p += 2;
        if (streq(p, "."))
                p = "";
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if ((c == p || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
                        return NULL;
        abs = strdup_printf("/%s", p);
        if (!abs || path_normalize(abs, &n) < 0)
                return NULL;
        return strdup(n + 1);
}

/* --- the sorted index --------------------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b) {
        const struct entry_ext *x = *(struct entry_ext *const *) a, *y = *(struct entry_ext *const *) b;
        int c = strcmp(x->e.path, y->e.path);
        return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* First index whose path is >= path. */
static size_t lower_bound(const struct tree *t, const char *path) {
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(t->e[mid]->path, path) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

struct tree_entry *tree_find(const struct tree *t, const char *path) {
        _cleanup_free_ char *p = clean_path(path);
        size_t i;

        if (!p)
                return NULL;
        i = lower_bound(t, p);
        return i < t->n && streq(t->e[i]->path, p) ? t->e[i] : NULL;
}

static int grow(struct tree *t) {
        if (t->n < t->cap)
                return 0;
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct tree_entry **e = reallocarray(t->e, cap, sizeof(*e));
        if (!e)
                return -ENOMEM;
        t->e = e;
        t->cap = cap;
        return 0;
}

static struct tree_entry *entry_new(const char *path) {
        struct entry_ext *x = calloc(1, sizeof(*x));
        if (!x)
                return NULL;
        x->seq = seq_counter++;
        x->e.path = strdup(path);
        if (!x->e.path) {
                free(x);
                return NULL;
        }
        return &x->e;
}

/* Sort after a bulk load; of two entries with one path the later one stays. */
static void sort_dedup(struct tree *t) {
        size_t w = 0;

        if (t->n == 0)
                return;
        qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
        for (size_t i = 0; i < t->n; i++) {
                if (i + 1 < t->n && streq(t->e[i]->path, t->e[i + 1]->path)) {
                        entry_free(t->e[i]);
                        continue;
                }
                t->e[w++] = t->e[i];
        }
        t->n = w;
}

/* The entry for path, created (zeroed, root-owned) at its sorted place when missing; parents are
 * created as directories. */
static int lookup_or_insert(struct tree *t, const char *rel, struct tree_entry **ret) {
        size_t i = lower_bound(t, rel);
        struct tree_entry *e;
        char *slash;

        if (i < t->n && streq(t->e[i]->path, rel)) {
                *ret = t->e[i];
                return 0;
        }
        slash = strrchr(rel, '/');
        if (slash) {
                _cleanup_free_ char *parent = strndup(rel, (size_t) (slash - rel));
                struct tree_entry *pe;
                int k;
                if (!parent)
                        return -ENOMEM;
                k = lookup_or_insert(t, parent, &pe);
                if (k < 0)
                        return k;
                if (!S_ISDIR(pe->mode)) {
                        if (pe->mode != 0)
                                return -ENOTDIR;
                        pe->mode = S_IFDIR | 0755;
                }
                i = lower_bound(t, rel);
        }
        if (grow(t) < 0 || !(e = entry_new(rel)))
                return -ENOMEM;
        memmove(t->e + i + 1, t->e + i, (t->n - i) * sizeof(*t->e));
        t->e[i] = e;
        t->n++;
        *ret = e;
        return 0;
}

static void entry_reset(struct tree_entry *e) {
        free(e->link);
        free(e->data);
        e->link = e->data = NULL;
        e->size = 0;
        e->rdev = 0;
}

/* The entry for path (relative or absolute), made when missing. */
static int slot(struct tree *t, const char *path, struct tree_entry **ret) {
        _cleanup_free_ char *rel = clean_path(path);

        if (!rel || !*rel)
                return -EINVAL;
        return lookup_or_insert(t, rel, ret);
}

/* The entry at path for a file, a link or a node: never a directory; emptied. */
static int leaf_slot(struct tree *t, const char *path, struct tree_entry **ret) {
        int k = slot(t, path, ret);

        if (k < 0)
                return k;
        if (S_ISDIR((*ret)->mode))
                return -EISDIR;
        entry_reset(*ret);
        return 0;
}

int tree_put_file(struct tree *t, const char *path, const char *data, size_t len, mode_t perm, uid_t uid, gid_t gid) {
        struct tree_entry *e;
        int k;

        k = leaf_slot(t, path, &e);
        if (k < 0)
                return k;
        e->data = malloc(len + 1);
        if (!e->data)
                return -ENOMEM;
        memcpy(e->data, data, len);
        e->data[len] = '\0';
        e->size = len;
        e->mode = S_IFREG | (perm & 07777);
        e->uid = uid;
        e->gid = gid;
        return 0;
}

int tree_put_dir(struct tree *t, const char *path, mode_t perm, uid_t uid, gid_t gid) {
        struct tree_entry *e;
        int k;

        k = slot(t, path, &e);
        if (k < 0)
                return k;
        if (e->mode && !S_ISDIR(e->mode))
                return -ENOTDIR;
        e->mode = S_IFDIR | (perm & 07777);
        e->uid = uid;
        e->gid = gid;
        return 0;
}

int tree_put_symlink(struct tree *t, const char *path, const char *target) {
        struct tree_entry *e;
        int k;

        if (!*target)
                return -EINVAL;
        k = leaf_slot(t, path, &e);
        if (k < 0)
                return k;
        e->link = strdup(target);
        e->mode = S_IFLNK | 0777;
        e->uid = e->gid = 0;
        return e->link ? 0 : -ENOMEM;
}

int tree_put_node(struct tree *t, const char *path, mode_t mode, dev_t rdev, uid_t uid, gid_t gid) {
        struct tree_entry *e;
        int k;

        if (!(S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode)))
                return -EINVAL;
        k = leaf_slot(t, path, &e);
        if (k < 0)
                return k;
        e->mode = mode;
        e->rdev = rdev;
        e->uid = uid;
        e->gid = gid;
        return 0;
}

int tree_remove(struct tree *t, const char *path) {
        _cleanup_free_ char *rel = clean_path(path), *prefix = NULL;
        size_t i, j;

        if (!rel || !*rel)
                return -EINVAL;
        prefix = strdup_printf("%s/", rel);
        if (!prefix)
                return -ENOMEM;
        i = lower_bound(t, prefix);
        for (j = i; j < t->n && strncmp(t->e[j]->path, prefix, strlen(prefix)) == 0; j++)
                entry_free(t->e[j]);
        if (j > i)
                memmove(t->e + i, t->e + j, (t->n - j) * sizeof(*t->e));
        t->n -= j - i;
        i = lower_bound(t, rel);
        if (i < t->n && streq(t->e[i]->path, rel)) {
                entry_free(t->e[i]);
                memmove(t->e + i, t->e + i + 1, (t->n - i - 1) * sizeof(*t->e));
                t->n--;
        }
        return 0;
}

int tree_set_xattr(struct tree_entry *e, const char *name, const void *value, size_t len) {
        struct tree_xattr *x;
        size_t i;

        for (i = 0; i < e->n_xattrs; i++)
                if (streq(e->xattrs[i].name, name))
                        break;
        if (i == e->n_xattrs) {
                x = reallocarray(e->xattrs, e->n_xattrs + 1, sizeof(*x));
                if (!x)
                        return -ENOMEM;
                e->xattrs = x;
                x[i] = (struct tree_xattr) { .name = strdup(name) };
                if (!x[i].name)
                        return -ENOMEM;
                e->n_xattrs++;
        }
        free(e->xattrs[i].value);
        e->xattrs[i].value = malloc(len ? len : 1);
        if (!e->xattrs[i].value)
                return -ENOMEM;
        memcpy(e->xattrs[i].value, value, len);
        e->xattrs[i].len = len;
        return 0;
}

/* --- the work directory, never through a symlink ------------------------------------------ */

/* Open the parent directory of rel beneath the work dir, component by component with O_NOFOLLOW
 * (a symlink in the middle is ELOOP/ENOTDIR, never followed); create missing directories when
 * create is set. *base points into rel. */
static int open_parent(const struct tree *t, const char *rel, bool create, const char **base) {
        _cleanup_free_ char *copy = strdup(rel);
        char *p, *slash;
        int fd;

        if (!copy)
                return -ENOMEM;
        fd = fcntl(t->work_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        slash = strrchr(rel, '/');
        *base = slash ? slash + 1 : rel;
        if (!slash)
                return fd;
        copy[slash - rel] = '\0';
        for (p = copy; p && *p;) {
                char *next = strchr(p, '/');
                int nfd;
                if (next)
                        *next++ = '\0';
                nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST) {
                                int e = -errno;
                                close(fd);
                                return e;
                        }
                        nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (nfd < 0) {
                        int e = errno == ELOOP ? -ENOTDIR : -errno;
                        close(fd);
                        return e;
                }
                close(fd);
                fd = nfd;
                p = next;
        }
        return fd;
}

static int open_content(const struct tree *t, const char *rel) {
        const char *base;
        _cleanup_close_ int pfd = open_parent(t, rel, false, &base);
        int fd;

        if (pfd < 0)
                return pfd;
        fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == EACCES) {
                /* a file installed 0000: we own it, so let ourselves read it */
                (void) fchmodat(pfd, base, 0600, 0);
                fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        }
        return fd < 0 ? -errno : fd;
}

int tree_read(const struct tree *t, const struct tree_entry *e, size_t cap, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;

        if (!S_ISREG(e->mode))
                return -EINVAL;
        if (e->data) {
                if (e->size > cap)
                        return -EFBIG;
                *ret = strndup(e->data, e->size);
                if (ret_len)
                        *ret_len = e->size;
                return *ret ? 0 : -ENOMEM;
        }
        fd = open_content(t, e->path);
        if (fd < 0)
                return fd;
        return read_fd_capped(fd, cap, ret, ret_len);
}

/* Replace whatever is at base (not a directory) so that a new object can be created there. */
static void clear_slot(int pfd, const char *base) {
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
                (void) unlinkat(pfd, base, 0);
}

static int extract_data(struct archive *a, int fd) {
        const void *buf;
        size_t len;
        int64_t off;
        int r;

        while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
                for (size_t done = 0; done < len;) {
                        ssize_t n = pwrite(fd, (const char *) buf + done, len - done, off + (int64_t) done);
                        if (n < 0)
                                return -errno;
                        done += (size_t) n;
                }
        return r == ARCHIVE_EOF ? 0 : -EIO;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);

/* A hard link to an earlier file of the archive: linked on disk too. */
static int tar_hardlink(struct tree *t, struct tree_entry *e, const char *name, int pfd, const char *base, mode_t mode,
                        const char *tarball, char **ret_error) {
        _cleanup_free_ char *target = clean_path(name);
        _cleanup_close_ int tpfd = -1;
        const char *tbase;

        if (!target || !*target)
                return set_error(ret_error, -EINVAL, "%s: hard link '%s' escapes the tree", tarball, e->path);
        e->mode = S_IFREG | (mode & 07777);
        e->link = strdup(target);
        tpfd = open_parent(t, target, false, &tbase);
        clear_slot(pfd, base);
        if (!e->link || tpfd < 0 || linkat(tpfd, tbase, pfd, base, 0) < 0)
                return set_error(ret_error, -EINVAL, "%s: hard link '%s' to '%s', which is not a file before it",
                                 tarball, e->path, target);
        return 0;
}

/* A regular file's data, on disk: readable and writable by us, executable as it says; never
 * setuid. */
static int tar_file(struct archive *a, struct archive_entry *ae, struct tree_entry *e, int pfd, const char *base,
                    const char *tarball, char **ret_error) {
        _cleanup_close_ int fd = -1;
        int k;

        clear_slot(pfd, base);
        fd = openat(pfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        e->size = (uint64_t) archive_entry_size(ae);
        k = extract_data(a, fd);
        if (k == -EIO)
                return set_error(ret_error, -EIO, "%s: %s (at '%s')", tarball, archive_error_string(a), e->path);
        if (k < 0)
                return k;
        if (ftruncate(fd, (off_t) e->size) < 0 || fchmod(fd, (e->mode & 0755) | 0600) < 0)
                return -errno;
        return 0;
}

/* One archive entry into the tree: its metadata in memory, its contents (or link) on disk. */
static int tar_entry(struct tree *t, struct archive *a, struct archive_entry *ae, const char *tarball,
                     char **ret_error) {
        _cleanup_free_ char *rel = clean_path(archive_entry_pathname(ae));
        _cleanup_close_ int pfd = -1;
        struct tree_entry *e;
        const char *base, *name, *xname;
        const void *xval;
        size_t xlen;
        mode_t mode = archive_entry_mode(ae);
        int k = 0;

        if (!rel)
                return set_error(ret_error, -EINVAL, "%s: entry '%s' escapes the tree", tarball,
                                 archive_entry_pathname(ae));
        if (!*rel) /* the root: mke2fs -E root_owner decides */
                return 0;
        if (grow(t) < 0 || !(e = entry_new(rel)))
                return -ENOMEM;
        t->e[t->n++] = e;
        e->mode = mode;
        e->uid = (uid_t) archive_entry_uid(ae);
        e->gid = (gid_t) archive_entry_gid(ae);
        e->mtime = archive_entry_mtime(ae);
        archive_entry_xattr_reset(ae);
        while (archive_entry_xattr_next(ae, &xname, &xval, &xlen) == ARCHIVE_OK)
                if (tree_set_xattr(e, xname, xval, xlen) < 0)
                        return -ENOMEM;
        pfd = open_parent(t, rel, true, &base);
        if (pfd < 0)
                return set_error(ret_error, pfd, "%s: entry '%s': %s", tarball, rel,
                                 pfd == -ENOTDIR ? "a parent is not a directory (or is a symlink)" : strerror(-pfd));
        name = archive_entry_hardlink(ae);
        if (name)
                return tar_hardlink(t, e, name, pfd, base, mode, tarball, ret_error);
        switch (mode & S_IFMT) {
        case S_IFDIR:
                if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST)
                        k = -errno;
                break;
        case S_IFLNK:
                e->link = strdup(archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "");
                clear_slot(pfd, base);
                if (!e->link)
                        k = -ENOMEM;
                else if (symlinkat(e->link, pfd, base) < 0)
                        k = -errno;
                break;
        case S_IFREG: k = tar_file(a, ae, e, pfd, base, tarball, ret_error); break;
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO:
                e->rdev = archive_entry_rdev(ae); /* metadata only: no mknod */
                break;
        default: return set_error(ret_error, -EINVAL, "%s: entry '%s' has an unsupported type", tarball, rel);
        }
        if (k < 0 && ret_error && !*ret_error)
                (void) set_error(ret_error, k, "%s: cannot unpack '%s': %s", tarball, rel, strerror(-k));
        return k;
}

int tree_load_tar(struct tree *t, const char *tarball, char **ret_error) {
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        struct archive_entry *ae;
        int r, k = 0;

        if (!a)
                return -ENOMEM;
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_read_support_filter_all(a);
        if (archive_read_open_filename(a, tarball, 1 << 16) != ARCHIVE_OK)
                return set_error(ret_error, -EINVAL, "%s: %s", tarball, archive_error_string(a));
        while (k >= 0 && (r = archive_read_next_header(a, &ae)) == ARCHIVE_OK)
                k = tar_entry(t, a, ae, tarball, ret_error);
        if (k >= 0 && r != ARCHIVE_EOF)
                k = set_error(ret_error, -EINVAL, "%s: %s", tarball,
                              archive_error_string(a) ? archive_error_string(a) : "corrupt archive");
        sort_dedup(t);
        return k;
}

/* --- rescan ------------------------------------------------------------------------------- */

struct scan_item {
        char *rel;
        struct stat st;
        char *link;
};
struct scan {
        struct scan_item *items;
        size_t n, cap;
};

static int scan_one(const struct walk_entry *e, void *userdata) {
        struct scan *sc = userdata;
        struct scan_item *it;

        if (e->error)
                /* a directory that cannot be read is kept without its contents, as nftw() did */
                return e->st ? 0 : e->error;
        if (sc->n == sc->cap) {
                size_t cap = sc->cap ? sc->cap * 2 : 4096;
                it = reallocarray(sc->items, cap, sizeof(*it));
                if (!it)
                        return -ENOMEM;
                sc->items = it;
                sc->cap = cap;
        }
        it = &sc->items[sc->n];
        *it = (struct scan_item) { .rel = strdup(e->rel), .st = *e->st };
        if (!it->rel)
                return -ENOMEM;
        if (S_ISLNK(e->st->st_mode)) {
                char buf[4096];
                ssize_t n = readlink(e->path, buf, sizeof(buf) - 1);
                if (n < 0) {
                        free(it->rel);
                        return -errno;
                }
                buf[n] = '\0';
                it->link = strdup(buf);
        }
        sc->n++;
        return 0;
}

static int cmp_ino(const void *a, const void *b) {
        const struct scan_item *x = a, *y = b;
        if (x->st.st_ino != y->st.st_ino)
                return x->st.st_ino < y->st.st_ino ? -1 : 1;
        return strcmp(x->rel, y->rel);
}

int tree_rescan(struct tree *t, char **ret_error) {
        struct tree fresh = { .work = t->work, .work_fd = t->work_fd };
        struct scan sc = {};
        struct scan_item *scan_items;
        size_t scan_n;
        int k = 0;

        if (walk(t->work, WALK_NO_ROOT, scan_one, &sc) < 0)
                k = set_error(ret_error, -EIO, "%s: cannot read the tree back", t->work);
        scan_items = sc.items;
        scan_n = sc.n;
        /* hard links: the first name (by path) of an inode keeps the data */
        qsort(scan_items, scan_n, sizeof(*scan_items), cmp_ino);
        for (size_t i = 0; k >= 0 && i < scan_n; i++) {
                struct scan_item *it = &scan_items[i];
                struct tree_entry *old = tree_find(t, it->rel), *e;
                if (grow(&fresh) < 0 || !(e = entry_new(it->rel))) {
                        k = -ENOMEM;
                        break;
                }
                fresh.e[fresh.n++] = e;
                if (old && (old->mode & S_IFMT) == (it->st.st_mode & S_IFMT)) {
                        e->mode = old->mode;
                        e->uid = old->uid;
                        e->gid = old->gid;
                        e->mtime = old->mtime;
                        for (size_t x = 0; x < old->n_xattrs; x++)
                                (void) tree_set_xattr(e, old->xattrs[x].name, old->xattrs[x].value, old->xattrs[x].len);
                } else {
                        e->mode = it->st.st_mode;
                        e->mtime = it->st.st_mtime;
                }
                if (S_ISLNK(it->st.st_mode))
                        e->link = TAKE_PTR(it->link);
                if (S_ISREG(it->st.st_mode)) {
                        e->size = (uint64_t) it->st.st_size;
                        if (i > 0 && it->st.st_nlink > 1 && scan_items[i - 1].st.st_ino == it->st.st_ino &&
                            S_ISREG(scan_items[i - 1].st.st_mode)) {
                                size_t first = i - 1;
                                while (first > 0 && scan_items[first - 1].st.st_ino == it->st.st_ino)
                                        first--;
                                e->link = strdup(scan_items[first].rel);
                        }
                }
        }
        /* what never lives on disk: device nodes, fifos, files held in memory */
        for (size_t i = 0; k >= 0 && i < t->n; i++) {
                struct tree_entry *o = t->e[i];
                if (S_ISCHR(o->mode) || S_ISBLK(o->mode) || S_ISFIFO(o->mode) || o->data) {
                        t->e[i] = NULL;
                        if (grow(&fresh) < 0) {
                                entry_free(o);
                                k = -ENOMEM;
                                break;
                        }
                        fresh.e[fresh.n++] = o;
                }
        }
        for (size_t i = 0; i < scan_n; i++) {
                free(scan_items[i].rel);
                free(scan_items[i].link);
        }
        free(scan_items);
        for (size_t i = 0; i < t->n; i++)
                entry_free(t->e[i]);
        free(t->e);
        t->e = fresh.e;
        t->n = fresh.n;
        t->cap = fresh.cap;
        sort_dedup(t);
        return k;
}

/* --- output ------------------------------------------------------------------------------- */

/* A hard link must follow the name that carries the data in the stream; the first name in
 * sorted order becomes that name. Links whose target is gone become plain files. */
static void fix_hardlinks(struct tree *t) {
        for (size_t i = 0; i < t->n; i++) {
                struct tree_entry *h = t->e[i], *target;
                if (!S_ISREG(h->mode) || !h->link)
                        continue;
                target = tree_find(t, h->link);
                if (!target || !S_ISREG(target->mode) || target->link || target->data) {
                        free(h->link);
                        h->link = NULL;
                        continue;
                }
                if (strcmp(h->path, target->path) < 0) {
                        /* h comes first: it takes the data, the old target and its links point at h */
                        char *old = target->path;
                        h->size = target->size;
                        free(h->link);
                        h->link = NULL;
                        for (size_t j = 0; j < t->n; j++) {
                                struct tree_entry *o = t->e[j];
                                if (o != h && S_ISREG(o->mode) && o->link && streq(o->link, old)) {
                                        free(o->link);
                                        o->link = strdup(h->path);
                                }
                        }
                        free(target->link);
                        target->link = strdup(h->path);
                }
        }
}

static int write_content(struct archive *a, const struct tree *t, const struct tree_entry *e) {
        _cleanup_close_ int fd = -1;
        char buf[1 << 16];
        uint64_t left = e->size;

        if (e->data)
                return archive_write_data(a, e->data, e->size) == (la_ssize_t) e->size ? 0 : -EIO;
        fd = open_content(t, e->path);
        if (fd < 0)
                return fd;
        while (left > 0) {
                ssize_t n = read(fd, buf, MIN(sizeof(buf), left));
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ESTALE; /* the file shrank since it was listed */
                if (archive_write_data(a, buf, (size_t) n) != n)
                        return -EIO;
                left -= (uint64_t) n;
        }
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

int tree_write_pax(struct tree *t, int fd, int64_t epoch, char **ret_error) {
        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
        _cleanup_(archive_entry_freep) struct archive_entry *ae = archive_entry_new();
        int k = 0;

        if (!a || !ae)
                return -ENOMEM;
        fix_hardlinks(t);
        archive_write_set_format_pax_restricted(a);
        /* names are bytes: the reader (mke2fs, in whatever locale) must not convert them */
        archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY");
        archive_write_set_bytes_in_last_block(a, 1);
        if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
                k = -EIO;
        for (size_t i = 0; k >= 0 && i < t->n; i++) {
                const struct tree_entry *e = t->e[i];
                bool hard = S_ISREG(e->mode) && e->link;

                archive_entry_clear(ae);
                archive_entry_set_pathname(ae, e->path);
                archive_entry_set_mode(ae, e->mode);
                archive_entry_set_uid(ae, e->uid);
                archive_entry_set_gid(ae, e->gid);
                /* new entries (mtime 0) are as old as the epoch; nothing is newer than it */
                archive_entry_set_mtime(ae, e->mtime <= 0 ? epoch : MIN(e->mtime, epoch), 0);
                if (S_ISLNK(e->mode))
                        archive_entry_set_symlink(ae, e->link);
                if (hard)
                        archive_entry_set_hardlink(ae, e->link);
                if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
                        archive_entry_set_rdev(ae, e->rdev);
                archive_entry_set_size(ae, S_ISREG(e->mode) && !hard ? (la_int64_t) e->size : 0);
                for (size_t x = 0; x < e->n_xattrs; x++)
                        archive_entry_xattr_add_entry(ae, e->xattrs[x].name, e->xattrs[x].value, e->xattrs[x].len);
                if (archive_write_header(a, ae) != ARCHIVE_OK) {
                        k = set_error(ret_error, -EIO, "writing '%s': %s", e->path, archive_error_string(a));
                        break;
                }
                if (S_ISREG(e->mode) && !hard && e->size > 0) {
                        k = write_content(a, t, e);
                        if (k < 0)
                                k = set_error(ret_error, k, "writing '%s': %s", e->path,
                                              k == -EIO && archive_errno(a) ? strerror(archive_errno(a))
                                                                            : strerror(-k));
                }
        }
        if (archive_write_close(a) != ARCHIVE_OK && k >= 0)
                k = set_error(ret_error, -EIO, "finishing the archive: %s", archive_error_string(a));
        return k;
}

void tree_usage(const struct tree *t, uint64_t *ret_blocks, uint64_t *ret_inodes) {
        uint64_t blocks = 0, inodes = 16;

        for (size_t i = 0; i < t->n; i++) {
                const struct tree_entry *e = t->e[i];
                size_t xsize = 0;
                if (S_ISREG(e->mode) && e->link)
                        continue; /* a hard link: one more name, no inode */
                inodes++;
                if (S_ISREG(e->mode))
                        blocks += (e->size + BLOCK - 1) / BLOCK + e->size / (BLOCK * 340) /* extent blocks */;
                else if (S_ISDIR(e->mode))
                        blocks++;
                else if (S_ISLNK(e->mode) && strlen(e->link) >= 60)
                        blocks++;
                for (size_t x = 0; x < e->n_xattrs; x++)
                        xsize += strlen(e->xattrs[x].name) + e->xattrs[x].len + 16;
                if (xsize > 96) /* beyond what a 256-byte inode holds */
                        blocks++;
        }
        /* directory entries: ~ (8 + name + pad) bytes each, in the parent's blocks */
        blocks += (t->n * 40) / BLOCK;
        *ret_blocks = blocks;
        *ret_inodes = inodes;
}
