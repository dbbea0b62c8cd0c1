/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "api.h"
#include "dump.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "hash.h"
#include "jail.h"
#include "json.h"
#include "lifecycle.h"
#include "net.h"
#include "policy.h"
#include "qemu.h"
#include "qmp.h"
#include "report.h"
#include "state.h"
#include "util.h"

#define META_FORMAT 1

int ledger_claim(const char *ledger, const char *key, const char *name, char **ret_holder) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", ledger, key),
                            *line = strdup_printf("%s %lld\n", name, (long long) time(NULL));
        _cleanup_close_ int dfd = -1;
        int fd;

        if (!p || !line)
                return -ENOMEM;
        if (mkdir_parents(ledger, 0700) < 0)
                return -errno;
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
                if (errno == EEXIST && ret_holder) {
                        /* the winner may still be writing its line: a short wait, then what is there */
                        for (int i = 0; i < 50; i++) {
                                free(*ret_holder);
                                *ret_holder = NULL;
                                if (read_file_capped(p, 256, ret_holder, NULL) >= 0 && **ret_holder)
                                        break;
                                usleep(2000);
                        }
                        if (*ret_holder)
                                strstrip(*ret_holder);
                }
                return errno == EEXIST ? -EEXIST : -errno;
        }
        /* the entry is the claim, whatever follows: make it durable before anything starts */
        if (write(fd, line, strlen(line)) != (ssize_t) strlen(line) || fsync(fd) < 0) {
                int e = errno ? -errno : -EIO;
                close(fd);
                return e;
        }
        close(fd);
        dfd = open(ledger, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return -errno;
        return 0;
}

/* "AuthenticAMD 25/1/1 AMD EPYC 7B13": vendor, family/model/stepping, name, from /proc/cpuinfo. */
static char *cpu_model(void) {
        _cleanup_free_ char *text = NULL;
        char vendor[64] = "?", family[16] = "?", model[16] = "?", stepping[16] = "?", name[128] = "?";

        if (read_file_capped("/proc/cpuinfo", 4 << 20, &text, NULL) < 0)
                return NULL;
        for (char *l = strtok(text, "\n"); l && *l; l = strtok(NULL, "\n")) {
                char *colon = strchr(l, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                strstrip(l);
                const char *v = strstrip(colon + 1);
                if (streq(l, "processor") && !streq(vendor, "?"))
                        break; /* the first CPU is enough */
                if (streq(l, "vendor_id"))
                        snprintf(vendor, sizeof(vendor), "%s", v);
                else if (streq(l, "cpu family"))
                        snprintf(family, sizeof(family), "%s", v);
                else if (streq(l, "model"))
                        snprintf(model, sizeof(model), "%s", v);
                else if (streq(l, "stepping"))
                        snprintf(stepping, sizeof(stepping), "%s", v);
                else if (streq(l, "model name"))
                        snprintf(name, sizeof(name), "%s", v);
        }
        return strdup_printf("%s %s/%s/%s %s", vendor, family, model, stepping, name);
}

/* KVM_GET_TSC_KHZ, as the audit found it (cpu.tsc_freq's evidence in the VM's audit report). */
static int64_t tsc_khz_from_audit(const char *audit_json) {
        json_object *r = json_tokener_parse(audit_json), *checks, *c, *id, *ev, *e, *path, *val;
        int64_t khz = 0;

        if (r && json_object_object_get_ex(r, "checks", &checks))
                for (size_t i = 0; i < json_object_array_length(checks); i++) {
                        c = json_object_array_get_idx(checks, i);
                        if (!json_object_object_get_ex(c, "id", &id) || !streq(json_object_get_string(id), "cpu.tsc_freq") ||
                            !json_object_object_get_ex(c, "evidence", &ev))
                                continue;
                        for (size_t j = 0; j < json_object_array_length(ev); j++) {
                                e = json_object_array_get_idx(ev, j);
                                if (json_object_object_get_ex(e, "path", &path) && streq(json_object_get_string(path), "KVM_GET_TSC_KHZ") &&
                                    json_object_object_get_ex(e, "value", &val))
                                        (void) safe_atoi64(json_object_get_string(val), &khz);
                        }
                }
        json_object_put(r);
        return khz;
}

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* key's string from the VM's state into the snapshot's meta (null when the state has none). */
static void copy_key(json_object *m, json_object *st, const char *key) {
        const char *v = jstr(st, key);
        json_object_object_add(m, key, v ? json_object_new_string(v) : NULL);
}

/* A file of the jail (which the VMM can write to: no symlink is followed) to a new file outside. */
static int copy_out(const char *chroot, const char *from, const char *to) {
        _cleanup_close_ int in = open_beneath(chroot, from, O_RDONLY, S_IFREG), out = -1;
        int k;

        if (in < 0)
                return in;
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        k = copy_fd_sparse(in, out);
        return k < 0 ? k : fsync(out) < 0 ? -errno : 0;
}

/* QEMU: pause, then the machine's whole state (memory included) as a migration stream into a
 * file opened here and handed over QMP (QEMU's sandbox may not open files itself). */
static int qemu_snapshot(const struct vm_peer *peer, const char *vmstate, long timeout_ms, char **ret_error) {
        _cleanup_close_ int fd = open(vmstate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        struct qmp *q = NULL;
        int k;

        if (fd < 0)
                k = set_error(ret_error, -errno, "%s: %s", vmstate, strerror(errno));
        else
                k = qmp_open(peer, timeout_ms, &q, ret_error);
        if (k >= 0)
                k = qmp_call(q, "stop", NULL, -1, NULL, ret_error);
        if (k >= 0)
                k = qmp_migrate_fd(q, "migrate", fd, ret_error);
        if (k >= 0) {
                _cleanup_free_ char *e = NULL;
                k = qmp_wait_migration(q, 600000, &e);
                if (k < 0)
                        k = set_error(ret_error, k, "QEMU could not write the snapshot: %s", strna(e));
        }
        if (k >= 0 && fsync(fd) < 0)
                k = set_error(ret_error, -errno, "%s: %s", vmstate, strerror(errno));
        qmp_close(q);
        return k;
}

int vm_snapshot(const char *run_dir, const char *id, const char *out, long timeout_ms) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.XXXXXX", out), *auditp = NULL, *audit = NULL, *cpu = cpu_model(),
                            *mj = NULL, *busy = NULL;
        json_object *st = NULL, *m = NULL;
        struct fc_plan plan = {};
        struct vm_view v;
        struct vm_peer peer;
        const char *chroot;
        char vh[SHA256_HEX];
        struct utsname u;
        int k, rc = 2;
        bool qemu;

        if (!vm_id_ok(id))
                return launch_fail(2, "'%s' is not a VM name", id);
        if (vm_view_load(id, &v) < 0)
                return launch_fail(2, "no VM named %s (sis-launch list)", id);
        /* whom root talks to: the registry's VMM of this VM, through its own jail, its peer checked */
        st = json_object_get(v.st);
        chroot = v.chroot;
        qemu = v.qemu;
        peer = vm_view_peer(&v);
        run_dir = v.reg.run_dir;
        auditp = strdup_printf("%s/vms/%s/audit.json", run_dir, id);
        if (!v.sock) {
                json_object_put(st);
                vm_view_done(&v);
                return launch_fail(2, "%s has no API socket (started with --config-file): it cannot be snapshotted", id);
        }
        if (access(out, F_OK) == 0) {
                json_object_put(st);
                vm_view_done(&v);
                return launch_fail(2, "--out %s exists: snapshots are never overwritten", out);
        }
        if (!tmp || !mkdtemp(tmp)) {
                json_object_put(st);
                vm_view_done(&v);
                return launch_fail(2, "--out %s: cannot create a directory next to it: %s", out, strerror(errno));
        }
        if (!chroot || fc_plan_snapshot(&plan) < 0)
                goto done;
        /* the monitor's watchdog expects slow answers while the memory is written */
        busy = strdup_printf("%s/vms/%s/busy", run_dir, id);
        if (busy)
                (void) write_file_atomic(busy, "", 0, 0600);
        if (qemu) {
                _cleanup_free_ char *why = NULL, *vs = strdup_printf("%s/vmstate", tmp);
                k = vs ? qemu_snapshot(&peer, vs, timeout_ms, &why) : -ENOMEM;
                if (k < 0) {
                        rc = launch_fail(2, "%s", why ? why : strerror(-k));
                        goto done;
                }
                fc_plan_done(&plan); /* nothing for the Firecracker API to do */
        }
        for (size_t i = 0; i < plan.n; i++) {
                struct fc_reply rep = {};
                _cleanup_free_ char *why = NULL;
                k = fc_api_call(&peer, plan.r[i].method, plan.r[i].path, plan.r[i].body, true, timeout_ms, &rep, &why);
                fc_reply_done(&rep);
                if (k < 0) {
                        rc = launch_fail(2, "%s", why ? why : strerror(-k));
                        goto done;
                }
        }
        for (int i = qemu ? 2 : 0; i < 3; i++) {
                static const char *const src[] = { "snapshot/vmstate", "snapshot/mem", "disk/home.ext4" };
                static const char *const dst[] = { "vmstate", "mem", "home.ext4" };
                _cleanup_free_ char *b = strdup_printf("%s/%s", tmp, dst[i]);
                k = b ? copy_out(chroot, src[i], b) : -ENOMEM;
                if (k == -ENOENT && i == 2)
                        continue; /* no home disk */
                if (k < 0) {
                        rc = launch_fail(2, "%s/%s: cannot copy it out of the jail: %s", chroot, src[i],
                                         k == -EPERM ? "not a regular file, or behind a symlink" : strerror(-k));
                        goto done;
                }
                if (i < 2) {
                        /* the jail keeps no copy of the guest's memory */
                        _cleanup_close_ int sfd = open_beneath(chroot, "snapshot", O_RDONLY | O_DIRECTORY, S_IFDIR);
                        if (sfd >= 0)
                                (void) unlinkat(sfd, dst[i], 0);
                }
        }
        {
                _cleanup_free_ char *vp = strdup_printf("%s/vmstate", tmp);
                if (!vp || sha256_file(vp, vh) < 0)
                        goto done;
        }
        (void) read_file_capped(auditp, 16 << 20, &audit, NULL);
        uname(&u);
        m = json_object_new_object();
        json_object_object_add(m, "snapshot_format", json_object_new_int(META_FORMAT));
        json_object_object_add(m, "vm", json_object_new_string(id));
        json_object_object_add(m, "created", json_object_new_int64((int64_t) time(NULL)));
        json_object_object_add(m, "vmstate_sha256", json_object_new_string(vh));
        json_object_object_add(m, "backend", json_object_new_string(qemu ? "qemu" : "firecracker"));
        if (qemu) {
                copy_key(m, st, "qemu_version");
                copy_key(m, st, "accel");
                /* QEMU loads a state into the same machine: the same kernel and command line */
                copy_key(m, st, "kernel");
                copy_key(m, st, "boot_args");
        } else
                copy_key(m, st, "firecracker_version");
        json_object_object_add(m, "host_kernel", json_object_new_string(u.release));
        json_object_object_add(m, "cpu_model", cpu ? json_object_new_string(cpu) : NULL);
        json_object_object_add(m, "tsc_khz", json_object_new_int64(audit ? tsc_khz_from_audit(audit) : 0));
        copy_key(m, st, "guest_kernel");
        {
                json_object *x;
                if (json_object_object_get_ex(st, "vcpus", &x))
                        json_object_object_add(m, "vcpus", json_object_get(x));
                if (json_object_object_get_ex(st, "mem_mib", &x))
                        json_object_object_add(m, "mem_mib", json_object_get(x));
                if (json_object_object_get_ex(st, "rootfs", &x))
                        json_object_object_add(m, "rootfs", json_object_get(x));
                /* the guest has a network device (tap0): a restore must give it one */
                json_object_object_add(m, "net", json_object_new_boolean(json_object_object_get_ex(st, "net", &x)));
        }
        mj = strdup_printf("%s\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
        {
                _cleanup_free_ char *mp = strdup_printf("%s/meta.json", tmp);
                if (!mj || !mp || write_file_atomic(mp, mj, strlen(mj), 0600) < 0)
                        goto done;
        }
        if (rename(tmp, out) < 0) {
                rc = launch_fail(2, "--out %s: %s", out, strerror(errno));
                goto done;
        }
        tmp[0] = '\0';
        launch_step("snapshot of %s in %s (vmstate sha256 %.12s); %s stays paused: resuming it next to a restored copy "
                    "would duplicate its state, so clean it (sis-launch clean %s)",
                    id, out, vh, id, id);
        rc = 0;
done:
        if (busy)
                (void) unlink(busy);
        if (tmp && *tmp)
                (void) rm_rf(tmp);
        json_object_put(m);
        json_object_put(st);
        fc_plan_done(&plan);
        vm_view_done(&v);
        return rc;
}

/* "5.10.0" >= "5.18"? */
static bool kernel_at_least(const char *release, unsigned major, unsigned minor) {
        unsigned v[3];
        if (!release || parse_version(release, v) < 0)
                return false;
        return v[0] > major || (v[0] == major && v[1] >= minor);
}

/* Does the policy waive check id (today)? A one-finding report run through the policy. */
static bool policy_waives(const char *policy_path, const char *id) {
        _cleanup_policy_ struct sis_policy *p = NULL;
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;
        struct sis_finding *f;

        if (!policy_path || sis_policy_load(policy_path, &p, &err) < 0)
                return false;
        r = sis_report_new("sis-launch", SIS_VERSION, "production");
        f = sis_finding_new(id, "snapshot restore", "launch", SIS_SEV_HIGH, true);
        if (!r || !f || sis_report_add(r, f) < 0)
                return false;
        f->status = SIS_FAIL;
        if (sis_policy_apply(p, r, time(NULL), check_id_known) < 0)
                return false;
        return f->waived;
}

int vm_restore(const struct run_opts *o, const char *dir, const char *ledger) {
        _cleanup_free_ char *mp = strdup_printf("%s/meta.json", dir), *vp = strdup_printf("%s/vmstate", dir), *text = NULL,
                            *cpu = cpu_model(), *fcv = NULL, *holder = NULL, *home = strdup_printf("%s/home.ext4", dir),
                            *rootfs = NULL, *dir_abs = realpath(dir, NULL);
        json_object *m = NULL, *extra = NULL;
        _cleanup_close_ int vfd = -1;
        struct stat vst;
        struct gate_result g = {};
        struct fc_plan plan = {};
        struct utsname u;
        const char *want, *gk;
        char vh[SHA256_HEX];
        unsigned a[3], b[3];
        int k, rc;

        if (!vm_id_ok(o->id))
                return launch_fail(2, "--name '%s': a VM name is 1 to 64 of A-Z, a-z, 0-9 and '-'", o->id ? o->id : "");
        if (!mp || !vp || !home || read_file_capped(mp, 1 << 20, &text, NULL) < 0 || !(m = json_tokener_parse(text)) ||
            !json_object_is_type(m, json_type_object))
                return launch_fail(2, "%s: not a snapshot (no readable meta.json)", dir);
        want = jstr(m, "vmstate_sha256");
        /* one descriptor: what is hashed is what QEMU loads (a swapped file is never read twice) */
        vfd = open(vp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (vfd < 0 || fstat(vfd, &vst) < 0 || !S_ISREG(vst.st_mode)) {
                json_object_put(m);
                return launch_fail(2, "%s/vmstate: %s", dir, vfd < 0 ? strerror(errno) : "not a regular file");
        }
        if (!want || sha256_fd(vfd, vh) < 0 || lseek(vfd, 0, SEEK_SET) < 0 || !streq(vh, want)) {
                json_object_put(m);
                return launch_fail(1, "%s: the vmstate does not match meta.json (sha256 %s): refusing it", dir, want ? vh : "?");
        }
        /* the snapshot says which VMM made it, and only that one loads it */
        bool qemu = streq_ptr(jstr(m, "backend"), "qemu");
        {
                struct run_opts go = *o;
                go.backend = qemu ? "qemu" : "firecracker";
                rc = vm_gate(&go, &g);
        }
        if (rc != 0)
                goto out;
        /* a snapshot only loads where it was made: same CPU, same host kernel, same VMM line */
        uname(&u);
        rc = 1;
        if (!streq_ptr(jstr(m, "cpu_model"), cpu)) {
                launch_fail(1, "%s was taken on another CPU (%s; this host: %s): refusing it", dir, strna(jstr(m, "cpu_model")), strna(cpu));
                goto out;
        }
        if (!streq_ptr(jstr(m, "host_kernel"), u.release)) {
                launch_fail(1, "%s was taken under host kernel %s (this host runs %s): refusing it", dir, strna(jstr(m, "host_kernel")), u.release);
                goto out;
        }
        const char *made_by = jstr(m, qemu ? "qemu_version" : "firecracker_version");
        fcv = vmm_version(qemu ? o->qemu : o->firecracker);
        if (!fcv || !made_by || parse_version(fcv + strcspn(fcv, "0123456789"), a) < 0 ||
            parse_version(made_by + strcspn(made_by, "0123456789"), b) < 0 || a[0] != b[0] || a[1] != b[1]) {
                launch_fail(1, "%s was made by %s; %s is %s: snapshots load only within one release line", dir,
                            strna(made_by), qemu ? o->qemu : o->firecracker, strna(fcv));
                goto out;
        }
        gk = jstr(m, "guest_kernel");
        if (!kernel_at_least(gk, 5, 18) && !policy_waives(o->policy, "snapshot.vmgenid")) {
                launch_fail(1, "%s: guest kernel %s predates VMGenID (5.18): a restored guest would not reseed its "
                               "random number generator; a policy may waive snapshot.vmgenid",
                            dir, strna(gk));
                goto out;
        }
        if (!jstr(m, "rootfs") || !(rootfs = strdup(jstr(m, "rootfs"))) || access(rootfs, R_OK) < 0) {
                rc = launch_fail(2, "%s: its root filesystem %s is not there", dir, strna(jstr(m, "rootfs")));
                goto out;
        }
        /* the ledger: from here on the snapshot is spent, whatever happens next */
        k = ledger_claim(ledger, vh, o->id, &holder);
        if (k == -EEXIST) {
                rc = launch_fail(1, "%s was restored once already (%s): a snapshot is restored at most once", dir,
                                 holder ? holder : "the ledger says so");
                goto out;
        }
        if (k < 0) {
                rc = launch_fail(2, "the snapshot ledger %s: %s", ledger, strerror(-k));
                goto out;
        }
        launch_step("ledger: snapshot %.12s is %s's, and nobody else's", vh, o->id);
        /* the guest's clock: advanced by the time the snapshot slept, where the host's KVM can */
        if (!qemu && fc_plan_load("/logger.fifo", "/metrics.fifo", kernel_at_least(u.release, 5, 16), &plan) < 0) {
                rc = 2;
                goto out;
        }
        extra = json_object_new_object();
        json_object_object_add(extra, "restored_from", json_object_new_string(dir_abs ? dir_abs : dir));
        json_object_object_add(extra, "snapshot_sha256", json_object_new_string(vh));
        json_object_object_add(extra, "guest_kernel", gk ? json_object_new_string(gk) : NULL);
        json_object_object_add(extra, qemu ? "qemu_version" : "firecracker_version", json_object_new_string(fcv));
        {
                struct run_opts ro = *o;
                json_object *v;
                /* the snapshot's machine: its vCPUs and memory set the cgroup limits */
                if (json_object_object_get_ex(m, "vcpus", &v))
                        ro.vcpus = (unsigned) json_object_get_int(v);
                if (json_object_object_get_ex(m, "mem_mib", &v))
                        ro.mem_mib = (unsigned) json_object_get_int(v);
                ro.net = json_object_object_get_ex(m, "net", &v) && json_object_get_boolean(v) ? "default" : "none";
                ro.backend = qemu ? "qemu" : "firecracker";
                char mac[18];
                fc_mac_for(GUEST_IP, mac);
                /* QEMU: the same machine as the snapshot's, which then takes its state */
                struct qemu_vm qvm = { .binary = o->qemu, .id = o->id, .vcpus = ro.vcpus, .mem_mib = ro.mem_mib,
                                       .kvm = streq_ptr(jstr(m, "accel"), "kvm"), .kernel = "/vmlinux", .rootfs = "/rootfs.ext4",
                                       .home = access(home, R_OK) == 0 ? "/disk/home.ext4" : NULL, .boot_args = jstr(m, "boot_args"),
                                       .tap = streq(ro.net, "default") ? "tap0" : NULL,
                                       .guest_mac = streq(ro.net, "default") ? mac : NULL, .incoming = true };
                if (qemu && (!jstr(m, "kernel") || access(jstr(m, "kernel"), R_OK) < 0 || !qvm.boot_args)) {
                        rc = launch_fail(2, "%s: its kernel %s is not there", dir, strna(jstr(m, "kernel")));
                        goto out;
                }
                if (qemu) {
                        json_object_object_add(extra, "accel", json_object_new_string(qvm.kvm ? "kvm" : "tcg"));
                        json_object_object_add(extra, "boot_args", json_object_new_string(qvm.boot_args));
                }
                struct start_req r = { .kernel = qemu ? jstr(m, "kernel") : NULL, .rootfs = rootfs,
                                       .home = access(home, R_OK) == 0 ? home : NULL, .snapshot_dir = dir,
                                       .vmstate_fd = qemu ? vfd : -1, .plan = &plan, .qvm = &qvm, .extra_state = extra };
                rc = vm_start(&ro, &r, &g);
        }
out:
        json_object_put(extra);
        json_object_put(m);
        fc_plan_done(&plan);
        gate_result_done(&g);
        return rc;
}
