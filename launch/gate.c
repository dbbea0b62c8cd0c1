/* SPDX-License-Identifier: MIT */
#include "gate.h"

#include <time.h>

#include "policy.h"
#include "render.h"
#include "util.h"

/* The policy's images.* as the launch needs them. */
static int copy_images(const struct sis_policy *policy, struct gate_result *ret) {
        const struct sis_policy_images *im = sis_policy_images(policy);

        ret->require_signed = im->require_signed;
        if (im->keyring && !(ret->keyring = strdup(im->keyring)))
                return -ENOMEM;
        for (char **t = im->trusted_keys; t && *t; t++)
                if (strv_extend(&ret->trusted_keys, *t) < 0)
                        return -ENOMEM;
        return 0;
}

/* "id: STATUS (summary)" for each finding that keeps the gate closed. */
static int list_failing(const struct sis_report *rep, char ***ret) {
        for (size_t i = 0; i < rep->n_findings; i++) {
                const struct sis_finding *f = rep->findings[i];
                if (f->waived || !(f->status == SIS_FAIL || (f->status == SIS_UNKNOWN && f->required)))
                        continue;
                if (strv_push(ret,
                              strdup_printf("%s: %s (%s)", f->id, sis_status_name(f->status), strempty(f->summary))) <
                    0)
                        return -ENOMEM;
        }
        return 0;
}

int gate_run(const char *policy_path, const struct audit_config *cfg, struct gate_result *ret, char **ret_error) {
        _cleanup_policy_ struct sis_policy *policy = NULL;
        _cleanup_root_ struct sis_root *root = NULL;
        struct render_opts ro = {};
        enum audit_stage stage = AUDIT_STAGE_RUN;
        int k;

        *ret = (struct gate_result) {};
        if (policy_path) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                /* the hash recorded with the VM is of the bytes applied, read once */
                k = sis_policy_load_text(policy_path, &policy, &text, &len, ret_error);
                if (k < 0)
                        return k;
                if (sha256_buf(text, len, ret->policy_sha256) < 0 || !(ret->policy = strdup(policy_path)))
                        return set_error(ret_error, -EIO, "--policy %s: cannot hash it", policy_path);
                if (copy_images(policy, ret) < 0)
                        return -ENOMEM;
        }
        k = sis_root_new("/", &root);
        if (k >= 0)
                k = audit_session(root, cfg, NULL, policy, time(NULL), &ret->report, &stage);
        if (k < 0 && stage == AUDIT_STAGE_POLICY)
                return set_error(ret_error, k, "applying --policy %s: %s", policy_path, strerror(-k));
        if (k < 0)
                return set_error(ret_error, k, "the audit could not run: %s", strerror(-k));
        ret->profile = strdup(ret->report->profile);
        ret->report_json = render_json(ret->report, &ro);
        if (!ret->profile || !ret->report_json ||
            sha256_buf(ret->report_json, strlen(ret->report_json), ret->report_sha256) < 0)
                return -ENOMEM;
        if (list_failing(ret->report, &ret->failing) < 0)
                return -ENOMEM;
        ret->pass = ret->report->verdict == SIS_VERDICT_PASS;
        return 0;
}

bool gate_kvm_usable(const struct gate_result *r, char **ret_why) {
        static const char *const need[] = { "kvm.device", "kvm.access", "kvm.api" };
        bool ok[ELEMENTSOF(need)] = {};

        *ret_why = NULL;
        for (size_t i = 0; r->report && i < r->report->n_findings; i++)
                for (size_t j = 0; j < ELEMENTSOF(need); j++)
                        if (streq(r->report->findings[i]->id, need[j]))
                                ok[j] = r->report->findings[i]->status == SIS_PASS;
        for (size_t j = 0; j < ELEMENTSOF(need); j++)
                if (!ok[j]) {
                        *ret_why = strdup_printf("%s does not pass", need[j]);
                        return false;
                }
        return true;
}

bool gate_policy_waives(const char *policy_path, const char *id) {
        _cleanup_policy_ struct sis_policy *p = NULL;
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;
        struct sis_finding *f;

        if (!policy_path || sis_policy_load(policy_path, &p, &err) < 0)
                return false;
        r = sis_report_new("sis-launch", SIS_VERSION, "production");
        f = sis_finding_new(id, "launch check", "launch", SIS_SEV_HIGH, true);
        if (!r || !f) {
                sis_finding_free(f);
                return false;
        }
        if (sis_report_add(r, f) < 0)
                return false;
        f->status = SIS_FAIL;
        if (sis_policy_apply(p, r, audit_date(time(NULL)), check_id_known) < 0)
                return false;
        return f->waived;
}

void gate_result_done(struct gate_result *r) {
        sis_report_free(r->report);
        strv_free(r->failing);
        free(r->report_json);
        free(r->policy);
        free(r->profile);
        free(r->keyring);
        strv_free(r->trusted_keys);
        *r = (struct gate_result) {};
}
