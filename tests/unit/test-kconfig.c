/* SPDX-License-Identifier: MIT */
/* Kconfig fragments, profiles, and the check that requested symbols survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "helpers.h"
#include "kconfig.h"

static void test_fragment_parse(void **state) {
        struct kreqs r = {};
        char *err = NULL;

        assert_int_equal(
                fragment_parse("# header\n\nCONFIG_A=y   # why A\nCONFIG_B=m\n  CONFIG_C=\"x # not a comment\"  # c\n"
                               "CONFIG_D=0x10 # hex\nCONFIG_E=-5 # negative\nCONFIG_F=n # off\n",
                               "f.conf", &r, &err),
                0);
        assert_int_equal(r.n, 6);
        assert_string_equal(r.v[0].name, "A");
        assert_string_equal(r.v[0].value, "y");
        assert_string_equal(r.v[0].reason, "why A");
        assert_int_equal(r.v[0].line, 3);
        assert_null(r.v[1].reason);
        assert_string_equal(r.v[2].value, "\"x # not a comment\"");
        assert_string_equal(r.v[3].value, "0x10");
        kreqs_done(&r);

        static const char *const bad[] = { "CONFIG_A\n",        "CONFIG_a=y\n", "CONFIG_A=maybe\n", "CONFIG_A=y junk\n",
                                           "CONFIG_A=\"open\n", "FOO=y\n",      "CONFIG_=y\n" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct kreqs x = {};
                char *e = NULL;
                assert_int_equal(fragment_parse(bad[i], "bad.conf", &x, &e), -EBADMSG);
                assert_non_null(strstr(e, "bad.conf:1"));
                free(e);
                kreqs_done(&x);
        }
}

static void test_profile_conflict(void **state) {
        static const struct tfile files[] = {
                { "/a.conf", "CONFIG_X=y # a\nCONFIG_Y=y # a\n" },
                { "/b.conf", "CONFIG_Y=y # same value: fine\nCONFIG_X=n # conflict\n" },
                { "/c.conf", "CONFIG_Z=\"s\" # c\n" },
                { "/profiles/ok", "# comment\na\nc\n" },
                { "/profiles/bad", "a\nb\n" },
                { "/profiles/missing", "a\nnope\n" },
                {},
        };
        _cleanup_free_ char *dir = mkroot(files);
        struct kreqs r = {};
        char **frags = NULL, *err = NULL;

        assert_int_equal(profile_load(dir, "ok", &r, &frags, &err), 0);
        assert_int_equal(r.n, 3);
        assert_int_equal(strv_length(frags), 2);
        {
                _cleanup_free_ char *ac = kreqs_allconfig(&r);
                assert_string_equal(ac, "CONFIG_X=y\nCONFIG_Y=y\nCONFIG_Z=\"s\"\n");
        }
        kreqs_done(&r);
        strv_free(frags);
        assert_int_equal(profile_load(dir, "bad", &r, NULL, &err), -EEXIST);
        assert_non_null(strstr(err, "CONFIG_X"));
        assert_non_null(strstr(err, "a.conf:1 asks y"));
        assert_non_null(strstr(err, "b.conf:2 asks n"));
        free(err);
        err = NULL;
        assert_int_equal(profile_load(dir, "missing", &r, NULL, &err), -ENOENT);
        assert_non_null(strstr(err, "nope.conf"));
        free(err);
        err = NULL;
        assert_true(profile_load(dir, "../etc", &r, NULL, &err) < 0);
        free(err);
        rm_rf(dir);
}

static void test_check(void **state) {
        static const struct tfile files[] = {
                { "/Kconfig", "config WANTED\n\tbool \"w\"\n\tdepends on BASE && !OTHER\n\nconfig BASE\n\tbool\n" },
                { "/arch/arm64/Kconfig", "config ARMONLY\n\tbool\n" },
                {},
        };
        _cleanup_free_ char *dir = mkroot(files);
        struct kreqs r = {};
        struct kfinal f = {};
        struct kmiss *m = NULL;
        char *err = NULL;
        int n;

        assert_int_equal(fragment_parse("CONFIG_OK=y\nCONFIG_MOD=m\nCONFIG_OFF=n\nCONFIG_WANTED=y\nCONFIG_TYPO=y\n"
                                        "CONFIG_ARMONLY=y\nCONFIG_NUM=32\nCONFIG_DROPPED_TO_M=y\n",
                                        "p.conf", &r, &err),
                         0);
        assert_int_equal(kfinal_parse("CONFIG_OK=y\nCONFIG_MOD=y\n# CONFIG_OFF is not set\nCONFIG_NUM=32\n"
                                      "CONFIG_DROPPED_TO_M=m\nCONFIG_OTHER=y\n",
                                      &f),
                         0);
        n = kreqs_check(&r, &f, dir, "x86", &m);
        assert_int_equal(n, 4);
        assert_string_equal(m[0].req->name, "WANTED");
        assert_string_equal(m[0].got, "n");
        assert_non_null(strstr(m[0].why, "depends on BASE && !OTHER"));
        assert_non_null(strstr(m[0].why, "BASE=n"));
        assert_string_equal(m[1].req->name, "TYPO");
        assert_non_null(strstr(m[1].why, "unknown symbol"));
        assert_string_equal(m[2].req->name, "ARMONLY");
        assert_non_null(strstr(m[2].why, "not available on x86"));
        assert_string_equal(m[3].req->name, "DROPPED_TO_M"); /* y -> m is a failure */
        assert_string_equal(m[3].got, "m");
        kmiss_free(m, (size_t) n);
        kfinal_done(&f);
        kreqs_done(&r);
        rm_rf(dir);
}

/* The project's own fragments: every profile loads and every line says why it is there. */
static void test_repo_fragments(void **state) {
        static const char *const profiles[] = { "sis-guest", "sis-guest-arm64", "sis-guest-debug" };
        for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                struct kreqs r = {};
                char *err = NULL;
                int k = profile_load("kernel-configs", profiles[i], &r, NULL, &err);
                if (k < 0)
                        print_error("%s: %s\n", profiles[i], strna(err));
                assert_int_equal(k, 0);
                for (size_t j = 0; j < r.n; j++) {
                        if (!r.v[j].reason)
                                print_error("%s:%u: CONFIG_%s has no reason\n", r.v[j].file, r.v[j].line, r.v[j].name);
                        assert_non_null(r.v[j].reason);
                }
                kreqs_done(&r);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fragment_parse),
                cmocka_unit_test(test_profile_conflict),
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_repo_fragments),
        };
        return cmocka_run_group_tests_name("kconfig", tests, NULL, NULL);
}
