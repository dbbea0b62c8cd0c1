/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis's own jail, for a VMM that is not Firecracker (QEMU): the confinement the jailer gives
 * Firecracker, in C. The child gets new mount, pid, ipc and uts namespaces (and the VM's network
 * namespace, or a new empty one), a root made of the staged directory by pivot_root with nothing
 * else of the host visible, a /dev with only the nodes asked for, a fresh /proc, rlimits, every fd
 * above 2 closed, no capabilities (bounding, ambient, effective: libcap), the VM's uid and gid,
 * no_new_privs, speculative store bypass and indirect branch speculation force-disabled, a
 * seccomp filter (libseccomp) refusing what a VMM never needs, and an empty environment. The
 * jail's init joins the VM's cgroups before it does anything else.
 */
#include <stdbool.h>
#include <sys/types.h>

struct confine_spec {
        const char *root;               /* the staged directory: becomes / */
        const char *id;                 /* the hostname inside */
        uid_t uid;
        gid_t gid;
        const char *netns;              /* join this network namespace, or NULL: a new empty one */
        const char *const *devices;     /* "kvm", "net/tun", "urandom", ... */
        char *const *files;             /* host files the VMM needs (itself, its libraries, its
                                         * firmware): bound read-only at the same path inside */
        char *const *cgroups;           /* the cgroup directories made for this VM (one per v1
                                         * hierarchy, or the v2 one): the jail joins them all */
        unsigned long nofile;           /* RLIMIT_NOFILE */
        unsigned long fsize;            /* RLIMIT_FSIZE, bytes */
        char *const *argv;              /* argv[0] is a path inside the jail */
        int out_fd;                     /* the child's stdout and stderr (a log), or -1 */
};

/* Start argv in the jail. *ret_pid is the jailed process as the host sees it (the init of its
 * pid namespace: when it exits, everything in the jail goes). It is a grandchild: to wait for it,
 * be a subreaper (PR_SET_CHILD_SUBREAPER). -errno with *ret_error. */
int confine_spawn(const struct confine_spec *s, pid_t *ret_pid, char **ret_error);
