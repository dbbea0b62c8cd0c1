/* SPDX-License-Identifier: MIT */
/*
 * vm.<name>: the runtime audit of a microVM that sis-launch started (its state under
 * <run_dir>/vms/<name>/state.json). Everything comes from /proc/<pid> of the VMM, through the
 * sysroot, so a dump taken with --collect carries it too.
 */
#include <json-c/json.h>

#include "check-ctx.h"
#include "util.h"

static char *vms_dir(const struct audit_ctx *c) {
        return strdup_printf("%s/vms", c->cfg->run_dir ? c->cfg->run_dir : "/run/sis");
}

int vm_instances(struct audit_ctx *c, char ***ret) {
        _cleanup_free_ char *dir = vms_dir(c);
        _cleanup_strv_free_ char **names = NULL, **ok = NULL;
        int k;

        if (!dir)
                return -ENOMEM;
        ok = calloc(1, sizeof(char *));
        if (!ok)
                return -ENOMEM;
        if (c->cfg->no_vm_checks) {
                *ret = TAKE_PTR(ok);
                return 0;
        }
        k = sis_root_list(c->root, dir, &names);
        if (k == -ENOENT) {
                *ret = TAKE_PTR(ok); /* no VMs: no instances */
                return 0;
        }
        if (k < 0)
                return k;
        for (char **n = names; *n; n++)
                if (vm_id_ok(*n) && strv_extend(&ok, *n) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(ok);
        return 0;
}

/* "Uid:\t0\t0\t0\t0" -> the value after the key */
static const char *status_field(const char *status, const char *key, char *buf, size_t size) {
        size_t kl = strlen(key);
        for (const char *p = status; p && *p;) {
                size_t len = strcspn(p, "\n");
                if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == ':') {
                        const char *v = p + kl + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        snprintf(buf, size, "%.*s", (int) (len - (size_t) (v - p)), v);
                        return buf;
                }
                p += len + (p[len] == '\n');
        }
        return NULL;
}

CHECK_FN(check_vm_runtime) {
        _cleanup_free_ char *dir = vms_dir(c), *sp = NULL, *state = NULL, *status = NULL, *stat = NULL, *cgroup = NULL,
                            *statp = NULL, *statusp = NULL, *cgp = NULL;
        json_object *st = NULL, *v;
        char buf[256];
        int64_t pid = 0, start = 0;
        int k;
        unsigned long long now_start = 0;
        const char *close_paren;

        if (!dir || !(sp = strdup_printf("%s/%s/state.json", dir, arg)))
                return;
        k = audit_read(c, f, sp, &state);
        if (k < 0)
                return;
        st = json_tokener_parse(state);
        if (!st || !json_object_object_get_ex(st, "pid", &v)) {
                json_object_put(st);
                sis_finding_skip(f, "%s has not started a VMM", arg);
                return;
        }
        pid = json_object_get_int64(v);
        if (json_object_object_get_ex(st, "pid_starttime", &v))
                start = json_object_get_int64(v);
        json_object_put(st);
        statp = strdup_printf("/proc/%lld/stat", (long long) pid);
        statusp = strdup_printf("/proc/%lld/status", (long long) pid);
        cgp = strdup_printf("/proc/%lld/cgroup", (long long) pid);
        if (!statp || !statusp || !cgp)
                return;
        /* the recorded process, not another that got its pid */
        if (audit_read_opt(c, f, statp, &stat) < 0 || !(close_paren = strrchr(stat, ')')) || close_paren[2] == 'Z') {
                sis_finding_skip(f, "%s is not running (pid %lld)", arg, (long long) pid);
                return;
        }
        {
                const char *p = close_paren;
                for (int field = 2; *p && field < 22; p++)
                        if (*p == ' ')
                                field++;
                (void) sscanf(p, "%llu", &now_start);
        }
        if (!start || now_start != (unsigned long long) start) {
                sis_finding_skip(f, "%s is not running (pid %lld belongs to another process now)", arg,
                                 (long long) pid);
                return;
        }
        if (audit_read(c, f, statusp, &status) < 0)
                return;
        sis_finding_evidence(f, "pid", "%lld", (long long) pid);
        if (status_field(status, "Uid", buf, sizeof(buf))) {
                unsigned r = 1, e = 1, s = 1, fs = 1;
                sis_finding_evidence(f, statusp, "Uid: %s", buf);
                if (sscanf(buf, "%u %u %u %u", &r, &e, &s, &fs) != 4 || !r || !e || !s || !fs)
                        sis_finding_note(f, SIS_FAIL, "the VMM runs as root");
        }
        if (status_field(status, "Seccomp", buf, sizeof(buf))) {
                sis_finding_evidence(f, statusp, "Seccomp: %s", buf);
                if (!streq(buf, "2"))
                        sis_finding_note(f, SIS_FAIL, "no seccomp filter (Seccomp: %s, want 2)", buf);
        } else
                sis_finding_note(f, SIS_UNKNOWN, "no Seccomp line in %s", statusp);
        if (status_field(status, "NoNewPrivs", buf, sizeof(buf))) {
                sis_finding_evidence(f, statusp, "NoNewPrivs: %s", buf);
                if (!streq(buf, "1"))
                        sis_finding_note(f, SIS_FAIL, "no_new_privs is not set");
        }
        if (status_field(status, "Speculation_Store_Bypass", buf, sizeof(buf))) {
                sis_finding_evidence(f, statusp, "Speculation_Store_Bypass: %s", buf);
                if (!streq(buf, "thread force mitigated") && !streq(buf, "globally mitigated") &&
                    !streq(buf, "not vulnerable"))
                        sis_finding_note(f, SIS_FAIL, "speculative store bypass is not force-disabled (%s)", buf);
        }
        /* its own mount, pid and network namespaces: not the host's (pid 1's, or where pid 1 cannot be
         * read, as in some containers, the auditor's own) */
        for (int i = 0; i < 3; i++) {
                static const char *const ns[] = { "mnt", "pid", "net" };
                _cleanup_free_ char *a = strdup_printf("/proc/%lld/ns/%s", (long long) pid, ns[i]),
                                    *b = strdup_printf("/proc/1/ns/%s", ns[i]),
                                    *b2 = strdup_printf("/proc/self/ns/%s", ns[i]), *la = NULL, *lb = NULL;
                if (b && b2 && (sis_root_readlink(c->root, b, &lb) < 0 || !lb || !*lb)) {
                        free(lb);
                        lb = NULL;
                        (void) sis_root_readlink(c->root, b2, &lb);
                }
                if (!a || !b || sis_root_readlink(c->root, a, &la) < 0 || !lb || !*lb) {
                        sis_finding_note(f, SIS_UNKNOWN, "cannot read the %s namespace of pid %lld", ns[i],
                                         (long long) pid);
                        continue;
                }
                sis_finding_evidence(f, a, "%s", la);
                if (streq(la, lb))
                        sis_finding_note(f, SIS_FAIL, "shares the host's %s namespace", ns[i]);
        }
        /* a cgroup of its own (the jailer's <parent>/<id>), not the root */
        if (audit_read(c, f, cgp, &cgroup) >= 0) {
                _cleanup_free_ char *want = strdup_printf("/%s", arg);
                bool own = false;
                for (const char *p = cgroup; *p;) {
                        size_t len = strcspn(p, "\n");
                        const char *path = memchr(p, ':', len);
                        path = path ? memchr(path + 1, ':', len - (size_t) (path + 1 - p)) : NULL;
                        if (path && want && (size_t) (p + len - (path + 1)) >= strlen(want) &&
                            strncmp(p + len - strlen(want), want, strlen(want)) == 0)
                                own = true;
                        p += len + (p[len] == '\n');
                }
                if (!own)
                        sis_finding_note(f, SIS_FAIL, "not in a cgroup of its own (…/%s)", arg);
        }
        sis_finding_note(f, SIS_PASS,
                         "%s: the VMM (pid %lld) runs confined: non-root, seccomp, no_new_privs, own "
                         "namespaces and cgroup",
                         arg, (long long) pid);
}
