/* SPDX-License-Identifier: MIT */
#include "check-ctx.h"
#include "util.h"

CHECK_FN(check_mem_ksm) {
        _cleanup_free_ char *run = NULL;
        int k = audit_read_opt(c, f, "/sys/kernel/mm/ksm/run", &run);

        if (k == -ENOENT)
                sis_finding_note(f, SIS_PASS, "KSM not built into this kernel");
        else if (k < 0)
                return;
        else if (streq(run, "0"))
                sis_finding_note(f, SIS_PASS, "KSM stopped");
        else if (streq(run, "2"))
                sis_finding_note(f, SIS_PASS, "KSM stopped and pages unmerged");
        else if (streq(run, "1"))
                sis_finding_note(f, SIS_FAIL, "KSM is merging pages");
        else
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised ksm/run value '%s'", run);
}

/* Is the block device (sysfs name, e.g. "dm-1") encrypted, or backed only by encrypted devices? */
static int block_encrypted(struct audit_ctx *c, struct sis_finding *f, const char *name, int depth) {
        _cleanup_free_ char *uuid = NULL, *p = NULL, *slaves = NULL;
        _cleanup_strv_free_ char **sl = NULL;
        int k;

        if (depth > 8)
                return -ELOOP;
        if (startswith(name, "zram"))
                return 1;
        if (!startswith(name, "dm-"))
                return 0;
        p = strdup_printf("/sys/block/%s/dm/uuid", name);
        if (!p)
                return -ENOMEM;
        k = sis_root_read_string(c->root, p, &uuid);
        if (k < 0)
                return k;
        sis_finding_evidence(f, p, "%s", uuid);
        if (startswith(uuid, "CRYPT-"))
                return 1;
        /* LVM or another mapping: encrypted only if everything below it is. */
        slaves = strdup_printf("/sys/block/%s/slaves", name);
        if (!slaves)
                return -ENOMEM;
        k = sis_root_list(c->root, slaves, &sl);
        if (k < 0)
                return k;
        if (!sl[0])
                return 0;
        for (size_t i = 0; sl[i]; i++) {
                k = block_encrypted(c, f, sl[i], depth + 1);
                if (k <= 0)
                        return k;
        }
        return 1;
}

CHECK_FN(check_mem_swap) {
        _cleanup_free_ char *text = NULL;
        struct swap_entry *sw = NULL;
        size_t n = 0;
        int k;

        k = sis_root_read(c->root, "/proc/swaps", &text, NULL);
        if (k == -ENOENT) {
                sis_finding_note(f, SIS_PASS, "no swap support in this kernel");
                return;
        }
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/swaps: %s", audit_strerror(k));
                return;
        }
        k = swaps_parse(text, &sw, &n);
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot parse /proc/swaps: %s", audit_strerror(k));
                return;
        }
        if (n == 0) {
                sis_finding_evidence(f, "/proc/swaps", "(no entries)");
                sis_finding_note(f, SIS_PASS, "no swap in use");
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *real = NULL;
                const char *name;

                sis_finding_evidence(f, "/proc/swaps", "%s %s", sw[i].path, sw[i].type);
                if (streq(sw[i].type, "file")) {
                        sis_finding_note(f, SIS_WARN, "swap file %s: the filesystem's encryption cannot be proven",
                                         sw[i].path);
                        continue;
                }
                if (sis_root_resolve(c->root, sw[i].path, &real) < 0)
                        real = strdup(sw[i].path);
                name = real ? strrchr(real, '/') : NULL;
                name = name ? name + 1 : sw[i].path;
                k = block_encrypted(c, f, name, 0);
                if (k > 0)
                        sis_finding_note(f, SIS_PASS, "%s is %s", sw[i].path,
                                         startswith(name, "zram") ? "compressed RAM (zram)" : "encrypted (dm-crypt)");
                else if (k == 0)
                        sis_finding_note(f, SIS_FAIL, "plaintext swap on %s", sw[i].path);
                else
                        sis_finding_note(f, SIS_UNKNOWN, "cannot tell whether %s is encrypted: %s", sw[i].path,
                                         audit_strerror(k));
        }
        swaps_free(sw, n);
}

CHECK_FN(check_mem_ecc) {
        _cleanup_strv_free_ char **mcs = NULL;
        size_t dimms = 0, bad = 0;
        int k;

        k = sis_root_list(c->root, "/sys/devices/system/edac/mc", &mcs);
        if (k == -ENOENT || (k >= 0 && !mcs[0])) {
                sis_finding_note(f, SIS_WARN, "no EDAC memory controller reported: ECC cannot be confirmed");
                return;
        }
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list /sys/devices/system/edac/mc: %s", audit_strerror(k));
                return;
        }
        for (size_t i = 0; mcs[i]; i++) {
                _cleanup_free_ char *mcdir = strdup_printf("/sys/devices/system/edac/mc/%s", mcs[i]);
                _cleanup_strv_free_ char **ents = NULL;

                if (!startswith(mcs[i], "mc") || !mcdir || sis_root_list(c->root, mcdir, &ents) < 0)
                        continue;
                for (size_t j = 0; ents[j]; j++) {
                        _cleanup_free_ char *p = NULL, *mode = NULL;
                        /* dimmN on current kernels, rankN on older ones */
                        if (!startswith(ents[j], "dimm") && !startswith(ents[j], "rank"))
                                continue;
                        p = strdup_printf("%s/%s/dimm_edac_mode", mcdir, ents[j]);
                        if (!p)
                                continue;
                        k = sis_root_read_string(c->root, p, &mode);
                        if (k < 0) {
                                bad++;
                                sis_finding_note(f, SIS_UNKNOWN, "cannot read %s: %s", p, audit_strerror(k));
                                continue;
                        }
                        dimms++;
                        sis_finding_evidence(f, p, "%s", mode);
                        /* the kernel's edac_mem_types[] correcting modes; anything else proves nothing */
                        if (streq(mode, "None")) {
                                bad++;
                                sis_finding_note(f, SIS_FAIL, "%s/%s reports no ECC", mcs[i], ents[j]);
                        } else if (!streq(mode, "SECDED") && !streq(mode, "S4ECD4ED") && !streq(mode, "S8ECD8ED") &&
                                   !streq(mode, "S16ECD16ED") && !streq(mode, "EC") && !streq(mode, "PARITY") &&
                                   !streq(mode, "SECDEC") && !streq(mode, "S2ECD2ED")) {
                                bad++;
                                sis_finding_note(f, SIS_WARN, "%s/%s reports EDAC mode %s", mcs[i], ents[j], mode);
                        }
                }
        }
        if (dimms == 0)
                sis_finding_note(f, SIS_WARN, "EDAC present but no DIMM reports its ECC mode");
        else if (bad == 0)
                sis_finding_note(f, SIS_PASS, "ECC reported for all %zu DIMMs", dimms);
}
