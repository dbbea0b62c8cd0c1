/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * What root does to a path inside a VM's jail. The VMM runs as the VM's uid in a directory it can
 * write to, and may be hostile: it can swap any file or directory there for a symlink, a FIFO, a
 * device it was given, or a socket some other process listens on. So root reaches everything in a
 * jail beneath the jail's directory without following a symlink (open_beneath), looks at what it
 * found before it opens, connects or unmounts anything, and talks only to a socket whose peer is
 * that VM's VMM.
 */
#include <sys/types.h>

struct vm_peer {          /* who must be at the other end of one VM's socket */
        const char *dir;  /* the jail's root directory on the host */
        const char *sock; /* the socket relative to dir, e.g. "run/firecracker.socket", "run/qmp.sock" */
        pid_t pid;        /* the VMM's pid as the host sees it; 0: not checked (not known yet) */
        uid_t uid;        /* the VM's uid: always checked (0, never a VM's, is -EINVAL) */
        const char *vm;   /* the VM's name, for messages */
};

/* p->vm, or "VM" where it is not set: for messages */
static inline const char *vm_peer_name(const struct vm_peer *p) {
        return p->vm && *p->vm ? p->vm : "VM";
}

/* Connect to p->sock: opened O_PATH beneath p->dir without following any symlink, checked to be a
 * socket, connected through "/proc/self/fd/N" (so no path is resolved twice and sun_path's length
 * never matters), then SO_PEERCRED: uid must be p->uid and (if p->pid) pid must be p->pid. The
 * connect never blocks (a VMM that listens and never accepts gets -ECONNREFUSED, as one not
 * listening yet does). 0 with *ret_fd (blocking, O_CLOEXEC); -ENOENT or -ECONNREFUSED while the VMM
 * is not listening yet (callers retry those); -EPERM for a symlink, a non-socket, or a wrong peer;
 * any -errno with *ret_error (may be NULL) naming the VM, e.g.
 * "vm1: run/qmp.sock is answered by pid 123 uid 0, not the VM's VMM (pid 456, uid 10000): refusing it". */
int jail_connect(const struct vm_peer *p, int *ret_fd, char **ret_error);
/* jail_connect's two halves, for a client that connects itself (libcurl, see api.c): p->sock
 * opened O_PATH beneath p->dir and checked to be a socket (*ret_pathfd: connect to
 * "/proc/self/fd/N"), -ENOENT or -EPERM as above; and the peer check of a connected socket. */
int jail_socket_open(const struct vm_peer *p, int *ret_pathfd, char **ret_error);
int jail_peer_check(const struct vm_peer *p, int fd, char **ret_error);

/* Unmount what is mounted at dir/rel (several stacked mounts too), only when rel (reached beneath
 * dir with no symlink) is the root of a mount, through its descriptor (umount2 of
 * /proc/self/fd/N, MNT_DETACH). 0 when nothing is mounted there or rel does not exist; -EPERM when
 * rel is a symlink, is reached through one, or is not a directory. Never unmounts anything reached
 * through a symlink. */
int jail_umount(const char *dir, const char *rel);
/* The same for a file bind-mounted at dir/rel (a read-only input of Firecracker's jail). */
int jail_umount_file(const char *dir, const char *rel);

/* rm -rf of path whose parent directories are root's: the tree is walked by descriptors (openat
 * O_NOFOLLOW|O_DIRECTORY, fdopendir, unlinkat), symlinks are removed, never followed, and it never
 * descends into another mount: a mount point inside (or path itself being one) is -EBUSY and left
 * alone while everything else goes. Any depth (deep subtrees are moved up instead of held open).
 * 0 when done or absent, or the first -errno. */
int jail_remove(const char *path);
