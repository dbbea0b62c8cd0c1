/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis-launch's state under the run directory (default /run/sis, a tmpfs: it starts empty at boot,
 * like the VMs):
 *
 *   vms/<id>/state.json        what was started, how, and on what evidence (written atomically)
 *   vms/<id>/audit.json        the gate's report
 *   vms/<id>/<vmm>.log         the VMM's log, the guest's serial, metrics (the monitor's)
 *
 * What is host-wide (the name, the uid, the network slot, and what was made for the VM) is not
 * here but in the registry (launch/registry.h): the run directory is informational.
 *
 * state.json is read and written only as a struct vm_state (its keys: launch/state.c).
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmlimits.h"

/* An image's evidence: NULL members are not recorded (hashing off, unsigned, no dm-verity). */
struct vm_state_image {
        const char *sha256, *signer, *verity_root_hash;
};

/* The strings are borrowed: from the writer's own memory while it fills one in, from the parsed
 * file (json, released by vm_state_done) once loaded. NULL: the key is not written (except where
 * state.c says it is written as null). */
struct vm_state {
        json_object *json; /* what vm_state_load parsed, owning the strings; NULL when built */
        /* where it comes from: a restore's snapshot, or (run) the boot command line and images */
        const char *restored_from, *snapshot_id;
        const char *boot_args;
        const char *guest_kernel;
        const char *vmm_version; /* "qemu_version" or "firecracker_version", by backend */
        const char *accel_warning;
        bool has_images;
        struct vm_state_image kernel_image, rootfs_image;
        /* its network (has_net), as net_up made it */
        bool has_net;
        struct {
                unsigned slot;
                const char *ns_path, *host_if, *host_ip, *vm_ip, *guest_ip;
                char *const *allow, *const *deny;
                char **allow_owned, **deny_owned; /* what vm_state_load read */
                const char *uplink;               /* NULL until the network is up */
        } net;
        /* the VM and its jail */
        const char *id, *backend;
        unsigned uid, gid;
        const char *chroot_base, *chroot;
        const char *api_socket, *qmp_socket; /* jail-relative */
        const char *accel;                   /* QEMU: "kvm" or "tcg" */
        unsigned watchdog_s;
        const char *kernel, *rootfs, *home;
        unsigned vcpus, mem_mib;
        struct vm_limits limits;
        int cgroup_version;
        const char *argv; /* "vmm_argv" (QEMU) or "jailer_argv", as one shell line */
        struct {
                const char *report_sha256, *profile, *policy, *policy_sha256;
        } audit;
        bool has_created;
        int64_t created;
        /* later, as the start goes on, and the monitor's */
        const char *speculation_uncontrolled;
        double jail_setup_ms; /* < 0: not recorded */
        pid_t pid;            /* 0: not yet */
        int64_t pid_starttime;
        const char *watchdog; /* why the watchdog killed the VMM */
        int64_t watchdog_killed_at;
};

#define VM_STATE_INIT \
        { .jail_setup_ms = -1 }

char *vm_dir(const char *run_dir, const char *id);
/* Write vms/<id>/state.json (atomically). 0 or -errno. */
int vm_state_save(const char *run_dir, const char *id, const struct vm_state *st);
/* Read vms/<id>/state.json: 0, -ENOENT (or another -errno), -EBADMSG when it is not JSON.
 * Members of the wrong type are taken as absent. */
int vm_state_load(const char *run_dir, const char *id, struct vm_state *ret);
/* The same from an object already parsed (takes a reference on it). */
int vm_state_from_json(json_object *o, struct vm_state *ret);
void vm_state_done(struct vm_state *st);
