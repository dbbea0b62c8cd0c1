/* SPDX-License-Identifier: MIT */
#include "check-ctx.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include "dl.h"
#include <time.h>

#include "policy.h"
#include "util.h"

void audit_config_defaults(struct audit_config *cfg) {
        *cfg = (struct audit_config) {
                .profile = PROFILE_PRODUCTION,
                .chroot_base = "/srv/jailer",
                .jail_uid_min = 10000,
                .jail_uid_max = 10999,
                .jail_gid_min = 10000,
                .jail_gid_max = 10999,
        };
}

int audit_ctx_init(struct audit_ctx *c, struct sis_root *root, const struct audit_config *cfg) {
        *c = (struct audit_ctx) {
                .root = sis_root_ref(root),
                .cfg = cfg,
                .cpuinfo_r = 1,
                .cmdline_r = 1,
                .smt_r = 1,
                .release_r = 1,
                .kmod_r = 1,
                .kconfig_r = 1,
                .mounts_r = 1,
                .smt_on = -1,
        };
        return 0;
}

void audit_ctx_done(struct audit_ctx *c) {
        cpuinfo_done(&c->cpuinfo);
        strv_free(c->cmdline);
        free(c->cmdline_raw);
        free(c->smt_how);
        free(c->release);
        if (c->kconfig_r == 0)
                kconfig_done(&c->kconfig);
        mounts_free(c->mounts, c->n_mounts);
        free(c->kconfig_path);
        if (c->kmod)
                sym_kmod_unref(c->kmod);
        sis_root_unref(c->root);
        *c = (struct audit_ctx) {};
}

int audit_kconfig(struct audit_ctx *c, const struct kconfig **ret, const char **ret_path, const char **ret_step) {
        if (c->kconfig_r == 1) {
                _cleanup_free_ char *gz = NULL, *text = NULL;
                const char *rel;
                size_t len;
                int k;

                c->kconfig_step = "read";
                k = sis_root_read(c->root, "/proc/config.gz", &gz, &len);
                if (k >= 0) {
                        c->kconfig_path = strdup("/proc/config.gz");
                        k = c->kconfig_path ? gunzip_capped(gz, len, 8 * SIS_READ_MAX, &text, &len) : -ENOMEM;
                        if (k < 0)
                                c->kconfig_step = "decompress";
                } else if (k == -ENOENT && audit_release(c, &rel) >= 0) {
                        c->kconfig_path = strdup_printf("/boot/config-%s", rel);
                        k = c->kconfig_path ? sis_root_read(c->root, c->kconfig_path, &text, &len) : -ENOMEM;
                }
                if (k >= 0) {
                        k = kconfig_parse_owned(TAKE_PTR(text), len, &c->kconfig);
                        if (k < 0)
                                c->kconfig_step = "parse";
                }
                c->kconfig_r = k < 0 ? k : 0;
        }
        if (ret_path)
                *ret_path = c->kconfig_path;
        if (ret_step)
                *ret_step = c->kconfig_step;
        if (c->kconfig_r < 0)
                return c->kconfig_r;
        *ret = &c->kconfig;
        return 0;
}

int audit_mounts(struct audit_ctx *c, const struct mount_entry **ret, size_t *ret_n) {
        if (c->mounts_r == 1) {
                _cleanup_free_ char *text = NULL;
                c->mounts_r = sis_root_read(c->root, "/proc/mounts", &text, NULL);
                if (c->mounts_r >= 0)
                        c->mounts_r = mounts_parse(text, &c->mounts, &c->n_mounts);
                if (c->mounts_r > 0)
                        c->mounts_r = 0;
        }
        if (c->mounts_r < 0)
                return c->mounts_r;
        *ret = c->mounts;
        *ret_n = c->n_mounts;
        return 0;
}

const struct mount_entry *audit_mount_of(struct audit_ctx *c, const char *path, int *ret_error) {
        const struct mount_entry *m, *best = NULL;
        size_t n, best_len = 0;
        int k = audit_mounts(c, &m, &n);

        if (k < 0) {
                *ret_error = k;
                return NULL;
        }
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(m[i].target);
                bool under = streq(m[i].target, "/") ||
                        (strncmp(path, m[i].target, l) == 0 && (path[l] == '/' || path[l] == '\0'));
                if (under && l >= best_len) {
                        best = &m[i];
                        best_len = l;
                }
        }
        *ret_error = best ? 0 : -ENOENT;
        return best;
}

int audit_kconfig_set(struct audit_ctx *c, const char *name) {
        const struct kconfig *kc;
        const char *v;
        int k = audit_kconfig(c, &kc, NULL, NULL);

        if (k < 0)
                return k;
        v = kconfig_get(kc, name);
        return v && (streq(v, "y") || streq(v, "m"));
}

int audit_release_cmp(struct audit_ctx *c, unsigned major, unsigned minor) {
        const char *rel;
        unsigned v[3], since[3] = { major, minor, 0 };
        if (audit_release(c, &rel) < 0 || parse_version(rel, v) < 0)
                return -2;
        return version_cmp(v, since) < 0 ? -1 : version_cmp(v, since) > 0 ? 1 : 0;
}

bool audit_production(const struct audit_ctx *c) {
        return c->cfg->profile == PROFILE_PRODUCTION;
}

const char *audit_strerror(int err) {
        switch (-err) {
        case ENOENT: return "missing";
        case EACCES:
        case EPERM: return geteuid() == 0 ? "permission denied" : "permission denied (run as root)";
        case EFBIG: return "larger than 1 MiB";
        case EBADMSG: return "unparsable content";
        case ELOOP: return "symlink loop";
        case EINVAL: return "not a regular file";
        case EISDIR: return "is a directory";
        case ENOTDIR: return "a parent is not a directory";
        case EXDEV: return "symlink escapes the root";
        case ENODATA: return "not recorded in the dump";
        case EOPNOTSUPP: return "live-only probe, not available under --root";
        default: return strerror(-err);
        }
}

static bool one_short_line(const char *s) {
        return strlen(s) <= 256 && !strchr(s, '\n');
}

static int do_read(struct audit_ctx *c, struct sis_finding *f, const char *path, char **ret, bool opt) {
        _cleanup_free_ char *s = NULL;
        int k = sis_root_read_string(c->root, path, &s);

        if (k < 0) {
                if (!(opt && k == -ENOENT))
                        sis_finding_note(f, SIS_UNKNOWN, "cannot read %s: %s", path, audit_strerror(k));
                return k;
        }
        if (one_short_line(s))
                sis_finding_evidence(f, path, "%s", s);
        *ret = TAKE_PTR(s);
        return 0;
}

int audit_read(struct audit_ctx *c, struct sis_finding *f, const char *path, char **ret) {
        return do_read(c, f, path, ret, false);
}

int audit_read_opt(struct audit_ctx *c, struct sis_finding *f, const char *path, char **ret) {
        return do_read(c, f, path, ret, true);
}

static int do_readf(struct audit_ctx *c, struct sis_finding *f, char **ret, bool opt, const char *fmt, va_list ap) {
        char path[PATH_MAX];
        int n = vsnprintf(path, sizeof(path), fmt, ap);

        if (n < 0 || (size_t) n >= sizeof(path)) {
                /* as do_read would: a failure other than absence is noted */
                sis_finding_note(f, SIS_UNKNOWN, "cannot read %.64s…: %s", path, audit_strerror(-ENAMETOOLONG));
                return -ENAMETOOLONG;
        }
        return do_read(c, f, path, ret, opt);
}

int audit_readf(struct audit_ctx *c, struct sis_finding *f, char **ret, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = do_readf(c, f, ret, false, fmt, ap);
        va_end(ap);
        return k;
}

int audit_readf_opt(struct audit_ctx *c, struct sis_finding *f, char **ret, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = do_readf(c, f, ret, true, fmt, ap);
        va_end(ap);
        return k;
}

int audit_cpuinfo(struct audit_ctx *c, const struct cpuinfo **ret) {
        if (c->cpuinfo_r == 1) {
                _cleanup_free_ char *s = NULL;
                c->cpuinfo_r = sis_root_read(c->root, "/proc/cpuinfo", &s, NULL);
                if (c->cpuinfo_r >= 0)
                        c->cpuinfo_r = cpuinfo_parse(s, &c->cpuinfo);
        }
        if (c->cpuinfo_r < 0)
                return c->cpuinfo_r;
        *ret = &c->cpuinfo;
        return 0;
}

int audit_cmdline(struct audit_ctx *c, char ***ret) {
        if (c->cmdline_r == 1) {
                c->cmdline_r = sis_root_read_string(c->root, "/proc/cmdline", &c->cmdline_raw);
                /* a command line is text: control bytes or bytes that are not UTF-8 are a garbled
                 * file, not a command line without dangerous options */
                if (c->cmdline_r >= 0 &&
                    (!str_is_printable(c->cmdline_raw, strlen(c->cmdline_raw)) ||
                     !utf8_valid(c->cmdline_raw, strlen(c->cmdline_raw))))
                        c->cmdline_r = -EBADMSG;
                if (c->cmdline_r >= 0)
                        c->cmdline_r = cmdline_parse(c->cmdline_raw, &c->cmdline);
        }
        if (c->cmdline_r < 0)
                return c->cmdline_r;
        *ret = c->cmdline;
        return 0;
}

int audit_smt(struct audit_ctx *c, const char **ret_how) {
        if (c->smt_r == 1) {
                _cleanup_free_ char *control = NULL, *active = NULL;
                const struct cpuinfo *ci;
                int k;

                c->smt_r = 0;
                k = sis_root_read_string(c->root, "/sys/devices/system/cpu/smt/control", &control);
                (void) sis_root_read_string(c->root, "/sys/devices/system/cpu/smt/active", &active);
                if (k >= 0) {
                        if (streq(control, "on") || (active && streq(active, "1")))
                                c->smt_on = 1;
                        else if (streq(control, "off") || streq(control, "forceoff") ||
                                 streq(control, "notsupported") || streq(control, "notimplemented"))
                                c->smt_on = 0;
                        c->smt_how = strdup_printf("smt/control=%s", control);
                } else if (audit_cpuinfo(c, &ci) >= 0 && ci->siblings > 0 && ci->cores > 0) {
                        c->smt_on = ci->siblings > ci->cores;
                        c->smt_how = strdup_printf("cpuinfo siblings=%d cpu cores=%d", ci->siblings, ci->cores);
                } else
                        c->smt_r = k;
        }
        if (ret_how)
                *ret_how = c->smt_how;
        return c->smt_on;
}

int audit_release(struct audit_ctx *c, const char **ret) {
        if (c->release_r == 1) {
                c->release_r = sis_root_read_string(c->root, "/proc/sys/kernel/osrelease", &c->release);
                if (c->release_r >= 0 &&
                    (!*c->release || strchr(c->release, '/') || !str_is_printable(c->release, strlen(c->release)) ||
                     strlen(c->release) > 128))
                        c->release_r = -EBADMSG;
        }
        if (c->release_r < 0)
                return c->release_r;
        *ret = c->release;
        return 0;
}

static const char *const modprobe_dirs[] = { "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                             "/lib/modprobe.d" };

/* libkmod reads its indexes and modprobe.d itself; when collecting, read them through the
 * sysroot layer first so the dump holds what libkmod will see on replay. */
static void record_kmod_inputs(struct audit_ctx *c, const char *rel) {
        static const char *const indexes[] = { "modules.dep.bin",           "modules.alias.bin",
                                               "modules.symbols.bin",       "modules.builtin.bin",
                                               "modules.builtin.alias.bin", "modules.softdep",
                                               "modules.builtin.modinfo" };

        for (size_t i = 0; i < ELEMENTSOF(indexes); i++) {
                _cleanup_free_ char *p = strdup_printf("/lib/modules/%s/%s", rel, indexes[i]), *buf = NULL;
                if (p)
                        (void) sis_root_read(c->root, p, &buf, NULL);
        }
        for (size_t i = 0; i < ELEMENTSOF(modprobe_dirs); i++) {
                _cleanup_strv_free_ char **names = NULL;
                if (sis_root_list(c->root, modprobe_dirs[i], &names) < 0)
                        continue;
                for (char **n = names; *n; n++) {
                        _cleanup_free_ char *p = strdup_printf("%s/%s", modprobe_dirs[i], *n), *buf = NULL;
                        if (p)
                                (void) sis_root_read(c->root, p, &buf, NULL);
                }
        }
}

int audit_kmod(struct audit_ctx *c, struct kmod_ctx **ret) {
        if (c->kmod_r == 1) {
                const char *rel;
                const char *base = sis_root_path(c->root);
                c->kmod_r = audit_release(c, &rel);
                if (c->kmod_r >= 0) {
                        /* libkmod opens the files itself: only where nothing can lead it astray */
                        _cleanup_free_ char *moddir = strdup_printf("/lib/modules/%s", rel);
                        int plain = moddir ? sis_root_plain(c->root, moddir, 1) : -ENOMEM;
                        for (size_t i = 0; plain > 0 && i < ELEMENTSOF(modprobe_dirs); i++) {
                                int p = sis_root_plain(c->root, modprobe_dirs[i], 1);
                                if (p != -ENOENT)
                                        plain = p;
                        }
                        c->kmod_r = plain < 0 ? plain : plain == 0 ? -EPERM : 0;
                }
                if (c->kmod_r >= 0)
                        c->kmod_r = dlopen_libkmod();
                if (c->kmod_r >= 0 && sis_root_recording(c->root))
                        record_kmod_inputs(c, rel);
                if (c->kmod_r >= 0) {
                        _cleanup_free_ char *dir = strdup_printf("%s/lib/modules/%s", base, rel);
                        _cleanup_free_ char *d1 = strdup_printf("%s%s", base, modprobe_dirs[0]);
                        _cleanup_free_ char *d2 = strdup_printf("%s%s", base, modprobe_dirs[1]);
                        _cleanup_free_ char *d3 = strdup_printf("%s%s", base, modprobe_dirs[2]);
                        _cleanup_free_ char *d4 = strdup_printf("%s%s", base, modprobe_dirs[3]);
                        const char *paths[] = { d1, d2, d3, d4, NULL };
                        if (!dir || !d1 || !d2 || !d3 || !d4)
                                c->kmod_r = -ENOMEM;
                        else if (access(dir, F_OK) < 0)
                                c->kmod_r = -errno;
                        else {
                                c->kmod = sym_kmod_new(dir, paths);
                                c->kmod_r = c->kmod ? 0 : -ENOMEM;
                                if (c->kmod)
                                        sym_kmod_set_log_priority(c->kmod, 0);
                        }
                }
        }
        if (c->kmod_r < 0)
                return c->kmod_r;
        *ret = c->kmod;
        return 0;
}

bool check_selected(const char *id, const char *category, char *const *only) {
        if (!only || !only[0])
                return true;
        for (char *const *p = only; *p; p++) {
                if (fnmatch(*p, id, 0) == 0 || streq(*p, category))
                        return true;
                /* "cpu.vuln" selects the family, "cpu" the category */
                size_t l = strlen(*p);
                if (strncmp(id, *p, l) == 0 && id[l] == '.')
                        return true;
        }
        return false;
}

static struct sis_finding *finding_for(const struct check *chk, const char *id) {
        struct sis_finding *f = sis_finding_new(id, chk->title, chk->category, chk->severity, chk->required);

        if (!f)
                return NULL;
        f->rationale = strdup(strempty(chk->rationale));
        f->remediation = strdup(strempty(chk->remediation));
        for (size_t i = 0; i < ELEMENTSOF(chk->refs) && chk->refs[i]; i++)
                sis_finding_add_reference(f, chk->refs[i]);
        return f;
}

static int run_one(struct audit_ctx *c, struct sis_report *rep, const struct check *chk, const char *id,
                   const char *arg) {
        struct sis_finding *f = finding_for(chk, id);

        if (!f)
                return -ENOMEM;
        chk->run(c, f, arg);
        sis_finding_finish(f);
        return sis_report_add(rep, f);
}

static void host_facts(struct audit_ctx *c, struct sis_report *rep) {
        const struct cpuinfo *ci;
        const char *rel;
        _cleanup_free_ char *hostname = NULL, *os = NULL;
        const char *smt_how;
        int smt;

        if (sis_root_read_string(c->root, "/proc/sys/kernel/hostname", &hostname) < 0)
                (void) sis_root_read_string(c->root, "/etc/hostname", &hostname);
        sis_report_host_fact(rep, "hostname", hostname);
        sis_report_host_fact(rep, "kernel", audit_release(c, &rel) >= 0 ? rel : NULL);
        if (audit_cpuinfo(c, &ci) >= 0) {
                sis_report_host_fact(rep, "cpu_vendor", ci->vendor);
                sis_report_host_fact(rep, "cpu_model", ci->model_name);
                sis_report_host_fact_int(rep, "cpus", ci->n_cpus);
        }
        smt = audit_smt(c, &smt_how);
        sis_report_host_fact(rep, "smt", smt > 0 ? "on" : smt == 0 ? "off" : "unknown");
}

int audit_run(struct sis_root *root, const struct audit_config *cfg, char *const *only, struct sis_report **ret) {
        _cleanup_report_ struct sis_report *rep = NULL;
        struct audit_ctx c;
        const struct check *table;
        size_t n;
        struct timespec t0, t1;
        int k = 0;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        rep = sis_report_new("sis-audit", SIS_VERSION,
                             cfg->profile == PROFILE_PRODUCTION ? "production" : "development");
        if (!rep)
                return -ENOMEM;
        rep->started = time(NULL);
        audit_ctx_init(&c, root, cfg);
        host_facts(&c, rep);

        table = check_table(&n);
        for (size_t i = 0; k >= 0 && i < n; i++) {
                const struct check *chk = &table[i];
                if (chk->instances) {
                        _cleanup_strv_free_ char **inst = NULL;
                        size_t plen = strlen(chk->id) - 1; /* "cpu.vuln." */
                        int r = chk->instances(&c, &inst);
                        if (r < 0) {
                                /* the family itself could not be enumerated: say so once */
                                _cleanup_free_ char *fid = strndup(chk->id, plen - 1);
                                struct sis_finding *f;
                                if (!fid)
                                        k = -ENOMEM;
                                else if (check_selected(fid, chk->category, only) && (f = finding_for(chk, fid))) {
                                        sis_finding_note(f, SIS_UNKNOWN, "cannot list the files: %s",
                                                         audit_strerror(r));
                                        sis_finding_finish(f);
                                        k = sis_report_add(rep, f);
                                }
                                continue;
                        }
                        for (size_t j = 0; k >= 0 && inst[j]; j++) {
                                _cleanup_free_ char *id = strdup_printf("%.*s%s", (int) plen, chk->id, inst[j]);
                                if (!id)
                                        k = -ENOMEM;
                                else if (check_selected(id, chk->category, only))
                                        k = run_one(&c, rep, chk, id, inst[j]);
                        }
                } else if (check_selected(chk->id, chk->category, only))
                        k = run_one(&c, rep, chk, chk->id, NULL);
        }
        audit_ctx_done(&c);
        if (k < 0)
                return k;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        rep->duration = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        sis_report_finish(rep);
        *ret = TAKE_PTR(rep);
        return 0;
}

time_t audit_date(time_t now) {
        time_t e;

        return source_date_epoch(&e) >= 0 ? e : now;
}

int audit_session(struct sis_root *root, const struct audit_config *cfg_in, char *const *only,
                  const struct sis_policy *policy, time_t now, struct sis_report **ret, enum audit_stage *ret_stage) {
        _cleanup_report_ struct sis_report *rep = NULL;
        struct audit_config cfg = *cfg_in;
        const char *profile = policy ? sis_policy_profile(policy) : NULL;
        int k;

        if (profile)
                cfg.profile = streq(profile, "development") ? PROFILE_DEVELOPMENT : PROFILE_PRODUCTION;
        *ret_stage = AUDIT_STAGE_RUN;
        k = audit_run(root, &cfg, only, &rep);
        if (k < 0)
                return k;
        rep->started = audit_date(now);
        if (source_date_epoch(&(time_t) { 0 }) >= 0)
                rep->duration = 0; /* reproducible output for golden tests and diffs */
        if (policy) {
                *ret_stage = AUDIT_STAGE_POLICY;
                k = sis_policy_apply(policy, rep, rep->started, check_id_known);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(rep);
        return 0;
}
