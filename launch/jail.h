/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Jail staging and the jailer's command line. The jailer builds <base>/<exec>/<id>/root, copies
 * the VMM in, pivot_roots into it and drops to the VM's uid/gid; everything else the VMM opens
 * must already be inside, owned right, and named by a jail-relative path. That is done here:
 *
 *   <base>/<backend>/<id>/                 0700 root, made exclusively (one that exists is refused)
 *     root/                                0755 root: the VMM can neither add, swap nor link anything
 *       vmlinux, rootfs.ext4               hard links (copies across filesystems), read-only
 *       logger.fifo, metrics.fifo          0600 uid:gid
 *       run/                               a 64 KiB, 16-inode tmpfs, 0700 uid:gid: the VMM's sockets
 *                                          (firecracker.socket, qmp.sock, vsock.sock)
 *       disk/                              a tmpfs of the home image's size: the VM's own copy
 *           home.ext4                      0600 uid:gid, sparse
 *       snapshot/                          Firecracker: a tmpfs of the VM's memory's size, 0700
 *                                          uid:gid, where snapshots are made or loaded from
 *
 * The VMM writes only to its own tmpfs mounts: it can fill none of the host's filesystems, with
 * bytes or inodes. Root reaches nothing here by path after the VMM has run (launch/jailfs.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct jailer_opts {
        const char *jailer; /* the jailer binary */
        const char *id;
        const char *exec_file; /* firecracker */
        uid_t uid;
        gid_t gid;
        const char *chroot_base;
        const char *netns; /* /run/netns/NAME, or NULL */
        int cgroup_version;
        unsigned vcpus;
        unsigned mem_mib;
        char *const *vmm_args; /* after "--" */
};

/* The argv (NULL-terminated, caller frees with strv_free). */
int jailer_argv(const struct jailer_opts *o, char ***ret);

#define API_SOCK "/run/firecracker.socket" /* Firecracker's API, in the jail's run/ */

struct run_opts;
/* The jailer's argv for a run of o: VM uid (and gid) uid, in network namespace netns (NULL:
 * none), cgroup version cgroup_version; Firecracker gets its API socket, or with --config-file its
 * configuration file and no API. What run and --dry-run both print and run. */
int jailer_argv_for(const struct run_opts *o, uid_t uid, const char *netns, int cgroup_version, char ***ret);
/* The memory limit of a Firecracker VM's cgroup: its guest's memory and 64 MiB for the VMM. */
uint64_t jail_mem_limit(unsigned mem_mib);

struct stage_opts {
        const char *chroot;               /* <base>/firecracker/<id>/root */
        const char *kernel;               /* NULL: none (a restore needs none) */
        unsigned long long snapshot_size; /* the snapshot tmpfs's size (where Firecracker writes a
                                           * snapshot, or a restore's state is opened); 0: none */
        const char *rootfs;
        const char *home;             /* template, or NULL */
        unsigned long long home_size; /* no template: an empty disk/ tmpfs of this size (a restore
                                       * fills it); 0: none */
        unsigned long long root_size; /* Firecracker: the root is a tmpfs this large, since its
                                       * jailer gives the root to the VM's uid (the kernel and the
                                       * rootfs bind-mounted in, read-only); 0: a directory,
                                       * root's and read-only to the VMM */
        uid_t uid;
        gid_t gid;
};

/* Build the chroot's contents. -errno with *ret_error naming the file; -EEXIST when
 * <base>/<backend>/<id> is there already (not made by this call: never to be removed by its undo). */
int jail_stage(const struct stage_opts *o, char **ret_error);
/* Undo jail_stage and whatever the jailer added: unmount run/, disk/, snapshot/, the bound inputs
 * and the root's tmpfs, and remove
 * <base>/<backend>/<id>, never following anything the VMM left (jailfs). Idempotent. */
int jail_unstage(const char *chroot);

/* Before exec: speculative store bypass and indirect branch speculation force-disabled for this
 * process and everything it execs (PR_SET_SPECULATION_CTRL), where the CPU and kernel allow
 * per-task control. *ret_uncontrolled (may be NULL) names what cannot be controlled here (the
 * audit's cpu.vuln.* checks say why); -errno when the kernel refuses a control it offers. */
int speculation_force_disable(char **ret_uncontrolled);
/* What speculation_force_disable() would leave uncontrolled, without changing anything. */
int speculation_uncontrolled(char **ret);

/* <base>/<backend>/<id>/root */
char *vm_chroot(const char *base, const char *backend, const char *id);
/* Run the jailer argv (jailer_argv_for), which daemonizes: dying with sis-launch until then, with
 * speculation force-disabled (inherited by the VMM). Its exit status, 128+signal, or -errno. */
int jailer_exec(char *const argv[]);
/* The daemonized Firecracker: the pid the jailer wrote into the (root's) jail root, believed only
 * when that process is in the VM's cgroup firecracker/<id> and runs as uid; -ESRCH. *ret_written:
 * the pid written (0: none), for the error. */
pid_t jailed_vmm_pid(const char *chroot, const char *id, uid_t uid, uint32_t *ret_written);
