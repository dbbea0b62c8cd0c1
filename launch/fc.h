/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * What sis-launch asks of Firecracker, as data: the ordered list of API requests that configure
 * and start one VM. The API mode sends them over the socket; --config-file mode writes the same
 * bodies into one JSON file. Paths are jail-relative (the VMM sees only its chroot).
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "vmlimits.h"

struct fc_vm {
        const char *id;
        unsigned vcpus;
        unsigned mem_mib;
        const char *kernel; /* "/vmlinux" */
        const char *rootfs; /* "/rootfs.ext4": read-only root */
        const char *home;   /* "/home.ext4": read-write, or NULL */
        const char *boot_args;
        const char *tap; /* host_dev_name, or NULL: no network */
        const char *guest_mac;
        const char *log_path;     /* "/logger.fifo", or NULL */
        const char *metrics_path; /* "/metrics.fifo", or NULL */
        unsigned vsock_cid;       /* 0: no vsock */
        const char *vsock_uds;
        const struct vm_limits *limits; /* rate limiters of the drives and the interface; NULL: none */
        bool verity;                    /* the root is dm-verity's /dev/dm-0 (boot_args say so): the
                                         * rootfs drive is not Firecracker's root device */
};

struct fc_request {
        const char *method;     /* "PUT", "PATCH", "GET" */
        char *path;             /* "/drives/rootfs" */
        json_object *body;      /* NULL for GET */
        const char *config_key; /* its key in a --config-file, NULL when none */
        bool config_array;      /* drives, network-interfaces: arrays there */
};

struct fc_plan {
        struct fc_request *r;
        size_t n;
};

/* The requests that configure the VM, then InstanceStart. */
int fc_plan_boot(const struct fc_vm *vm, struct fc_plan *ret);
/* A restore: logger and metrics (the only configuration allowed before a load), then the load of
 * /snapshot/vmstate with /snapshot/mem, resumed. */
/* clock_realtime: Firecracker advances the guest's kvmclock by the wall-clock time since the
 * snapshot (KVM_CLOCK_REALTIME; host Linux >= 5.16), so that a restored guest's clock is not where
 * it stopped. */
/* The snapshot is loaded paused; the rate limiters of its drives (rootfs, and home when it has one)
 * and of eth0 (with net) are replaced by lim's with PATCH, every bucket (lim NULL or without a
 * limit: all off), so that what runs is what the VM's state records; then the VM is resumed. */
int fc_plan_load(const char *log_path, const char *metrics_path, bool clock_realtime, const struct vm_limits *lim,
                 bool home, bool net, struct fc_plan *ret);
/* A snapshot: pause, then a full snapshot into /snapshot. */
int fc_plan_snapshot(struct fc_plan *ret);

/* The --config-file document made of the same bodies (everything but the action). */
json_object *fc_config_file(const struct fc_plan *p);
void fc_plan_done(struct fc_plan *p);

/* The kernel command line for a VM: console, reboot and panic behaviour, the network from ip=;
 * qemu: the root device and a reboot QEMU's microvm turns into an exit. */
/* verity_table: NULL, or the dm-mod.create= table of the root (verity_dm_create): the guest then
 * mounts /dev/dm-0, checked block by block, and not /dev/vda. */
char *fc_boot_args(bool console, bool qemu, const char *verity_table, const char *guest_ip, const char *host_ip,
                   const char *netmask);
/* A locally administered MAC from the VM's address: 06:00:AC:10:00:02 for 172.16.0.2. */
void fc_mac_for(const char *ipv4, char out[18]);
