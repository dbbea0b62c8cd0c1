/* SPDX-License-Identifier: MIT */
/*
 * vms/<id>/state.json, one VM's record: written by the start (run, restore) as it goes and by the
 * monitor once its watchdog kills, read by the monitor, list, metrics and snapshot. The schema, in
 * the order the keys are written (all optional on reading: a missing or mistyped member is absent):
 *
 *   restored_from        string   restore: the snapshot directory
 *   snapshot_id          string   restore: the snapshot's id
 *   boot_args            string   the guest's kernel command line (run; restore of QEMU)
 *   guest_kernel         string   "Linux version ..." found in the kernel, or null
 *   qemu_version |
 *   firecracker_version  string   the VMM's `--version` first line, or null (the key by backend)
 *   accel_warning        string   --accel auto chose TCG: why
 *   images               object   run: { "kernel": IMAGE, "rootfs": IMAGE }, IMAGE being
 *                                 { "sha256", "signer", "verity_root_hash" }, each when known
 *   net                  object   when the VM has a network: slot (int), ns_path, host_if, host_ip,
 *                                 vm_ip, guest_ip (strings), allow, deny (arrays of CIDRs), uplink
 *                                 (string, once the network is up)
 *   id, backend          string   the VM's name; "firecracker" or "qemu"
 *   uid, gid             int      the leased id the VMM runs as (gid = uid)
 *   chroot_base, chroot  string   --chroot-base; the VM's jail root
 *   api_socket           string   Firecracker's API socket, jail-relative ("" without one)
 *   qmp_socket, accel    string   QEMU: its QMP socket, jail-relative; "kvm" or "tcg"
 *   watchdog_s           int      the monitor's interval (0: none)
 *   kernel, rootfs, home string   the images started (home when given)
 *   vcpus, mem_mib       int
 *   limits               object   the VM's limits (launch/vmlimits.h: limits_to_json)
 *   cgroup_version       int      1 or 2
 *   vmm_argv |
 *   jailer_argv          string   QEMU's or the jailer's command line, one shell line
 *   audit                object   report_sha256, profile (strings), policy, policy_sha256 (or null)
 *   created              int      seconds since the epoch
 *   speculation_uncontrolled string   what the host cannot force off for the VMM
 *   jail_setup_ms        number   the jail's setup time
 *   pid, pid_starttime   int      the VMM, once started
 *   watchdog             string   the monitor killed the VMM: why
 *   watchdog_killed_at   int      ... and when
 */
#include "state.h"

#include <errno.h>

#include "fileio.h"
#include "json.h"
#include "util.h"

char *vm_dir(const char *run_dir, const char *id) {
        return strdup_printf("%s/vms/%s", run_dir, id);
}

static void put_str(json_object *o, const char *key, const char *v) {
        if (v)
                json_object_object_add(o, key, json_object_new_string(v));
}

static void put_str_or_null(json_object *o, const char *key, const char *v) {
        json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static json_object *strv_json(char *const *l) {
        json_object *a = json_object_new_array();
        for (char *const *p = l; p && *p; p++)
                json_object_array_add(a, json_object_new_string(*p));
        return a;
}

static json_object *image_json(const struct vm_state_image *im) {
        json_object *o = json_object_new_object();
        put_str(o, "sha256", im->sha256);
        put_str(o, "signer", im->signer);
        put_str(o, "verity_root_hash", im->verity_root_hash);
        return o;
}

static json_object *net_json(const struct vm_state *st) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "slot", json_object_new_int((int) st->net.slot));
        put_str(o, "ns_path", st->net.ns_path);
        put_str(o, "host_if", st->net.host_if);
        put_str(o, "host_ip", st->net.host_ip);
        put_str(o, "vm_ip", st->net.vm_ip);
        put_str(o, "guest_ip", st->net.guest_ip);
        json_object_object_add(o, "allow", strv_json(st->net.allow));
        json_object_object_add(o, "deny", strv_json(st->net.deny));
        put_str(o, "uplink", st->net.uplink);
        return o;
}

static json_object *state_json(const struct vm_state *st) {
        bool qemu = streq_ptr(st->backend, "qemu");
        json_object *o = json_object_new_object(), *a;

        put_str(o, "restored_from", st->restored_from);
        put_str(o, "snapshot_id", st->snapshot_id);
        put_str(o, "boot_args", st->boot_args);
        put_str_or_null(o, "guest_kernel", st->guest_kernel);
        put_str_or_null(o, qemu ? "qemu_version" : "firecracker_version", st->vmm_version);
        put_str(o, "accel_warning", st->accel_warning);
        if (st->has_images) {
                json_object *im = json_object_new_object();
                json_object_object_add(im, "kernel", image_json(&st->kernel_image));
                json_object_object_add(im, "rootfs", image_json(&st->rootfs_image));
                json_object_object_add(o, "images", im);
        }
        if (st->has_net)
                json_object_object_add(o, "net", net_json(st));
        put_str(o, "id", st->id);
        put_str(o, "backend", st->backend);
        json_object_object_add(o, "uid", json_object_new_int((int) st->uid));
        json_object_object_add(o, "gid", json_object_new_int((int) st->gid));
        put_str(o, "chroot_base", st->chroot_base);
        put_str(o, "chroot", st->chroot);
        put_str(o, "api_socket", st->api_socket);
        put_str(o, "qmp_socket", st->qmp_socket);
        put_str(o, "accel", st->accel);
        json_object_object_add(o, "watchdog_s", json_object_new_int((int) st->watchdog_s));
        put_str(o, "kernel", st->kernel);
        put_str(o, "rootfs", st->rootfs);
        put_str(o, "home", st->home);
        json_object_object_add(o, "vcpus", json_object_new_int((int) st->vcpus));
        json_object_object_add(o, "mem_mib", json_object_new_int((int) st->mem_mib));
        json_object_object_add(o, "limits", limits_to_json(&st->limits));
        json_object_object_add(o, "cgroup_version", json_object_new_int(st->cgroup_version));
        put_str(o, qemu ? "vmm_argv" : "jailer_argv", st->argv);
        a = json_object_new_object();
        put_str(a, "report_sha256", st->audit.report_sha256);
        put_str(a, "profile", st->audit.profile);
        put_str_or_null(a, "policy", st->audit.policy);
        put_str_or_null(a, "policy_sha256", st->audit.policy_sha256);
        json_object_object_add(o, "audit", a);
        if (st->has_created)
                json_object_object_add(o, "created", json_object_new_int64(st->created));
        put_str(o, "speculation_uncontrolled", st->speculation_uncontrolled);
        if (st->jail_setup_ms >= 0)
                json_object_object_add(o, "jail_setup_ms", json_object_new_double(st->jail_setup_ms));
        if (st->pid > 0) {
                json_object_object_add(o, "pid", json_object_new_int((int) st->pid));
                json_object_object_add(o, "pid_starttime", json_object_new_int64(st->pid_starttime));
        }
        if (st->watchdog) {
                json_object_object_add(o, "watchdog", json_object_new_string(st->watchdog));
                json_object_object_add(o, "watchdog_killed_at", json_object_new_int64(st->watchdog_killed_at));
        }
        return o;
}

int vm_state_save(const char *run_dir, const char *id, const struct vm_state *st) {
        _cleanup_free_ char *p = strdup_printf("%s/vms/%s/state.json", run_dir, id), *text = NULL;
        json_object *o;

        if (!p || !(o = state_json(st)))
                return -ENOMEM;
        text = json_text(o);
        json_object_put(o);
        return text ? write_file_atomic(p, text, strlen(text), 0600) : -ENOMEM;
}

static json_object *member(json_object *o, const char *key, json_type type) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v = member(o, key, json_type_string);
        return v ? json_object_get_string(v) : NULL;
}

static int64_t get_int(json_object *o, const char *key) {
        json_object *v = member(o, key, json_type_int);
        return v ? json_object_get_int64(v) : 0;
}

static char **get_strv(json_object *o, const char *key) {
        json_object *a = member(o, key, json_type_array);
        char **l = NULL;
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (json_object_is_type(e, json_type_string) && strv_extend(&l, json_object_get_string(e)) < 0)
                        break;
        }
        return l;
}

static void get_image(json_object *o, const char *key, struct vm_state_image *im) {
        json_object *x = member(o, key, json_type_object);
        *im = (struct vm_state_image) { .sha256 = get_str(x, "sha256"),
                                        .signer = get_str(x, "signer"),
                                        .verity_root_hash = get_str(x, "verity_root_hash") };
}

int vm_state_from_json(json_object *o, struct vm_state *st) {
        bool qemu;
        json_object *x;

        *st = (struct vm_state) VM_STATE_INIT;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        st->json = json_object_get(o);
        st->restored_from = get_str(o, "restored_from");
        st->snapshot_id = get_str(o, "snapshot_id");
        st->boot_args = get_str(o, "boot_args");
        st->guest_kernel = get_str(o, "guest_kernel");
        st->backend = get_str(o, "backend");
        qemu = streq_ptr(st->backend, "qemu");
        st->vmm_version = get_str(o, qemu ? "qemu_version" : "firecracker_version");
        st->accel_warning = get_str(o, "accel_warning");
        if ((x = member(o, "images", json_type_object))) {
                st->has_images = true;
                get_image(x, "kernel", &st->kernel_image);
                get_image(x, "rootfs", &st->rootfs_image);
        }
        if ((x = member(o, "net", json_type_object))) {
                st->has_net = true;
                st->net.slot = (unsigned) get_int(x, "slot");
                st->net.ns_path = get_str(x, "ns_path");
                st->net.host_if = get_str(x, "host_if");
                st->net.host_ip = get_str(x, "host_ip");
                st->net.vm_ip = get_str(x, "vm_ip");
                st->net.guest_ip = get_str(x, "guest_ip");
                st->net.allow = st->net.allow_owned = get_strv(x, "allow");
                st->net.deny = st->net.deny_owned = get_strv(x, "deny");
                st->net.uplink = get_str(x, "uplink");
        }
        st->id = get_str(o, "id");
        st->uid = (unsigned) get_int(o, "uid");
        st->gid = (unsigned) get_int(o, "gid");
        st->chroot_base = get_str(o, "chroot_base");
        st->chroot = get_str(o, "chroot");
        st->api_socket = get_str(o, "api_socket");
        st->qmp_socket = get_str(o, "qmp_socket");
        st->accel = get_str(o, "accel");
        st->watchdog_s = (unsigned) get_int(o, "watchdog_s");
        st->kernel = get_str(o, "kernel");
        st->rootfs = get_str(o, "rootfs");
        st->home = get_str(o, "home");
        st->vcpus = (unsigned) get_int(o, "vcpus");
        st->mem_mib = (unsigned) get_int(o, "mem_mib");
        if ((x = member(o, "limits", json_type_object)))
                limits_from_json(x, &st->limits);
        st->cgroup_version = (int) get_int(o, "cgroup_version");
        st->argv = get_str(o, qemu ? "vmm_argv" : "jailer_argv");
        if ((x = member(o, "audit", json_type_object))) {
                st->audit.report_sha256 = get_str(x, "report_sha256");
                st->audit.profile = get_str(x, "profile");
                st->audit.policy = get_str(x, "policy");
                st->audit.policy_sha256 = get_str(x, "policy_sha256");
        }
        st->has_created = member(o, "created", json_type_int);
        st->created = get_int(o, "created");
        st->speculation_uncontrolled = get_str(o, "speculation_uncontrolled");
        if ((x = member(o, "jail_setup_ms", json_type_double)) || (x = member(o, "jail_setup_ms", json_type_int)))
                st->jail_setup_ms = json_object_get_double(x);
        st->pid = (pid_t) get_int(o, "pid");
        st->pid_starttime = get_int(o, "pid_starttime");
        st->watchdog = get_str(o, "watchdog");
        st->watchdog_killed_at = get_int(o, "watchdog_killed_at");
        return 0;
}

int vm_state_load(const char *run_dir, const char *id, struct vm_state *ret) {
        _cleanup_free_ char *p = strdup_printf("%s/vms/%s/state.json", run_dir, id), *text = NULL;
        json_object *o;
        int k;

        *ret = (struct vm_state) VM_STATE_INIT;
        if (!p)
                return -ENOMEM;
        k = read_file_capped(p, 1 << 20, &text, NULL);
        if (k < 0)
                return k;
        o = json_tokener_parse(text);
        if (!o)
                return -EBADMSG;
        k = vm_state_from_json(o, ret);
        json_object_put(o);
        return k;
}

void vm_state_done(struct vm_state *st) {
        json_object_put(st->json);
        strv_free(st->net.allow_owned);
        strv_free(st->net.deny_owned);
        *st = (struct vm_state) VM_STATE_INIT;
}
