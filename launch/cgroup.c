/* SPDX-License-Identifier: MIT */
#include "cgroup.h"

#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "fileio.h"
#include "parse.h"
#include "util.h"

/* Each cgroup or cgroup2 mount of /proc/self/mounts (the audit's parser): its type, mount point
 * and options, for fn. -EBADMSG on a malformed table. */
static int each_cgroup_mount(const char *mounts,
                             int (*fn)(void *ud, const char *type, const char *dir, const char *opts), void *ud) {
        struct mount_entry *m = NULL;
        size_t n = 0;
        int k = mounts_parse(mounts ? mounts : "", &m, &n);

        for (size_t i = 0; k >= 0 && i < n; i++)
                if (streq(m[i].fstype, "cgroup") || streq(m[i].fstype, "cgroup2"))
                        k = fn(ud, m[i].fstype, m[i].target, m[i].options);
        mounts_free(m, n);
        return k < 0 ? k : 0;
}

struct detect_ctx {
        bool v1, v2_root;
};

static int detect_one(void *ud, const char *type, const char *dir, const char *opts) {
        struct detect_ctx *c = ud;
        if (streq(type, "cgroup"))
                c->v1 = true;
        else if (streq(dir, "/sys/fs/cgroup"))
                c->v2_root = true;
        return 0;
}

int cgroup_version_detect(const char *mounts) {
        struct detect_ctx c = {};
        int k = each_cgroup_mount(mounts, detect_one, &c);

        if (k < 0)
                return k;
        return c.v1 ? 1 : c.v2_root ? 2 : -ENOENT;
}

static bool has_option(const char *opts, const char *name) {
        _cleanup_strv_free_ char **o = NULL;
        return strv_split(opts, ",", &o) >= 0 && strv_contains(o, name);
}

struct plan_ctx {
        int version;
        const char *group, *id;
        const struct cgroup_limits *l;
        struct cgroup_plan *p;
        int found;
};

static int add_write(struct cgroup_plan *p, const char *dir, const char *file, const char *fmt, ...) _printf_(4, 5);
static int add_write(struct cgroup_plan *p, const char *dir, const char *file, const char *fmt, ...) {
        _cleanup_free_ char *path = strdup_printf("%s/%s", dir, file), *value = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&value, fmt, ap) < 0)
                value = NULL;
        va_end(ap);
        if (!path || !value || strv_extend(&p->writes, path) < 0 || strv_extend(&p->writes, value) < 0)
                return -ENOMEM;
        return 0;
}

static int plan_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct plan_ctx *c = ud;
        const struct cgroup_limits *l = c->l;
        bool v2 = streq(type, "cgroup2");
        bool cpu = !v2 && has_option(opts, "cpu"), mem = !v2 && has_option(opts, "memory"),
             pids = !v2 && has_option(opts, "pids");
        _cleanup_free_ char *parent = strdup_printf("%s/%s", mnt, c->group),
                            *dir = strdup_printf("%s/%s/%s", mnt, c->group, c->id);
        int k = 0;

        if (!parent || !dir)
                return -ENOMEM;
        if (c->version == 2 ? !v2 || !streq(mnt, "/sys/fs/cgroup") : v2 || !(cpu || mem || pids))
                return 0;
        if (strv_extend(&c->p->dirs, parent) < 0 || strv_extend(&c->p->dirs, dir) < 0 ||
            strv_extend(&c->p->join, dir) < 0)
                return -ENOMEM;
        c->found++;
        if (v2) {
                /* controllers are offered to children by each parent, root first */
                if ((k = add_write(c->p, mnt, "cgroup.subtree_control", "+cpu +memory +pids")) < 0 ||
                    (k = add_write(c->p, parent, "cgroup.subtree_control", "+cpu +memory +pids")) < 0 ||
                    (k = add_write(c->p, dir, "cpu.max", "%u 100000", l->vcpus * 100000u)) < 0 ||
                    (k = add_write(c->p, dir, "memory.max", "%llu", (unsigned long long) l->mem_bytes)) < 0 ||
                    (k = add_write(c->p, dir, "memory.swap.max", "0")) < 0 ||
                    (k = add_write(c->p, dir, "pids.max", "%u", l->pids)) < 0)
                        return k;
                return 0;
        }
        if (cpu &&
            ((k = add_write(c->p, dir, "cpu.cfs_period_us", "100000")) < 0 ||
             (k = add_write(c->p, dir, "cpu.cfs_quota_us", "%u", l->vcpus * 100000u)) < 0))
                return k;
        if (mem && (k = add_write(c->p, dir, "memory.limit_in_bytes", "%llu", (unsigned long long) l->mem_bytes)) < 0)
                return k;
        if (pids && (k = add_write(c->p, dir, "pids.max", "%u", l->pids)) < 0)
                return k;
        return 0;
}

int cgroup_plan_make(const char *mounts, int version, const char *group, const char *id, const struct cgroup_limits *l,
                     struct cgroup_plan *ret) {
        struct cgroup_plan p = {};
        struct plan_ctx c = { .version = version, .group = group, .id = id, .l = l, .p = &p };
        int k;

        if (!vm_id_ok(id) || !vm_id_ok(group) || (version != 1 && version != 2))
                return -EINVAL;
        k = each_cgroup_mount(mounts, plan_one, &c);
        if (k >= 0 && c.found == 0)
                k = -ENOENT;
        if (k < 0) {
                cgroup_plan_done(&p);
                return k;
        }
        *ret = p;
        return 0;
}

int cgroup_apply(const struct cgroup_plan *p, char **ret_error) {
        for (char **d = p->dirs; d && *d; d++)
                if (mkdir(*d, 0755) < 0 && errno != EEXIST)
                        return set_error(ret_error, -errno, "%s: cannot create the cgroup: %s", *d, strerror(errno));
        for (char **w = p->writes; w && w[0] && w[1]; w += 2) {
                int k = write_attr(w[0], w[1]);
                if (k < 0)
                        return set_error(ret_error, k, "%s: cannot write '%s': %s", w[0], w[1], strerror(-k));
        }
        return 0;
}

void cgroup_plan_done(struct cgroup_plan *p) {
        strv_free(p->dirs);
        strv_free(p->writes);
        strv_free(p->join);
        *p = (struct cgroup_plan) {};
}

struct memory_ctx {
        const char *group, *id;
        uint64_t bytes;
        int written, error;
};

static int memory_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct memory_ctx *c = ud;
        bool v2 = streq(type, "cgroup2");
        _cleanup_free_ char *f = NULL, *v = strdup_printf("%llu", (unsigned long long) c->bytes);
        int k;

        if (v2 ? !streq(mnt, "/sys/fs/cgroup") : !has_option(opts, "memory"))
                return 0;
        f = strdup_printf("%s/%s/%s/%s", mnt, c->group, c->id, v2 ? "memory.max" : "memory.limit_in_bytes");
        if (!f || !v)
                return -ENOMEM;
        k = write_attr(f, v);
        if (k == -ENOENT)
                return 0; /* no such cgroup here (v2 mounted beside v1 controllers) */
        if (k < 0 && !c->error)
                c->error = k;
        if (k >= 0)
                c->written++;
        return 0;
}

int cgroup_set_memory(const char *mounts, const char *group, const char *id, uint64_t bytes) {
        struct memory_ctx c = { .group = group, .id = id, .bytes = bytes };
        int k;

        if (!vm_id_ok(id) || !vm_id_ok(group))
                return -EINVAL;
        k = each_cgroup_mount(mounts, memory_one, &c);
        if (k < 0)
                return k;
        return c.error ? c.error : c.written ? 0 : -ENOENT;
}

struct usage_ctx {
        const char *group, *id;
        struct cgroup_usage *u;
};

static int64_t read_i64(const char *dir, const char *file) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, file), *text = NULL;
        int64_t v;
        if (!p || read_file_capped(p, 4096, &text, NULL) < 0 || safe_atoi64(strstrip(text), &v) < 0 || v < 0)
                return -1;
        return v;
}

static int usage_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct usage_ctx *c = ud;
        bool v2 = streq(type, "cgroup2");
        _cleanup_free_ char *dir = strdup_printf("%s/%s/%s", mnt, c->group, c->id);

        if (!dir)
                return -ENOMEM;
        if (v2 && !streq(mnt, "/sys/fs/cgroup"))
                return 0;
        if (c->u->cpu_s < 0) {
                if (v2) {
                        _cleanup_free_ char *p = strdup_printf("%s/cpu.stat", dir), *text = NULL;
                        unsigned long long us;
                        const char *l;
                        if (p && read_file_capped(p, 65536, &text, NULL) >= 0 && (l = strstr(text, "usage_usec ")) &&
                            (l == text || l[-1] == '\n') && sscanf(l, "usage_usec %llu", &us) == 1)
                                c->u->cpu_s = (double) us / 1e6;
                } else if (has_option(opts, "cpuacct")) {
                        int64_t ns = read_i64(dir, "cpuacct.usage");
                        if (ns >= 0)
                                c->u->cpu_s = (double) ns / 1e9;
                }
        }
        if (c->u->mem_bytes < 0 && (v2 || has_option(opts, "memory"))) {
                c->u->mem_bytes = read_i64(dir, v2 ? "memory.current" : "memory.usage_in_bytes");
                c->u->mem_peak_bytes = read_i64(dir, v2 ? "memory.peak" : "memory.max_usage_in_bytes");
        }
        return 0;
}

int cgroup_usage(const char *mounts, const char *group, const char *id, struct cgroup_usage *ret) {
        struct usage_ctx c = { .group = group, .id = id, .u = ret };

        *ret = (struct cgroup_usage) { .cpu_s = -1, .mem_bytes = -1, .mem_peak_bytes = -1 };
        if (!vm_id_ok(id) || !vm_id_ok(group))
                return -EINVAL;
        (void) each_cgroup_mount(mounts, usage_one, &c);
        return ret->cpu_s >= 0 || ret->mem_bytes >= 0 ? 0 : -ENOENT;
}

struct remove_ctx {
        const char *group, *id;
        char *found; /* cgroup_find */
};

static int find_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct remove_ctx *c = ud;
        _cleanup_free_ char *dir = strdup_printf("%s/%s/%s", mnt, c->group, c->id);
        struct stat st;

        if (!dir)
                return -ENOMEM;
        if (!c->found && lstat(dir, &st) == 0)
                c->found = TAKE_PTR(dir); /* the first is enough */
        return 0;
}

int cgroup_find(const char *mounts, const char *group, const char *id, char **ret_dir) {
        struct remove_ctx c = { .group = group, .id = id };
        int k;

        if (!vm_id_ok(id) || !vm_id_ok(group))
                return -EINVAL;
        k = each_cgroup_mount(mounts, find_one, &c);
        if (k < 0) {
                free(c.found);
                return k;
        }
        *ret_dir = c.found;
        return !!c.found;
}

static int remove_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct remove_ctx *c = ud;
        _cleanup_free_ char *dir = strdup_printf("%s/%s/%s", mnt, c->group, c->id);
        if (dir)
                (void) rmdir(dir);
        return 0;
}

void cgroup_remove(const char *mounts, const char *group, const char *id) {
        struct remove_ctx c = { .group = group, .id = id };
        if (vm_id_ok(id) && vm_id_ok(group))
                (void) each_cgroup_mount(mounts, remove_one, &c);
}

struct kill_ctx {
        const char *group, *id;
        bool signal;
        unsigned left; /* processes still listed */
};

static int kill_one(void *ud, const char *type, const char *mnt, const char *opts) {
        struct kill_ctx *c = ud;
        _cleanup_free_ char *dir = strdup_printf("%s/%s/%s", mnt, c->group, c->id), *procs = NULL, *text = NULL;

        if (!dir || !(procs = strdup_printf("%s/cgroup.procs", dir)))
                return -ENOMEM;
        if (read_file_capped(procs, 1 << 20, &text, NULL) < 0)
                return 0; /* not there: nothing of this VM in this hierarchy */
        for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
                uint32_t pid;
                if (safe_atou32(l, &pid) < 0 || pid < 2)
                        continue;
                c->left++;
                if (c->signal)
                        (void) kill((pid_t) pid, SIGKILL);
        }
        if (c->signal && streq(type, "cgroup2")) {
                _cleanup_free_ char *k = strdup_printf("%s/cgroup.kill", dir);
                if (k)
                        (void) write_attr(k, "1"); /* 5.14+: the whole group at once, forks included */
        }
        return 0;
}

int cgroup_kill_all(const char *mounts, const char *group, const char *id, long timeout_ms) {
        struct kill_ctx c = { .group = group, .id = id };
        bool found = false;

        if (!vm_id_ok(id) || !vm_id_ok(group))
                return -EINVAL;
        for (long waited = 0;; waited += 10) {
                c.left = 0;
                c.signal = true;
                (void) each_cgroup_mount(mounts, kill_one, &c);
                if (c.left == 0)
                        return found;
                found = true;
                if (waited >= timeout_ms)
                        return -EBUSY;
                usleep(10000);
        }
}

bool cgroup_has_pid(const char *group, const char *id, pid_t pid) {
        _cleanup_free_ char *p = strdup_printf("/proc/%d/cgroup", (int) pid), *text = NULL,
                            *tail = strdup_printf("/%s/%s", group, id);
        size_t tl;

        if (!p || !tail || pid < 2 || read_file_capped(p, 1 << 16, &text, NULL) < 0)
                return false;
        tl = strlen(tail);
        for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
                size_t n = strlen(l);
                /* "7:cpu,cpuacct:/firecracker/vm1", "0::/qemu/vm1" */
                if (n >= tl && streq(l + n - tl, tail))
                        return true;
        }
        return false;
}

/* The mount table, where the cgroup hierarchies are found; NULL when it cannot be read. */
char *self_mounts(void) {
        char *mounts = NULL;
        return read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0 ? NULL : mounts;
}
