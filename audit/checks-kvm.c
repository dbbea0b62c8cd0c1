/* SPDX-License-Identifier: MIT */
#include <acl/libacl.h>
#include "dl.h"
#include <sys/acl.h>
#include <sys/stat.h>

#include "check-ctx.h"
#include "util.h"

const char *const *kvm_required_caps(size_t *ret_n);

static bool module_loaded(struct audit_ctx *c, const char *name) {
        _cleanup_free_ char *p = strdup_printf("/sys/module/%s", name);
        struct sis_stat st;

        if (!p || sis_root_stat(c->root, p, 0, &st) < 0)
                return false;
        sis_stat_done(&st);
        return S_ISDIR(st.mode);
}

/* The loaded KVM provider modules: kvm_intel, kvm_amd, and any other kvm_* that is not a helper. */
static int kvm_providers(struct audit_ctx *c, char ***ret) {
        _cleanup_strv_free_ char **mods = NULL, **out = NULL;
        int k = sis_root_list(c->root, "/sys/module", &mods);

        if (k < 0)
                return k;
        out = calloc(1, sizeof(char *));
        if (!out)
                return -ENOMEM;
        for (char **m = mods; *m; m++)
                if (startswith(*m, "kvm_") && strv_extend(&out, *m) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(out);
        return 0;
}

static bool is_vendor_module(const char *m) {
        return streq(m, "kvm_intel") || streq(m, "kvm_amd");
}

static const char *vendor_module_for(struct audit_ctx *c) {
        const struct cpuinfo *ci;
        if (audit_cpuinfo(c, &ci) < 0 || !ci->vendor)
                return NULL;
        if (streq(ci->vendor, "GenuineIntel"))
                return "kvm_intel";
        if (streq(ci->vendor, "AuthenticAMD") || streq(ci->vendor, "HygonGenuine"))
                return "kvm_amd";
        return NULL;
}

static const char *char_type(mode_t m) {
        return S_ISREG(m)    ? "a regular file"
                : S_ISDIR(m) ? "a directory"
                : S_ISLNK(m) ? "a symlink"
                : S_ISBLK(m) ? "a block device"
                : S_ISCHR(m) ? "a character device"
                             : "a special file";
}

/* Stat a device node and judge its type; notes FAIL/UNKNOWN itself. Returns 1 when right. */
static int device_node(struct audit_ctx *c, struct sis_finding *f, const char *path, unsigned maj, unsigned min,
                       unsigned flags, struct sis_stat *ret) {
        struct sis_stat st;
        int k = sis_root_stat(c->root, path, flags, &st);

        if (k == -ENOENT) {
                sis_finding_evidence(f, path, "(missing)");
                return 0;
        }
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot stat %s: %s", path, audit_strerror(k));
                return k;
        }
        sis_finding_evidence(f, path, "%s %u:%u mode %04o uid %u gid %u%s%s",
                             S_ISCHR(st.mode) ? "char" : char_type(st.mode), st.rdev_major, st.rdev_minor,
                             (unsigned) (st.mode & 07777), (unsigned) st.uid, (unsigned) st.gid, st.acl ? " acl " : "",
                             strempty(st.acl));
        if (!S_ISCHR(st.mode) || st.rdev_major != maj || st.rdev_minor != min) {
                sis_finding_note(f, SIS_FAIL, "%s is %s %u:%u, not the character device %u:%u", path,
                                 char_type(st.mode), st.rdev_major, st.rdev_minor, maj, min);
                sis_stat_done(&st);
                return 0;
        }
        if (ret)
                *ret = st;
        else
                sis_stat_done(&st);
        return 1;
}

CHECK_FN(check_kvm_device) {
        json_object *u = NULL;
        int k = device_node(c, f, "/dev/kvm", 10, 232, 0, NULL);

        if (k == 0 && !f->n_notes)
                sis_finding_note(f, SIS_FAIL, "/dev/kvm is missing");
        if (k <= 0)
                return;
        /* On a live host, ask udev whether the node belongs to a registered device. */
        if (probe_udev(c, "misc", "kvm", &u) >= 0) {
                const char *node = probe_str(u, "devnode");
                const char *err = probe_str(u, "error");
                sis_finding_evidence(f, "udev misc/kvm", "%s", node ? node : strna(err));
                if (err) {
                        sis_finding_note(f, SIS_FAIL,
                                         "/dev/kvm exists but no kvm device is registered (%s): stale node", err);
                        return;
                }
        }
        sis_finding_note(f, SIS_PASS, "/dev/kvm is the KVM character device (10:232)");
}

/* Can someone with uid in [umin,umax] and primary gid in [gmin,gmax] open the node read-write? */
static bool jail_can_open(const struct sis_stat *st, const struct audit_config *cfg, bool *ret_other) {
        bool uin = st->uid >= cfg->jail_uid_min && st->uid <= cfg->jail_uid_max;
        bool gin = st->gid >= cfg->jail_gid_min && st->gid <= cfg->jail_gid_max;
        bool ok = false;

        *ret_other = (st->mode & 0006) == 0006;
        if (*ret_other || (uin && (st->mode & 0600) == 0600))
                ok = true;
        if (st->acl) {
                acl_t acl = acl_from_text(st->acl);
                acl_entry_t e;
                int r;
                bool mask_rw = true;

                if (acl) {
                        for (r = acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1;
                             r = acl_get_entry(acl, ACL_NEXT_ENTRY, &e)) {
                                acl_tag_t tag;
                                acl_permset_t ps;
                                if (acl_get_tag_type(e, &tag) == 0 && tag == ACL_MASK && acl_get_permset(e, &ps) == 0)
                                        mask_rw = acl_get_perm(ps, ACL_READ) == 1 && acl_get_perm(ps, ACL_WRITE) == 1;
                        }
                        for (r = acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1;
                             r = acl_get_entry(acl, ACL_NEXT_ENTRY, &e)) {
                                acl_tag_t tag;
                                acl_permset_t ps;
                                id_t *q;
                                bool rw;
                                if (acl_get_tag_type(e, &tag) < 0 || acl_get_permset(e, &ps) < 0)
                                        continue;
                                rw = acl_get_perm(ps, ACL_READ) == 1 && acl_get_perm(ps, ACL_WRITE) == 1 && mask_rw;
                                if (tag == ACL_GROUP_OBJ && gin && rw)
                                        ok = true;
                                if (tag != ACL_USER && tag != ACL_GROUP)
                                        continue;
                                q = acl_get_qualifier(e);
                                if (!q)
                                        continue;
                                if (rw && tag == ACL_USER && *q >= cfg->jail_uid_min && *q <= cfg->jail_uid_max)
                                        ok = true;
                                if (rw && tag == ACL_GROUP && *q >= cfg->jail_gid_min && *q <= cfg->jail_gid_max)
                                        ok = true;
                                acl_free(q);
                        }
                        acl_free(acl);
                }
        } else if (gin && (st->mode & 0060) == 0060)
                ok = true;
        return ok;
}

CHECK_FN(check_kvm_access) {
        const struct mount_entry *mnt;
        _cleanup_strv_free_ char **o = NULL;
        struct sis_stat st;
        bool world, grant;
        int k = device_node(c, f, "/dev/kvm", 10, 232, SIS_STAT_ACL, &st);

        if (k == 0 && !f->n_notes)
                sis_finding_skip(f, "/dev/kvm is missing (see kvm.device)");
        if (k <= 0)
                return;
        grant = jail_can_open(&st, c->cfg, &world);
        if (world)
                sis_finding_note(f, SIS_WARN, "/dev/kvm is world-accessible (mode %04o): any local user can create VMs",
                                 (unsigned) (st.mode & 07777));
        sis_stat_done(&st);

        /* The jailer mknods /dev/kvm inside each chroot, owned by the VM's uid/gid; that node works
         * only if the chroot base is not on a nodev mount. */
        if ((mnt = audit_mount_of(c, c->cfg->chroot_base, &k)) && strv_split(mnt->options, ",", &o) >= 0) {
                const char *target = mnt->target;
                sis_finding_evidence(f, "/proc/mounts", "%s %s", target, mnt->options);
                if (strv_contains(o, "nodev")) {
                        sis_finding_note(f, SIS_FAIL,
                                         "jail users cannot open their /dev/kvm: %s is on a nodev mount (%s)",
                                         c->cfg->chroot_base, target);
                        return;
                }
        }
        if (grant)
                sis_finding_note(f, SIS_PASS, "jail users (uid %u-%u, gid %u-%u) can open /dev/kvm%s",
                                 (unsigned) c->cfg->jail_uid_min, (unsigned) c->cfg->jail_uid_max,
                                 (unsigned) c->cfg->jail_gid_min, (unsigned) c->cfg->jail_gid_max,
                                 world ? "" : "; others cannot");
        else
                sis_finding_note(f, SIS_PASS,
                                 "/dev/kvm is closed to other users; each jail gets its own node from the jailer");
}

CHECK_FN(check_kvm_api) {
        json_object *kvm, *ext;
        const char *err;
        int64_t api;
        size_t n;
        const char *const *caps = kvm_required_caps(&n);
        struct sbuf missing = {};
        int k = probe_kvm(c, &kvm);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "KVM probe: %s", audit_strerror(k));
                return;
        }
        if ((err = probe_str(kvm, "open_error"))) {
                sis_finding_evidence(f, "open(/dev/kvm)", "%s", err);
                if (streq(err, "EACCES") || streq(err, "EPERM"))
                        sis_finding_note(f, SIS_UNKNOWN, "cannot open /dev/kvm: %s (run as root)", err);
                else
                        sis_finding_note(f, SIS_FAIL, "cannot open /dev/kvm: %s", err);
                return;
        }
        if (!probe_int(kvm, "api_version", &api)) {
                sis_finding_note(f, SIS_FAIL, "KVM_GET_API_VERSION failed");
                return;
        }
        sis_finding_evidence(f, "KVM_GET_API_VERSION", "%" PRId64, api);
        if (api != 12)
                sis_finding_note(f, SIS_FAIL, "KVM API version %" PRId64 ", Firecracker needs 12", api);
        if (!json_object_object_get_ex(kvm, "extensions", &ext))
                ext = NULL;
        for (size_t i = 0; i < n; i++) {
                int64_t v = 0;
                if (!probe_int(ext, caps[i], &v) || v <= 0)
                        sbuf_printf(&missing, "%s%s", missing.len ? " " : "", caps[i]);
        }
        {
                _cleanup_free_ char *m = sbuf_steal(&missing);
                if (m && *m) {
                        sis_finding_evidence(f, "KVM_CHECK_EXTENSION", "missing: %s", m);
                        sis_finding_note(f, SIS_FAIL, "missing KVM capabilities: %s", m);
                } else
                        sis_finding_evidence(f, "KVM_CHECK_EXTENSION", "all %zu required present", n);
        }
        if ((err = probe_str(kvm, "create_vm_error"))) {
                sis_finding_evidence(f, "KVM_CREATE_VM", "%s", err);
                sis_finding_note(f, SIS_FAIL, "KVM_CREATE_VM failed with %s%s", err,
                                 streq(err, "EBUSY") ? " (another hypervisor holds the CPU's virtualization)" : "");
                return;
        }
        sis_finding_evidence(f, "KVM_CREATE_VM", "ok");
        sis_finding_note(f, SIS_PASS, "KVM API 12, all %zu capabilities, scratch VM created", n);
}

CHECK_FN(check_kvm_module) {
        _cleanup_strv_free_ char **prov = NULL;
        const char *want = vendor_module_for(c);
        struct kmod_ctx *kmod;
        int k = kvm_providers(c, &prov);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list /sys/module: %s", audit_strerror(k));
                return;
        }
        for (char **p = prov; *p; p++)
                sis_finding_evidence(f, "/sys/module", "%s", *p);
        for (char **p = prov; *p; p++)
                if (is_vendor_module(*p)) {
                        if (want && !streq(want, *p))
                                sis_finding_note(f, SIS_WARN, "%s loaded on a %s CPU", *p, want + 4);
                        else
                                sis_finding_note(f, SIS_PASS, "%s loaded", *p);
                        return;
                }
        if (prov[0]) {
                sis_finding_note(f, SIS_WARN, "unusual KVM provider %s (not kvm_intel or kvm_amd)", prov[0]);
                return;
        }
        if (!want && module_loaded(c, "kvm")) {
                sis_finding_note(f, SIS_PASS, "KVM built in (no vendor module on this architecture)");
                return;
        }
        /* Nothing loaded: say whether the module could be, from the module database. */
        if (want && audit_kmod(c, &kmod) >= 0) {
                struct kmod_list *l = NULL, *bl = NULL, *i;
                bool blacklisted = false;
                if (sym_kmod_module_new_from_lookup(kmod, want, &l) >= 0 && l) {
                        if (sym_kmod_module_apply_filter(kmod, KMOD_FILTER_BLACKLIST, l, &bl) >= 0 && !bl)
                                blacklisted = true;
                        sym_kmod_list_foreach(i, l) {
                                struct kmod_module *m = sym_kmod_module_get_module(i);
                                const char *path = sym_kmod_module_get_path(m);
                                sis_finding_evidence(f, "modules.dep", "%s %s", sym_kmod_module_get_name(m),
                                                     path ? "available" : "built-in");
                                sym_kmod_module_unref(m);
                        }
                        sym_kmod_module_unref_list(bl);
                        sym_kmod_module_unref_list(l);
                        sis_finding_note(f, SIS_FAIL, "no KVM module loaded; %s is %s", want,
                                         blacklisted ? "blacklisted in modprobe.d" : "available: modprobe it");
                        return;
                }
        }
        if (want)
                sis_finding_note(f, SIS_FAIL, "no KVM module loaded (expected %s)", want);
        else
                sis_finding_note(f, SIS_FAIL, "no KVM module loaded");
}

/* Read a vendor module parameter; notes SKIP when the module is not loaded. Returns 0/-errno. */
static int vendor_param(struct audit_ctx *c, struct sis_finding *f, const char *module, const char *param, char **ret) {
        if (!module_loaded(c, module)) {
                sis_finding_skip(f, "%s not loaded", module);
                return -ENOENT;
        }
        return audit_readf(c, f, ret, "/sys/module/%s/parameters/%s", module, param);
}

CHECK_FN(check_kvm_ept) {
        _cleanup_free_ char *v = NULL;
        const char *mod = module_loaded(c, "kvm_intel") ? "kvm_intel" : module_loaded(c, "kvm_amd") ? "kvm_amd" : NULL;
        const char *param = mod && streq(mod, "kvm_amd") ? "npt" : "ept";
        bool on;

        if (!mod) {
                sis_finding_skip(f, "neither kvm_intel nor kvm_amd is loaded");
                return;
        }
        if (vendor_param(c, f, mod, param, &v) < 0)
                return;
        if (modparam_bool(v, &on) < 0)
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised %s value '%s'", param, v);
        else if (on)
                sis_finding_note(f, SIS_PASS, "%s.%s=%s: hardware two-dimensional paging in use", mod, param, v);
        else
                sis_finding_note(f, SIS_FAIL, "%s.%s=%s: shadow paging (CVE-2022-1789 class bugs, slow)", mod, param,
                                 v);
}

/* Affected by a CPU bug? 1 yes, 0 no, -errno unknown. From the vulnerabilities file, else cpuinfo bugs. */
static int cpu_affected(struct audit_ctx *c, struct sis_finding *f, const char *file, const char *bug) {
        _cleanup_free_ char *v = NULL;
        const struct cpuinfo *ci;

        if (audit_readf_opt(c, f, &v, "/sys/devices/system/cpu/vulnerabilities/%s", file) >= 0)
                return !startswith(v, "Not affected");
        if (audit_cpuinfo(c, &ci) >= 0 && ci->vendor) {
                sis_finding_evidence(f, "/proc/cpuinfo", "bugs: %s%s", strv_contains(ci->bugs, bug) ? "" : "no ", bug);
                return strv_contains(ci->bugs, bug);
        }
        return -ENODATA;
}

CHECK_FN(check_kvm_nx_huge_pages) {
        _cleanup_free_ char *v = NULL;
        int affected, k;

        if (!module_loaded(c, "kvm")) {
                sis_finding_skip(f, "kvm not loaded");
                return;
        }
        affected = cpu_affected(c, f, "itlb_multihit", "itlb_multihit");
        k = audit_read_opt(c, f, "/sys/module/kvm/parameters/nx_huge_pages", &v);
        if (k == -ENOENT) {
                if (affected > 0)
                        sis_finding_note(
                                f, SIS_FAIL,
                                "CPU affected by iTLB multihit and this kernel has no nx_huge_pages mitigation");
                else if (affected == 0)
                        sis_finding_note(f, SIS_PASS, "CPU not affected by iTLB multihit");
                else
                        sis_finding_note(f, SIS_UNKNOWN, "cannot tell whether the CPU is affected by iTLB multihit");
                return;
        }
        if (k < 0)
                return;
        {
                bool on = streq(v, "Y") || streq(v, "force") || streq(v, "auto");
                bool off = streq(v, "N") || streq(v, "off") || streq(v, "never");
                if (!on && !off)
                        sis_finding_note(f, SIS_UNKNOWN, "unrecognised nx_huge_pages value '%s'", v);
                else if (affected < 0)
                        sis_finding_note(f, SIS_UNKNOWN, "nx_huge_pages=%s, but whether the CPU is affected is unknown",
                                         v);
                else if (affected && on)
                        sis_finding_note(f, SIS_PASS,
                                         "CPU affected by iTLB multihit; KVM splits huge pages (nx_huge_pages=%s)", v);
                else if (affected)
                        sis_finding_note(
                                f, SIS_FAIL,
                                "CPU affected by iTLB multihit but nx_huge_pages=%s: a guest can crash the host", v);
                else if (on)
                        sis_finding_note(
                                f, SIS_WARN,
                                "CPU not affected but nx_huge_pages=%s: slower KVM_CREATE_VM on 6.1 (use never)", v);
                else
                        sis_finding_note(f, SIS_PASS, "CPU not affected by iTLB multihit (nx_huge_pages=%s)", v);
        }
}

static void modprobe_options(struct audit_ctx *c, struct sis_finding *f, const char *module) {
        struct kmod_ctx *kmod;
        struct kmod_module *m;

        if (audit_kmod(c, &kmod) < 0 || sym_kmod_module_new_from_name(kmod, module, &m) < 0)
                return;
        if (sym_kmod_module_get_options(m))
                sis_finding_evidence(f, "modprobe.d", "options %s %s", module, sym_kmod_module_get_options(m));
        sym_kmod_module_unref(m);
}

CHECK_FN(check_kvm_nested) {
        _cleanup_strv_free_ char **prov = NULL;
        bool any = false;

        int k = kvm_providers(c, &prov);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list /sys/module: %s", audit_strerror(k));
                return;
        }
        if (!prov[0]) {
                sis_finding_skip(f, "no KVM vendor module loaded");
                return;
        }
        for (char **p = prov; *p; p++) {
                _cleanup_free_ char *v = NULL;
                bool on;
                if (audit_readf_opt(c, f, &v, "/sys/module/%s/parameters/nested", *p) < 0)
                        continue;
                any = true;
                if (modparam_bool(v, &on) < 0)
                        sis_finding_note(f, SIS_UNKNOWN, "unrecognised %s nested value '%s'", *p, v);
                else if (on) {
                        modprobe_options(c, f, *p); /* where it was switched on, if modprobe.d did it */
                        sis_finding_note(f, SIS_WARN, "%s nested=%s: guests can run their own hypervisor", *p, v);
                } else
                        sis_finding_note(f, SIS_PASS, "%s nested=%s", *p, v);
        }
        if (!any)
                sis_finding_skip(f, "no nested parameter on %s", prov[0]);
}

CHECK_FN(check_kvm_l1d_flush) {
        _cleanup_free_ char *v = NULL;
        int affected = cpu_affected(c, f, "l1tf", "l1tf");

        if (affected == 0) {
                sis_finding_skip(f, "CPU not affected by L1TF");
                return;
        }
        if (vendor_param(c, f, "kvm_intel", "vmentry_l1d_flush", &v) < 0)
                return;
        if (streq(v, "always") || streq(v, "not required"))
                sis_finding_note(f, SIS_PASS, "L1D flushed on %s VM entry",
                                 streq(v, "always") ? "every" : "no (not required)");
        else if (streq(v, "cond"))
                sis_finding_note(f, SIS_WARN, "L1D flushed only conditionally on VM entry");
        else if (streq(v, "never"))
                sis_finding_note(f, SIS_FAIL, "L1D never flushed on VM entry: a guest can read host L1 data");
        else
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised vmentry_l1d_flush value '%s'", v);
}
