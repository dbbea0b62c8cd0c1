/* SPDX-License-Identifier: MIT */
/* Policies and waivers, and reading saved reports back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "helpers.h"
#include "policy.h"
#include "read.h"
#include "render.h"

#define DAY(y) ((time_t) (y) *86400)
/* 2027-01-15 */
#define TODAY ((time_t) 1799971200)

static struct sis_report *sample(void) {
        struct sis_report *r = sis_report_new("sis-audit", "t", "production");
        static const struct {
                const char *id;
                enum sis_status st;
                bool required;
        } rows[] = {
                { "cpu.smt", SIS_PASS, true },      { "mem.ksm", SIS_FAIL, true },
                { "cpu.vuln.mds", SIS_FAIL, true }, { "cpu.vuln.l1tf", SIS_WARN, true },
                { "kvm.api", SIS_UNKNOWN, true },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct sis_finding *f = sis_finding_new(rows[i].id, "t", "cat", SIS_SEV_HIGH, rows[i].required);
                sis_finding_note(f, rows[i].st, "%s", "x");
                sis_finding_finish(f);
                sis_report_add(r, f);
        }
        sis_report_finish(r);
        return r;
}

static bool known(const char *id) {
        return !startswith(id, "no.");
}

static struct sis_policy *parse(const char *text) {
        struct sis_policy *p = NULL;
        _cleanup_free_ char *err = NULL;
        int k = sis_policy_parse(text, strlen(text), "test.json", &p, &err);
        if (k < 0)
                print_error("%s\n", strna(err));
        assert_int_equal(k, 0);
        return p;
}

static const struct sis_finding *get(const struct sis_report *r, const char *id) {
        for (size_t i = 0; i < r->n_findings; i++)
                if (streq(r->findings[i]->id, id))
                        return r->findings[i];
        return NULL;
}

static void test_active_waiver(void **state) {
        _cleanup_report_ struct sis_report *r = sample();
        _cleanup_policy_ struct sis_policy *p = parse(
                "{\"policy_version\":1,\"waivers\":[{\"check\":\"mem.ksm\",\"reason\":\"trial\",\"expires\":\"2027-01-15\",\"approver\":\"alice\"},"
                "{\"check\":\"cpu.vuln.*\",\"reason\":\"lab\",\"expires\":\"2027-02-01\",\"approver\":\"bob\"}]}");

        assert_int_equal(r->verdict, SIS_VERDICT_FAIL);
        assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
        assert_true(get(r, "mem.ksm")->waived); /* valid through its expiry day */
        assert_string_equal(get(r, "mem.ksm")->waiver.approver, "alice");
        assert_int_equal(get(r, "mem.ksm")->status, SIS_FAIL); /* the status itself is kept */
        assert_true(get(r, "cpu.vuln.mds")->waived);
        assert_true(get(r, "cpu.vuln.l1tf")->waived);
        assert_int_equal(get(r, "policy.waivers")->status, SIS_PASS);
        assert_int_equal(r->waived, 3);
        assert_int_equal(r->counts[SIS_FAIL], 0);
        /* kvm.api is still a required UNKNOWN: inconclusive, not pass */
        assert_int_equal(r->verdict, SIS_VERDICT_INCONCLUSIVE);
        assert_int_equal(sis_report_exit_code(r), 3);
}

static void test_expired_waiver(void **state) {
        _cleanup_report_ struct sis_report *r = sample();
        _cleanup_policy_ struct sis_policy *p = parse(
                "{\"policy_version\":1,\"waivers\":[{\"check\":\"mem.ksm\",\"reason\":\"trial\",\"expires\":\"2027-01-14\",\"approver\":\"alice\"}]}");

        assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
        assert_false(get(r, "mem.ksm")->waived);
        assert_int_equal(get(r, "policy.waivers")->status, SIS_FAIL);
        assert_non_null(strstr(get(r, "policy.waivers")->summary, "expired on 2027-01-14"));
        assert_int_equal(r->verdict, SIS_VERDICT_FAIL);
}

static void test_unknown_and_malformed(void **state) {
        static const char *const bad[] = {
                "{\"check\":\"no.such.check\",\"reason\":\"r\",\"expires\":\"2027-12-31\",\"approver\":\"a\"}",
                "{\"check\":\"mem.ksm\",\"reason\":\"\",\"expires\":\"2027-12-31\",\"approver\":\"a\"}",
                "{\"check\":\"mem.ksm\",\"reason\":\"r\",\"expires\":\"2027-02-30\",\"approver\":\"a\"}",
                "{\"check\":\"mem.ksm\",\"reason\":\"r\",\"expires\":\"tomorrow\",\"approver\":\"a\"}",
                "{\"check\":\"mem.ksm\",\"reason\":\"r\",\"expires\":\"2027-12-31\"}",
                "{\"check\":\"mem.ksm\",\"reason\":\"r\",\"expires\":\"2027-12-31\",\"approver\":\"a\",\"until\":\"x\"}",
                "\"mem.ksm\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_report_ struct sis_report *r = sample();
                _cleanup_free_ char *text = strdup_printf("{\"policy_version\":1,\"waivers\":[%s]}", bad[i]);
                _cleanup_policy_ struct sis_policy *p = parse(text);
                assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
                if (get(r, "policy.waivers")->status != SIS_FAIL)
                        print_error("waiver %s was accepted\n", bad[i]);
                assert_int_equal(get(r, "policy.waivers")->status, SIS_FAIL);
                assert_false(get(r, "mem.ksm")->waived);
        }
}

/* A known check that did not run (--only) is silently inactive, not an error. */
static void test_waiver_for_check_not_run(void **state) {
        _cleanup_report_ struct sis_report *r = sample();
        _cleanup_policy_ struct sis_policy *p = parse(
                "{\"policy_version\":1,\"waivers\":[{\"check\":\"jail.tun\",\"reason\":\"r\",\"expires\":\"2027-12-31\",\"approver\":\"a\"}]}");
        assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
        assert_int_equal(get(r, "policy.waivers")->status, SIS_PASS);
}

static void test_rules(void **state) {
        _cleanup_report_ struct sis_report *r = sample();
        _cleanup_policy_ struct sis_policy *p =
                parse("{\"policy_version\":1,\"profile\":\"development\",\"checks\":{\"kvm.*\":{\"required\":false},"
                      "\"cpu.vuln.*\":{\"severity\":\"low\"},\"cpu.vuln.mds\":{\"severity\":\"critical\"}}}");

        assert_string_equal(sis_policy_profile(p), "development");
        assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
        assert_false(get(r, "kvm.api")->required);
        assert_int_equal(get(r, "cpu.vuln.l1tf")->severity, SIS_SEV_LOW);
        assert_int_equal(get(r, "cpu.vuln.mds")->severity, SIS_SEV_CRITICAL); /* the last matching rule wins */
        /* kvm.api UNKNOWN is no longer required; mem.ksm still FAILs */
        assert_int_equal(r->verdict, SIS_VERDICT_FAIL);
}

static void test_refused(void **state) {
        static const char *const bad[] = {
                "",
                "{",
                "[]",
                "{\"policy_version\":2}",
                "{\"checks\":{}}",
                "{\"policy_version\":1,\"profil\":\"x\"}",
                "{\"policy_version\":1,\"profile\":\"lax\"}",
                "{\"policy_version\":1,\"checks\":{\"a\":{\"severity\":\"huge\"}}}",
                "{\"policy_version\":1,\"checks\":{\"a\":{\"required\":\"yes\"}}}",
                "{\"policy_version\":1,\"waivers\":{}}",
                "{\"policy_version\":1} trailing",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct sis_policy *p = NULL;
                _cleanup_free_ char *err = NULL;
                assert_true(sis_policy_parse(bad[i], strlen(bad[i]), "x.json", &p, &err) < 0);
                assert_null(p);
                assert_non_null(err);
                assert_non_null(strstr(err, "x.json")); /* the message names the file */
        }
}

static void test_file_permissions(void **state) {
        static const struct tfile files[] = { { "/p.json", "{\"policy_version\":1}" }, {} };
        _cleanup_free_ char *dir = mkroot(files);
        _cleanup_free_ char *path = strdup_printf("%s/p.json", dir);
        struct sis_policy *p = NULL;
        char *err = NULL;

        assert_int_equal(chmod(path, 0644), 0);
        assert_int_equal(sis_policy_load(path, &p, &err), 0);
        sis_policy_free(p);
        p = NULL;
        {
                /* the text applied, for its hash (sis-launch's gate): read once, with the policy */
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                assert_int_equal(sis_policy_load_text(path, &p, &text, &len, &err), 0);
                assert_int_equal(len, strlen("{\"policy_version\":1}"));
                assert_memory_equal(text, "{\"policy_version\":1}", len);
                sis_policy_free(p);
                p = NULL;
        }
        assert_int_equal(chmod(path, 0664), 0);
        assert_int_equal(sis_policy_load(path, &p, &err), -EPERM);
        assert_non_null(strstr(err, "group-writable"));
        free(err);
        err = NULL;
        assert_int_equal(chmod(path, 0646), 0);
        assert_int_equal(sis_policy_load(path, &p, &err), -EPERM);
        free(err);
        err = NULL;
        assert_int_equal(chmod(path, 0644), 0);
        if (geteuid() == 0) {
                /* owned by someone who is neither root nor the invoking user */
                assert_int_equal(chown(path, 65534, 65534), 0);
                assert_int_equal(sis_policy_load(path, &p, &err), -EPERM);
                assert_non_null(strstr(err, "owned by uid 65534"));
                free(err);
                err = NULL;
        }
        assert_true(sis_policy_load(dir, &p, &err) < 0); /* a directory */
        free(err);
        rm_rf(dir);
}

#define FA "0123456789abcdef0123456789ABCDEF01234567"
#define FB "89ABCDEF0123456789ABCDEF0123456789ABCDEF"

/* images: require_signed, trusted_keys, keyring (issue 19) */
static void test_images(void **state) {
        _cleanup_policy_ struct sis_policy *none = parse("{\"policy_version\":1}");
        _cleanup_policy_ struct sis_policy *p =
                parse("{\"policy_version\":1,\"images\":{\"require_signed\":true,\"keyring\":\"/etc/sis/signers.gpg\","
                      "\"trusted_keys\":[\"" FA "\",\"" FB "\",\"" FB "\"]}}");
        _cleanup_policy_ struct sis_policy *lax =
                parse("{\"policy_version\":1,\"images\":{\"require_signed\":false,\"keyring\":\"/k.gpg\"}}");
        const struct sis_policy_images *im;

        im = sis_policy_images(none);
        assert_false(im->require_signed);
        assert_null(im->trusted_keys);
        assert_null(im->keyring);
        im = sis_policy_images(p);
        assert_true(im->require_signed);
        assert_string_equal(im->keyring, "/etc/sis/signers.gpg");
        assert_int_equal(strv_length(im->trusted_keys), 2); /* upper case, each once */
        assert_string_equal(im->trusted_keys[0], "0123456789ABCDEF0123456789ABCDEF01234567");
        assert_string_equal(im->trusted_keys[1], FB);
        im = sis_policy_images(lax);
        assert_false(im->require_signed);
        assert_null(im->trusted_keys); /* every key of the keyring */
        assert_string_equal(im->keyring, "/k.gpg");
}

static void test_images_refused(void **state) {
        static const struct {
                const char *images, *says;
        } bad[] = {
                { "[]", "\"images\" must be an object" },
                { "{\"require_signed\":\"yes\",\"keyring\":\"/k\"}", "images.require_signed must be true or false" },
                { "{\"require_signed\":true}", "images.require_signed needs images.keyring" },
                { "{\"keyring\":\"etc/k.gpg\"}", "images.keyring must be an absolute path" },
                { "{\"keyring\":7}", "images.keyring must be an absolute path" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":\"" FA "\"}", "images.trusted_keys must be an array" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":[]}", "images.trusted_keys is empty" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":[\"0123456789ABCDEF0123456789ABCDEF0123456\"]}",
                  "images.trusted_keys[0] must be a key fingerprint" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":[\"" FA
                  "\",\"0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567\"]}",
                  "images.trusted_keys[1] must be a key fingerprint" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":[\"G123456789ABCDEF0123456789ABCDEF01234567\"]}",
                  "images.trusted_keys[0] must be a key fingerprint" },
                { "{\"keyring\":\"/k\",\"trusted_keys\":[42]}", "images.trusted_keys[0] must be a key fingerprint" },
                { "{\"require_signed\":true,\"keyring\":\"/k\",\"trusted\":[]}", "images: unknown key \"trusted\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct sis_policy *p = NULL;
                _cleanup_free_ char *err = NULL,
                                    *text = strdup_printf("{\"policy_version\":1,\"images\":%s}", bad[i].images);
                assert_int_equal(sis_policy_parse(text, strlen(text), "x.json", &p, &err), -EINVAL);
                assert_null(p);
                if (!strstr(err, bad[i].says))
                        print_error("%s: %s\n", bad[i].images, err);
                assert_non_null(strstr(err, bad[i].says));
                assert_non_null(strstr(err, "policy x.json: ")); /* the message names the file */
        }
}

/* Loading refuses a keyring that root alone cannot be sure of. */
static void test_images_keyring_file(void **state) {
        static const struct tfile files[] = { { "/k.gpg", "keys" }, {} };
        if (geteuid() != 0)
                skip(); /* a keyring owned by root is needed to load at all */
        _cleanup_free_ char *dir = mkroot(files), *path = strdup_printf("%s/p.json", dir),
                            *ring = strdup_printf("%s/k.gpg", dir);
        struct sis_policy *p = NULL;
        char *err = NULL;
        struct {
                const char *keyring;
                int k;
                const char *says;
        } cases[] = {
                { ring, 0, NULL },
                { "/nonexistent/k.gpg", -ENOENT, "images.keyring /nonexistent/k.gpg: No such file" },
                { dir, -EINVAL, "not a regular file" },
        };

        assert_int_equal(chmod(ring, 0644), 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text =
                        strdup_printf("{\"policy_version\":1,\"images\":{\"require_signed\":true,\"keyring\":\"%s\"}}",
                                      cases[i].keyring);
                assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
                err = NULL;
                assert_int_equal(sis_policy_load(path, &p, &err), cases[i].k);
                if (cases[i].k == 0) {
                        assert_string_equal(sis_policy_images(p)->keyring, ring);
                        sis_policy_free(p);
                        p = NULL;
                } else {
                        assert_null(p);
                        assert_non_null(strstr(err, cases[i].says));
                        assert_non_null(strstr(err, path));
                        free(err);
                }
        }
        {
                _cleanup_free_ char *text = strdup_printf(
                        "{\"policy_version\":1,\"images\":{\"require_signed\":true,\"keyring\":\"%s\"}}", ring);
                assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
        }
        assert_int_equal(chmod(ring, 0664), 0);
        assert_int_equal(sis_policy_load(path, &p, &err), -EPERM);
        assert_non_null(strstr(err, "images.keyring"));
        assert_non_null(strstr(err, "group-writable"));
        free(err);
        assert_int_equal(chmod(ring, 0644), 0);
        assert_int_equal(chown(ring, 65534, 65534), 0);
        assert_int_equal(sis_policy_load(path, &p, &err), -EPERM);
        assert_non_null(strstr(err, "owned by uid 65534, not root"));
        free(err);
        rm_rf(dir);
}

/* A report written as JSON reads back to the same JSON. */
static void test_report_roundtrip(void **state) {
        _cleanup_report_ struct sis_report *r = sample(), *back = NULL;
        _cleanup_policy_ struct sis_policy *p = parse(
                "{\"policy_version\":1,\"waivers\":[{\"check\":\"mem.ksm\",\"reason\":\"trial\",\"expires\":\"2027-12-31\",\"approver\":\"alice\"}]}");
        _cleanup_free_ char *a = NULL, *b = NULL, *err = NULL;

        sis_report_host_fact(r, "hostname", "h1");
        sis_report_host_fact_int(r, "cpus", 8);
        assert_int_equal(sis_policy_apply(p, r, TODAY, known), 0);
        a = render_json(r, &(struct render_opts) {});
        assert_int_equal(report_parse(a, strlen(a), "a.json", &back, &err), 0);
        b = render_json(back, &(struct render_opts) {});
        assert_string_equal(a, b);
}

static void test_report_refused(void **state) {
        static const char *const bad[] = {
                "",
                "{",
                "[1]",
                "{\"schema_version\":2,\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\",\"checks\":[]}",
                "{\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\",\"checks\":[]}",
                "{\"schema_version\":1,\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\"}",
                "{\"schema_version\":1,\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\",\"checks\":[{\"id\":\"a\",\"status\":\"MAYBE\"}]}",
                "{\"schema_version\":1,\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\",\"checks\":[{\"status\":\"PASS\"}]}",
                "{\"schema_version\":1,\"tool\":\"t\",\"version\":\"v\",\"profile\":\"p\",\"checks\":[{\"id\":\"a\",\"status\":\"PASS\"},{\"id\":\"a\",\"status\":\"FAIL\"}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct sis_report *r = NULL;
                _cleanup_free_ char *err = NULL;
                assert_true(report_parse(bad[i], strlen(bad[i]), "r.json", &r, &err) < 0);
                assert_null(r);
                assert_non_null(err);
                assert_non_null(strstr(err, "r.json"));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_active_waiver),
                cmocka_unit_test(test_expired_waiver),
                cmocka_unit_test(test_unknown_and_malformed),
                cmocka_unit_test(test_waiver_for_check_not_run),
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_file_permissions),
                cmocka_unit_test(test_report_roundtrip),
                cmocka_unit_test(test_report_refused),
                cmocka_unit_test(test_images),
                cmocka_unit_test(test_images_refused),
                cmocka_unit_test(test_images_keyring_file),
        };
        return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
