/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <zlib.h>

#include "parse.h"
#include "util.h"

static const char cpuinfo2[] =
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
        "model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\nstepping\t: 7\nmicrocode\t: 0x5003604\n"
        "siblings\t: 2\ncpu cores\t: 1\nflags\t\t: fpu tsc constant_tsc nonstop_tsc ht\nbugs\t\t: spectre_v1 l1tf\n\n"
        "processor\t: 1\nvendor_id\t: GenuineIntel\nmicrocode\t: 0x5003605\nflags\t\t: tsc fpu constant_tsc nonstop_tsc ht\n\n";

static void test_cpuinfo(void **state) {
        struct cpuinfo c;

        assert_int_equal(cpuinfo_parse(cpuinfo2, &c), 0);
        assert_int_equal(c.n_cpus, 2);
        assert_string_equal(c.vendor, "GenuineIntel");
        assert_string_equal(c.model_name, "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
        assert_int_equal(c.family, 6);
        assert_int_equal(c.model, 85);
        assert_int_equal(c.siblings, 2);
        assert_int_equal(c.cores, 1);
        assert_true(cpuinfo_has_flag(&c, "nonstop_tsc"));
        assert_false(cpuinfo_has_flag(&c, "hypervisor"));
        assert_false(c.flags_differ); /* same set, other order */
        assert_true(strv_contains(c.bugs, "l1tf"));
        assert_string_equal(c.microcode[0], "0x5003604");
        assert_string_equal(c.microcode[1], "0x5003605");
        cpuinfo_done(&c);

        assert_int_equal(cpuinfo_parse("", &c), -EBADMSG);
        assert_int_equal(cpuinfo_parse("garbage\n\x01\x02:::\n", &c), -EBADMSG);
        assert_int_equal(cpuinfo_parse("processor : 0\nflags : a\n\nprocessor : 1\nflags : a b\n", &c), 0);
        assert_true(c.flags_differ);
        assert_int_equal(c.family, -1);
        cpuinfo_done(&c);
}

static void test_cmdline(void **state) {
        _cleanup_strv_free_ char **w = NULL;

        assert_int_equal(cmdline_parse("BOOT_IMAGE=/vmlinuz root=UUID=1 quiet \"dyndbg=file x +p\" "
                                       "mitigations=auto nosmt mitigations=off -- --init-arg nopti",
                                       &w),
                         0);
        assert_string_equal(cmdline_get(w, "root"), "UUID=1");
        assert_string_equal(cmdline_get(w, "quiet"), "");
        assert_string_equal(cmdline_get(w, "dyndbg"), "file x +p");
        assert_string_equal(cmdline_get(w, "mitigations"), "off"); /* the last one wins */
        assert_null(cmdline_get(w, "nopti"));                      /* after "--": init's, not the kernel's */
        assert_null(cmdline_get(w, "nosm"));
        strv_free(w);
        w = NULL;
        assert_int_equal(cmdline_parse("   ", &w), 0);
        assert_null(w[0]);
}

static void test_swaps(void **state) {
        struct swap_entry *s;
        size_t n;

        assert_int_equal(swaps_parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                     "/dev/sda3                               partition\t8388604\t\t0\t\t-2\n"
                                     "/swap\\040file                          file\t\t1048572\t\t0\t\t-3\n",
                                     &s, &n),
                         0);
        assert_int_equal(n, 2);
        assert_string_equal(s[0].path, "/dev/sda3");
        assert_string_equal(s[0].type, "partition");
        assert_string_equal(s[1].path, "/swap file");
        swaps_free(s, n);
        assert_int_equal(swaps_parse("Filename Type\n", &s, &n), 0);
        assert_int_equal(n, 0);
        free(s);
        assert_int_equal(swaps_parse("nonsense\n", &s, &n), -EBADMSG);
        assert_int_equal(swaps_parse("Filename\nrelative partition\n", &s, &n), -EBADMSG);
}

static void test_mounts(void **state) {
        struct mount_entry *m;
        size_t n;

        assert_int_equal(mounts_parse("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"
                                      "cgroup /sys/fs/cgroup/cpu\\054cpuacct cgroup rw,cpu,cpuacct 0 0\n",
                                      &m, &n),
                         0);
        assert_int_equal(n, 2);
        assert_string_equal(m[0].fstype, "cgroup2");
        assert_string_equal(m[1].target, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(m[1].options, "rw,cpu,cpuacct");
        mounts_free(m, n);
        assert_int_equal(mounts_parse("only two\n", &m, &n), -EBADMSG);
}

static void test_modparam(void **state) {
        bool b;
        assert_int_equal(modparam_bool("Y", &b), 0);
        assert_true(b);
        assert_int_equal(modparam_bool("0", &b), 0);
        assert_false(b);
        assert_int_equal(modparam_bool("maybe", &b), -EINVAL);
        assert_int_equal(modparam_bool("", &b), -EINVAL);
        assert_int_equal(modparam_bool(NULL, &b), -EINVAL);
}

static void test_kconfig(void **state) {
        static const char cfg[] =
                "#\n# Automatically generated\n#\nCONFIG_X86_64=y\nCONFIG_KVM=m\n"
                "# CONFIG_PAGE_TABLE_ISOLATION is not set\nCONFIG_RETPOLINE=y\n"
                "CONFIG_LOCALVERSION=\"-sis\"\nCONFIG_KVM_INTEL=m\n";
        struct kconfig k;

        assert_int_equal(kconfig_parse(cfg, strlen(cfg), &k), 0);
        assert_int_equal(k.n, 5);
        assert_string_equal(kconfig_get(&k, "CONFIG_KVM"), "m");
        assert_string_equal(kconfig_get(&k, "KVM"), "m");
        assert_string_equal(kconfig_get(&k, "KVM_INTEL"), "m");
        assert_null(kconfig_get(&k, "PAGE_TABLE_ISOLATION"));
        assert_null(kconfig_get(&k, "KV"));
        assert_string_equal(kconfig_get(&k, "LOCALVERSION"), "\"-sis\"");
        kconfig_done(&k);
        assert_int_equal(kconfig_parse("not a config\n", 13, &k), -EBADMSG);
        assert_int_equal(kconfig_parse("# only comments\n", 16, &k), -EBADMSG);
        assert_int_equal(kconfig_parse("CONFIG_A=y\0CONFIG_B=y", 21, &k), -EBADMSG);
}

static void test_gunzip(void **state) {
        static const char text[] = "CONFIG_A=y\nCONFIG_B=y\n";
        unsigned char gz[256];
        z_stream z = {};
        _cleanup_free_ char *out = NULL;
        size_t len;

        assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *) text;
        z.avail_in = sizeof(text) - 1;
        z.next_out = gz;
        z.avail_out = sizeof(gz);
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        deflateEnd(&z);
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), 0);
        assert_int_equal(len, sizeof(text) - 1);
        assert_string_equal(out, text);
        free(out);
        out = NULL;
        assert_int_equal(gunzip_capped(gz, z.total_out / 2, 1 << 20, &out, &len), -EBADMSG); /* truncated */
        assert_int_equal(gunzip_capped("plain text", 10, 1 << 20, &out, &len), -EBADMSG);
        /* the trailer's size is a hint for the first allocation only: a lie is caught by zlib's
         * length check, and never sizes more than the cap */
        gz[z.total_out - 4] ^= 0x10;
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), -EBADMSG);
        memset(gz + z.total_out - 4, 0xff, 4);
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), -EBADMSG);
        memset(gz + z.total_out - 4, 0, 4);
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), -EBADMSG);
        assert_null(out);
}

/* more than the first allocation (64 KiB, or the trailer's size) holds, and more than the cap */
static void test_gunzip_sizes(void **state) {
        const size_t n = 300 * 1024;
        _cleanup_free_ char *text = malloc(n), *out = NULL;
        _cleanup_free_ unsigned char *gz = malloc(n);
        z_stream z = {};
        size_t len;

        assert_non_null(text);
        assert_non_null(gz);
        for (size_t i = 0; i < n; i++)
                text[i] = (char) ('A' + (i * 7919 % 61) % 26);
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *) text;
        z.avail_in = (uInt) n;
        z.next_out = gz;
        z.avail_out = (uInt) n;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        deflateEnd(&z);
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, text, n);
        free(out);
        out = NULL;
        assert_int_equal(gunzip_capped(gz, z.total_out, n - 1, &out, &len), -EFBIG);
        assert_int_equal(gunzip_capped(gz, z.total_out, n, &out, &len), 0);
        assert_int_equal(len, n);
        free(out);
        out = NULL;
        /* a trailer that says less than it holds: the buffer grows as before */
        memset(gz + z.total_out - 4, 0, 4);
        assert_int_equal(gunzip_capped(gz, z.total_out, 1 << 20, &out, &len), -EBADMSG);
}

static void test_util(void **state) {
        uint64_t u;
        unsigned v[3], w[3];
        _cleanup_free_ char *p = NULL;

        assert_int_equal(safe_atou64("42\n", &u), 0);
        assert_int_equal(u, 42);
        assert_int_equal(safe_atou64("42x", &u), -EINVAL);
        assert_int_equal(safe_atou64("-1", &u), -EINVAL);
        assert_int_equal(safe_atou64("", &u), -EINVAL);
        assert_int_equal(safe_atou64("99999999999999999999999", &u), -ERANGE);
        assert_int_equal(parse_version("6.1.0-28-amd64", v), 0);
        assert_int_equal(v[0], 6);
        assert_int_equal(v[1], 1);
        assert_int_equal(parse_version("Firecracker v1.10.1\n", w), 0);
        assert_int_equal(w[1], 10);
        assert_true(version_cmp(v, w) > 0);
        assert_int_equal(parse_version("no digits", v), -EINVAL);
        assert_int_equal(path_normalize("/a/b/../../../c/./d//e", &p), 0);
        assert_string_equal(p, "/c/d/e");
}

/* What Firecracker's displaydoc makes of a wrapped doc comment, and worse: one line to print. */
static void test_one_line(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "Error creating KVM object: No such device (os error 19) Make sure the user launching the firecracker "
                  "process is \\\n    configured on the /dev/kvm file's ACL.",
                  "Error creating KVM object: No such device (os error 19) Make sure the user launching the firecracker "
                  "process is configured on the /dev/kvm file's ACL." },
                { "two\nlines\r\n", "two lines" },
                { "  \t lead and trail \n", "lead and trail" },
                { "a\\b stays, \x1b[31mred\x7f", "a\\b stays, \\x1b[31mred\\x7f" },
                { "ends in a backslash\\", "ends in a backslash\\" },
                { "", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *o = str_one_line(cases[i].in);
                assert_non_null(o);
                assert_string_equal(o, cases[i].out);
        }
        {
                _cleanup_free_ char *o = str_one_line(NULL);
                assert_string_equal(o, "");
        }
}

/* The one rule that makes report text: well-formed UTF-8 kept, every other byte and NUL U+FFFD. */
static void test_utf8(void **state) {
        static const struct {
                const char *in;
                size_t len;
                const char *out;
                bool changed;
        } cases[] = {
                { "plain", 5, "plain", false },
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", false },
                { "\xff", 1, "\xef\xbf\xbd", true },
                { "a\0b", 3,
                  "a\xef\xbf\xbd"
                  "b",
                  true },                                                            /* a NUL does not cut the text */
                { "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", true },                 /* overlong '/' */
                { "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", true }, /* a surrogate */
                { "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", true }, /* > U+10FFFF */
                { "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd", true },                                 /* cut short */
                { "Intel(R) \xe2\x82x", 12, "Intel(R) \xef\xbf\xbd\xef\xbf\xbdx", true },
                { "", 0, "", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                bool changed = !cases[i].changed;
                _cleanup_free_ char *o = utf8_repair(cases[i].in, cases[i].len, &changed);
                assert_non_null(o);
                assert_string_equal(o, cases[i].out);
                assert_int_equal(changed, cases[i].changed);
                assert_int_equal(utf8_valid(cases[i].in, cases[i].len), !cases[i].changed);
                assert_true(utf8_valid(o, strlen(o)));
        }
        /* cut at a character's end, never inside one */
        {
                char s[] = "ab\xe2\x82\xac";
                assert_string_equal(utf8_truncate(s, 4), "ab");
                char t[] = "ab\xe2\x82\xac";
                assert_string_equal(utf8_truncate(t, 5), "ab\xe2\x82\xac");
        }
        {
                _cleanup_free_ char *h = hex_encode(
                        "\xff\x00"
                        "a",
                        3);
                assert_string_equal(h, "ff0061");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpuinfo),  cmocka_unit_test(test_cmdline),      cmocka_unit_test(test_swaps),
                cmocka_unit_test(test_mounts),   cmocka_unit_test(test_modparam),     cmocka_unit_test(test_kconfig),
                cmocka_unit_test(test_gunzip),   cmocka_unit_test(test_gunzip_sizes), cmocka_unit_test(test_util),
                cmocka_unit_test(test_one_line), cmocka_unit_test(test_utf8),
        };
        return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
