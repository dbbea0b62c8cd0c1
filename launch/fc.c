/* SPDX-License-Identifier: MIT */
#include "fc.h"

#include <arpa/inet.h>

#include "util.h"

static int add(struct fc_plan *p, const char *method, const char *path, json_object *body, const char *key,
               bool array) {
        struct fc_request *r = reallocarray(p->r, p->n + 1, sizeof(*r));
        if (!r) {
                json_object_put(body);
                return -ENOMEM;
        }
        p->r = r;
        r[p->n] = (struct fc_request) {
                .method = method, .path = strdup(path), .body = body, .config_key = key, .config_array = array
        };
        if (!r[p->n].path) {
                json_object_put(body);
                return -ENOMEM;
        }
        p->n++;
        return 0;
}

static json_object *obj(void) {
        return json_object_new_object();
}

static void set_str(json_object *o, const char *k, const char *v) {
        json_object_object_add(o, k, json_object_new_string(v));
}

static void set_bool(json_object *o, const char *k, bool v) {
        json_object_object_add(o, k, json_object_new_boolean(v));
}

static void set_int(json_object *o, const char *k, int64_t v) {
        json_object_object_add(o, k, json_object_new_int64(v));
}

static json_object *drive(const char *id, const char *path, bool root, bool ro, const struct vm_limits *l) {
        json_object *rl = l ? limits_fc_disk(l, false) : NULL;
        json_object *d = obj();
        set_str(d, "drive_id", id);
        set_str(d, "path_on_host", path);
        set_bool(d, "is_root_device", root);
        set_bool(d, "is_read_only", ro);
        set_str(d, "cache_type", "Unsafe");
        set_str(d, "io_engine", "Sync");
        if (rl)
                json_object_object_add(d, "rate_limiter", rl);
        return d;
}

int fc_plan_boot(const struct fc_vm *vm, struct fc_plan *ret) {
        struct fc_plan p = {};
        json_object *o;
        int k = 0;

        *ret = p;
        if (vm->log_path) {
                o = obj();
                set_str(o, "log_path", vm->log_path);
                set_str(o, "level", "Info");
                set_bool(o, "show_level", true);
                set_bool(o, "show_log_origin", false);
                k = add(&p, "PUT", "/logger", o, "logger", false);
        }
        if (k >= 0 && vm->metrics_path) {
                o = obj();
                set_str(o, "metrics_path", vm->metrics_path);
                k = add(&p, "PUT", "/metrics", o, "metrics", false);
        }
        if (k >= 0) {
                o = obj();
                set_int(o, "vcpu_count", vm->vcpus);
                set_int(o, "mem_size_mib", vm->mem_mib);
                set_bool(o, "smt", false);
                set_bool(o, "track_dirty_pages", false);
                k = add(&p, "PUT", "/machine-config", o, "machine-config", false);
        }
        if (k >= 0) {
                o = obj();
                set_str(o, "kernel_image_path", vm->kernel);
                set_str(o, "boot_args", vm->boot_args);
                k = add(&p, "PUT", "/boot-source", o, "boot-source", false);
        }
        if (k >= 0)
                k = add(&p, "PUT", "/drives/rootfs", drive("rootfs", vm->rootfs, !vm->verity, true, vm->limits),
                        "drives", true);
        if (k >= 0 && vm->home)
                k = add(&p, "PUT", "/drives/home", drive("home", vm->home, false, false, vm->limits), "drives", true);
        if (k >= 0 && vm->tap) {
                o = obj();
                set_str(o, "iface_id", "eth0");
                set_str(o, "host_dev_name", vm->tap);
                if (vm->guest_mac)
                        set_str(o, "guest_mac", vm->guest_mac);
                /* the kernel's tbf on tap0 and uplink0 holds the same rate whatever the VMM does;
                 * this one pushes back on the guest's queues first */
                if (vm->limits && vm->limits->net_mbit) {
                        json_object_object_add(o, "rx_rate_limiter", limits_fc_net(vm->limits, false));
                        json_object_object_add(o, "tx_rate_limiter", limits_fc_net(vm->limits, false));
                }
                k = add(&p, "PUT", "/network-interfaces/eth0", o, "network-interfaces", true);
        }
        if (k >= 0) {
                /* virtio-rng, rate-limited: 1 MiB/s of entropy is plenty, and bounded */
                json_object *rl = obj(), *bw = obj();
                o = obj();
                set_int(bw, "size", 1 << 20);
                set_int(bw, "refill_time", 1000);
                json_object_object_add(rl, "bandwidth", bw);
                json_object_object_add(o, "rate_limiter", rl);
                k = add(&p, "PUT", "/entropy", o, "entropy", false);
        }
        if (k >= 0 && vm->vsock_cid >= 3 && vm->vsock_uds) {
                o = obj();
                set_int(o, "guest_cid", vm->vsock_cid);
                set_str(o, "uds_path", vm->vsock_uds);
                k = add(&p, "PUT", "/vsock", o, "vsock", false);
        }
        if (k >= 0) {
                o = obj();
                set_str(o, "action_type", "InstanceStart");
                k = add(&p, "PUT", "/actions", o, NULL, false);
        }
        if (k < 0) {
                fc_plan_done(&p);
                return k;
        }
        *ret = p;
        return 0;
}

int fc_plan_load(const char *log_path, const char *metrics_path, bool clock_realtime, const struct vm_limits *lim,
                 bool home, bool net, struct fc_plan *ret) {
        struct fc_plan p = {};
        json_object *o, *mb;
        static const struct vm_limits none = {};
        int k = 0;

        /* the snapshot's own rate limiters are replaced, every bucket, whatever the restore's
         * limits are (none: all off): what runs is what the state records */
        if (!lim)
                lim = &none;

        *ret = p;
        if (log_path) {
                o = obj();
                set_str(o, "log_path", log_path);
                set_str(o, "level", "Info");
                k = add(&p, "PUT", "/logger", o, "logger", false);
        }
        if (k >= 0 && metrics_path) {
                o = obj();
                set_str(o, "metrics_path", metrics_path);
                k = add(&p, "PUT", "/metrics", o, "metrics", false);
        }
        if (k >= 0) {
                o = obj();
                mb = obj();
                set_str(o, "snapshot_path", "/snapshot/vmstate");
                set_str(mb, "backend_type", "File");
                set_str(mb, "backend_path", "/snapshot/mem");
                json_object_object_add(o, "mem_backend", mb);
                /* the rate limiters are replaced before the guest runs again */
                set_bool(o, "resume_vm", false);
                if (clock_realtime)
                        set_bool(o, "clock_realtime", true);
                k = add(&p, "PUT", "/snapshot/load", o, NULL, false);
        }
        for (int i = 0; k >= 0 && i < (home ? 2 : 1); i++) {
                o = obj();
                set_str(o, "drive_id", i == 0 ? "rootfs" : "home");
                json_object_object_add(o, "rate_limiter", limits_fc_disk(lim, true));
                k = add(&p, "PATCH", i == 0 ? "/drives/rootfs" : "/drives/home", o, NULL, false);
        }
        if (net && k >= 0) {
                o = obj();
                set_str(o, "iface_id", "eth0");
                json_object_object_add(o, "rx_rate_limiter", limits_fc_net(lim, true));
                json_object_object_add(o, "tx_rate_limiter", limits_fc_net(lim, true));
                k = add(&p, "PATCH", "/network-interfaces/eth0", o, NULL, false);
        }
        if (k >= 0) {
                o = obj();
                set_str(o, "state", "Resumed");
                k = add(&p, "PATCH", "/vm", o, NULL, false);
        }
        if (k < 0) {
                fc_plan_done(&p);
                return k;
        }
        *ret = p;
        return 0;
}

int fc_plan_snapshot(struct fc_plan *ret) {
        struct fc_plan p = {};
        json_object *o = obj();
        int k;

        set_str(o, "state", "Paused");
        k = add(&p, "PATCH", "/vm", o, NULL, false);
        if (k >= 0) {
                o = obj();
                set_str(o, "snapshot_type", "Full");
                set_str(o, "snapshot_path", "/snapshot/vmstate");
                set_str(o, "mem_file_path", "/snapshot/mem");
                k = add(&p, "PUT", "/snapshot/create", o, NULL, false);
        }
        if (k < 0) {
                fc_plan_done(&p);
                return k;
        }
        *ret = p;
        return 0;
}

json_object *fc_config_file(const struct fc_plan *p) {
        json_object *doc = obj();

        for (size_t i = 0; i < p->n; i++) {
                const struct fc_request *r = &p->r[i];
                json_object *arr;
                if (!r->config_key || !r->body)
                        continue;
                if (!r->config_array) {
                        json_object_object_add(doc, r->config_key, json_object_get(r->body));
                        continue;
                }
                if (!json_object_object_get_ex(doc, r->config_key, &arr)) {
                        arr = json_object_new_array();
                        json_object_object_add(doc, r->config_key, arr);
                }
                json_object_array_add(arr, json_object_get(r->body));
        }
        return doc;
}

void fc_plan_done(struct fc_plan *p) {
        for (size_t i = 0; i < p->n; i++) {
                free(p->r[i].path);
                json_object_put(p->r[i].body);
        }
        free(p->r);
        *p = (struct fc_plan) {};
}

char *fc_boot_args(bool console, bool qemu, const char *verity_table, const char *guest_ip, const char *host_ip,
                   const char *netmask) {
        /* Firecracker appends root=/dev/vda ro (the rootfs drive is read-only) and pci=off, and
         * ends the VM when the guest resets the i8042 (reboot=k). QEMU's microvm has no i8042:
         * the guest resets by triple fault (reboot=t), which -no-reboot turns into an exit, and
         * the root device is ours to name. No serial console unless asked: 8250.nr_uarts=0
         * removes the port altogether. With verity, the root is device-mapper's /dev/dm-0, made
         * by dm-init from the table before the root is mounted (no initramfs; it waits for the
         * disk to be probed), over /dev/vda
         * (the first drive: Firecracker's rootfs drive is then not its root device, so that it
         * adds no root= of its own). */
        const char *con = console ? "console=ttyS0" : "8250.nr_uarts=0";
        _cleanup_free_ char *vroot = verity_table
                ? strdup_printf("root=/dev/dm-0 ro dm-mod.create=\"%s\" dm-mod.waitfor=/dev/vda %s", verity_table,
                                qemu ? "reboot=t" : "reboot=k")
                : NULL;
        const char *machine = vroot ? vroot : qemu ? "root=/dev/vda ro reboot=t" : "reboot=k";
        if (verity_table && !vroot)
                return NULL;
        if (guest_ip)
                return strdup_printf(
                        "%s %s panic=1 i8042.noaux i8042.nomux i8042.dumbkbd swiotlb=noforce "
                        "random.trust_cpu=on ip=%s::%s:%s::eth0:off",
                        con, machine, guest_ip, host_ip, netmask);
        return strdup_printf("%s %s panic=1 i8042.noaux i8042.nomux i8042.dumbkbd swiotlb=noforce random.trust_cpu=on",
                             con, machine);
}

void fc_mac_for(const char *ipv4, char out[18]) {
        struct in_addr a = {};
        unsigned char *b = (unsigned char *) &a.s_addr;

        (void) inet_pton(AF_INET, ipv4, &a);
        snprintf(out, 18, "06:00:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3]);
}
