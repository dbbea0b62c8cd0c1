/* SPDX-License-Identifier: MIT */
#pragma once
/* The launch gate: the audit, in-process, on the live host, under the policy. */
#include <stdbool.h>

#include "audit.h"
#include "hash.h"

struct gate_result {
        bool pass;
        struct sis_report *report;      /* the audit, under the policy */
        char **failing;                 /* "cpu.vuln.spec_store_bypass: FAIL (summary)" */
        char report_sha256[SHA256_HEX]; /* of the JSON report, recorded with the VM */
        char *report_json;
        char *policy; /* the policy file, or NULL (production defaults) */
        char policy_sha256[SHA256_HEX];
        char *profile;
        /* the policy's images.* (docs/policy.md): what sis-launch run asks of --kernel and --rootfs */
        bool require_signed;
        char *keyring;
        char **trusted_keys;
};

/* cfg: the binaries, chroot base and uid range the launch will use (the jail.* checks look at
 * exactly those); the policy may switch the profile.
 * 0 with *ret filled (pass or not); -errno with *ret_error when the audit cannot run or the
 * policy is unsafe or malformed. */
int gate_run(const char *policy_path, const struct audit_config *cfg, struct gate_result *ret, char **ret_error);
void gate_result_done(struct gate_result *r);

/* Can a VM use KVM on this host, by the gate's audit: kvm.device, kvm.access and kvm.api all
 * PASS? If not, *ret_why (caller frees; NULL on ENOMEM) names the first that does not. */
bool gate_kvm_usable(const struct gate_result *r, char **ret_why);

/* Does the policy file (NULL: none) waive check id, one the launch decides itself (a launch check
 * check_id_known() accepts, like snapshot.vmgenid), on the date the audit would use? False when
 * the policy cannot be read. */
bool gate_policy_waives(const char *policy_path, const char *id);
