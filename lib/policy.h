/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Policy files (docs/policy.md): choose the profile, change a check's severity, mark checks
 * required or optional, and waive checks with a reason, an expiry date and an approver.
 *
 *   { "policy_version": 1, "profile": "production",
 *     "checks": { "kvm.nested": { "severity": "low", "required": false } },
 *     "waivers": [ { "check": "cpu.vuln.spec_store_bypass", "reason": "…",
 *                    "expires": "2027-03-31", "approver": "alice" } ] }
 *
 * Loading refuses (an error, so exit 2) a file that is not a regular file, is group- or
 * other-writable, is not owned by root or the invoking user, or is not valid JSON of this shape.
 * A waiver that is expired, malformed or names no check does not stop the load: applying the
 * policy turns it into a FAIL of its own (the check "policy.waivers").
 */

#include <stdbool.h>
#include <time.h>

#include "report.h"

struct sis_policy;

/* On failure, *ret_error (caller frees) says what is wrong, naming the file. */
int sis_policy_load(const char *path, struct sis_policy **ret, char **ret_error);
/* Parse policy text (no file checks): for tests and fuzzing. */
int sis_policy_parse(const char *text, size_t len, const char *name, struct sis_policy **ret, char **ret_error);
void sis_policy_free(struct sis_policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sis_policy *, sis_policy_free);
#define _cleanup_policy_ _cleanup_(sis_policy_freep)

/* "production", "development", or NULL when the policy does not choose. */
const char *sis_policy_profile(const struct sis_policy *p);
const char *sis_policy_path(const struct sis_policy *p);

/* Apply to a finished report: severities, required flags, waivers (valid on `today`, a day in
 * UTC), and the policy.waivers finding; then re-derives counts and verdict. known(id) tells a
 * check that exists but was not run (no complaint) from a waiver that names nothing (a FAIL). */
int sis_policy_apply(const struct sis_policy *p, struct sis_report *r, time_t today, bool (*known)(const char *id));
