/* SPDX-License-Identifier: MIT */
/* The host around the VMMs: a mandatory access control that confines them, and a clock the
 * guests can trust. */
#include <sys/timex.h>

#include "check-ctx.h"
#include "util.h"

/* The VMM binaries an LSM profile should name. */
static bool names_vmm(const char *s) {
        return strstr(s, "firecracker") || strstr(s, "jailer") || strstr(s, "qemu");
}

/* AppArmor: enabled, and which loaded profiles name a VMM (and in which mode). 1 enabled, 0 not,
 * -errno unreadable. */
static int apparmor(struct audit_ctx *c, struct sis_finding *f, char ***ret_enforced, char ***ret_complain) {
        _cleanup_free_ char *on = NULL, *profiles = NULL;
        int k = audit_read_opt(c, f, "/sys/module/apparmor/parameters/enabled", &on);

        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return k;
        if (!streq(on, "Y"))
                return 0;
        /* "/usr/bin/firecracker (enforce)" per line; readable by root only */
        k = sis_root_read_string(c->root, "/sys/kernel/security/apparmor/profiles", &profiles);
        if (k < 0)
                return k == -ENOENT ? 1 : k;
        for (char *l = strtok(profiles, "\n"); l; l = strtok(NULL, "\n")) {
                char *mode = strrchr(l, '(');
                if (!mode || !names_vmm(l))
                        continue;
                *(mode > l ? mode - 1 : mode) = '\0';
                sis_finding_evidence(f, "/sys/kernel/security/apparmor/profiles", "%s %s", l, mode);
                (void) strv_extend(startswith(mode, "(enforce)") ? ret_enforced : ret_complain, l);
        }
        return 1;
}

CHECK_FN(check_host_lsm) {
        _cleanup_free_ char *lsm = NULL, *selinux = NULL;
        _cleanup_strv_free_ char **enforced = NULL, **complain = NULL;
        int aa, se;

        (void) audit_read_opt(c, f, "/sys/kernel/security/lsm", &lsm);
        se = audit_read_opt(c, f, "/sys/fs/selinux/enforce", &selinux);
        aa = apparmor(c, f, &enforced, &complain);
        if (se >= 0 && streq(selinux, "1")) {
                sis_finding_note(f, SIS_PASS, "SELinux enforcing (the VMMs' domains are not inspected)");
                return;
        }
        if (aa > 0 && enforced) {
                _cleanup_free_ char *who = NULL;
                struct sbuf b = {};
                for (size_t i = 0; enforced[i]; i++)
                        sbuf_printf(&b, "%s%s", i ? ", " : "", enforced[i]);
                who = sbuf_steal(&b);
                sis_finding_note(f, SIS_PASS, "AppArmor confines %s", strna(who));
                return;
        }
        if (aa > 0 && complain) {
                sis_finding_note(f, SIS_WARN,
                                 "AppArmor's profile for %s only complains: load it in enforce mode (aa-enforce)",
                                 complain[0]);
                return;
        }
        if (aa > 0) {
                sis_finding_note(f, SIS_WARN,
                                 "AppArmor is on, but no profile confines firecracker, the jailer or QEMU");
                return;
        }
        if (se >= 0 && streq(selinux, "0")) {
                sis_finding_note(f, SIS_WARN, "SELinux is permissive: it confines nothing");
                return;
        }
        if (aa < 0 && aa != -ENOENT) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read AppArmor's state: %s", audit_strerror(aa));
                return;
        }
        sis_finding_note(f, SIS_WARN,
                         "no mandatory access control enforcing (AppArmor or SELinux): a VMM that escapes "
                         "its seccomp filter meets only file permissions");
}

CHECK_FN(check_host_timesync) {
        json_object *o;
        int64_t state, status, maxerror;
        enum sis_status bad = audit_production(c) ? SIS_FAIL : SIS_WARN;
        int k = probe_adjtimex(c, &o);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot ask the kernel's clock (adjtimex): %s", audit_strerror(k));
                return;
        }
        if (!probe_int(o, "state", &state) || !probe_int(o, "status", &status)) {
                sis_finding_note(f, SIS_UNKNOWN, "adjtimex: %s", strna(probe_str(o, "error")));
                return;
        }
        (void) probe_int(o, "maxerror", &maxerror);
        sis_finding_evidence(f, "adjtimex", "state %" PRId64 ", status 0x%" PRIx64 ", maxerror %" PRId64 " us", state,
                             status, maxerror);
        if (state == TIME_ERROR || (status & STA_UNSYNC))
                sis_finding_note(f, bad,
                                 "the clock is not synchronised (no NTP or PTP service keeps it): restored guests "
                                 "take their time from it, and TLS and logs need it right");
        else
                sis_finding_note(f, SIS_PASS, "the clock is synchronised (maximum error %" PRId64 " ms)",
                                 maxerror / 1000);
}
