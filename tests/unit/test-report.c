/* SPDX-License-Identifier: MIT */
/* The report model's text rule (lib/report.h) and sis-report's reader: whatever bytes a host or a
 * report file held, every renderer writes valid output; reading is linear in the checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <time.h>

#include "read.h"
#include "render.h"
#include "util.h"

static const char *const formats[] = { "text", "json", "junit", "prometheus", "markdown", "html" };

/* Every format's output of r is valid UTF-8; the JSON one parses strictly. */
static void assert_all_valid(const struct sis_report *r) {
        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                _cleanup_free_ char *out = render_lookup(formats[i])(r, &(struct render_opts) {});
                assert_non_null(out);
                if (!utf8_valid(out, strlen(out)))
                        fail_msg("%s: not valid UTF-8", formats[i]);
                if (streq(formats[i], "json")) {
                        json_tokener *t = json_tokener_new();
                        json_object *o;
                        json_tokener_set_flags(t, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
                        o = json_tokener_parse_ex(t, out, (int) strlen(out));
                        assert_non_null(o);
                        json_object_put(o);
                        json_tokener_free(t);
                }
        }
}

/* A check reading a garbled host file: the value shows U+FFFD, value_hex keeps the bytes. */
static void test_evidence_bytes(void **state) {
        _cleanup_report_ struct sis_report *r = sis_report_new("sis-audit", "1", "production");
        struct sis_finding *f = sis_finding_new("cpu.smt", "SMT", "cpu", SIS_SEV_HIGH, true);
        _cleanup_free_ char *long_value = malloc(700);

        sis_finding_evidence(f, "/proc/cpuinfo", "model name: Intel(R) \xff\xfe Xeon");
        sis_finding_evidence(f, "/sys/x", "clean");
        sis_finding_note(f, SIS_FAIL, "model \xc3 is \x1b[31m odd");
        /* a long value is cut at a character's end */
        memset(long_value, 'a', 699);
        memcpy(long_value + 507, "\xe2\x82\xac", 3);
        long_value[699] = '\0';
        sis_finding_evidence(f, "/long", "%s", long_value);
        sis_finding_finish(f);
        sis_report_host_fact(r, "cpu", "Gen\xffuine");
        assert_int_equal(sis_report_add(r, f), 0);
        sis_report_finish(r);
        assert_string_equal(f->evidence[0].value, "model name: Intel(R) \xef\xbf\xbd\xef\xbf\xbd Xeon");
        assert_string_equal(f->evidence[0].value_hex, "6d6f64656c206e616d653a20496e74656c28522920fffe2058656f6e");
        assert_null(f->evidence[1].value_hex);
        assert_string_equal(f->summary, "model \xef\xbf\xbd is  [31m odd");
        assert_int_equal(strlen(f->evidence[2].value), 507 + 3);
        assert_true(utf8_valid(f->evidence[2].value, strlen(f->evidence[2].value)));
        assert_all_valid(r);
        {
                _cleanup_free_ char *out = render_json(r, &(struct render_opts) {});
                assert_non_null(strstr(out, "\"value_hex\""));
                assert_non_null(strstr(out, "Gen\xef\xbf\xbduine"));
        }
}

/* A report file with raw bytes that are not UTF-8 and a \u0000: repaired by the same rule, the
 * string kept whole, and every output valid. */
static void test_read_repairs(void **state) {
        static const char doc[] = "{\"schema_version\": 1, \"tool\": \"sis-audit\", \"version\": \"1\", \"profile\": \"p\", "
                                  "\"host\": {\"hostname\": \"h\\u0000st\"}, \"checks\": ["
                                  "{\"id\": \"a\\u0000b\", \"status\": \"FAIL\", \"title\": \"t\xff\", \"summary\": \"s\\u0000 and \xc0\xaf\","
                                  " \"evidence\": [{\"path\": \"/p\", \"value\": \"v\xfe\"},"
                                  " {\"path\": \"/q\", \"value\": \"repaired before\", \"value_hex\": \"ff00\"},"
                                  " {\"path\": \"/r\", \"value\": \"x\", \"value_hex\": \"not hex\"}]}]}";
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;
        struct sis_finding *f;

        assert_int_equal(report_parse(doc, sizeof(doc) - 1, "r.json", &r, &err), 0);
        f = r->findings[0];
        assert_string_equal(f->id, "a\xef\xbf\xbd" "b");
        assert_string_equal(f->title, "t\xef\xbf\xbd");
        assert_string_equal(f->summary, "s\xef\xbf\xbd and \xef\xbf\xbd\xef\xbf\xbd");
        assert_string_equal(f->evidence[0].value, "v\xef\xbf\xbd");
        assert_string_equal(f->evidence[0].value_hex, "76fe");
        assert_string_equal(f->evidence[1].value_hex, "ff00"); /* kept from the file */
        assert_null(f->evidence[2].value_hex);                   /* not hex: dropped */
        assert_string_equal(report_fact(r, "hostname"), "h\xef\xbf\xbdst");
        assert_all_valid(r);
}

static void test_read_duplicate(void **state) {
        static const char doc[] = "{\"schema_version\": 1, \"tool\": \"t\", \"version\": \"1\", \"profile\": \"p\", \"checks\": ["
                                  "{\"id\": \"a\", \"status\": \"PASS\"}, {\"id\": \"b\", \"status\": \"PASS\"},"
                                  " {\"id\": \"a\", \"status\": \"FAIL\"}]}";
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;

        assert_int_equal(report_parse(doc, sizeof(doc) - 1, "r.json", &r, &err), -EBADMSG);
        assert_string_equal(err, "r.json: check a appears twice");
}

/* CPU seconds to read a report of n checks and render it in every format (the best of two). */
static double read_and_render(int n) {
        struct sbuf b = {};
        _cleanup_free_ char *doc = NULL;
        double best = 1e9;

        sbuf_puts(&b, "{\"schema_version\": 1, \"tool\": \"sis-audit\", \"version\": \"1\", \"profile\": \"p\", \"checks\": [");
        for (int i = 0; i < n; i++)
                sbuf_printf(&b, "%s{\"id\": \"check.%05d\", \"status\": \"%s\", \"title\": \"Check %d\", \"summary\": \"s\","
                                " \"evidence\": [{\"path\": \"/proc/%d\", \"value\": \"v\"}]}",
                            i ? ", " : "", i, i % 3 ? "PASS" : "FAIL", i, i);
        sbuf_puts(&b, "]}");
        doc = sbuf_steal(&b);
        assert_non_null(doc);
        for (int round = 0; round < 2; round++) {
                _cleanup_report_ struct sis_report *r = NULL;
                _cleanup_free_ char *err = NULL;
                clock_t t0 = clock();
                assert_int_equal(report_parse(doc, strlen(doc), "big.json", &r, &err), 0);
                assert_int_equal(r->n_findings, (size_t) n);
                for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                        _cleanup_free_ char *out = render_lookup(formats[i])(r, &(struct render_opts) {});
                        assert_non_null(out);
                }
                best = MIN(best, (double) (clock() - t0) / CLOCKS_PER_SEC);
        }
        return best;
}

/* Reading and rendering are linear in the checks: 16,000 cost about 8 times what 2,000 do (the
 * duplicate test was quadratic: 2.1 s for reading 16,000 alone, a ratio of 24 here). A ratio,
 * not a time, so that valgrind and a loaded machine do not fail it; make bench measures the time
 * (under 1 s). */
static void test_read_linear(void **state) {
        double small = read_and_render(2000), big = read_and_render(16000);
        print_message("16,000 checks: %.3f s of CPU, 2,000: %.3f s (%.1f times)\n", big, small, big / MAX(small, 1e-6));
        if (big / MAX(small, 1e-6) >= 16)
                fail_msg("16,000 checks took %.3f s of CPU, 2,000 %.3f s: %.1f times as long", big, small, big / MAX(small, 1e-6));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_evidence_bytes),
                cmocka_unit_test(test_read_repairs),
                cmocka_unit_test(test_read_duplicate),
                cmocka_unit_test(test_read_linear),
        };
        return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
