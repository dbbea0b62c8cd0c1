/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis's own jail, for a VMM that is not Firecracker (QEMU): the confinement the jailer gives
 * Firecracker, in C. The child gets new mount, pid, ipc and uts namespaces (and the VM's network
 * namespace, or a new empty one), a root made of the staged directory by pivot_root with nothing
 * else of the host visible, a /dev with only the nodes asked for, a fresh /proc, rlimits, every fd
 * above 2 closed, no capabilities (bounding, ambient, effective: libcap), the VM's uid and gid,
 * no_new_privs, speculative store bypass and indirect branch speculation force-disabled, a
 * seccomp filter (libseccomp), a session of its own (setsid: no terminal, no signals from the
 * launcher's session) and an empty environment. The jail's init joins the VM's cgroups before it
 * does anything else.
 *
 * The seccomp filter is one of two. With spec.syscalls (QEMU: qemu_syscalls), an allowlist: only
 * those syscalls, everything else EPERM. Without, the generic filter, a denylist (for test
 * stand-ins and other VMMs): everything but confine_forbidden. Both refuse clone3 with ENOSYS (the
 * C library falls back to clone), clone with a namespace flag (the allowlist: clone for anything
 * but a thread), socket and socketpair in any family but AF_UNIX (and AF_VSOCK with spec.vsock),
 * and kill the process on a foreign ABI (i386's int 0x80, x32).
 */
#include <stdbool.h>
#include <sys/types.h>

struct confine_spec {
        const char *root; /* the staged directory: becomes / */
        const char *id;   /* the hostname inside */
        uid_t uid;
        gid_t gid;
        const char *netns;           /* join this network namespace, or NULL: a new empty one */
        const char *const *devices;  /* "kvm", "net/tun", "urandom", ... */
        char *const *files;          /* host files the VMM needs (itself, its libraries, its
                                      * firmware): bound read-only at the same path inside */
        char *const *cgroups;        /* the cgroup directories made for this VM (one per v1
                                      * hierarchy, or the v2 one): the jail joins them all */
        unsigned long nofile;        /* RLIMIT_NOFILE */
        unsigned long fsize;         /* RLIMIT_FSIZE, bytes */
        unsigned long nproc;         /* RLIMIT_NPROC (0: 256). It counts the tasks, threads
                                      * included, of the uid, and the uid is the VM's own: a
                                      * bound on the VM's processes and threads even where no
                                      * pids cgroup is mounted. The VM's uid must not be
                                      * running anything else. */
        const char *const *syscalls; /* the only syscalls allowed (names, NULL-terminated):
                                      * qemu_syscalls for QEMU; NULL: the generic filter */
        bool vsock;                  /* AF_VSOCK sockets as well as AF_UNIX */
        char *const *argv;           /* argv[0] is a path inside the jail */
        int out_fd;                  /* the child's stdout and stderr (a log), or -1 */
};

/* Start argv in the jail. *ret_pid is the jailed process as the host sees it (the init of its
 * pid namespace: when it exits, everything in the jail goes). It is a grandchild: to wait for it,
 * be a subreaper (PR_SET_CHILD_SUBREAPER). -errno with *ret_error. */
int confine_spawn(const struct confine_spec *s, pid_t *ret_pid, char **ret_error);

/* What QEMU calls (launch/qemu-syscalls.h: recorded from make e2e, and why each is there), for
 * spec.syscalls. NULL-terminated. */
extern const char *const qemu_syscalls[];
/* What neither filter ever allows (an allowlist naming one is refused). NULL-terminated. */
extern const char *const confine_forbidden[];

/* Load the jail's seccomp filter into the calling thread (and set no_new_privs): allow, a
 * NULL-terminated allowlist, or NULL for the generic filter; vsock as spec.vsock. Irreversible:
 * for the jail's init, and for tests in a child of their own. -errno (-EINVAL: allow names a
 * forbidden syscall). */
int confine_seccomp_load(const char *const *allow, bool vsock);
