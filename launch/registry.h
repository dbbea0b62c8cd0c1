/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * What sis-launch owns on this host, in one place, whatever --run-dir says:
 *
 *   /run/sis/registry/             0700 root (a tmpfs: it starts empty at boot, like the VMs)
 *       lock                        flock()ed for every change
 *       <id>.json                   one VM, written whole (temp file, fsync, rename) under the lock
 *
 * An entry is made before anything of its VM exists and removed after everything is gone. The
 * host-wide names are derived from the entry: the VM's name is unique on the host, and so are
 * its network namespace sis-<id>, its nftables table sis-<id>, its cgroups <backend>/<id> and its
 * jail <chroot_base>/<backend>/<id>; the uid and the /30 slot (host interface sisv<slot>) are
 * unique across entries. `made` records each host object BEFORE it is created, and every
 * creation is exclusive (an object that was there before fails the step and its bit is cleared),
 * so an undo removes only what was made for this VM, never something that existed before.
 *
 * Everything here is root's and trusted; the VMM's jail and the VM's run directory are not read
 * to decide what to remove or whom to signal.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define REGISTRY_DIR "/run/sis/registry"

enum {
        REG_RUNDIR = 1 << 0, /* <run_dir>/vms/<id> */
        REG_JAIL = 1 << 1,   /* <chroot_base>/<backend>/<id> */
        REG_CGROUP = 1 << 2, /* <hierarchy>/<backend>/<id> */
        REG_NET = 1 << 3,    /* netns sis-<id>, veth sisv<slot>, table ip sis-<id> */
};

struct reg_vm {
        char id[65];
        char backend[16]; /* "firecracker", "qemu" */
        char *run_dir, *chroot_base;
        uint32_t uid;
        int slot;           /* -1: no network */
        uint32_t net_base;  /* the slot's /30, host order */
        unsigned made;      /* REG_* */
        pid_t vmm, monitor; /* 0: none yet */
        unsigned long long vmm_start, monitor_start;
        char *snapshot_tmp; /* a snapshot being written (<out>.tmp.XXXXXX): a killed one's is
                             * removed by clean; NULL: none */
};

struct reg_claim {
        const char *id, *backend, *run_dir, *chroot_base;
        uint32_t uid_min, uid_max;
        const char *net_pool; /* NULL: no network */
};

/* Take the VM's name, a uid no other entry (and no running process) has, and with a pool a /30
 * that overlaps no other entry's: the entry is written before this returns. -EEXIST when the name
 * is taken (*ret_error says by what run dir), -EUSERS when no uid or slot is left. */
int reg_claim(const struct reg_claim *c, struct reg_vm *ret, char **ret_error);
/* Rewrite the entry (under the lock), only while it is this claim's: -ENOENT once it is dropped
 * (a clean ran: nothing may bring its uid and slot back), -ESTALE when the name was claimed again. */
int reg_save(const struct reg_vm *vm);
/* Change the entry of id in one hold of the lock: read, fn(entry, ud), written when fn returns >= 0
 * (a field another command changed meanwhile is kept, not written over with what it was). fn's
 * -errno, -ENOENT when there is no entry. */
int reg_update(const char *id, int (*fn)(struct reg_vm *vm, void *ud), void *ud);
/* Record a host object about to be made (made |= bit), durably, before it is made. */
int reg_mark(struct reg_vm *vm, unsigned bit);
int reg_unmark(struct reg_vm *vm, unsigned bit);
/* The entry of id; -ENOENT when none. */
int reg_load(const char *id, struct reg_vm *ret);
/* Remove the entry: the uid and slot are free again. */
int reg_drop(const char *id);
/* The names of every entry, sorted. */
int reg_list(char ***ret);
void reg_vm_done(struct reg_vm *vm);
/* Tests only: keep the registry in dir instead (NULL: back to REGISTRY_DIR). */
void reg_use_dir(const char *dir);

/* A directory root may keep its state in, or its jails or ledger: it and every parent are
 * directories owned by root and not writable by group or others (a root-owned sticky directory
 * such as /tmp is allowed as a parent), and no symlink on the way belongs to anyone but root.
 * Components that do not exist yet are fine where nobody else can make them first (root makes them
 * later): not in a directory others can write to, a sticky one included. 0, or
 * -EPERM with *ret_error naming the path and why, e.g. "/tmp/x is writable by others (mode 0777)". */
int dir_trusted(const char *path, char **ret_error);
