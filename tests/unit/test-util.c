/* SPDX-License-Identifier: MIT */
/* The small helpers: SOURCE_DATE_EPOCH's one rule, strict numbers, string vectors, the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "helpers.h"
#include "json.h"

static int sde(const char *value, time_t *ret) {
        if (value)
                assert_int_equal(setenv("SOURCE_DATE_EPOCH", value, 1), 0);
        else
                assert_int_equal(unsetenv("SOURCE_DATE_EPOCH"), 0);
        return source_date_epoch(ret);
}

static void test_source_date_epoch(void **state _unused_) {
        static const char *const garbage[] = {
                "-1",
                "-0",
                "+1",
                " 1",
                "1 ",
                "1\n",
                "0x10",
                "1.5",
                "1e9",
                "12abc",
                "abc",
                "9223372036854775808",
                "18446744073709551616",
                "99999999999999999999999",
        };
        time_t t = 42;

        assert_int_equal(sde(NULL, &t), -ENOENT);
        assert_int_equal(sde("", &t), -ENOENT);
        assert_int_equal(t, 42); /* untouched on failure */
        for (size_t i = 0; i < ELEMENTSOF(garbage); i++) {
                assert_int_equal(sde(garbage[i], &t), -EINVAL);
                assert_int_equal(t, 42);
        }
        assert_int_equal(sde("0", &t), 0);
        assert_int_equal(t, 0);
        assert_int_equal(sde("1", &t), 0);
        assert_int_equal(t, 1);
        assert_int_equal(sde("1700000000", &t), 0);
        assert_int_equal(t, 1700000000);
        assert_int_equal(sde("0001700000000", &t), 0);
        assert_int_equal(t, 1700000000);
        assert_int_equal(sde("9223372036854775807", &t), 0);
        assert_int_equal(t, INT64_MAX);
        unsetenv("SOURCE_DATE_EPOCH");
}

static void test_numbers(void **state _unused_) {
        uint64_t u;
        uint32_t u32;
        int64_t i;
        int n;
        unsigned v[3], w[3];

        assert_int_equal(safe_atou64(" 0x10\n", &u), 0);
        assert_int_equal(u, 16);
        assert_int_equal(safe_atou64("-1", &u), -EINVAL);
        assert_int_equal(safe_atou64("1 2", &u), -EINVAL);
        assert_int_equal(safe_atou64("", &u), -EINVAL);
        assert_int_equal(safe_atou64(NULL, &u), -EINVAL);
        assert_int_equal(safe_atou32("4294967296", &u32), -ERANGE);
        assert_int_equal(safe_atoi64("-12", &i), 0);
        assert_int_equal(i, -12);
        assert_int_equal(safe_atoi("2147483648", &n), -ERANGE);
        assert_int_equal(safe_atoi("010", &n), 0);
        assert_int_equal(n, 10); /* decimal */
        assert_int_equal(parse_version("6.1.0-28-amd64", v), 0);
        assert_int_equal(parse_version("v6.10", w), 0);
        assert_int_equal(version_cmp(v, w), -1);
        assert_int_equal(parse_version("none", v), -EINVAL);
}

static void test_hex(void **state _unused_) {
        unsigned char b[4];
        _cleanup_free_ char *h = NULL;

        assert_int_equal(hex_decode("00ff7Aa5tail", b, 4), 0);
        assert_memory_equal(b, "\x00\xff\x7a\xa5", 4);
        h = hex_encode(b, 4);
        assert_string_equal(h, "00ff7aa5");
        assert_int_equal(hex_decode("", b, 0), 0);
        assert_int_equal(hex_decode("00ff7", b, 4), -EINVAL); /* too short */
        assert_memory_equal(b, "\0\0\0\0", 4);
        assert_int_equal(hex_decode("0g", b, 1), -EINVAL);
        assert_int_equal(hex_decode("g0", b, 1), -EINVAL);
        assert_int_equal(hex_decode(" 1", b, 1), -EINVAL);
        /* exactly len digits, the case as asked */
        assert_true(is_hex_lower("00ff7a", 6));
        assert_false(is_hex_lower("00FF7A", 6));
        assert_true(is_hex_any("00FF7a", 6));
        assert_false(is_hex_any("00ff7a", 5)); /* longer */
        assert_false(is_hex_any("00ff7", 6));  /* shorter */
        assert_false(is_hex_any("00ff7g", 6)); /* not a digit */
        assert_false(is_hex_lower("00 ff7", 6));
        assert_false(is_hex_any(NULL, 0));
        assert_true(is_hex_lower("", 0));
}

/* sis's one JSON layout: pretty, spaced, '/' as it is, a final newline */
static void test_json_text(void **state _unused_) {
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *t = NULL;

        json_object_object_add(o, "path", json_object_new_string("/run/sis"));
        json_object_object_add(o, "n", json_object_new_int(2));
        t = json_text(o);
        assert_string_equal(t, "{\n  \"path\": \"/run/sis\",\n  \"n\": 2\n}\n");
        /* json_str: a string member, or NULL (absent, null, a number: json-c would give NULL, "2") */
        json_object_object_add(o, "none", NULL);
        assert_string_equal(json_str(o, "path"), "/run/sis");
        assert_null(json_str(o, "n"));
        assert_null(json_str(o, "none"));
        assert_null(json_str(o, "absent"));
}

static void test_strv_sbuf(void **state _unused_) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *s = NULL;
        struct sbuf b = {};
        int k = 0;

        assert_int_equal(strv_split("::b:a::c", ":", &l), 0);
        assert_int_equal(strv_length(l), 3);
        strv_sort(l);
        assert_string_equal(l[0], "a");
        assert_true(strv_contains(l, "c"));
        strv_add(&l, &k, NULL);
        assert_int_equal(k, -EINVAL);
        strv_addf(&l, &k, "%d", 1); /* nothing once failed */
        assert_int_equal(strv_length(l), 3);
        sbuf_puts(&b, "a");
        sbuf_putc(&b, 'b');
        sbuf_printf(&b, "%03d", 7);
        sbuf_putn(&b, "xyz", 1);
        s = sbuf_steal(&b);
        assert_string_equal(s, "ab007x");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_source_date_epoch), cmocka_unit_test(test_numbers),   cmocka_unit_test(test_hex),
                cmocka_unit_test(test_strv_sbuf),         cmocka_unit_test(test_json_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
