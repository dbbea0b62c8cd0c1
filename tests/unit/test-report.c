/* SPDX-License-Identifier: MIT */
/* The report model's text rule (lib/report.h) and sis-report's reader: whatever bytes a host or a
 * report file held, every renderer writes valid output; reading is linear in the checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <time.h>
#include <valgrind/valgrind.h>

#include "drift.h"
#include "fleet.h"
#include "read.h"
#include "render.h"
#include "util.h"

static const char *const formats[] = { "text", "json", "junit", "prometheus", "markdown", "html" };

/* Every format's output of r is valid UTF-8; the JSON one parses strictly. */
static void assert_all_valid(const struct sis_report *r) {
        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                _cleanup_free_ char *out = report_format_lookup(formats[i])->render(r, &(struct render_opts) {});
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
        static const char doc[] =
                "{\"schema_version\": 1, \"tool\": \"sis-audit\", \"version\": \"1\", \"profile\": \"p\", "
                "\"host\": {\"hostname\": \"h\\u0000st\"}, \"checks\": ["
                "{\"id\": \"a\\u0000b\", \"status\": \"FAIL\", \"title\": \"t\xff\x1b[2J\\u009b\", \"summary\": \"s\\u0000 and \xc0\xaf\","
                " \"evidence\": [{\"path\": \"/p\", \"value\": \"v\xfe\"},"
                " {\"path\": \"/q\", \"value\": \"repaired before\", \"value_hex\": \"ff00\"},"
                " {\"path\": \"/r\", \"value\": \"x\", \"value_hex\": \"not hex\"}]}]}";
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;
        struct sis_finding *f;

        assert_int_equal(report_parse(doc, sizeof(doc) - 1, "r.json", &r, &err), 0);
        f = r->findings[0];
        assert_string_equal(f->id,
                            "a\xef\xbf\xbd"
                            "b");
        assert_string_equal(f->title, "t\xef\xbf\xbd [2J "); /* no escape reaches a terminal (found by fuzz-render) */
        assert_string_equal(f->summary, "s\xef\xbf\xbd and \xef\xbf\xbd\xef\xbf\xbd");
        assert_string_equal(f->evidence[0].value, "v\xef\xbf\xbd");
        assert_string_equal(f->evidence[0].value_hex, "76fe");
        assert_string_equal(f->evidence[1].value_hex, "ff00"); /* kept from the file */
        assert_null(f->evidence[2].value_hex);                 /* not hex: dropped */
        assert_string_equal(report_fact(r, "hostname"), "h\xef\xbf\xbdst");
        assert_all_valid(r);
}

static void test_read_duplicate(void **state) {
        static const char doc[] =
                "{\"schema_version\": 1, \"tool\": \"t\", \"version\": \"1\", \"profile\": \"p\", \"checks\": ["
                "{\"id\": \"a\", \"status\": \"PASS\"}, {\"id\": \"b\", \"status\": \"PASS\"},"
                " {\"id\": \"a\", \"status\": \"FAIL\"}]}";
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;

        assert_int_equal(report_parse(doc, sizeof(doc) - 1, "r.json", &r, &err), -EBADMSG);
        assert_string_equal(err, "r.json: check a appears twice");
}

/* A report of n checks, as JSON text. */
static char *big_report(int n, bool full) {
        struct sbuf b = {};
        sbuf_puts(
                &b,
                "{\"schema_version\": 1, \"tool\": \"sis-audit\", \"version\": \"1\", \"profile\": \"p\", \"checks\": [");
        for (int i = 0; i < n; i++)
                if (full)
                        sbuf_printf(
                                &b,
                                "%s{\"id\": \"check.%05d\", \"status\": \"%s\", \"title\": \"Check %d\", \"summary\": \"s\","
                                " \"evidence\": [{\"path\": \"/proc/%d\", \"value\": \"v\"}]}",
                                i ? ", " : "", i, i % 3 ? "PASS" : "FAIL", i, i);
                else
                        sbuf_printf(&b, "%s{\"id\": \"check.%05d\", \"status\": \"%s\"}", i ? ", " : "", i,
                                    i % 3 ? "PASS" : "FAIL");
        sbuf_puts(&b, "]}");
        return sbuf_steal(&b);
}

/* Linear, not quadratic: the CPU time of n checks against that of n/8. Linear work takes 8 times
 * as long, and measures 11 to 14 with the sorts, hash tables and caches (plain and ASan builds);
 * quadratic work tends to 64. The quadratic code this guards against, put back for a try, measured
 * 35 to 38 (its duplicate test compared each check with every earlier one; 27 under ASan) and 46 to
 * 52 (the fleet looked every check up by scanning). The limit, 24, sits between them.
 * Time on a shared machine only ever grows: the two sizes are timed in turns, each kept at its best,
 * for at least three rounds and until the ratio holds or ten rounds have run. A load that comes and
 * goes cannot fail linear code; quadratic code cannot pass, since its best ratio is its real one.
 * (With n/4, a limit of 10 and three rounds of each size in a row, one CI run under ASan beside the
 * shell tests measured 10.3.) An absolute bound did not hold on a loaded machine; the issue's
 * absolute figure, 16,000 checks rendered in under 1 s, is make bench's. Under valgrind the time
 * says nothing: fewer checks, memory checked only. */
#define GROWTH_STEP 8
#define GROWTH_MAX 24.0

typedef double (*cpu_fn)(const char *doc, int n);

static double cpu_read_render(const char *doc, int n) {
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *err = NULL;
        clock_t t0 = clock();

        assert_int_equal(report_parse(doc, strlen(doc), "big.json", &r, &err), 0);
        assert_int_equal(r->n_findings, (size_t) n);
        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                _cleanup_free_ char *out = report_format_lookup(formats[i])->render(r, &(struct render_opts) {});
                assert_non_null(out);
        }
        return (double) (clock() - t0) / CLOCKS_PER_SEC;
}

static double cpu_fleet(const char *doc, int n) {
        struct sis_report **rs = calloc(2, sizeof(*rs));
        struct fleet *fl = NULL;
        char *err = NULL;
        clock_t t0;

        assert_non_null(rs);
        assert_int_equal(report_parse(doc, strlen(doc), "a.json", &rs[0], &err), 0);
        assert_int_equal(report_parse(doc, strlen(doc), "b.json", &rs[1], &err), 0);
        t0 = clock();
        assert_int_equal(fleet_new(rs, 2, &fl), 0);
        assert_int_equal(fl->n_checks, (size_t) n);
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (report_format_lookup(formats[i])->render_fleet) {
                        _cleanup_free_ char *out = report_format_lookup(formats[i])->render_fleet(fl);
                        assert_non_null(out);
                }
        t0 = clock() - t0;
        fleet_free(fl);
        return (double) t0 / CLOCKS_PER_SEC;
}

static void check_growth(const char *what, cpu_fn fn, bool full) {
        int n = RUNNING_ON_VALGRIND ? 2000 : 16000, rounds = RUNNING_ON_VALGRIND ? 1 : 10;
        _cleanup_free_ char *small_doc = big_report(n / GROWTH_STEP, full), *big_doc = big_report(n, full);
        double small = 1e9, big = 1e9;
        int round = 0;

        assert_non_null(small_doc);
        assert_non_null(big_doc);
        while (round < rounds) {
                small = MIN(small, fn(small_doc, n / GROWTH_STEP));
                big = MIN(big, fn(big_doc, n));
                round++;
                if (round >= 3 && big < GROWTH_MAX * small)
                        break;
        }
        print_message("%s: %d checks %.3f s of CPU, %d checks %.3f s (x%.1f, best of %d rounds)\n", what,
                      n / GROWTH_STEP, small, n, big, big / MAX(small, 1e-6), round);
        if (!RUNNING_ON_VALGRIND && big > 0.05 && big >= GROWTH_MAX * small)
                fail_msg("%s: %d checks took %.1f times the CPU of %d (at most %.0f: linear is about %d)", what, n,
                         big / small, n / GROWTH_STEP, GROWTH_MAX, GROWTH_STEP);
}

/* reading and rendering in every format: the duplicate test was quadratic */
static void test_read_linear(void **state) {
        check_growth("read and rendered in six formats", cpu_read_render, true);
}

/* two reports merged into a fleet and rendered: it looked every check up by scanning, and sorted by
 * insertion */
static void test_fleet_linear(void **state) {
        check_growth("a fleet of two, merged and rendered", cpu_fleet, false);
}

static struct sis_report *two_findings(const char *id1, enum sis_status s1, const char *id2, enum sis_status s2) {
        struct sis_report *r = sis_report_new("sis-audit", "1", "production");
        const char *ids[] = { id1, id2 };
        enum sis_status st[] = { s1, s2 };

        assert_non_null(r);
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                struct sis_finding *f = sis_finding_new(ids[i], "t", "cpu", SIS_SEV_HIGH, true);
                assert_non_null(f);
                f->status = st[i];
                assert_int_equal(sis_report_add(r, f), 0);
        }
        sis_report_finish(r);
        return r;
}

/* diff: the change list, in the new report's order, then what is gone. */
static void test_drift(void **state) {
        _cleanup_report_ struct sis_report *a = two_findings("cpu.smt", SIS_PASS, "mem.ksm", SIS_WARN);
        _cleanup_report_ struct sis_report *b = two_findings("cpu.smt", SIS_FAIL, "kvm.api", SIS_FAIL);
        _cleanup_free_ char *text = NULL;
        struct report_drift d;

        assert_int_equal(report_drift_compute(a, b, &d), 0);
        assert_int_equal(d.n_changes, 3);
        assert_string_equal(d.changes[0].kind, "worse");
        assert_string_equal(d.changes[0].from, "PASS");
        assert_string_equal(d.changes[1].kind, "new-fail");
        assert_null(d.changes[1].from);
        assert_string_equal(d.changes[2].kind, "removed");
        assert_string_equal(d.changes[2].id, "mem.ksm");
        assert_int_equal(d.worse, 2);
        assert_int_equal(d.added, 1);
        assert_int_equal(d.removed, 1);
        assert_true(report_drift_worse(&d));
        text = report_drift_text(&d);
        assert_non_null(strstr(text, "2 worse, 0 better, 1 new, 1 removed\n"));
        report_drift_done(&d);

        assert_int_equal(report_drift_compute(b, b, &d), 0);
        assert_int_equal(d.n_changes, 0);
        assert_false(report_drift_worse(&d));
        report_drift_done(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_evidence_bytes), cmocka_unit_test(test_read_repairs),
                cmocka_unit_test(test_read_duplicate), cmocka_unit_test(test_read_linear),
                cmocka_unit_test(test_fleet_linear),   cmocka_unit_test(test_drift),
        };
        return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
