/* SPDX-License-Identifier: MIT */
#include "gate.h"

#include <time.h>

#include "audit.h"
#include "policy.h"
#include "render.h"
#include "util.h"

int gate_run(const char *policy_path, const struct audit_config *cfg_in, struct gate_result *ret, char **ret_error) {
        _cleanup_policy_ struct sis_policy *policy = NULL;
        _cleanup_root_ struct sis_root *root = NULL;
        _cleanup_report_ struct sis_report *rep = NULL;
        struct audit_config cfg = *cfg_in;
        struct render_opts ro = {};
        int k;

        *ret = (struct gate_result) {};
        if (policy_path) {
                k = sis_policy_load(policy_path, &policy, ret_error);
                if (k < 0)
                        return k;
                if (streq_ptr(sis_policy_profile(policy), "development"))
                        cfg.profile = PROFILE_DEVELOPMENT;
                if (sha256_file(policy_path, ret->policy_sha256) < 0 || !(ret->policy = strdup(policy_path)))
                        return set_error(ret_error, -EIO, "--policy %s: cannot hash it", policy_path);
                {
                        const struct sis_policy_images *im = sis_policy_images(policy);
                        ret->require_signed = im->require_signed;
                        if (im->keyring && !(ret->keyring = strdup(im->keyring)))
                                return -ENOMEM;
                        for (char **t = im->trusted_keys; t && *t; t++)
                                if (strv_extend(&ret->trusted_keys, *t) < 0)
                                        return -ENOMEM;
                }
        }
        k = sis_root_new("/", &root);
        if (k >= 0)
                k = audit_run(root, &cfg, NULL, &rep);
        if (k < 0)
                return set_error(ret_error, k, "the audit could not run: %s", strerror(-k));
        if (policy) {
                k = sis_policy_apply(policy, rep, time(NULL), check_id_known);
                if (k < 0)
                        return set_error(ret_error, k, "applying --policy %s: %s", policy_path, strerror(-k));
        }
        ret->profile = strdup(cfg.profile == PROFILE_DEVELOPMENT ? "development" : "production");
        ret->report_json = render_json(rep, &ro);
        if (!ret->profile || !ret->report_json || sha256_buf(ret->report_json, strlen(ret->report_json), ret->report_sha256) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < rep->n_findings; i++) {
                const struct sis_finding *f = rep->findings[i];
                if (f->waived || !(f->status == SIS_FAIL || (f->status == SIS_UNKNOWN && f->required)))
                        continue;
                if (strv_push(&ret->failing, strdup_printf("%s: %s (%s)", f->id, sis_status_name(f->status), strempty(f->summary))) < 0)
                        return -ENOMEM;
        }
        ret->pass = rep->verdict == SIS_VERDICT_PASS;
        return 0;
}

void gate_result_done(struct gate_result *r) {
        strv_free(r->failing);
        free(r->report_json);
        free(r->policy);
        free(r->profile);
        free(r->keyring);
        strv_free(r->trusted_keys);
        *r = (struct gate_result) {};
}
