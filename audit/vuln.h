/* SPDX-License-Identifier: MIT */
#pragma once

/* What we know about each file in /sys/devices/system/cpu/vulnerabilities. Files not listed
 * here are still checked, with the generic rules and a generic remediation. */
struct vuln_info {
        const char *file;
        const char *title;
        const char *cves;
        const char *remediation;
        const char *reference;
};

const struct vuln_info *vuln_lookup(const char *file);
const struct vuln_info *vuln_table(size_t *ret_n);
