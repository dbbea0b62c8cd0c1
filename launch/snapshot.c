/* SPDX-License-Identifier: MIT */
/*
 * sis-launch snapshot and restore, the ledger of issued and spent snapshots, and the table of a
 * snapshot's files. One file: the writer (vm_snapshot, snapshot_manifest) and the reader
 * (read_manifest, vm_restore) of one sealed format are kept side by side.
 */
#include "snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "cli.h"
#include "dump.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "hash.h"
#include "jail.h"
#include "json.h"
#include "lifecycle.h"
#include "net.h"
#include "qemu.h"
#include "qmp.h"
#include "registry.h"
#include "seal.h"
#include "state.h"
#include "util.h"
#include "vmm.h"

#define META_FORMAT 2

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

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
                        if (!json_object_object_get_ex(c, "id", &id) ||
                            !streq_ptr(json_object_get_string(id), "cpu.tsc_freq") ||
                            !json_object_object_get_ex(c, "evidence", &ev))
                                continue;
                        for (size_t j = 0; j < json_object_array_length(ev); j++) {
                                e = json_object_array_get_idx(ev, j);
                                if (json_object_object_get_ex(e, "path", &path) &&
                                    streq_ptr(json_object_get_string(path), "KVM_GET_TSC_KHZ") &&
                                    json_object_object_get_ex(e, "value", &val) &&
                                    json_object_is_type(val, json_type_string))
                                        (void) safe_atoi64(json_object_get_string(val), &khz);
                        }
                }
        json_object_put(r);
        return khz;
}

/* A string of the VM's state into the snapshot's meta (null when the state has none). */
static void copy_str(json_object *m, const char *key, const char *v) {
        json_object_object_add(m, key, v ? json_object_new_string(v) : NULL);
}

/* The files a snapshot may hold: each sealed as <name>.sealed with its own number (the nonce's
 * file part), and where it comes from or goes to. */
static const struct snap_file {
        const char *name;
        uint32_t no;
        const char *jail; /* its place in the jail (snapshot: from; restore: to); NULL: not the VM's */
} snap_files[] = {
        { "vmstate", 0, "snapshot/vmstate" },
        { "mem", 1, "snapshot/mem" },
        { "home.ext4", 2, "disk/home.ext4" },
        { "log", 3, NULL },
        { "metrics", 4, NULL },
        { "audit.json", 5, NULL },
        { "policy.json", 6, NULL },
};

static const struct snap_file *snap_file(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(snap_files); i++)
                if (streq(snap_files[i].name, name))
                        return &snap_files[i];
        return NULL;
}

/* The ledger's record that id was issued here (a restore needs it): <ledger>/issued/<id>, made
 * exclusively and durable. */
static int ledger_issue(const char *ledger, const char *id, const char *line) {
        _cleanup_free_ char *dir = strdup_printf("%s/issued", ledger);
        return dir ? ledger_claim(dir, id, line, NULL) : -ENOMEM;
}

static bool ledger_issued(const char *ledger, const char *id) {
        _cleanup_free_ char *p = strdup_printf("%s/issued/%s", ledger, id);
        struct stat st;
        return p && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

struct sealer {
        const unsigned char *dk;
        const char *id;
        int dirfd;          /* the snapshot being written */
        json_object *files; /* the manifest's list */
        uint64_t max;       /* the longest state stream the VM can have (its memory and more) */
};

/* Seal what in holds into <name>.sealed, and list it. max: more than this is refused (a stream a VMM
 * writes, a file of its jail); 0: no limit (a root-owned file of the host). */
static int seal_one(struct sealer *s, const struct snap_file *f, int in, uint64_t max, char **ret_error) {
        _cleanup_free_ char *fn = strdup_printf("%s.sealed", f->name);
        _cleanup_close_ int out =
                fn ? openat(s->dirfd, fn, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
        struct seal_info info;
        json_object *o;
        int k;

        if (out < 0)
                return set_error(ret_error, fn ? -errno : -ENOMEM, "%s: cannot create it: %s", strna(fn),
                                 strerror(errno));
        k = seal_encrypt(s->dk, s->id, f->no, f->name, in, out, max, &info);
        if (k >= 0 && fsync(out) < 0)
                k = -errno;
        if (k < 0)
                return set_error(ret_error, k, "%s: cannot seal it: %s", f->name,
                                 k == -EFBIG ? "larger than anything the VM can have: refusing it" : strerror(-k));
        o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(f->name));
        json_object_object_add(o, "size", json_object_new_int64((int64_t) info.size));
        json_object_object_add(o, "sha256", json_object_new_string(info.sha256));
        json_object_array_add(s->files, o);
        return 0;
}

/* The most a file of the jail can hold: the size of the tmpfs it is on (sized for what the VM
 * needs there: the snapshot's memory and state, or the home disk and 1 MiB), and for the VM's state
 * no more than its memory and more (max). A tmpfs bounds the blocks, not the size: a VMM can make
 * a file of any length, holes all of it, which would be read and sealed whole. */
static uint64_t jail_file_cap(int fd, const struct snap_file *f, uint64_t max) {
        struct statvfs sv;
        uint64_t fs = fstatvfs(fd, &sv) == 0
                ? (uint64_t) sv.f_blocks * (uint64_t) (sv.f_frsize ? sv.f_frsize : sv.f_bsize)
                : 0;

        if (!fs) /* no size to go by (a tmpfs without one): the state stream's limit */
                return max;
        return streq(f->name, "home.ext4") ? fs : MIN(fs, max);
}

/* A file of the jail (which the VMM can write to: reached without a symlink, a regular file, no
 * larger than its place in the jail allows) sealed into the snapshot, then removed from the jail:
 * no copy of the guest's memory stays behind. */
static int seal_from_jail(struct sealer *s, const char *chroot, const struct snap_file *f, bool remove,
                          char **ret_error) {
        _cleanup_close_ int in = open_beneath(chroot, f->jail, O_RDONLY, S_IFREG);
        uint64_t cap;
        struct stat st;
        int k;

        if (in < 0)
                return set_error(ret_error, in, "%s/%s: cannot copy it out of the jail: %s", chroot, f->jail,
                                 in == -EPERM ? "not a regular file, or behind a symlink" : strerror(-in));
        if (fstat(in, &st) < 0)
                return set_error(ret_error, -errno, "%s/%s: %s", chroot, f->jail, strerror(errno));
        cap = jail_file_cap(in, f, s->max);
        if ((uint64_t) st.st_size > cap)
                return set_error(ret_error, -EFBIG,
                                 "%s/%s: %llu bytes, larger than anything the VM can have there (%llu): refusing it",
                                 chroot, f->jail, (unsigned long long) st.st_size, (unsigned long long) cap);
        /* and cut there should it grow while it is read */
        k = seal_one(s, f, in, cap, ret_error);
        if (k >= 0 && remove) {
                _cleanup_close_ int sfd = open_beneath(chroot, "snapshot", O_RDONLY | O_DIRECTORY, S_IFDIR);
                if (sfd >= 0)
                        (void) unlinkat(sfd, strrchr(f->jail, '/') + 1, 0);
        }
        return k;
}

/* A root-owned file of the host (the VM's logs, its audit, its policy), sealed in when present. */
static int seal_host_file(struct sealer *s, const char *path, const struct snap_file *f, char **ret_error) {
        _cleanup_close_ int in = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
        return in < 0 ? 0 : seal_one(s, f, in, 0, ret_error);
}

struct pipe_sealer {
        struct sealer *s;
        int in;
        int k;
        char *error;
};

static void *pipe_seal_thread(void *arg) {
        struct pipe_sealer *p = arg;
        p->k = seal_one(p->s, snap_file("vmstate"), p->in, p->s->max, &p->error);
        /* whatever happened, QEMU must not block on a pipe nobody reads */
        close(p->in);
        return NULL;
}

/* QEMU: pause, then the machine's whole state (memory included) as a migration stream into a pipe
 * handed over QMP (QEMU's sandbox may not open files itself), sealed as it comes: no plaintext copy
 * of the guest's memory is ever written anywhere. */
static int qemu_snapshot(const struct vm_peer *peer, struct sealer *s, long timeout_ms, char **ret_error) {
        struct pipe_sealer ps = { .s = s, .k = -EIO };
        struct qmp *q = NULL;
        pthread_t t;
        int pfd[2], k;
        bool started = false;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return set_error(ret_error, -errno, "a pipe for the snapshot: %s", strerror(errno));
        ps.in = pfd[0];
        k = qmp_open(peer, timeout_ms, &q, ret_error);
        if (k >= 0)
                k = qmp_call(q, "stop", NULL, -1, NULL, ret_error);
        if (k >= 0) {
                k = pthread_create(&t, NULL, pipe_seal_thread, &ps);
                k = k ? set_error(ret_error, -k, "a thread for the snapshot: %s", strerror(k)) : 0;
                started = k >= 0;
        }
        if (k >= 0)
                k = qmp_migrate_fd(q, "migrate", pfd[1], ret_error);
        /* QEMU has its own copy now: the stream ends when QEMU closes it */
        close(pfd[1]);
        if (k >= 0) {
                _cleanup_free_ char *e = NULL;
                k = qmp_wait_migration(q, 600000, &e);
                if (k < 0)
                        k = set_error(ret_error, k, "QEMU could not write the snapshot: %s", strna(e));
        }
        qmp_close(q);
        if (started) {
                /* QEMU closes its end when the migration ends, and the thread ends on EOF; a QEMU
                 * that keeps it open gets 30 s, then the stream is abandoned */
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 30;
                if (pthread_timedjoin_np(t, NULL, &until) != 0) {
                        (void) pthread_cancel(t);
                        (void) pthread_join(t, NULL);
                        if (k >= 0)
                                k = set_error(ret_error, -ETIMEDOUT,
                                              "QEMU kept the snapshot stream open after the migration ended");
                }
                if (k >= 0 && ps.k < 0) {
                        k = ps.k;
                        if (ret_error) {
                                free(*ret_error);
                                *ret_error = TAKE_PTR(ps.error);
                        }
                }
        } else
                close(pfd[0]);
        free(ps.error);
        return k;
}

/* sha256 and size of a host file the VM was started with (its kernel, its root filesystem). */
static json_object *image_id(const char *path) {
        _cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        char h[SHA256_HEX];
        struct stat st;
        json_object *o;

        if (fd < 0 || fstat(fd, &st) < 0 || sha256_fd(fd, h) < 0)
                return NULL;
        o = json_object_new_object();
        json_object_object_add(o, "sha256", json_object_new_string(h));
        json_object_object_add(o, "size", json_object_new_int64((int64_t) st.st_size));
        return o;
}

/* The room a Firecracker snapshot needs in the VM's memory cgroup (see vm_snapshot): made, or
 * taken back once Firecracker's files are gone from the jail (what a failed snapshot left there
 * is removed first: a limit below what is in use is refused, or kills). */
static int snapshot_room(const char *group, const char *id, const char *chroot, unsigned mem_mib, bool make) {
        _cleanup_free_ char *mounts = NULL;
        uint64_t limit = jail_mem_limit(mem_mib);

        if (read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0)
                return -EIO;
        if (make)
                return cgroup_set_memory(mounts, group, id, limit + ((uint64_t) mem_mib << 20) + (64u << 20));
        {
                _cleanup_close_ int sfd = open_beneath(chroot, "snapshot", O_RDONLY | O_DIRECTORY, S_IFDIR);
                if (sfd >= 0) {
                        (void) unlinkat(sfd, "vmstate", 0);
                        (void) unlinkat(sfd, "mem", 0);
                }
        }
        return cgroup_set_memory(mounts, group, id, limit);
}

/* path, exclusively locked from the moment it exists (made aside, locked, renamed into place);
 * the descriptor holds the lock. -1 when it cannot be made: the watchdog then just checks on. */
static int busy_lock(const char *path) {
        _cleanup_free_ char *t = strdup_printf("%s.XXXXXX", path);
        int fd = t ? mkostemp(t, O_CLOEXEC) : -1;
        if (fd < 0)
                return -1;
        if (flock(fd, LOCK_EX) < 0 || rename(t, path) < 0) {
                (void) unlink(t);
                close(fd);
                return -1;
        }
        return fd;
}

/* The snapshot's manifest (sealed with its MAC next to it): what it is, under which key, of which
 * VM, and what a restore must match (the VMM, the images, the host's kernel and CPU, the machine). */
static json_object *snapshot_manifest(const char *id, const struct vm_state *st, bool qemu, const char *sid,
                                      const struct seal_key *key, const char *wrapped, const char *auditp,
                                      bool forensic, json_object *files) {
        _cleanup_free_ char *audit = NULL, *cpu = cpu_model();
        json_object *m;
        struct utsname u;

        (void) read_file_capped(auditp, 16 << 20, &audit, NULL);
        uname(&u);
        m = json_object_new_object();
        json_object_object_add(m, "snapshot_format", json_object_new_int(META_FORMAT));
        json_object_object_add(m, "id", json_object_new_string(sid));
        json_object_object_add(m, "created", json_object_new_int64((int64_t) time(NULL)));
        json_object_object_add(m, "forensic", json_object_new_boolean(forensic));
        json_object_object_add(m, "key_id", json_object_new_string(key->id));
        json_object_object_add(m, "data_key", json_object_new_string(wrapped));
        json_object_object_add(m, "vm", json_object_new_string(id));
        json_object_object_add(m, "backend", json_object_new_string(qemu ? "qemu" : "firecracker"));
        if (qemu) {
                copy_str(m, "qemu_version", st->vmm_version);
                copy_str(m, "accel", st->accel);
                /* QEMU loads a state into the same machine: the same kernel and command line */
                copy_str(m, "boot_args", st->boot_args);
                json_object_object_add(m, "kernel", image_id(st->kernel));
        } else
                copy_str(m, "firecracker_version", st->vmm_version);
        json_object_object_add(m, "rootfs", image_id(st->rootfs));
        json_object_object_add(m, "host_kernel", json_object_new_string(u.release));
        json_object_object_add(m, "cpu_model", cpu ? json_object_new_string(cpu) : NULL);
        json_object_object_add(m, "tsc_khz", json_object_new_int64(audit ? tsc_khz_from_audit(audit) : 0));
        copy_str(m, "guest_kernel", st->guest_kernel);
        if (st->vcpus)
                json_object_object_add(m, "vcpus", json_object_new_int((int) st->vcpus));
        if (st->mem_mib)
                json_object_object_add(m, "mem_mib", json_object_new_int((int) st->mem_mib));
        /* the guest has a network device (tap0): a restore must give it one */
        json_object_object_add(m, "net", json_object_new_boolean(st->has_net));
        json_object_object_add(m, "files", json_object_get(files));
        return m;
}

/* The entry's snapshot_tmp becomes ud (a path, or NULL: none). */
static int set_snapshot_tmp(struct reg_vm *vm, void *ud) {
        char *tmp = ud ? strdup(ud) : NULL;
        if (ud && !tmp)
                return -ENOMEM;
        free(vm->snapshot_tmp);
        vm->snapshot_tmp = tmp;
        return 0;
}

/* The directory a snapshot is written in, beside --out: named here and recorded with the VM, and
 * only then made, so that clean removes what a snapshot killed at any point left. 0 or -errno. */
static int snapshot_tmpdir(const char *id, const char *out, char **ret_tmp) {
        _cleanup_free_ char *cwd = out[0] == '/' ? NULL : getcwd(NULL, 0);
        int k = 0;

        for (int tries = 0; tries < 16; tries++) {
                _cleanup_free_ char *tmp = NULL;
                char suffix[SEAL_ID_HEX];
                if (seal_new_id(suffix) < 0)
                        return -EEXIST;
                suffix[12] = '\0';
                tmp = out[0] == '/' ? strdup_printf("%s.tmp.%s", out, suffix)
                        : cwd       ? strdup_printf("%s/%s.tmp.%s", cwd, out, suffix)
                                    : NULL;
                if (!tmp)
                        return -ENOMEM;
                k = reg_update(id, set_snapshot_tmp, tmp);
                if (k < 0)
                        return k;
                if (mkdir(tmp, 0700) == 0) {
                        *ret_tmp = TAKE_PTR(tmp);
                        return 0;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

/* The registry forgets the snapshot's directory (published, or removed). */
static void snapshot_tmpdir_forget(const char *id) {
        (void) reg_update(id, set_snapshot_tmp, NULL);
}

/* The VM's state, sealed as the VMM writes it: QEMU's stream, or Firecracker's files in the jail
 * (written at the API's request), then the home disk (none: a VM without one). 0, or 2 said. */
static int snapshot_vmm(const struct vm_view *v, const struct vm_peer *peer, struct sealer *sl, long timeout_ms) {
        _cleanup_free_ char *err = NULL;
        struct fc_plan plan = {};
        int k = 0;

        if (v->qemu)
                k = qemu_snapshot(peer, sl, timeout_ms, &err);
        else if (fc_plan_snapshot(&plan) < 0)
                return 2;
        for (size_t i = 0; k >= 0 && i < plan.n; i++) {
                struct fc_reply rep = {};
                k = fc_api_call(peer, plan.r[i].method, plan.r[i].path, plan.r[i].body, true, timeout_ms, &rep, &err);
                fc_reply_done(&rep);
                if (k >= 0) {
                        free(err); /* only a failure's words are kept */
                        err = NULL;
                }
        }
        fc_plan_done(&plan);
        if (k < 0)
                return cli_fail(2, "%s", err ? err : strerror(-k));
        for (size_t i = v->qemu ? 2 : 0; i < 3; i++) {
                free(err);
                err = NULL;
                k = seal_from_jail(sl, v->chroot, &snap_files[i], i < 2, &err);
                if (k == -ENOENT && i == 2)
                        continue;
                if (k < 0)
                        return cli_fail(2, "%s", strna(err));
        }
        return 0;
}

/* --forensic: what the VM logged, the audit that let it start, the policy it ran under. 0 or 2 said. */
static int snapshot_forensic(const struct vm_view *v, struct sealer *sl) {
        const char *run_dir = v->reg.run_dir, *id = v->reg.id;
        _cleanup_free_ char *logp = strdup_printf("%s/vms/%s/%s.log", run_dir, id, v->reg.backend),
                            *metp = strdup_printf("%s/vms/%s/metrics.log", run_dir, id),
                            *auditp = strdup_printf("%s/vms/%s/audit.json", run_dir, id), *err = NULL;

        if (seal_host_file(sl, logp, snap_file("log"), &err) < 0 ||
            seal_host_file(sl, metp, snap_file("metrics"), &err) < 0 ||
            seal_host_file(sl, auditp, snap_file("audit.json"), &err) < 0 ||
            seal_host_file(sl, v->st.audit.policy, snap_file("policy.json"), &err) < 0)
                return cli_fail(2, "%s", strna(err));
        return 0;
}

/* The seal and the publication: the manifest and its MAC into tmp, the id issued in the ledger
 * (a forensic one spent at once), then tmp published as --out (root's directory: the atomic
 * publish, synced). 0, or 2 said (tmp is then removed by the caller). */
static int snapshot_publish(const struct vm_view *v, const struct snap_opts *so, const char *tmp, const char *sid,
                            const struct seal_key *key, const char *wrapped, json_object *files) {
        const char *id = v->reg.id;
        _cleanup_free_ char *auditp = strdup_printf("%s/vms/%s/audit.json", v->reg.run_dir, id), *mj = NULL,
                            *mp = strdup_printf("%s/manifest.json", tmp), *macp = strdup_printf("%s/manifest.mac", tmp),
                            *macl = NULL,
                            *line = strdup_printf("%s %lld%s\n", id, (long long) time(NULL),
                                                  so->forensic ? " forensic" : "");
        json_object *m = snapshot_manifest(id, &v->st, v->qemu, sid, key, wrapped, auditp, so->forensic, files),
                    *rf = NULL;
        char mac[65];
        int k;

        mj = json_text(m);
        k = !mj || !json_object_object_get_ex(m, "rootfs", &rf) || !rf || seal_mac(key, mj, strlen(mj), mac) < 0
                ? -EINVAL
                : 0;
        json_object_put(m);
        if (k < 0)
                return cli_fail(2, "%s: cannot describe the snapshot (is its root filesystem still there?)", id);
        macl = strdup_printf("%s\n", mac);
        if (!mp || !macp || !macl || !line || write_file_atomic(mp, mj, strlen(mj), 0600) < 0 ||
            write_file_atomic(macp, macl, strlen(macl), 0600) < 0)
                return 2;
        /* issued before it is published: a published snapshot's id is always in the ledger;
         * a forensic one is spent at once: never restorable */
        k = ledger_issue(so->ledger, sid, line);
        if (k >= 0 && so->forensic)
                k = ledger_claim(so->ledger, sid, "forensic: never restorable", NULL);
        if (k < 0)
                return cli_fail(2, "the snapshot ledger %s: %s", so->ledger, strerror(-k));
        k = atomic_tmpdir_publish(tmp, so->out, 0, 0);
        if (k < 0)
                return cli_fail(2, "--out %s: %s", so->out, strerror(-k));
        return 0;
}

int vm_snapshot(const char *id, const struct snap_opts *so, long timeout_ms) {
        _cleanup_free_ char *tmp = NULL, *busy = NULL, *err = NULL, *wrapped = NULL;
        json_object *files = json_object_new_array();
        unsigned char dk[SEAL_KEY_BYTES] = {};
        char sid[SEAL_ID_HEX];
        struct seal_key key = {};
        struct vm_view v;
        struct vm_peer peer;
        struct sealer sl;
        _cleanup_close_ int dfd = -1;
        int busy_fd = -1;
        int k, rc = 2;
        bool room = false;
        uint64_t mem;

        if (!vm_id_ok(id))
                return cli_fail(2, "'%s' is not a VM name", id);
        if (vm_view_load(id, &v) < 0)
                return cli_fail(2, "no VM named %s (sis-launch list)", id);
        /* whom root talks to: the registry's VMM of this VM, through its own jail, its peer checked */
        peer = vm_view_peer(&v);
        if (!v.sock) {
                rc = cli_fail(2, "%s has no API socket (started with --config-file): it cannot be snapshotted", id);
                goto done_early;
        }
        if (access(so->out, F_OK) == 0) {
                rc = cli_fail(2, "--out %s exists: snapshots are never overwritten", so->out);
                goto done_early;
        }
        /* the host key: made on first use where it is the host's own */
        k = seal_key_load(so->key, !so->key_given, &key, &err);
        if (k < 0) {
                rc = cli_fail(2, "--key: %s", strna(err));
                goto done_early;
        }
        k = files ? snapshot_tmpdir(id, so->out, &tmp) : -ENOMEM;
        if (k < 0) {
                rc = cli_fail(2, "--out %s: cannot create a directory next to it: %s", so->out, strerror(-k));
                goto done_early;
        }
        dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || seal_new_id(sid) < 0 || seal_new_data_key(dk) < 0 || seal_wrap(&key, dk, sid, &wrapped) < 0 ||
            !v.chroot)
                goto done;
        /* a state stream much longer than the VM's memory cannot be the VM's: a VMM that streams
         * without end is cut there */
        mem = v.st.mem_mib ? v.st.mem_mib : 65536;
        sl = (struct sealer) { .dk = dk, .id = sid, .dirfd = dfd, .files = files, .max = (mem + 1024) << 20 };
        /* Firecracker writes the guest's memory into the jail's tmpfs, and the kernel charges those
         * pages to its memory cgroup, where the guest's memory already is: a guest that used its
         * memory would have its VMM killed by the OOM killer mid-snapshot. For the time of the
         * snapshot the limit grows by the memory file and its state (64 MiB), and it is back once
         * both are sealed and gone from the jail. */
        if (!v.qemu) {
                k = snapshot_room(v.reg.backend, id, v.chroot, (unsigned) mem, true);
                if (k == -ENOENT)
                        k = 0; /* no memory cgroup: no limit to be killed by */
                else if (k >= 0)
                        room = true;
                if (k < 0) {
                        rc = cli_fail(2, "%s: cannot make room for its memory file in its memory cgroup: %s", id,
                                      strerror(-k));
                        goto done;
                }
        }
        /* the monitor's watchdog expects slow answers while the memory is written: busy appears
         * already locked (made aside, locked, renamed), and the lock dies with this process, so a
         * killed snapshot cannot leave the watchdog off */
        busy = strdup_printf("%s/vms/%s/busy", v.reg.run_dir, id);
        if (busy)
                busy_fd = busy_lock(busy);
        rc = snapshot_vmm(&v, &peer, &sl, timeout_ms);
        if (rc != 0)
                goto done;
        rc = 2;
        if (room) {
                room = false;
                k = snapshot_room(v.reg.backend, id, v.chroot, (unsigned) mem, false);
                if (k < 0) {
                        rc = cli_fail(2, "%s: cannot set its memory limit back: %s", id, strerror(-k));
                        goto done;
                }
        }
        if (so->forensic && snapshot_forensic(&v, &sl) != 0)
                goto done;
        if (snapshot_publish(&v, so, tmp, sid, &key, wrapped, files) != 0)
                goto done;
        tmp[0] = '\0';
        cli_step(
                "%ssnapshot %s of %s in %s, sealed under key %s; %s stays paused: resuming it next to a restored copy "
                "would duplicate its state, so clean it (sis-launch clean %s)",
                so->forensic ? "forensic " : "", sid, id, so->out, key.id, id, id);
        rc = 0;
done:
        if (room)
                (void) snapshot_room(v.reg.backend, id, v.chroot, (unsigned) mem, false);
        if (busy)
                (void) unlink(busy);
        if (busy_fd >= 0)
                close(busy_fd);
        if (tmp && *tmp)
                (void) rm_rf(tmp);
        snapshot_tmpdir_forget(id);
done_early:
        OPENSSL_cleanse(dk, sizeof(dk));
        OPENSSL_cleanse(&key, sizeof(key));
        json_object_put(files);
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

/* A kernel or root filesystem the manifest names by sha256 and size: a regular file in the
 * (root's) image directory or below it, never a path the snapshot gives. */
static char *find_image(const char *dir, json_object *want, int depth) {
        const char *sha = json_str(want, "sha256");
        json_object *sz;
        int64_t size = json_object_object_get_ex(want, "size", &sz) ? json_object_get_int64(sz) : -1;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (!sha || size < 0 || depth > 4 || !(d = opendir(dir)))
                return NULL;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                char h[SHA256_HEX];
                if (de->d_name[0] == '.' || !(p = strdup_printf("%s/%s", dir, de->d_name)) || lstat(p, &st) < 0)
                        continue;
                /* only what nobody but root can change between its hash and its use */
                if (st.st_uid != 0 || (st.st_mode & 022))
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        char *found = find_image(p, want, depth + 1);
                        if (found)
                                return found;
                } else if (S_ISREG(st.st_mode) && st.st_size == size && sha256_file(p, h) >= 0 && streq(h, sha))
                        return TAKE_PTR(p);
        }
        return NULL;
}

/* What a restore's fill() needs: the snapshot's directory and files, and the data key. */
struct opener {
        int dirfd;
        const unsigned char *dk;
        const char *id;
        json_object *files;
        bool qemu;
        const char *ledger, *name, *dir; /* the claim, once every file verified */
};

static json_object *manifest_file(json_object *files, const char *name) {
        for (size_t i = 0; i < json_object_array_length(files); i++) {
                json_object *f = json_object_array_get_idx(files, i);
                if (streq_ptr(json_str(f, "name"), name))
                        return f;
        }
        return NULL;
}

/* Open (decrypt) one sealed file of the snapshot into the jail, verified chunk by chunk (the tags
 * bind every byte to this snapshot's key, the file and its place), and against the manifest's
 * size. The manifest's sha256 of the plaintext is there for whoever analyses a snapshot; it is not
 * recomputed here: it could only fail where a tag already has. */
static int open_into(struct opener *op, const char *chroot, uid_t uid, const struct snap_file *f, mode_t mode,
                     bool vm_owned, int *ret_fd, char **ret_error) {
        json_object *mf = manifest_file(op->files, f->name), *v;
        _cleanup_free_ char *sealed = strdup_printf("%s.sealed", f->name),
                            *dir = strndup(f->jail, strcspn(f->jail, "/"));
        const char *base = strrchr(f->jail, '/') + 1;
        _cleanup_close_ int in = -1, dfd = -1, out = -1;
        uint64_t size = 0;
        int k;

        if (!mf)
                return 0; /* not in this snapshot (a VM without a home disk) */
        if (!sealed || !dir)
                return -ENOMEM;
        /* read_manifest checked its type long ago: it may have been swapped since (a FIFO would
         * block root here) */
        in = open_beneath_at(op->dirfd, sealed, O_RDONLY, S_IFREG);
        if (in < 0)
                return set_error(ret_error, -EBADMSG, "%s/%s: %s: refusing it", op->dir, sealed,
                                 in == -EPERM ? "not a regular file (a FIFO, a device or a symlink)" : strerror(-in));
        dfd = open_beneath(chroot, dir, O_RDONLY | O_DIRECTORY, S_IFDIR);
        if (dfd < 0)
                return set_error(ret_error, dfd, "%s/%s: %s", chroot, dir, strerror(-dfd));
        out = openat(dfd, base, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (out < 0)
                return set_error(ret_error, -errno, "%s/%s: %s", chroot, f->jail, strerror(errno));
        k = seal_decrypt(op->dk, op->id, f->no, f->name, in, out, &size);
        if (k == -EBADMSG ||
            (k >= 0 && (!json_object_object_get_ex(mf, "size", &v) || (uint64_t) json_object_get_int64(v) != size)))
                return set_error(ret_error, -EBADMSG,
                                 "%s: does not verify (changed, cut, or not this snapshot's): refusing it", sealed);
        if (k < 0)
                return set_error(ret_error, k, "%s: %s", sealed, strerror(-k));
        if (vm_owned && fchown(out, uid, uid) < 0)
                return set_error(ret_error, -errno, "%s/%s: %s", chroot, f->jail, strerror(errno));
        if (ret_fd) {
                if (lseek(out, 0, SEEK_SET) < 0)
                        return -errno;
                *ret_fd = TAKE_FD(out);
        }
        return 0;
}

static int open_snapshot(void *ctx, const char *chroot, uid_t uid, int *ret_vmstate_fd, char **ret_error) {
        struct opener *op = ctx;
        int k;

        /* Firecracker loads its state and memory from the jail (read-only to it); QEMU gets its
         * state as a descriptor of root's file; the home disk is the VM's */
        k = open_into(op, chroot, uid, snap_file("vmstate"), 0400, !op->qemu, op->qemu ? ret_vmstate_fd : NULL,
                      ret_error);
        if (k >= 0 && !op->qemu)
                k = open_into(op, chroot, uid, snap_file("mem"), 0400, true, NULL, ret_error);
        if (k >= 0)
                k = open_into(op, chroot, uid, snap_file("home.ext4"), 0600, true, NULL, ret_error);
        if (k < 0)
                return k;
        /* every file verified: now the ledger, and from here on the snapshot is spent, whatever
         * happens next (a changed copy spends nothing) */
        {
                _cleanup_free_ char *holder = NULL;
                k = ledger_claim(op->ledger, op->id, op->name, &holder);
                if (k == -EEXIST)
                        return set_error(ret_error, -EALREADY,
                                         "%s was restored once already (%s): a snapshot is restored at most once",
                                         op->dir, holder ? holder : "the ledger says so");
                if (k < 0)
                        return set_error(ret_error, k, "the snapshot ledger %s: %s", op->ledger, strerror(-k));
        }
        cli_step("ledger: snapshot %s is %s's, and nobody else's", op->id, op->name);
        return 0;
}

/* The manifest, authenticated; every file it lists there and nothing else. 0, 1 refused, 2. */
static int read_manifest(const char *dir, int dirfd, const struct seal_key *key, json_object **ret) {
        _cleanup_free_ char *text = NULL, *mac = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        /* a copied snapshot is anyone's: its files are opened only as regular files (a FIFO
         * there would block root), never through a symlink */
        _cleanup_close_ int mfd = open_beneath_at(dirfd, "manifest.json", O_RDONLY, S_IFREG),
                            cfd = open_beneath_at(dirfd, "manifest.mac", O_RDONLY, S_IFREG);
        json_object *m, *files;
        struct dirent *de;
        size_t len = 0;

        if (mfd == -EPERM || cfd == -EPERM)
                return cli_fail(1, "%s/%s: not a regular file (a FIFO, a device or a symlink): refusing it", dir,
                                mfd == -EPERM ? "manifest.json" : "manifest.mac");
        if (mfd < 0 || cfd < 0 || read_fd_capped(mfd, 1 << 20, &text, &len) < 0 ||
            read_fd_capped(cfd, 256, &mac, NULL) < 0)
                return cli_fail(2, "%s: not a snapshot (no readable manifest.json and manifest.mac)", dir);
        if (!seal_mac_ok(key, text, len, strstrip(mac)))
                return cli_fail(1,
                                "%s/manifest.json: does not verify under the snapshot key %s (changed, or sealed under "
                                "another key): refusing it",
                                dir, key->id);
        m = json_tokener_parse(text);
        if (!m || !json_object_is_type(m, json_type_object) || !json_object_object_get_ex(m, "files", &files) ||
            !json_object_is_type(files, json_type_array) || !json_str(m, "id") || strlen(json_str(m, "id")) != 32 ||
            !json_str(m, "data_key")) {
                json_object_put(m);
                return cli_fail(1, "%s/manifest.json: not a sealed snapshot's manifest (format %d): refusing it", dir,
                                META_FORMAT);
        }
        /* each listed file is one sis-launch writes, once; nothing else is in the directory */
        for (size_t i = 0; i < json_object_array_length(files); i++) {
                const char *n = json_str(json_object_array_get_idx(files, i), "name");
                if (!snap_file(n) || manifest_file(files, n) != json_object_array_get_idx(files, i)) {
                        json_object_put(m);
                        return cli_fail(1, "%s/manifest.json: lists '%s': refusing it", dir, strna(n));
                }
        }
        d = fdopendir(dup(dirfd));
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *n = NULL;
                if (streq(de->d_name, ".") || streq(de->d_name, "..") || streq(de->d_name, "manifest.json") ||
                    streq(de->d_name, "manifest.mac"))
                        continue;
                n = strdup(de->d_name);
                if (n && strlen(n) > 7 && streq(n + strlen(n) - 7, ".sealed"))
                        n[strlen(n) - 7] = '\0';
                if (!n || !strstr(de->d_name, ".sealed") || !manifest_file(files, n)) {
                        json_object_put(m);
                        return cli_fail(1, "%s/%s: not part of the snapshot: refusing it", dir, de->d_name);
                }
        }
        for (size_t i = 0; i < json_object_array_length(files); i++) {
                _cleanup_free_ char *fn =
                        strdup_printf("%s.sealed", json_str(json_object_array_get_idx(files, i), "name"));
                struct stat st;
                if (!fn || fstatat(dirfd, fn, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
                        json_object_put(m);
                        return cli_fail(1, "%s/%s: missing, or not a regular file: refusing it", dir, strna(fn));
                }
        }
        *ret = m;
        return 0;
}

/* Does the snapshot load here? Only where it was made (the same CPU, host kernel and VMM release
 * line), of a guest that reseeds its random numbers (VMGenID) unless the policy waives it.
 * 0 (*ret_vmm_version: this host's VMM), or 1 said. */
static int restore_fits_host(const struct run_opts *o, const char *dir, json_object *m, bool qemu,
                             char **ret_vmm_version) {
        _cleanup_free_ char *cpu = cpu_model(), *fcv = NULL;
        const char *made_by = json_str(m, qemu ? "qemu_version" : "firecracker_version"),
                   *gk = json_str(m, "guest_kernel");
        unsigned a[3], b[3];
        struct utsname u;

        uname(&u);
        if (!streq_ptr(json_str(m, "cpu_model"), cpu))
                return cli_fail(1, "%s was taken on another CPU (%s; this host: %s): refusing it", dir,
                                strna(json_str(m, "cpu_model")), strna(cpu));
        if (!streq_ptr(json_str(m, "host_kernel"), u.release))
                return cli_fail(1, "%s was taken under host kernel %s (this host runs %s): refusing it", dir,
                                strna(json_str(m, "host_kernel")), u.release);
        fcv = vmm_version(qemu ? o->qemu : o->firecracker);
        if (!fcv || !made_by || parse_version(fcv + strcspn(fcv, "0123456789"), a) < 0 ||
            parse_version(made_by + strcspn(made_by, "0123456789"), b) < 0 || a[0] != b[0] || a[1] != b[1])
                return cli_fail(1, "%s was made by %s; %s is %s: snapshots load only within one release line", dir,
                                strna(made_by), qemu ? o->qemu : o->firecracker, strna(fcv));
        if (!kernel_at_least(gk, 5, 18) && !gate_policy_waives(o->policy, "snapshot.vmgenid"))
                return cli_fail(1,
                                "%s: guest kernel %s predates VMGenID (5.18): a restored guest would not reseed its "
                                "random number generator; a policy may waive snapshot.vmgenid",
                                dir, strna(gk));
        *ret_vmm_version = TAKE_PTR(fcv);
        return 0;
}

/* The images by their hashes, in the image directory only: the root filesystem, and QEMU's kernel.
 * 0, or 1 said. */
static int restore_images(const char *dir, json_object *m, const struct snap_opts *so, bool qemu, char **ret_rootfs,
                          char **ret_kernel) {
        json_object *x = NULL;

        if (!json_object_object_get_ex(m, "rootfs", &x) || !(*ret_rootfs = find_image(so->images, x, 0)))
                return cli_fail(1, "%s: its root filesystem (sha256 %s) is not in --images %s", dir,
                                strna(json_str(x, "sha256")), so->images);
        if (qemu &&
            (!json_object_object_get_ex(m, "kernel", &x) || !(*ret_kernel = find_image(so->images, x, 0)) ||
             !json_str(m, "boot_args")))
                return cli_fail(1, "%s: its kernel (sha256 %s) is not in --images %s", dir,
                                strna(json_str(x, "sha256")), so->images);
        return 0;
}

/* The restored VM started: the snapshot's machine (its vCPUs and memory set the cgroup limits:
 * the manifest is authenticated), its files opened into the jail by open_snapshot. */
static int restore_start(const struct run_opts *o, const struct snap_opts *so, const char *dir, int dfd, json_object *m,
                         const unsigned char *dk, const char *kernel, const char *rootfs, struct vm_state *vst,
                         const struct gate_result *g) {
        bool qemu = streq_ptr(json_str(m, "backend"), "qemu");
        struct run_opts ro = *o;
        json_object *v, *files = NULL, *mf;
        unsigned long long vmstate = 0, home = 0;
        struct fc_plan plan = {};
        struct utsname u;
        char mac[18];
        int rc;

        if (json_object_object_get_ex(m, "vcpus", &v))
                ro.vcpus = (unsigned) json_object_get_int(v);
        if (json_object_object_get_ex(m, "mem_mib", &v))
                ro.mem_mib = (unsigned) json_object_get_int(v);
        ro.net = json_object_object_get_ex(m, "net", &v) && json_object_get_boolean(v) ? NETMODE_DEFAULT : NETMODE_NONE;
        ro.backend = qemu ? BACKEND_QEMU : BACKEND_FIRECRACKER;
        (void) json_object_object_get_ex(m, "files", &files);
        if ((mf = manifest_file(files, "vmstate")) && json_object_object_get_ex(mf, "size", &v))
                vmstate = (unsigned long long) json_object_get_int64(v);
        if ((mf = manifest_file(files, "home.ext4")) && json_object_object_get_ex(mf, "size", &v))
                home = (unsigned long long) json_object_get_int64(v);
        /* the guest's clock: advanced by the time the snapshot slept, where the host's KVM can; the
         * restore's own limits replace the snapshot's rate limiters */
        uname(&u);
        if (!qemu &&
            fc_plan_load("/logger.fifo", "/metrics.fifo", kernel_at_least(u.release, 5, 16), &o->limits, home != 0,
                         ro.net == NETMODE_DEFAULT, &plan) < 0)
                return 2;
        fc_mac_for(GUEST_IP, mac);
        /* QEMU: the same machine as the snapshot's, which then takes its state */
        struct qemu_vm qvm = { .binary = o->qemu,
                               .id = o->id,
                               .vcpus = ro.vcpus,
                               .mem_mib = ro.mem_mib,
                               .kvm = streq_ptr(json_str(m, "accel"), "kvm"),
                               .kernel = "/vmlinux",
                               .rootfs = "/rootfs.ext4",
                               .home = home ? "/disk/home.ext4" : NULL,
                               .boot_args = json_str(m, "boot_args"),
                               .tap = ro.net == NETMODE_DEFAULT ? "tap0" : NULL,
                               .guest_mac = ro.net == NETMODE_DEFAULT ? mac : NULL,
                               .incoming = true,
                               .limits = &o->limits };
        if (qemu)
                vst->boot_args = qvm.boot_args;
        struct opener op = { .dirfd = dfd,
                             .dk = dk,
                             .id = json_str(m, "id"),
                             .files = files,
                             .qemu = qemu,
                             .ledger = so->ledger,
                             .name = o->id,
                             .dir = dir };
        struct start_req r = { .kernel = kernel,
                               .rootfs = rootfs,
                               .fill = open_snapshot,
                               .fill_ctx = &op,
                               /* Firecracker: its memory and state; QEMU: its state */
                               .snapshot_size =
                                       qemu ? vmstate + (1u << 20) : ((unsigned long long) ro.mem_mib + 64) << 20,
                               .home_size = home,
                               .plan = &plan,
                               .qvm = &qvm,
                               .state = vst };
        rc = vm_start(&ro, &r, g);
        fc_plan_done(&plan);
        return rc;
}

int vm_restore(const struct run_opts *o, const char *dir, const struct snap_opts *so) {
        _cleanup_free_ char *fcv = NULL, *holder = NULL, *rootfs = NULL, *kernel = NULL, *err = NULL,
                            *dir_abs = realpath(dir, NULL);
        _cleanup_close_ int dfd = -1;
        json_object *m = NULL, *x;
        struct vm_state vst = VM_STATE_INIT;
        unsigned char dk[SEAL_KEY_BYTES] = {};
        struct seal_key key = {};
        struct gate_result g = {};
        const char *sid;
        int k, rc;
        bool qemu;

        if (!vm_id_ok(o->id))
                return cli_fail(2, "--name '%s': a VM name is 1 to 64 of A-Z, a-z, 0-9 and '-'", o->id ? o->id : "");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return cli_fail(2, "%s: %s", dir, strerror(errno));
        k = seal_key_load(so->key, false, &key, &err);
        if (k < 0)
                return cli_fail(2, "--key: %s", strna(err));
        rc = read_manifest(dir, dfd, &key, &m);
        if (rc != 0)
                goto out;
        sid = json_str(m, "id");
        rc = 1;
        if (json_object_object_get_ex(m, "forensic", &x) && json_object_get_boolean(x)) {
                cli_fail(1, "%s: a forensic snapshot, for analysis only: never restorable", dir);
                goto out;
        }
        if (!ledger_issued(so->ledger, sid)) {
                cli_fail(1, "%s: snapshot %s was not issued on the ledger %s: refusing it", dir, sid, so->ledger);
                goto out;
        }
        /* the snapshot says which VMM made it, and only that one loads it */
        qemu = streq_ptr(json_str(m, "backend"), "qemu");
        {
                struct run_opts go = *o;
                go.backend = qemu ? BACKEND_QEMU : BACKEND_FIRECRACKER;
                rc = vm_gate(&go, &g);
        }
        if (rc == 0)
                rc = restore_fits_host(o, dir, m, qemu, &fcv);
        if (rc == 0)
                rc = restore_images(dir, m, so, qemu, &rootfs, &kernel);
        if (rc != 0)
                goto out;
        rc = 1;
        if (seal_unwrap(&key, json_str(m, "data_key"), sid, dk) < 0) {
                cli_fail(1, "%s/manifest.json: its data key does not open under the snapshot key %s: refusing it", dir,
                         key.id);
                goto out;
        }
        /* spent already? Said before anything is staged (the claim itself comes once the files
         * verified, in open_snapshot) */
        {
                _cleanup_free_ char *p = strdup_printf("%s/%s", so->ledger, sid);
                if (p && read_file_capped(p, 256, &holder, NULL) >= 0) {
                        rc = cli_fail(1, "%s was restored once already (%s): a snapshot is restored at most once", dir,
                                      strstrip(holder));
                        goto out;
                }
        }
        vst.restored_from = dir_abs ? dir_abs : dir;
        vst.snapshot_id = sid;
        vst.guest_kernel = json_str(m, "guest_kernel");
        vst.vmm_version = fcv;
        rc = restore_start(o, so, dir, dfd, m, dk, kernel, rootfs, &vst, &g);
out:
        OPENSSL_cleanse(dk, sizeof(dk));
        OPENSSL_cleanse(&key, sizeof(key));
        json_object_put(m);
        gate_result_done(&g);
        return rc;
}
