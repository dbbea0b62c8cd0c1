/* SPDX-License-Identifier: MIT */
#include "policy.h"

#include <ctype.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json.h"
#include "util.h"

#define POLICY_VERSION 1
#define POLICY_MAX (1024 * 1024)

struct rule {
        char *pattern; /* check ID or glob */
        int severity;  /* -1: unchanged */
        int required;  /* -1: unchanged, 0, 1 */
};

struct waiver {
        char *check, *reason, *expires, *approver;
        char *problem; /* why this waiver is malformed, or NULL */
};

struct sis_policy {
        char *path;
        char *profile;
        struct rule *rules;
        size_t n_rules;
        struct waiver *waivers;
        size_t n_waivers;
        struct sis_policy_images images;
};

void sis_policy_free(struct sis_policy *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_rules; i++)
                free(p->rules[i].pattern);
        for (size_t i = 0; i < p->n_waivers; i++) {
                free(p->waivers[i].check);
                free(p->waivers[i].reason);
                free(p->waivers[i].expires);
                free(p->waivers[i].approver);
                free(p->waivers[i].problem);
        }
        free(p->rules);
        free(p->waivers);
        strv_free(p->images.trusted_keys);
        free(p->images.keyring);
        free(p->profile);
        free(p->path);
        free(p);
}

const char *sis_policy_profile(const struct sis_policy *p) {
        return p->profile;
}

const char *sis_policy_path(const struct sis_policy *p) {
        return p->path;
}

const struct sis_policy_images *sis_policy_images(const struct sis_policy *p) {
        return &p->images;
}

/* YYYY-MM-DD, a real calendar day; the day's number since the epoch. */
static int parse_day(const char *s, long *ret) {
        struct tm tm = {};
        char *end;
        time_t t;

        if (!s || strlen(s) != 10)
                return -EINVAL;
        end = strptime(s, "%Y-%m-%d", &tm);
        if (!end || *end)
                return -EINVAL;
        {
                /* reject 2027-02-30: normalising must not move the date */
                struct tm n = tm;
                n.tm_isdst = 0;
                t = timegm(&n);
                if (t == (time_t) -1 || n.tm_mday != tm.tm_mday || n.tm_mon != tm.tm_mon)
                        return -EINVAL;
        }
        *ret = (long) (t / 86400);
        return 0;
}

static int parse_rules(struct sis_policy *p, json_object *checks, const char *name, char **ret_error) {
        if (!json_object_is_type(checks, json_type_object))
                return set_error(ret_error, -EINVAL, "policy %s: \"checks\" must be an object of check IDs", name);
        p->rules = calloc((size_t) json_object_object_length(checks) + 1, sizeof(*p->rules));
        if (!p->rules)
                return -ENOMEM;
        json_object_object_foreach(checks, id, rule) {
                struct rule *r = &p->rules[p->n_rules];
                *r = (struct rule) { .severity = -1, .required = -1 };
                if (!json_object_is_type(rule, json_type_object))
                        return set_error(ret_error, -EINVAL, "policy %s: checks.%s must be an object", name, id);
                r->pattern = strdup(id);
                if (!r->pattern)
                        return -ENOMEM;
                p->n_rules++;
                json_object_object_foreach(rule, key, v) {
                        if (streq(key, "severity")) {
                                r->severity = sis_severity_from_name(json_object_get_string(v));
                                if (!json_object_is_type(v, json_type_string) || r->severity < 0)
                                        return set_error(
                                                ret_error, -EINVAL,
                                                "policy %s: checks.%s.severity must be one of info, low, medium, high, critical",
                                                name, id);
                        } else if (streq(key, "required")) {
                                if (!json_object_is_type(v, json_type_boolean))
                                        return set_error(ret_error, -EINVAL,
                                                         "policy %s: checks.%s.required must be true or false", name,
                                                         id);
                                r->required = json_object_get_boolean(v);
                        } else
                                return set_error(ret_error, -EINVAL, "policy %s: checks.%s: unknown key \"%s\"", name,
                                                 id, key);
                }
        }
        return 0;
}

/* A waiver with a problem is kept, to become a FAIL when applied. */
static int parse_waivers(struct sis_policy *p, json_object *waivers, const char *name, char **ret_error) {
        size_t n;

        if (!json_object_is_type(waivers, json_type_array))
                return set_error(ret_error, -EINVAL, "policy %s: \"waivers\" must be an array", name);
        n = json_object_array_length(waivers);
        p->waivers = calloc(n + 1, sizeof(*p->waivers));
        if (!p->waivers)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *w = json_object_array_get_idx(waivers, i);
                struct waiver *x = &p->waivers[p->n_waivers++];
                const char *check = NULL, *reason = NULL, *expires = NULL, *approver = NULL;
                long day;

                if (json_object_is_type(w, json_type_object)) {
                        check = json_str(w, "check");
                        reason = json_str(w, "reason");
                        expires = json_str(w, "expires");
                        approver = json_str(w, "approver");
                        json_object_object_foreach(w, key, v) {
                                (void) v;
                                if (!streq(key, "check") && !streq(key, "reason") && !streq(key, "expires") &&
                                    !streq(key, "approver") && !x->problem)
                                        x->problem = strdup_printf("unknown key \"%s\"", key);
                        }
                }
                x->check = strdup(check ? check : "");
                x->reason = strdup(reason ? reason : "");
                x->expires = strdup(expires ? expires : "");
                x->approver = strdup(approver ? approver : "");
                if (!x->check || !x->reason || !x->expires || !x->approver)
                        return -ENOMEM;
                if (x->problem)
                        continue;
                if (!json_object_is_type(w, json_type_object))
                        x->problem = strdup("not an object");
                else if (!*x->check)
                        x->problem = strdup("no \"check\"");
                else if (!*x->reason)
                        x->problem = strdup("no \"reason\"");
                else if (!*x->approver)
                        x->problem = strdup("no \"approver\"");
                else if (parse_day(x->expires, &day) < 0)
                        x->problem = strdup_printf("\"expires\" is not a date YYYY-MM-DD: \"%s\"", x->expires);
        }
        return 0;
}

static int parse_images(struct sis_policy *p, json_object *images, const char *name, char **ret_error) {
        struct sis_policy_images *im = &p->images;

        if (!json_object_is_type(images, json_type_object))
                return set_error(ret_error, -EINVAL, "policy %s: \"images\" must be an object", name);
        json_object_object_foreach(images, key, v) {
                if (streq(key, "require_signed")) {
                        if (!json_object_is_type(v, json_type_boolean))
                                return set_error(ret_error, -EINVAL,
                                                 "policy %s: images.require_signed must be true or false", name);
                        im->require_signed = json_object_get_boolean(v);
                } else if (streq(key, "trusted_keys")) {
                        size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
                        if (!json_object_is_type(v, json_type_array))
                                return set_error(ret_error, -EINVAL,
                                                 "policy %s: images.trusted_keys must be an array of key fingerprints",
                                                 name);
                        if (n == 0)
                                return set_error(
                                        ret_error, -EINVAL,
                                        "policy %s: images.trusted_keys is empty, which trusts no key (leave it out to "
                                        "trust every key of images.keyring)",
                                        name);
                        for (size_t i = 0; i < n; i++) {
                                json_object *f = json_object_array_get_idx(v, i);
                                const char *s =
                                        json_object_is_type(f, json_type_string) ? json_object_get_string(f) : NULL;
                                char *up;
                                if (!is_hex_any(s, 40))
                                        return set_error(
                                                ret_error, -EINVAL,
                                                "policy %s: images.trusted_keys[%zu] must be a key fingerprint: 40 hex "
                                                "digits, no spaces",
                                                name, i);
                                up = strdup(s);
                                if (!up)
                                        return -ENOMEM;
                                for (char *c = up; *c; c++)
                                        *c = (char) toupper((unsigned char) *c);
                                if (strv_contains(im->trusted_keys, up)) {
                                        free(up);
                                        continue;
                                }
                                if (strv_push(&im->trusted_keys, up) < 0)
                                        return -ENOMEM;
                        }
                } else if (streq(key, "keyring")) {
                        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                        if (!s || s[0] != '/' || !str_is_printable(s, strlen(s)) || strlen(s) >= 4096)
                                return set_error(ret_error, -EINVAL,
                                                 "policy %s: images.keyring must be an absolute path", name);
                        free(im->keyring);
                        im->keyring = strdup(s);
                        if (!im->keyring)
                                return -ENOMEM;
                } else
                        return set_error(ret_error, -EINVAL, "policy %s: images: unknown key \"%s\"", name, key);
        }
        if (im->require_signed && !im->keyring)
                return set_error(
                        ret_error, -EINVAL,
                        "policy %s: images.require_signed needs images.keyring, the public keys to verify with", name);
        return 0;
}

/* The keyring decides which images boot: like the policy, only root may change it. */
static int check_keyring(const char *policy, const char *path, char **ret_error) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return set_error(ret_error, -errno, "policy %s: images.keyring %s: %s", policy, path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return set_error(ret_error, -EINVAL, "policy %s: images.keyring %s: not a regular file", policy, path);
        if (st.st_uid != 0)
                return set_error(ret_error, -EPERM, "policy %s: images.keyring %s: refused: owned by uid %u, not root",
                                 policy, path, (unsigned) st.st_uid);
        if (st.st_mode & 0022)
                return set_error(ret_error, -EPERM,
                                 "policy %s: images.keyring %s: refused: %s-writable (mode %04o); chmod go-w it",
                                 policy, path, (st.st_mode & 0002) ? "world" : "group",
                                 (unsigned) (st.st_mode & 07777));
        return 0;
}

int sis_policy_parse(const char *text, size_t len, const char *name, struct sis_policy **ret, char **ret_error) {
        _cleanup_(sis_policy_freep) struct sis_policy *p = NULL;
        json_object *o = NULL, *v;
        const char *why = NULL;
        int k = 0;

        k = json_parse_strict(text, len, &o, &why);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return set_error(ret_error, -EBADMSG, "policy %s: not valid JSON (%s)", name, why);
        p = calloc(1, sizeof(*p));
        if (!p) {
                json_object_put(o);
                return -ENOMEM;
        }
        p->path = strdup(name);
        if (!json_object_is_type(o, json_type_object)) {
                k = set_error(ret_error, -EINVAL, "policy %s: must be a JSON object", name);
                goto out;
        }
        if (!json_object_object_get_ex(o, "policy_version", &v) || !json_object_is_type(v, json_type_int) ||
            json_object_get_int(v) != POLICY_VERSION) {
                k = set_error(ret_error, -EPROTONOSUPPORT, "policy %s: \"policy_version\" must be %d", name,
                              POLICY_VERSION);
                goto out;
        }
        json_object_object_foreach(o, key, val) {
                if (streq(key, "policy_version"))
                        continue;
                if (streq(key, "profile")) {
                        const char *s = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
                        if (!s || (!streq(s, "production") && !streq(s, "development"))) {
                                k = set_error(ret_error, -EINVAL,
                                              "policy %s: \"profile\" must be \"production\" or \"development\"", name);
                                goto out;
                        }
                        p->profile = strdup(s);
                } else if (streq(key, "checks"))
                        k = parse_rules(p, val, name, ret_error);
                else if (streq(key, "waivers"))
                        k = parse_waivers(p, val, name, ret_error);
                else if (streq(key, "images"))
                        k = parse_images(p, val, name, ret_error);
                else if (streq(key, "description"))
                        ;
                else
                        k = set_error(ret_error, -EINVAL, "policy %s: unknown key \"%s\"", name, key);
                if (k < 0)
                        goto out;
        }
        *ret = TAKE_PTR(p);
out:
        json_object_put(o);
        return k;
}

int sis_policy_load(const char *path, struct sis_policy **ret, char **ret_error) {
        return sis_policy_load_text(path, ret, NULL, NULL, ret_error);
}

int sis_policy_load_text(const char *path, struct sis_policy **ret, char **ret_text, size_t *ret_len,
                         char **ret_error) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t len;
        int k;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return set_error(ret_error, -errno, "policy %s: %s", path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return set_error(ret_error, -errno, "policy %s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return set_error(ret_error, -EINVAL, "policy %s: not a regular file", path);
        /* A policy decides what the launch gate lets through: only its owner may change it. */
        if (st.st_mode & 0022)
                return set_error(ret_error, -EPERM, "policy %s: refused: %s-writable (mode %04o); chmod go-w it", path,
                                 (st.st_mode & 0002) ? "world" : "group", (unsigned) (st.st_mode & 07777));
        if (st.st_uid != 0 && st.st_uid != getuid())
                return set_error(ret_error, -EPERM, "policy %s: refused: owned by uid %u, not root or you (uid %u)",
                                 path, (unsigned) st.st_uid, (unsigned) getuid());
        k = read_fd_capped(fd, POLICY_MAX, &text, &len);
        if (k < 0)
                return set_error(ret_error, k, "policy %s: %s", path, k == -EFBIG ? "larger than 1 MiB" : strerror(-k));
        {
                _cleanup_(sis_policy_freep) struct sis_policy *p = NULL;
                k = sis_policy_parse(text, len, path, &p, ret_error);
                if (k < 0)
                        return k;
                if (p->images.keyring) {
                        k = check_keyring(path, p->images.keyring, ret_error);
                        if (k < 0)
                                return k;
                }
                *ret = TAKE_PTR(p);
        }
        if (ret_text) {
                *ret_text = TAKE_PTR(text);
                *ret_len = len;
        }
        return 0;
}

static bool id_matches(const char *pattern, const char *id) {
        return streq(pattern, id) || fnmatch(pattern, id, 0) == 0;
}

int sis_policy_apply(const struct sis_policy *p, struct sis_report *r, time_t today, bool (*known)(const char *id)) {
        struct sis_finding *pf;
        long day = (long) (today / 86400);
        unsigned active = 0;

        /* Severity and required: the last matching rule wins, so specific rules go last. */
        for (size_t i = 0; i < r->n_findings; i++)
                for (size_t j = 0; j < p->n_rules; j++) {
                        if (!id_matches(p->rules[j].pattern, r->findings[i]->id))
                                continue;
                        if (p->rules[j].severity >= 0)
                                r->findings[i]->severity = (enum sis_severity) p->rules[j].severity;
                        if (p->rules[j].required >= 0)
                                r->findings[i]->required = p->rules[j].required;
                }

        pf = sis_finding_new("policy.waivers", "Waivers valid", "policy", SIS_SEV_HIGH, true);
        if (!pf)
                return -ENOMEM;
        pf->rationale =
                strdup("A waiver accepts a known failure for a while, with a reason and an approver; an expired "
                       "or malformed waiver must not silently keep a check quiet.");
        pf->remediation =
                strdup("Renew the waiver with a new expiry date and approver, fix what it waives, or remove it.");
        for (size_t j = 0; j < p->n_waivers; j++) {
                const struct waiver *w = &p->waivers[j];
                size_t matched = 0;
                long exp;

                if (w->problem) {
                        sis_finding_note(pf, SIS_FAIL, "waiver %zu%s%s%s is malformed: %s", j + 1,
                                         *w->check ? " (" : "", w->check, *w->check ? ")" : "", w->problem);
                        continue;
                }
                (void) parse_day(w->expires, &exp);
                sis_finding_evidence(pf, p->path, "%s until %s, approved by %s: %s", w->check, w->expires, w->approver,
                                     w->reason);
                if (exp < day) {
                        sis_finding_note(pf, SIS_FAIL, "waiver for %s expired on %s (approved by %s)", w->check,
                                         w->expires, w->approver);
                        continue;
                }
                for (size_t i = 0; i < r->n_findings; i++) {
                        struct sis_finding *f = r->findings[i];
                        if (!id_matches(w->check, f->id))
                                continue;
                        matched++;
                        if (f->waived)
                                continue;
                        f->waived = true;
                        f->waiver.reason = strdup(w->reason);
                        f->waiver.expires = strdup(w->expires);
                        f->waiver.approver = strdup(w->approver);
                }
                if (matched > 0)
                        active++;
                else if (!known || !known(w->check))
                        sis_finding_note(pf, SIS_FAIL, "waiver for %s names no known check", w->check);
        }
        if (p->n_waivers == 0)
                sis_finding_note(pf, SIS_PASS, "no waivers");
        else
                sis_finding_note(pf, SIS_PASS, "%u waiver%s in force", active, active == 1 ? "" : "s");
        sis_finding_finish(pf);
        if (sis_report_add(r, pf) < 0)
                return -ENOMEM;
        free(r->policy);
        r->policy = strdup(p->path);
        sis_report_finish(r);
        return 0;
}
