/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h> /* renameat2() */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

static int write_all(int fd, const void *data, size_t len) {
        const char *p = data;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int write_attr(const char *path, const char *value) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY), k = 0;
        size_t len = strlen(value);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, value, len);
        if (n < 0)
                k = -errno;
        else if ((size_t) n != len)
                k = -EIO;
        close(fd);
        return k;
}

/* fsync the directory holding path, so that a rename into it lasts (best effort: a directory
 * that cannot be opened or synced does not undo the rename). */
static void fsync_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int dfd = -1;

        if (!copy)
                return;
        dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
}

int atomic_tmpfile_open(const char *path, char **ret_tmp) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmpXXXXXX", path);
        int fd;

        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_tmp = TAKE_PTR(tmp);
        return fd;
}

int atomic_tmpfile_publish(int fd, const char *tmp, const char *path, mode_t mode, int err) {
        int r = err;

        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        fsync_parent(path);
        return 0;
}

int write_file_atomic_with(const char *path, mode_t mode, atomic_fill_fn fill, void *userdata) {
        _cleanup_free_ char *tmp = NULL;
        int fd = atomic_tmpfile_open(path, &tmp);

        if (fd < 0)
                return fd;
        return atomic_tmpfile_publish(fd, tmp, path, mode, fill(fd, userdata));
}

struct bytes {
        const void *data;
        size_t len;
};

static int fill_bytes(int fd, void *userdata) {
        const struct bytes *b = userdata;
        return write_all(fd, b->data, b->len);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        struct bytes b = { data, len };
        return write_file_atomic_with(path, mode, fill_bytes, &b);
}

int atomic_tmpdir_open(const char *path, mode_t mode, unsigned flags, char **ret_tmp) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmpXXXXXX", path);

        if (!tmp)
                return -ENOMEM;
        if (!(flags & ATOMIC_REPLACE) && access(path, F_OK) == 0)
                return -EEXIST;
        if (!mkdtemp(tmp))
                return -errno;
        (void) chmod(tmp, mode);
        *ret_tmp = TAKE_PTR(tmp);
        return 0;
}

int atomic_tmpdir_publish(const char *tmp, const char *path, unsigned flags, int err) {
        _cleanup_close_ int fd = -1;
        bool swapped = false;
        int r = err;

        if (r >= 0 && (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = -errno;
        /* everything written below tmp reaches the disk before the name does */
        if (r >= 0 && syncfs(fd) < 0)
                r = -errno;
        if (r >= 0 && (flags & ATOMIC_REPLACE) && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
                swapped = true; /* the old tree is now at tmp, removed below */
        else if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0 || swapped)
                (void) rm_rf(tmp);
        if (r < 0)
                return r;
        fsync_parent(path);
        return 0;
}

int write_dir_atomic(const char *path, mode_t mode, unsigned flags, atomic_dir_fn fill, void *userdata) {
        _cleanup_free_ char *tmp = NULL;
        int r = atomic_tmpdir_open(path, mode, flags, &tmp);

        if (r < 0)
                return r;
        return atomic_tmpdir_publish(tmp, path, flags, fill(tmp, userdata));
}

static int rm_one(const char *p, const struct stat *st _unused_, int flag _unused_, struct FTW *ftw _unused_) {
        return remove(p) < 0 && errno != ENOENT ? -1 : 0;
}

int rm_rf(const char *path) {
        return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

static int read_capped(int fd, size_t cap, bool short_is_end, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, sz = MIN((size_t) 4096, cap + 1);

        buf = malloc(sz + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n;
                if (len == sz) {
                        char *nb;
                        if (len > cap)
                                return -EFBIG;
                        sz = MIN(sz * 2, cap + 1); /* one byte past the cap tells "too big" from "exactly cap" */
                        nb = realloc(buf, sz + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                n = read(fd, buf + len, sz - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (short_is_end && len < sz)
                        break;
        }
        if (len > cap)
                return -EFBIG;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int read_fd_capped(int fd, size_t cap, char **ret, size_t *ret_len) {
        return read_capped(fd, cap, false, ret, ret_len);
}

int read_fd_kernfs_capped(int fd, size_t cap, char **ret, size_t *ret_len) {
        return read_capped(fd, cap, true, ret, ret_len);
}

int read_file_capped(const char *path, size_t cap, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return read_fd_capped(fd, cap, ret, ret_len);
}

/* Without openat2: one component at a time, none a symlink, none "..", each opened O_PATH (nothing is
 * opened for real on the way). The last one is opened O_PATH|O_NOFOLLOW too: a symlink there comes
 * back as itself, for the caller's type check to refuse. */
static int open_walk(int dfd, const char *rel) {
        _cleanup_strv_free_ char **parts = NULL;
        int cur = dfd, fd;
        size_t n;

        if (rel[0] == '/' || strv_split(rel, "/", &parts) < 0 || (n = strv_length(parts)) == 0) {
                errno = EPERM;
                return -1;
        }
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (streq(parts[i], "..")) {
                        fd = -1;
                        errno = EPERM;
                } else {
                        fd = openat(cur, parts[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
                        /* a directory on the way: a symlink there is refused as openat2 does (ELOOP) */
                        if (fd >= 0 && i + 1 < n && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
                                int e = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
                                close(fd);
                                fd = -1;
                                errno = e;
                        }
                }
                if (cur != dfd) {
                        int e = errno;
                        close(cur);
                        errno = e;
                }
                if (fd < 0)
                        return -1;
                cur = fd;
        }
        return cur;
}

/* rel beneath dfd as an O_PATH descriptor of whatever is there (a symlink as itself), or -errno. */
static int resolve_beneath(int dfd, const char *rel, bool walk) {
        struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        int fd = -1;

        if (!walk)
                /* EAGAIN: a rename or mount raced with the lookup; the kernel asks for a retry */
                for (int i = 0; i < 16; i++) {
                        fd = (int) syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
                        if (fd >= 0 || errno != EAGAIN)
                                break;
                }
        if (walk || (fd < 0 && errno == ENOSYS))
                fd = open_walk(dfd, rel);
        if (fd < 0)
                return errno == ELOOP || errno == EXDEV ? -EPERM : -errno;
        return fd;
}

static int open_beneath_how(int dfd, const char *rel, int flags, mode_t type, bool walk) {
        _cleanup_close_ int fd = -1;
        char proc[64];
        struct stat st;
        int r;

        if (flags & O_CREAT)
                return -EINVAL; /* opening what is there, never making it */
        fd = resolve_beneath(dfd, rel, walk);
        if (fd < 0)
                return fd;
        /* what it is, before anything is opened for real: a FIFO or a device where a file is
         * expected is never opened (opening a FIFO blocks; a device may act on being opened) */
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -EPERM;
        if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (type ? (st.st_mode & S_IFMT) != type
                 : !(flags & O_PATH) && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)))
                return -EPERM;
        if (flags & O_PATH)
                return TAKE_FD(fd);
        /* the same inode, reopened with the flags asked for: no path is resolved a second time */
        flags = (flags & ~O_NOFOLLOW) | O_CLOEXEC | O_NOCTTY;
        if (S_ISFIFO(st.st_mode))
                flags |= O_NONBLOCK;
        if (snprintf_ok(proc, sizeof(proc), "/proc/self/fd/%d", fd) < 0)
                return -ENAMETOOLONG;
        r = open(proc, flags);
        return r < 0 ? -errno : r;
}

static int open_beneath_dir(const char *dir, const char *rel, int flags, mode_t type, bool walk) {
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (dfd < 0)
                return -errno;
        return open_beneath_how(dfd, rel, flags, type, walk);
}

int open_beneath(const char *dir, const char *rel, int flags, mode_t type) {
        return open_beneath_dir(dir, rel, flags, type, false);
}

int open_beneath_at(int dirfd, const char *rel, int flags, mode_t type) {
        return open_beneath_how(dirfd, rel, flags, type, false);
}

int open_beneath_walk(const char *dir, const char *rel, int flags, mode_t type) {
        return open_beneath_dir(dir, rel, flags, type, true);
}

int mkdir_parents(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int copy_fd_sparse(int in, int out) {
        off_t end = lseek(in, 0, SEEK_END), pos = 0;
        char buf[1 << 16];

        if (end < 0 || ftruncate(out, end) < 0)
                return -errno;
        while (pos < end) {
                off_t data = lseek(in, pos, SEEK_DATA), hole;
                if (data < 0)
                        return errno == ENXIO ? 0 : -errno;
                hole = lseek(in, data, SEEK_HOLE);
                if (hole < 0)
                        return -errno;
                for (off_t o = data; o < hole;) {
                        ssize_t n = pread(in, buf, (size_t) MIN((off_t) sizeof(buf), hole - o), o);
                        if (n <= 0)
                                return n < 0 ? -errno : -EIO;
                        if (pwrite(out, buf, (size_t) n, o) != n)
                                return -errno ? -errno : -EIO;
                        o += n;
                }
                pos = hole;
        }
        return 0;
}
