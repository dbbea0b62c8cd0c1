/* SPDX-License-Identifier: MIT */
#include "dump.h"

#include "dl.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "json.h"
#include "util.h"

enum entry_kind { ENTRY_FILE, ENTRY_DIR, ENTRY_LINK };

struct entry {
        enum entry_kind kind;
        char *path; /* absolute host path */
        char *data; /* file content or link target */
        size_t len;
};

struct sis_dump {
        struct entry *entries;
        size_t n, cap;
        json_object *stat, *errors, *probes, *lists;
        bool oom;
};

int sis_dump_new(struct sis_dump **ret) {
        struct sis_dump *d = calloc(1, sizeof(*d));

        if (!d)
                return -ENOMEM;
        d->stat = json_object_new_object();
        d->errors = json_object_new_object();
        d->probes = json_object_new_object();
        d->lists = json_object_new_object();
        if (!d->stat || !d->errors || !d->probes || !d->lists) {
                sis_dump_free(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

void sis_dump_free(struct sis_dump *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->entries[i].path);
                free(d->entries[i].data);
        }
        free(d->entries);
        json_object_put(d->stat);
        json_object_put(d->errors);
        json_object_put(d->probes);
        json_object_put(d->lists);
        free(d);
}

static struct entry *find(struct sis_dump *d, const char *path) {
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->entries[i].path, path))
                        return &d->entries[i];
        return NULL;
}

static void add(struct sis_dump *d, enum entry_kind kind, const char *path, const char *data, size_t len) {
        struct entry *e = find(d, path);

        if (e)
                return; /* first read wins: the audit sees one consistent snapshot */
        if (d->n == d->cap) {
                size_t cap = d->cap ? d->cap * 2 : 64;
                struct entry *n = realloc(d->entries, cap * sizeof(*n));
                if (!n) {
                        d->oom = true;
                        return;
                }
                d->entries = n;
                d->cap = cap;
        }
        e = &d->entries[d->n];
        *e = (struct entry) { .kind = kind, .path = strdup(path), .len = len };
        if (data) {
                e->data = malloc(len + 1);
                if (e->data) {
                        memcpy(e->data, data, len);
                        e->data[len] = '\0';
                }
        }
        if (!e->path || (data && !e->data)) {
                free(e->path);
                free(e->data);
                d->oom = true;
                return;
        }
        d->n++;
}

void sis_dump_file(struct sis_dump *d, const char *path, const char *data, size_t len) {
        add(d, ENTRY_FILE, path, data, len);
}

void sis_dump_dir(struct sis_dump *d, const char *path, char *const *names) {
        json_object *a;

        add(d, ENTRY_DIR, path, NULL, 0);
        if (json_object_object_get_ex(d->lists, path, NULL))
                return;
        a = json_object_new_array();
        for (size_t i = 0; a && names && names[i]; i++)
                json_object_array_add(a, json_object_new_string(names[i]));
        if (!a || json_object_object_add(d->lists, path, a) < 0) {
                json_object_put(a);
                d->oom = true;
        }
}

void sis_dump_link(struct sis_dump *d, const char *path, const char *target) {
        add(d, ENTRY_LINK, path, target, strlen(target));
}

void sis_dump_stat(struct sis_dump *d, const char *path, const struct sis_stat *st) {
        json_object *o;

        if (json_object_object_get_ex(d->stat, path, NULL))
                return;
        o = sis_stat_to_json(st);
        if (!o || json_object_object_add(d->stat, path, o) < 0) {
                json_object_put(o);
                d->oom = true;
        }
}

void sis_dump_error(struct sis_dump *d, const char *path, int err) {
        if (json_object_object_get_ex(d->errors, path, NULL))
                return;
        if (json_object_object_add(d->errors, path, json_object_new_string(errno_name(err))) < 0)
                d->oom = true;
}

void sis_dump_probe(struct sis_dump *d, const char *key, json_object *value) {
        if (json_object_object_add(d->probes, key, json_object_get(value)) < 0)
                d->oom = true;
}

static const struct {
        mode_t type;
        const char *name;
} stat_types[] = {
        { S_IFREG, "reg" }, { S_IFDIR, "dir" },  { S_IFLNK, "lnk" },   { S_IFCHR, "chr" },
        { S_IFBLK, "blk" }, { S_IFIFO, "fifo" }, { S_IFSOCK, "sock" },
};

json_object *sis_stat_to_json(const struct sis_stat *st) {
        json_object *o = json_object_new_object();
        char buf[32];
        const char *type = "reg";

        if (!o)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(stat_types); i++)
                if ((st->mode & S_IFMT) == stat_types[i].type)
                        type = stat_types[i].name;
        json_object_object_add(o, "type", json_object_new_string(type));
        snprintf(buf, sizeof(buf), "%04o", (unsigned) (st->mode & 07777));
        json_object_object_add(o, "mode", json_object_new_string(buf));
        json_object_object_add(o, "uid", json_object_new_int64(st->uid));
        json_object_object_add(o, "gid", json_object_new_int64(st->gid));
        if (S_ISCHR(st->mode) || S_ISBLK(st->mode)) {
                snprintf(buf, sizeof(buf), "%u:%u", st->rdev_major, st->rdev_minor);
                json_object_object_add(o, "rdev", json_object_new_string(buf));
        }
        if (S_ISREG(st->mode))
                json_object_object_add(o, "size", json_object_new_int64((int64_t) st->size));
        if (st->acl)
                json_object_object_add(o, "acl", json_object_new_string(st->acl));
        return o;
}

int sis_stat_from_json(json_object *o, struct sis_stat *ret) {
        json_object *v;
        struct sis_stat s = {};
        const char *type, *mode;
        char *end;
        unsigned long m;
        mode_t t = 0;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "type", &v) || !(type = json_object_get_string(v)))
                return -EBADMSG;
        for (size_t i = 0; i < ELEMENTSOF(stat_types); i++)
                if (streq(type, stat_types[i].name))
                        t = stat_types[i].type;
        if (!t)
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "mode", &v) || !(mode = json_object_get_string(v)))
                return -EBADMSG;
        errno = 0;
        m = strtoul(mode, &end, 8);
        if (errno || *end || m > 07777)
                return -EBADMSG;
        s.mode = t | (mode_t) m;
        if (json_object_object_get_ex(o, "uid", &v))
                s.uid = (uid_t) json_object_get_int64(v);
        if (json_object_object_get_ex(o, "gid", &v))
                s.gid = (gid_t) json_object_get_int64(v);
        if (json_object_object_get_ex(o, "size", &v))
                s.size = (uint64_t) json_object_get_int64(v);
        /* a value of another type (null, a number) is no string: json-c gives NULL or its JSON */
        if (json_object_object_get_ex(o, "rdev", &v) &&
            (!json_object_is_type(v, json_type_string) ||
             sscanf(json_object_get_string(v), "%u:%u", &s.rdev_major, &s.rdev_minor) != 2))
                return -EBADMSG;
        if (json_object_object_get_ex(o, "acl", &v)) {
                if (!json_object_is_type(v, json_type_string))
                        return -EBADMSG;
                s.acl = strdup(json_object_get_string(v));
                if (!s.acl)
                        return -ENOMEM;
        }
        *ret = s;
        return 0;
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const struct entry *) a)->path, ((const struct entry *) b)->path);
}

static json_object *sorted_copy(json_object *src) {
        _cleanup_strv_free_ char **keys = NULL;
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_foreach(src, key, val) {
                (void) val;
                if (strv_extend(&keys, key) < 0) {
                        json_object_put(o);
                        return NULL;
                }
        }
        strv_sort(keys);
        for (size_t i = 0; keys && keys[i]; i++) {
                json_object *v = json_object_object_get(src, keys[i]);
                json_object_object_add(o, keys[i], json_object_get(v));
        }
        return o;
}

static char *meta_string(struct sis_dump *d, const char *version, time_t when) {
        json_object *m = json_object_new_object();
        char ts[32];
        struct tm tm;
        char *s;

        if (!m)
                return NULL;
        gmtime_r(&when, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(m, "sis_dump", json_object_new_int(1));
        json_object_object_add(m, "tool", json_object_new_string("sis-audit"));
        json_object_object_add(m, "version", json_object_new_string(version));
        json_object_object_add(m, "collected", json_object_new_string(ts));
        json_object_object_add(m, "collector_uid", json_object_new_int64(geteuid()));
        json_object_object_add(m, "stat", sorted_copy(d->stat));
        json_object_object_add(m, "errors", sorted_copy(d->errors));
        json_object_object_add(m, "lists", sorted_copy(d->lists));
        json_object_object_add(m, "probes", sorted_copy(d->probes));
        s = json_text(m);
        json_object_put(m);
        return s;
}

/* Open (creating) the directory rel below dfd, component by component, never following a
 * symlink: an entry whose parent is a recorded symlink is skipped, not written through it. */
static int open_dirs_nofollow(int dfd, const char *rel) {
        _cleanup_strv_free_ char **parts = NULL;
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3), k;

        if (fd < 0)
                return -errno;
        k = strv_split(rel, "/", &parts);
        if (k < 0) {
                close(fd);
                return k;
        }
        for (size_t i = 0; parts[i]; i++) {
                int nfd;
                if (mkdirat(fd, parts[i], 0755) < 0 && errno != EEXIST) {
                        k = -errno;
                        close(fd);
                        return k;
                }
                nfd = openat(fd, parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                k = -errno;
                close(fd);
                if (nfd < 0)
                        return k;
                fd = nfd;
        }
        return fd;
}

static int write_tree(struct sis_dump *d, const char *dir, const char *meta) {
        _cleanup_close_ int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int k;

        if (root < 0)
                return -errno;
        for (size_t i = 0; i < d->n; i++) {
                const struct entry *e = &d->entries[i];
                _cleanup_free_ char *parent = strdup(e->path + 1);
                _cleanup_close_ int pfd = -1;
                const char *base;
                char *slash;

                if (!parent)
                        return -ENOMEM;
                slash = strrchr(parent, '/');
                if (slash) {
                        *slash = '\0';
                        base = slash + 1;
                } else {
                        base = parent;
                }
                pfd = open_dirs_nofollow(root, slash ? parent : "");
                if (pfd == -ENOTDIR || pfd == -ELOOP)
                        continue; /* a file or symlink recorded where this entry needs a directory */
                if (pfd < 0)
                        return pfd;
                switch (e->kind) {
                case ENTRY_DIR: k = mkdirat(pfd, base, 0755) < 0 && errno != EEXIST ? -errno : 0; break;
                case ENTRY_LINK: k = symlinkat(e->data, pfd, base) < 0 && errno != EEXIST ? -errno : 0; break;
                case ENTRY_FILE: {
                        _cleanup_close_ int fd =
                                openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                        k = 0;
                        if (fd < 0)
                                k = errno == EEXIST || errno == EISDIR || errno == ELOOP ? 0 : -errno;
                        else if (write(fd, e->data, e->len) != (ssize_t) e->len)
                                k = -EIO;
                        break;
                }
                }
                if (k < 0)
                        return k;
        }
        {
                _cleanup_close_ int fd =
                        openat(root, SIS_DUMP_META, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -errno;
                if (write(fd, meta, strlen(meta)) != (ssize_t) strlen(meta) || fsync(fd) < 0)
                        return -EIO;
        }
        return 0;
}

static int tar_add(struct archive *a, const char *name, mode_t type, mode_t perm, const char *data, size_t len,
                   time_t when) {
        struct archive_entry *ae = sym_archive_entry_new();
        int k = 0;

        if (!ae)
                return -ENOMEM;
        sym_archive_entry_set_pathname(ae, name);
        sym_archive_entry_set_filetype(ae, type);
        sym_archive_entry_set_perm(ae, perm);
        sym_archive_entry_set_mtime(ae, when, 0);
        sym_archive_entry_set_uid(ae, 0);
        sym_archive_entry_set_gid(ae, 0);
        if (type == AE_IFLNK)
                sym_archive_entry_set_symlink(ae, data);
        else if (type == AE_IFREG)
                sym_archive_entry_set_size(ae, (la_int64_t) len);
        if (sym_archive_write_header(a, ae) != ARCHIVE_OK)
                k = -EIO;
        else if (type == AE_IFREG && len > 0 && sym_archive_write_data(a, data, len) != (la_ssize_t) len)
                k = -EIO;
        sym_archive_entry_free(ae);
        return k;
}

static int write_archive(struct sis_dump *d, const char *path, const char *meta, time_t when) {
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *tmp = NULL;
        struct archive *a;
        int fd, k = 0;

        k = dlopen_libarchive();
        if (k < 0)
                return k;
        fd = atomic_tmpfile_open(path, &tmp);
        if (fd < 0)
                return fd;
        a = sym_archive_write_new();
        if (!a)
                return atomic_tmpfile_publish(fd, tmp, path, 0600, -ENOMEM);
        sym_archive_write_set_format_pax_restricted(a);
        sym_archive_write_add_filter_gzip(a);
        sym_archive_write_set_filter_option(a, "gzip", "timestamp", NULL); /* no gzip mtime: reproducible */
        if (sym_archive_write_open_fd(a, fd) != ARCHIVE_OK)
                k = -EIO;

        /* Parent directories first, each once, then entries in sorted order. */
        for (size_t i = 0; k >= 0 && i < d->n; i++) {
                _cleanup_free_ char *p = strdup(d->entries[i].path);
                if (!p) {
                        k = -ENOMEM;
                        break;
                }
                for (char *s = p + 1; (s = strchr(s, '/')); s++) {
                        *s = '\0';
                        if (!strv_contains(dirs, p + 1))
                                k = strv_extend(&dirs, p + 1);
                        *s = '/';
                }
                if (d->entries[i].kind == ENTRY_DIR && !strv_contains(dirs, p + 1))
                        k = strv_extend(&dirs, p + 1);
        }
        strv_sort(dirs);
        for (size_t i = 0; k >= 0 && dirs && dirs[i]; i++) {
                _cleanup_free_ char *n = strdup_printf("%s/", dirs[i]);
                k = n ? tar_add(a, n, AE_IFDIR, 0755, NULL, 0, when) : -ENOMEM;
        }
        for (size_t i = 0; k >= 0 && i < d->n; i++) {
                const struct entry *e = &d->entries[i];
                if (e->kind == ENTRY_FILE)
                        k = tar_add(a, e->path + 1, AE_IFREG, 0644, e->data, e->len, when);
                else if (e->kind == ENTRY_LINK)
                        k = tar_add(a, e->path + 1, AE_IFLNK, 0777, e->data, 0, when);
        }
        if (k >= 0)
                k = tar_add(a, SIS_DUMP_META, AE_IFREG, 0644, meta, strlen(meta), when);
        if (sym_archive_write_close(a) != ARCHIVE_OK && k >= 0)
                k = -EIO;
        sym_archive_write_free(a);
        /* 0600 as the temp file was made: a dump holds what the host's files say */
        return atomic_tmpfile_publish(fd, tmp, path, 0600, k);
}

int sis_dump_write(struct sis_dump *d, const char *dest, const char *version, time_t when) {
        _cleanup_free_ char *meta = NULL, *tmp = NULL;
        size_t l = strlen(dest);
        int k;

        if (d->oom)
                return -ENOMEM;
        qsort(d->entries, d->n, sizeof(*d->entries), cmp_entry);
        meta = meta_string(d, version, when);
        if (!meta)
                return -ENOMEM;
        if ((l > 7 && streq(dest + l - 7, ".tar.gz")) || (l > 4 && streq(dest + l - 4, ".tgz")))
                return write_archive(d, dest, meta, when);

        /* a directory: built beside dest, then renamed into place */
        k = atomic_tmpdir_open(dest, 0755, 0, &tmp);
        if (k < 0)
                return k;
        return atomic_tmpdir_publish(tmp, dest, 0, write_tree(d, tmp, meta));
}

int sis_dump_extract(const char *tarball, char **ret_dir) {
        _cleanup_free_ char *dir = NULL;
        struct archive *a, *ext;
        struct archive_entry *ae;
        int k = 0, r = ARCHIVE_EOF;

        k = dlopen_libarchive();
        if (k < 0)
                return k;
        dir = strdup_printf("%s/sis-root.XXXXXX", getenv("TMPDIR") ?: "/tmp");
        if (!dir)
                return -ENOMEM;
        if (!mkdtemp(dir))
                return -errno;
        a = sym_archive_read_new();
        ext = sym_archive_write_disk_new();
        if (!a || !ext) {
                sym_archive_read_free(a);
                sym_archive_write_free(ext);
                rm_rf(dir);
                return -ENOMEM;
        }
        sym_archive_read_support_format_tar(a);
        sym_archive_read_support_filter_gzip(a);
        /* Member names are checked below (relative, no ".."); the destination is absolute. */
        sym_archive_write_disk_set_options(ext, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
        if (sym_archive_read_open_filename(a, tarball, 65536) != ARCHIVE_OK)
                k = -EBADMSG;
        while (k >= 0 && (r = sym_archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                _cleanup_free_ char *dest = NULL;
                const char *name;
                mode_t t = sym_archive_entry_filetype(ae);

                if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
                        continue; /* never create device nodes or FIFOs from a dump */
                if (sym_archive_entry_hardlink(ae))
                        continue;
                name = sym_archive_entry_pathname(ae);
                if (!name || name[0] == '/' || streq(name, "..") || startswith(name, "../") || strstr(name, "/../") ||
                    (strlen(name) >= 3 && streq(name + strlen(name) - 3, "/.."))) {
                        k = -EBADMSG;
                        break;
                }
                dest = strdup_printf("%s/%s", dir, name);
                if (!dest) {
                        k = -ENOMEM;
                        break;
                }
                sym_archive_entry_set_pathname(ae, dest);
                sym_archive_entry_set_perm(ae, t == AE_IFDIR ? 0755 : 0644);
                if (sym_archive_write_header(ext, ae) != ARCHIVE_OK) {
                        k = -EBADMSG;
                        break;
                }
                if (t == AE_IFREG) {
                        const void *buf;
                        size_t size;
                        la_int64_t off;
                        while ((r = sym_archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
                                if (sym_archive_write_data_block(ext, buf, size, off) != ARCHIVE_OK) {
                                        r = ARCHIVE_FATAL;
                                        break;
                                }
                        if (r != ARCHIVE_EOF) {
                                k = -EBADMSG;
                                break;
                        }
                }
                if (sym_archive_write_finish_entry(ext) != ARCHIVE_OK)
                        k = -EBADMSG;
        }
        if (k >= 0 && r != ARCHIVE_EOF)
                k = -EBADMSG;
        sym_archive_read_free(a);
        sym_archive_write_free(ext);
        if (k < 0) {
                rm_rf(dir);
                return k;
        }
        *ret_dir = TAKE_PTR(dir);
        return 0;
}
