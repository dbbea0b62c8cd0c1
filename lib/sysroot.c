/* SPDX-License-Identifier: MIT */
/*
 * The sysroot layer (see sysroot.h). One file: about 800 lines, because every part of it (the
 * in-root path resolution with openat2 and its fallback, reads and their cache, stat with ACLs,
 * listings, probes, and the dump replay and recording each of them does) works on the private
 * state of struct sis_root; the printf-style readers, which need none of it, are in sysroot-readf.c.
 */
#include "sysroot.h"

#include <acl/libacl.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "dump.h"
#include "fileio.h"
#include "util.h"

struct sis_root {
        unsigned n_ref;
        char *path;   /* as given */
        char *tmpdir; /* unpacked archive to remove on unref */
        int fd;       /* O_PATH of the root directory */
        bool live;
        bool have_openat2;
        json_object *meta;   /* sis-dump.json when the root is a dump */
        json_object *probes; /* probe answers: cache (live) or recorded (dump) */
        json_object *reads;  /* path -> the bytes its first read gave, or its errno: one snapshot per run */
        struct sis_dump *recorder;
};

static int root_open(struct sis_root *r, const char *path, int flags);

void sis_stat_done(struct sis_stat *st) {
        free(st->acl);
        st->acl = NULL;
}

static bool is_archive(const char *p) {
        size_t l = strlen(p);
        return (l > 7 && streq(p + l - 7, ".tar.gz")) || (l > 4 && streq(p + l - 4, ".tgz"));
}

int sis_root_new(const char *dir, struct sis_root **ret) {
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_free_ char *meta = NULL;
        struct stat st;
        int k;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->n_ref = 1;
        r->fd = -1;
        r->have_openat2 = true;
        r->path = strdup(dir);
        if (!r->path)
                return -ENOMEM;

        if (stat(dir, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode) && is_archive(dir)) {
                k = sis_dump_extract(dir, &r->tmpdir);
                if (k < 0)
                        return k;
                dir = r->tmpdir;
        } else if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return -errno;

        {
                /* Inside the root, never a FIFO or a symlink out of it. */
                _cleanup_close_ int mfd = root_open(r, "/" SIS_DUMP_META, O_RDONLY | O_NONBLOCK);
                struct stat ms;
                size_t len;

                if (mfd >= 0) {
                        json_tokener *tok;
                        json_object *m;

                        if (fstat(mfd, &ms) < 0 || !S_ISREG(ms.st_mode))
                                return -EBADMSG;
                        k = read_fd_capped(mfd, 16 * SIS_READ_MAX, &meta, &len);
                        if (k < 0)
                                return k == -EFBIG ? -EBADMSG : k;
                        tok = json_tokener_new();
                        if (!tok)
                                return -ENOMEM;
                        m = json_tokener_parse_ex(tok, meta, (int) len);
                        k = json_tokener_get_error(tok) == json_tokener_success ? 0 : -EBADMSG;
                        json_tokener_free(tok);
                        if (k < 0 || !json_object_is_type(m, json_type_object)) {
                                json_object_put(m);
                                return -EBADMSG;
                        }
                        r->meta = m;
                } else if (mfd != -ENOENT)
                        return mfd == -ELOOP || mfd == -EXDEV ? -EBADMSG : mfd;
        }

        if (!r->meta) {
                struct stat rs;
                /* Live means: this root is the running system's "/". */
                if (stat("/", &rs) == 0 && fstat(r->fd, &st) == 0 && st.st_dev == rs.st_dev && st.st_ino == rs.st_ino)
                        r->live = true;
        }

        if (r->meta) {
                json_object *p;
                if (json_object_object_get_ex(r->meta, "probes", &p) && json_object_is_type(p, json_type_object))
                        r->probes = json_object_get(p);
        }
        if (!r->probes)
                r->probes = json_object_new_object();
        if (!r->probes)
                return -ENOMEM;

        *ret = TAKE_PTR(r);
        return 0;
}

struct sis_root *sis_root_ref(struct sis_root *r) {
        if (r)
                r->n_ref++;
        return r;
}

struct sis_root *sis_root_unref(struct sis_root *r) {
        if (!r || --r->n_ref > 0)
                return NULL;
        if (r->fd >= 0)
                close(r->fd);
        if (r->tmpdir)
                (void) rm_rf(r->tmpdir);
        free(r->tmpdir);
        free(r->path);
        json_object_put(r->meta);
        json_object_put(r->probes);
        json_object_put(r->reads);
        free(r);
        return NULL;
}

const char *sis_root_path(const struct sis_root *r) {
        return r->tmpdir ? r->tmpdir : r->path;
}

bool sis_root_is_live(const struct sis_root *r) {
        return r->live;
}

void sis_root_set_recorder(struct sis_root *r, struct sis_dump *dump) {
        r->recorder = dump;
}

bool sis_root_recording(const struct sis_root *r) {
        return r->recorder;
}

void sis_root_no_openat2(struct sis_root *r) {
        r->have_openat2 = false;
}

/* A recorded error (e.g. EACCES when the dump was collected) replays as that error. */
static int meta_error(struct sis_root *r, const char *path) {
        json_object *errors, *e;
        int err;

        if (!r->meta || !json_object_object_get_ex(r->meta, "errors", &errors) ||
            !json_object_object_get_ex(errors, path, &e) || !json_object_is_type(e, json_type_string))
                return 0;
        err = errno_from_name(json_object_get_string(e));
        if (r->recorder)
                sis_dump_error(r->recorder, path, err);
        return -err;
}

static void record_error(struct sis_root *r, const char *path, int err) {
        if (r->recorder && err != -ENOENT && err != -ENOTDIR)
                sis_dump_error(r->recorder, path, -err);
}

/* Canonical: absolute, no empty, "." or ".." components, no trailing slash. Dumps record paths
 * as asked, so only canonical ones may be asked. */
static bool path_canonical(const char *p) {
        size_t l = strlen(p);

        if (p[0] != '/')
                return false;
        if (l == 1)
                return true;
        if (p[l - 1] == '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
                return false;
        if ((l >= 2 && streq(p + l - 2, "/.")) || (l >= 3 && streq(p + l - 3, "/..")))
                return false;
        return true;
}

/* Every request: a canonical path of sane length, and not one the dump recorded as failing. */
static int check_request(struct sis_root *r, const char *path) {
        if (!path || !path_canonical(path))
                return -EINVAL;
        if (strlen(path) >= PATH_MAX)
                return -ENAMETOOLONG;
        return meta_error(r, path);
}

/* Resolve path to a root-relative path without symlinks, the way RESOLVE_IN_ROOT does: absolute
 * symlinks restart at the root and ".." stops there. For kernels without openat2. */
static int resolve_in_root(struct sis_root *r, const char *path, char **ret) {
        _cleanup_strv_free_ char **todo = NULL, **done = NULL;
        unsigned hops = 0;
        int k;

        k = strv_split(path, "/", &todo);
        if (k < 0)
                return k;
        done = calloc(1, sizeof(char *));
        if (!done)
                return -ENOMEM;
        while (todo[0]) {
                _cleanup_free_ char *c = todo[0], *cand = NULL;
                struct sbuf b = {};
                struct stat st;

                memmove(todo, todo + 1, strv_length(todo) * sizeof(char *));
                if (streq(c, "."))
                        continue;
                if (streq(c, "..")) {
                        size_t n = strv_length(done);
                        if (n > 0) {
                                free(done[n - 1]);
                                done[n - 1] = NULL;
                        }
                        continue;
                }
                for (size_t i = 0; done[i]; i++)
                        sbuf_printf(&b, "%s/", done[i]);
                sbuf_puts(&b, c);
                cand = sbuf_steal(&b);
                if (!cand)
                        return -ENOMEM;
                if (fstatat(r->fd, cand, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                        _cleanup_strv_free_ char **target = NULL;
                        char buf[PATH_MAX];
                        ssize_t n;
                        size_t nt, nr;

                        if (++hops > 40)
                                return -ELOOP;
                        n = readlinkat(r->fd, cand, buf, sizeof(buf) - 1);
                        if (n < 0)
                                return -errno;
                        buf[n] = '\0';
                        if (buf[0] == '/') {
                                strv_free(done);
                                done = calloc(1, sizeof(char *));
                                if (!done)
                                        return -ENOMEM;
                        }
                        k = strv_split(buf, "/", &target);
                        if (k < 0)
                                return k;
                        /* the target's components go in front of what is left */
                        nt = strv_length(target);
                        nr = strv_length(todo);
                        if (nt + nr + strv_length(done) > PATH_MAX / 2)
                                return -ENAMETOOLONG; /* links that expand without end */
                        {
                                char **merged = calloc(nt + nr + 1, sizeof(char *));
                                if (!merged)
                                        return -ENOMEM;
                                memcpy(merged, target, nt * sizeof(char *));
                                memcpy(merged + nt, todo, nr * sizeof(char *));
                                free(target);
                                target = NULL;
                                free(todo);
                                todo = merged;
                        }
                        continue;
                }
                k = strv_push(&done, TAKE_PTR(c));
                if (k < 0)
                        return k;
        }
        {
                struct sbuf b = {};
                for (size_t i = 0; done[i]; i++)
                        sbuf_printf(&b, "%s%s", i ? "/" : "", done[i]);
                if (!done[0])
                        sbuf_puts(&b, ".");
                *ret = sbuf_steal(&b);
        }
        return *ret ? 0 : -ENOMEM;
}

/* Open path (absolute, host view) inside the root. */
static int root_open(struct sis_root *r, const char *path, int flags) {
        const char *rel = path + strspn(path, "/");
        int fd;

        if (*rel == '\0')
                rel = ".";
        if (r->have_openat2) {
                /* openat2 refuses O_PATH with any flag but O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC */
                struct open_how how = {
                        .flags = (uint64_t) (flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                fd = (int) syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
                if (fd >= 0)
                        return fd;
                if (errno != ENOSYS)
                        return -errno;
                r->have_openat2 = false;
        }
        if (r->live) {
                fd = openat(AT_FDCWD, path, flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY));
                return fd < 0 ? -errno : fd;
        }
        /* Kernels before 5.6 (and valgrind) lack openat2: resolve inside the root by hand. */
        {
                _cleanup_free_ char *resolved = NULL;
                int k = resolve_in_root(r, path, &resolved);
                if (k < 0)
                        return k;
                fd = openat(r->fd, resolved, flags | O_CLOEXEC | O_NOFOLLOW | ((flags & O_PATH) ? 0 : O_NOCTTY));
                return fd < 0 ? -errno : fd;
        }
}

/* Open the parent directory of path and return the last component. */
static int root_open_parent(struct sis_root *r, const char *path, char **ret_base) {
        _cleanup_free_ char *p = strdup(path);
        char *slash;
        int fd;

        if (!p)
                return -ENOMEM;
        slash = strrchr(p, '/');
        if (!slash || slash[1] == '\0')
                return -EINVAL;
        *ret_base = strdup(slash + 1);
        if (!*ret_base)
                return -ENOMEM;
        slash[1] = '\0';
        fd = root_open(r, p, O_PATH | O_DIRECTORY);
        if (fd < 0) {
                free(*ret_base);
                *ret_base = NULL;
        }
        return fd;
}

/* The first read of a path is the answer for the whole run, as in a dump: a file read by
 * several checks is read once, and they all judge the same bytes. */
static int read_cached(struct sis_root *r, const char *path, char **ret, size_t *ret_len) {
        json_object *v;
        const char *data;
        size_t len;

        if (!r->reads || !json_object_object_get_ex(r->reads, path, &v))
                return 1;
        if (json_object_is_type(v, json_type_int))
                return (int) json_object_get_int(v);
        data = json_object_get_string(v);
        len = (size_t) json_object_get_string_len(v);
        *ret = malloc(len + 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, data, len);
        (*ret)[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return 0;
}

static void read_remember(struct sis_root *r, const char *path, const char *data, size_t len, int err) {
        if (!r->reads)
                r->reads = json_object_new_object();
        if (r->reads)
                (void) json_object_object_add(r->reads, path,
                                              err < 0 ? json_object_new_int(err)
                                                      : json_object_new_string_len(data, (int) len));
}

/* On the live host, a file whose value one read returns whole: sysfs attributes and sysctls. Not
 * the seq_file lists beside them (cgroupfs, securityfs, debugfs, tracefs), which give a page at a time. */
static bool kernfs_attribute(const char *path) {
        static const char *const prefixes[] = { "/sys/devices/",   "/sys/bus/",        "/sys/class/", "/sys/module/",
                                                "/sys/kernel/mm/", "/sys/hypervisor/", "/proc/sys/" };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(path, prefixes[i]))
                        return true;
        return false;
}

static int read_uncached(struct sis_root *r, const char *path, char **ret, size_t *ret_len);

int sis_root_read(struct sis_root *r, const char *path, char **ret, size_t *ret_len) {
        int k = check_request(r, path);

        if (k < 0)
                return k;
        k = read_cached(r, path, ret, ret_len);
        if (k <= 0)
                return k;
        {
                size_t len = 0;
                k = read_uncached(r, path, ret, &len);
                if (k != -ENOMEM)
                        read_remember(r, path, k >= 0 ? *ret : NULL, len, k);
                if (k >= 0 && ret_len)
                        *ret_len = len;
        }
        return k;
}

static int read_uncached(struct sis_root *r, const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        struct stat st;
        int k;

        /* O_NONBLOCK: a FIFO planted in a dump must not hang the audit. */
        fd = root_open(r, path, O_RDONLY | O_NONBLOCK);
        if (fd < 0) {
                record_error(r, path, fd);
                return fd;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL; /* never read device nodes, FIFOs or sockets */

        if (r->live && kernfs_attribute(path))
                k = read_fd_kernfs_capped(fd, SIS_READ_MAX, &buf, &len);
        else
                k = read_fd_capped(fd, SIS_READ_MAX, &buf, &len);
        if (k < 0) {
                record_error(r, path, k);
                return k;
        }
        if (r->recorder)
                sis_dump_file(r->recorder, path, buf, len);
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int sis_root_read_string(struct sis_root *r, const char *path, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t len;
        int k;

        k = sis_root_read(r, path, &s, &len);
        if (k < 0)
                return k;
        if (strlen(s) != len)
                return -EBADMSG; /* embedded NUL */
        strstrip(s);
        *ret = TAKE_PTR(s);
        return 0;
}

static char *acl_text_of(int fd) {
        _cleanup_free_ char *proc = strdup_printf("/proc/self/fd/%d", fd);
        acl_t acl;
        char *text = NULL;

        if (!proc)
                return NULL;
        acl = acl_get_file(proc, ACL_TYPE_ACCESS);
        if (!acl)
                return NULL;
        if (acl_equiv_mode(acl, NULL) != 0) {
                char *t = acl_to_any_text(acl, NULL, ',', TEXT_NUMERIC_IDS | TEXT_ABBREVIATE);
                if (t) {
                        text = strdup(t);
                        acl_free(t);
                }
        }
        acl_free(acl);
        return text;
}

static int meta_stat(struct sis_root *r, const char *path, struct sis_stat *ret) {
        json_object *stats, *o;

        if (!r->meta || !json_object_object_get_ex(r->meta, "stat", &stats) ||
            !json_object_object_get_ex(stats, path, &o))
                return -ENOENT;
        return sis_stat_from_json(o, ret);
}

int sis_root_stat(struct sis_root *r, const char *path, unsigned flags, struct sis_stat *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *base = NULL;
        struct sis_stat s = {};
        struct stat st;
        int k;

        k = check_request(r, path);
        if (k < 0)
                return k;
        if (meta_stat(r, path, &s) == 0) {
                if (r->recorder)
                        sis_dump_stat(r->recorder, path, &s);
                if (!(flags & SIS_STAT_ACL)) {
                        free(s.acl);
                        s.acl = NULL;
                }
                *ret = s;
                return 0;
        }
        if (streq(path, "/"))
                fd = root_open(r, "/", O_PATH);
        else if (flags & SIS_STAT_NOFOLLOW) {
                _cleanup_close_ int dfd = root_open_parent(r, path, &base);
                if (dfd < 0)
                        return dfd;
                if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        k = -errno;
                        record_error(r, path, k);
                        return k;
                }
                if (!S_ISLNK(st.st_mode))
                        fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        } else
                fd = root_open(r, path, O_PATH);
        if (fd == -1 && (flags & SIS_STAT_NOFOLLOW) && base) {
                /* a symlink: st is already filled */
        } else {
                if (fd < 0) {
                        record_error(r, path, fd);
                        return fd;
                }
                if (fstat(fd, &st) < 0)
                        return -errno;
        }
        s.mode = st.st_mode;
        s.uid = st.st_uid;
        s.gid = st.st_gid;
        s.rdev_major = major(st.st_rdev);
        s.rdev_minor = minor(st.st_rdev);
        s.size = (uint64_t) st.st_size;
        if ((flags & SIS_STAT_ACL) && fd >= 0 && !S_ISLNK(st.st_mode))
                s.acl = acl_text_of(fd);
        if (r->recorder)
                sis_dump_stat(r->recorder, path, &s);
        *ret = s;
        return 0;
}

bool sis_root_exists(struct sis_root *r, const char *path) {
        struct sis_stat st;
        if (sis_root_stat(r, path, SIS_STAT_NOFOLLOW, &st) < 0)
                return false;
        sis_stat_done(&st);
        return true;
}

int sis_root_readlink(struct sis_root *r, const char *path, char **ret) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = -1;
        char buf[PATH_MAX];
        ssize_t n;
        int k;

        k = check_request(r, path);
        if (k < 0)
                return k;
        dfd = root_open_parent(r, path, &base);
        if (dfd < 0)
                return dfd;
        n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
        if (n < 0) {
                k = -errno;
                record_error(r, path, k);
                return k;
        }
        buf[n] = '\0';
        if (r->recorder)
                sis_dump_link(r->recorder, path, buf);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

/* A dump replays a listing exactly as recorded. */
static int meta_list(struct sis_root *r, const char *path, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        json_object *lists, *a;

        if (!r->meta || !json_object_object_get_ex(r->meta, "lists", &lists) ||
            !json_object_object_get_ex(lists, path, &a))
                return -ENOENT;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                const char *n = json_object_get_string(json_object_array_get_idx(a, i));
                if (!n || !*n || strchr(n, '/') || streq(n, ".") || streq(n, ".."))
                        return -EBADMSG;
                if (strv_extend(&names, n) < 0)
                        return -ENOMEM;
        }
        strv_sort(names);
        if (r->recorder)
                sis_dump_dir(r->recorder, path, names);
        *ret = TAKE_PTR(names);
        return 0;
}

int sis_root_list(struct sis_root *r, const char *path, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int fd = -1;
        DIR *d;
        struct dirent *de;
        int k;

        k = check_request(r, path);
        if (k < 0)
                return k;
        k = meta_list(r, path, ret);
        if (k != -ENOENT)
                return k;
        fd = root_open(r, path, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
                record_error(r, path, fd);
                return fd;
        }
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -1;
        names = calloc(1, sizeof(char *));
        if (!names) {
                closedir(d);
                return -ENOMEM;
        }
        k = 0;
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (strv_length(names) >= 65536) {
                        k = -E2BIG;
                        break;
                }
                k = strv_extend(&names, de->d_name);
                if (k < 0)
                        break;
        }
        if (k == 0 && errno)
                k = -errno;
        closedir(d);
        if (k < 0)
                return k;
        strv_sort(names);
        if (r->recorder)
                sis_dump_dir(r->recorder, path, names);
        *ret = TAKE_PTR(names);
        return 0;
}

int sis_root_resolve(struct sis_root *r, const char *path, char **ret) {
        _cleanup_free_ char *cur = strdup(path);

        if (!cur)
                return -ENOMEM;
        for (int hops = 0; hops < 40; hops++) {
                _cleanup_free_ char *target = NULL;
                int k = sis_root_readlink(r, cur, &target);
                if (k == -EINVAL || (k == -ENOENT && hops > 0)) { /* not a symlink, or a dangling target */
                        *ret = TAKE_PTR(cur);
                        return 0;
                }
                if (k < 0)
                        return k;
                if (target[0] == '/') {
                        free(cur);
                        cur = TAKE_PTR(target);
                } else {
                        char *slash = strrchr(cur, '/');
                        char *n;
                        *slash = '\0';
                        n = strdup_printf("%s/%s", cur, target);
                        if (!n)
                                return -ENOMEM;
                        free(cur);
                        cur = n;
                }
                free(target);
                k = path_normalize(cur, &target);
                if (k < 0)
                        return k;
                free(cur);
                cur = TAKE_PTR(target);
        }
        return -ELOOP;
}

/* A symlink target that keeps a root-prefixed path inside the root for anyone who follows it:
 * relative and without "..". */
static bool target_stays_inside(const char *t) {
        return t[0] != '/' && !streq(t, "..") && !startswith(t, "../") && !strstr(t, "/../") &&
                !(strlen(t) >= 3 && streq(t + strlen(t) - 3, "/.."));
}

int sis_root_plain(struct sis_root *r, const char *path, int depth) {
        _cleanup_strv_free_ char **names = NULL;
        struct sis_stat st;
        int k;

        if (r->live)
                return 1;
        /* every component on the way down */
        for (const char *s = path + 1;; s++) {
                if (*s == '/' || *s == '\0') {
                        _cleanup_free_ char *p = strndup(path, (size_t) (s - path));
                        if (!p)
                                return -ENOMEM;
                        k = sis_root_stat(r, p, SIS_STAT_NOFOLLOW, &st);
                        if (k < 0)
                                return k;
                        sis_stat_done(&st);
                        if (S_ISLNK(st.mode)) {
                                _cleanup_free_ char *t = NULL;
                                if (sis_root_readlink(r, p, &t) < 0 || !target_stays_inside(t))
                                        return 0;
                        } else if (!S_ISDIR(st.mode) && !(S_ISREG(st.mode) && *s == '\0'))
                                return 0;
                        if (*s == '\0')
                                break;
                }
        }
        if (depth <= 0)
                return 1;
        k = sis_root_list(r, path, &names);
        if (k == -ENOTDIR)
                return 1;
        if (k < 0)
                return k;
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *p = strdup_printf("%s/%s", streq(path, "/") ? "" : path, *n);
                if (!p)
                        return -ENOMEM;
                k = sis_root_plain(r, p, depth - 1);
                if (k <= 0)
                        return k;
        }
        return 1;
}

int sis_root_probe(struct sis_root *r, const char *key, sis_probe_fn fn, const char *arg, json_object **ret) {
        json_object *v;
        int k;

        if (json_object_object_get_ex(r->probes, key, &v)) {
                if (r->recorder)
                        sis_dump_probe(r->recorder, key, v);
                *ret = v;
                return 0;
        }
        if (!r->live)
                return r->meta ? -ENODATA : -EOPNOTSUPP;
        k = fn(arg, &v);
        if (k < 0)
                return k;
        if (json_object_object_add(r->probes, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        if (r->recorder)
                sis_dump_probe(r->recorder, key, v);
        *ret = v;
        return 0;
}
