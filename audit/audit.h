/* SPDX-License-Identifier: MIT */
#pragma once
/* The audit as its users see it (sis-audit's main, sis-launch's gate): the configuration, the
 * check table, and one session that runs the checks, applies the policy and dates the report.
 * The checks' own header, with the context they share, is check-ctx.h. */
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "report.h"
#include "sysroot.h"

struct audit_ctx;
struct sis_policy;

enum audit_profile { PROFILE_PRODUCTION, PROFILE_DEVELOPMENT };

struct audit_config {
        enum audit_profile profile;
        const char *firecracker; /* NULL: search the default locations */
        const char *jailer;
        const char *qemu; /* set: the VMM is this QEMU, under sis's own jail (no jailer) */
        const char *chroot_base;
        uid_t jail_uid_min, jail_uid_max;
        gid_t jail_gid_min, jail_gid_max;
        const char *run_dir; /* sis-launch's state (vm.* checks); NULL: /run/sis */
        bool no_vm_checks;   /* the launch gate audits the host, not the VMs already running */
};
void audit_config_defaults(struct audit_config *cfg);

/* The check table. */
struct check {
        const char *id; /* "cpu.smt"; a family ends in ".*" */
        const char *title;
        const char *category;
        enum sis_severity severity;
        bool required;
        const char *rationale;
        const char *remediation;
        const char *refs[4];
        void (*run)(struct audit_ctx *c, struct sis_finding *f, const char *arg);
        /* families: the instances on this host ("spectre_v2", …) */
        int (*instances)(struct audit_ctx *c, char ***ret);
};

const struct check *check_table(size_t *ret_n);
/* Is id a check this version has (an ID, a family instance like cpu.vuln.<any>, or a glob that
 * matches one)? */
bool check_id_known(const char *id);
/* Does the check (id, or a family instance id, in category) match one of the patterns: an id
 * ("cpu.smt"), a glob ("cpu.vuln.*"), an id prefix ("cpu.vuln"), or a category ("memory")? */
bool check_selected(const char *id, const char *category, char *const *only);
/* Does an --only pattern select at least one check (so a typo cannot silently audit nothing)? */
bool check_pattern_known(const char *pattern);

/* The date a report carries and waivers expire by: SOURCE_DATE_EPOCH when it is a number (for
 * reproducible output), else now. */
time_t audit_date(time_t now);

/* Which part of a session failed. */
enum audit_stage { AUDIT_STAGE_RUN, AUDIT_STAGE_POLICY };

/* One audit: the checks selected by only (NULL: all) on root, then the policy (NULL: none).
 * The report is dated audit_date(now) (and takes no time when SOURCE_DATE_EPOCH is set, for
 * reproducible output); waivers expire by that same date. A profile the policy names
 * is the report's profile. 0 with *ret, or -errno with *ret_stage the stage that failed. */
int audit_session(struct sis_root *root, const struct audit_config *cfg, char *const *only,
                  const struct sis_policy *policy, time_t now, struct sis_report **ret, enum audit_stage *ret_stage);
