/* SPDX-License-Identifier: MIT */
#include "jailfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "fileio.h"
#include "util.h"

int jail_socket_open(const struct vm_peer *p, int *ret_pathfd, char **ret_error) {
        _cleanup_close_ int pfd = open_beneath(p->dir, p->sock, O_PATH, 0);
        struct stat st;

        if (pfd == -EPERM)
                return set_error(ret_error, -EPERM,
                                 "%s: %s is a symlink, lies under one, or leads out of %s: refusing it",
                                 vm_peer_name(p), p->sock, p->dir);
        if (pfd < 0)
                return set_error(ret_error, pfd, "%s: %s: cannot connect: %s", vm_peer_name(p), p->sock,
                                 strerror(-pfd));
        if (fstat(pfd, &st) < 0)
                return set_error(ret_error, -errno, "%s: %s: %s", vm_peer_name(p), p->sock, strerror(errno));
        if (!S_ISSOCK(st.st_mode))
                return set_error(ret_error, -EPERM, "%s: %s is not a socket: refusing it", vm_peer_name(p), p->sock);
        *ret_pathfd = TAKE_FD(pfd);
        return 0;
}

int jail_peer_check(const struct vm_peer *p, int fd, char **ret_error) {
        struct ucred cred = {};
        socklen_t len = sizeof(cred);
        _cleanup_free_ char *want = NULL;

        if (p->uid == 0) /* a VMM never runs as root: a peer without its uid set is a bug, not root */
                return set_error(ret_error, -EINVAL, "%s: %s: no VM uid to check its peer against", vm_peer_name(p),
                                 p->sock);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return set_error(ret_error, -errno, "%s: %s: SO_PEERCRED: %s", vm_peer_name(p), p->sock,
                                 strerror(errno));
        if (cred.uid == p->uid && (p->pid <= 0 || cred.pid == p->pid))
                return 0;
        want = p->pid > 0 ? strdup_printf("pid %d, uid %u", (int) p->pid, (unsigned) p->uid)
                          : strdup_printf("uid %u", (unsigned) p->uid);
        return set_error(ret_error, -EPERM, "%s: %s is answered by pid %d uid %u, not the VM's VMM (%s): refusing it",
                         vm_peer_name(p), p->sock, (int) cred.pid, (unsigned) cred.uid, strna(want));
}

int jail_connect(const struct vm_peer *p, int *ret_fd, char **ret_error) {
        _cleanup_close_ int pfd = -1, s = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int k;

        k = jail_socket_open(p, &pfd, ret_error);
        if (k < 0)
                return k;
        /* the inode just checked, whatever the path now holds and however long it is */
        k = snprintf_ok(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
        if (k < 0)
                return set_error(ret_error, k, "%s: %s: %s", vm_peer_name(p), p->sock, strerror(-k));
        /* non-blocking: a VMM that listens and never accepts fills its backlog; connect() would
         * then wait for it forever, and gets EAGAIN instead */
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (s < 0)
                return set_error(ret_error, -errno, "%s: socket: %s", vm_peer_name(p), strerror(errno));
        if (connect(s, (struct sockaddr *) &sa,
                    (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1)) < 0) {
                int e = errno;
                k = e == EAGAIN ? -ECONNREFUSED : -e;
                return set_error(ret_error, k, "%s: %s: cannot connect: %s", vm_peer_name(p), p->sock,
                                 e == EAGAIN ? "it accepts no connection" : strerror(e));
        }
        k = jail_peer_check(p, s, ret_error);
        if (k < 0)
                return k;
        k = fcntl(s, F_GETFL);
        if (k < 0 || fcntl(s, F_SETFL, k & ~O_NONBLOCK) < 0)
                return set_error(ret_error, -errno, "%s: %s: %s", vm_peer_name(p), p->sock, strerror(errno));
        *ret_fd = TAKE_FD(s);
        return 0;
}

/* The mount a descriptor lies on: statx's mount id; the device where the kernel has none (< 5.8). */
static int mount_of(int fd, uint64_t *ret) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return -errno;
        *ret = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id
                                            : (UINT64_C(1) << 63) | makedev(sx.stx_dev_major, sx.stx_dev_minor);
        return 0;
}

/* 1 when fd is the root of a mount, 0 when not, or -errno. */
static int mount_root(int fd) {
        _cleanup_close_ int parent = -1;
        uint64_t a, b;
        struct statx sx;
        int k;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return -errno;
        if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        /* kernels before 5.8: on another mount than its parent (".." of a mount's root is the
         * directory it is mounted on) */
        parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return -errno;
        k = mount_of(fd, &a);
        if (k >= 0)
                k = mount_of(parent, &b);
        return k < 0 ? k : a != b;
}

static int umount_beneath(const char *dir, const char *rel, mode_t type) {
        /* mounts can be stacked: the topmost first, until the directory (file) itself shows */
        for (int i = 0; i < 64; i++) {
                _cleanup_close_ int fd = open_beneath(dir, rel, O_PATH | (type == S_IFDIR ? O_DIRECTORY : 0), type);
                char proc[64];
                int k;

                if (fd == -ENOENT)
                        return 0;
                if (fd == -ENOTDIR || fd == -EPERM)
                        return -EPERM;
                if (fd < 0)
                        return fd;
                k = mount_root(fd);
                if (k <= 0)
                        return k;
                /* the mount this descriptor is the root of, not whatever the path names by now (what
                 * UMOUNT_NOFOLLOW guards against, and more: no component was a link; the flag
                 * itself would refuse this magic link) */
                k = snprintf_ok(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                if (k < 0)
                        return k;
                if (umount2(proc, MNT_DETACH) < 0)
                        return -errno;
        }
        return -EBUSY;
}

int jail_umount(const char *dir, const char *rel) {
        return umount_beneath(dir, rel, S_IFDIR);
}

int jail_umount_file(const char *dir, const char *rel) {
        return umount_beneath(dir, rel, S_IFREG);
}

/* Subtrees deeper than this are moved up to the top directory and removed from there: the walk
 * holds one descriptor per level, never more than this many, however deep the VMM nested them. */
#define RM_DEPTH 64

struct rm {
        int top;        /* the directory being emptied */
        uint64_t mnt;   /* its mount: nothing on another one is entered */
        unsigned moved; /* subtrees moved up to top in this pass */
        unsigned serial;
};

static int rm_contents(struct rm *c, int dfd, unsigned depth);

/* Remove name in dfd: a directory with its contents, anything else (a symlink too) unlinked. */
static int rm_entry(struct rm *c, int dfd, const char *name, unsigned depth) {
        /* O_DIRECTORY fails before anything is opened for real: a FIFO or a device never is */
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), k;
        uint64_t mnt;

        if (fd < 0) {
                if (errno == ENOTDIR || errno == ELOOP) /* not a directory, or a symlink: the entry itself goes */
                        return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
                return errno == ENOENT ? 0 : -errno;
        }
        k = mount_of(fd, &mnt);
        if (k >= 0 && mnt != c->mnt)
                k = -EBUSY; /* a mount point: what is mounted there is not ours to remove */
        if (k >= 0 && depth >= RM_DEPTH) {
                /* too deep to descend further: moved up, it is removed by the next pass */
                for (;;) {
                        char tmp[64];
                        (void) snprintf_ok(tmp, sizeof(tmp), ".sis-rm-%u", c->serial++);
                        if (renameat2(dfd, name, c->top, tmp, RENAME_NOREPLACE) == 0) {
                                c->moved++;
                                break;
                        }
                        if (errno != EEXIST) {
                                k = -errno;
                                break;
                        }
                }
                close(fd);
                return k;
        }
        if (k < 0) {
                close(fd);
                return k;
        }
        k = rm_contents(c, fd, depth + 1); /* takes fd */
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && k >= 0)
                k = -errno;
        return k;
}

/* Empty the directory fd (which this takes). The first error; the rest is removed anyway. */
static int rm_contents(struct rm *c, int fd, unsigned depth) {
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int k = 0;

        if (!d) {
                k = -errno;
                close(fd);
                return k;
        }
        for (;;) {
                int r;
                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno && k >= 0)
                                k = -errno;
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = rm_entry(c, dirfd(d), de->d_name, depth);
                if (r < 0 && k >= 0)
                        k = r;
        }
        closedir(d);
        return k;
}

int jail_remove(const char *path) {
        _cleanup_free_ char *parent = strdup(path);
        _cleanup_close_ int pfd = -1, fd = -1;
        struct rm c = {};
        uint64_t pmnt;
        char *base, *slash;
        int k;

        if (!parent)
                return -ENOMEM;
        for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
                parent[n - 1] = '\0';
        slash = strrchr(parent, '/');
        if (!slash) {
                base = parent;
                pfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else {
                *slash = '\0';
                base = slash + 1;
                pfd = open(slash == parent ? "/" : parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL;
        if (pfd < 0)
                return errno == ENOENT ? 0 : -errno;
        fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOTDIR || errno == ELOOP)
                        return unlinkat(pfd, base, 0) < 0 && errno != ENOENT ? -errno : 0;
                return errno == ENOENT ? 0 : -errno;
        }
        k = mount_of(fd, &c.mnt);
        if (k >= 0)
                k = mount_of(pfd, &pmnt);
        if (k < 0)
                return k;
        if (c.mnt != pmnt)
                return -EBUSY; /* path itself is a mount point */
        c.top = fd;
        /* again while subtrees that were too deep were moved up */
        for (unsigned pass = 0;; pass++) {
                int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (d < 0)
                        return -errno;
                /* the directory's offset is shared with the dup: each pass reads it from the start */
                if (lseek(d, 0, SEEK_SET) < 0) {
                        k = -errno;
                        close(d);
                        return k;
                }
                c.moved = 0;
                k = rm_contents(&c, d, 1);
                if (!c.moved || pass > (1u << 20))
                        break;
        }
        if (unlinkat(pfd, base, AT_REMOVEDIR) < 0 && errno != ENOENT && k >= 0)
                k = errno == ENOTEMPTY ? -EBUSY : -errno;
        return k;
}
