/* SPDX-License-Identifier: MIT */
#pragma once
/* What `sis-launch run` (and restore) is asked for: the options main.c parses, once. */
#include <stdbool.h>
#include <sys/types.h>

#include "vmlimits.h"

/* --backend, --accel, --net: parsed once from their names; the names are what state.json, the
 * registry and the output say. */
enum vm_backend { BACKEND_FIRECRACKER, BACKEND_QEMU };
enum vm_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum vm_netmode { NETMODE_DEFAULT, NETMODE_NONE };
const char *backend_name(enum vm_backend b);
const char *accel_name(enum vm_accel a);
const char *netmode_name(enum vm_netmode n);
/* The value named s: >= 0, or -EINVAL. */
int backend_from_name(const char *s);
int accel_from_name(const char *s);
int netmode_from_name(const char *s);

struct run_opts {
        const char *id;
        const char *kernel, *rootfs, *home;
        unsigned vcpus, mem_mib;
        const char *policy;
        enum vm_netmode net;  /* default: a network namespace, TAP, NAT; none */
        const char *net_pool; /* the pool of /30s for the veth links */
        const char *uplink;   /* NULL: the default route's interface */
        char **allow, **deny; /* per-VM IPv4 CIDRs */
        bool dry_run;
        bool no_image_hash;      /* the rootfs is not hashed against its manifest before the
                                  * start (its dm-verity tree still guards every read) */
        bool config_file;        /* --config-file --no-api instead of the API */
        bool console;            /* a serial console in the guest (debug) */
        enum vm_backend backend; /* firecracker (under its jailer) or qemu (sis's jail) */
        const char *qemu;        /* the QEMU binary */
        enum vm_accel accel;     /* qemu: kvm, tcg or auto (KVM when the audit's
                                  * kvm.device, kvm.access and kvm.api pass) */
        const char *jailer, *firecracker, *chroot_base, *run_dir;
        uid_t uid_min, uid_max;
        long api_timeout_ms;
        unsigned watchdog_s;     /* API check interval; 0: no watchdog */
        unsigned vsock_cid;      /* 0: no vsock device */
        struct vm_limits limits; /* the host's defaults (launch.conf), then the options */
};
