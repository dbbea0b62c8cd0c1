/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Policy files (docs/policy.md): choose the profile, change a check's severity, mark checks
 * required or optional, and waive checks with a reason, an expiry date and an approver.
 *
 *   { "policy_version": 1, "profile": "production",
 *     "checks": { "kvm.nested": { "severity": "low", "required": false } },
 *     "images": { "require_signed": true, "keyring": "/etc/sis/image-signers.gpg",
 *                 "trusted_keys": [ "0123…40 hex digits" ] },
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
/* The same, and the text it parsed (caller frees): what was applied is what is hashed, whatever the
 * file holds by then. */
int sis_policy_load_text(const char *path, struct sis_policy **ret, char **ret_text, size_t *ret_len, char **ret_error);
/* Parse policy text (no file checks): for tests and fuzzing. */
int sis_policy_parse(const char *text, size_t len, const char *name, struct sis_policy **ret, char **ret_error);
void sis_policy_free(struct sis_policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sis_policy *, sis_policy_free);
#define _cleanup_policy_ _cleanup_(sis_policy_freep)

/* "images": what sis-launch run requires of the kernel and rootfs it boots (docs/policy.md).
 * Parsing checks the shapes (a boolean, 40-hex-digit fingerprints, an absolute path; require_signed
 * needs a keyring); sis_policy_load() also refuses a keyring that is not a regular file owned by
 * root and writable by root alone. */
struct sis_policy_images {
        bool require_signed; /* refuse an image whose SHA256SUMS.asc is missing or not good */
        char **trusted_keys; /* NULL-terminated primary fingerprints, 40 upper-case hex digits; NULL:
                              * every key of the keyring is trusted */
        char *keyring;       /* the public keys to verify with (absolute path), or NULL */
};
/* Never NULL: a policy without "images" gives require_signed false and no keys. */
const struct sis_policy_images *sis_policy_images(const struct sis_policy *p);

/* "production", "development", or NULL when the policy does not choose. */
const char *sis_policy_profile(const struct sis_policy *p);
const char *sis_policy_path(const struct sis_policy *p);

/* Apply to a finished report: severities, required flags, waivers (valid on `today`, a day in
 * UTC), and the policy.waivers finding; then re-derives counts and verdict. known(id) tells a
 * check that exists but was not run (no complaint) from a waiver that names nothing (a FAIL). */
int sis_policy_apply(const struct sis_policy *p, struct sis_report *r, time_t today, bool (*known)(const char *id));
