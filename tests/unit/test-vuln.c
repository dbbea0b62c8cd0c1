/* SPDX-License-Identifier: MIT */
/* Every vulnerability status string from the kernel sources (tests/data/vuln-strings.tsv, whose
 * verdicts were assigned by hand from the rules, not by this code) against vuln_classify(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "parse.h"
#include "util.h"

static char *unescape(const char *s) {
        struct sbuf b = {};
        while (*s) {
                if (s[0] == '\\' && s[1] == 't') {
                        sbuf_putc(&b, '\t');
                        s += 2;
                } else if (s[0] == '\\' && s[1] == 'n') {
                        sbuf_putc(&b, '\n');
                        s += 2;
                } else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
                        char hex[3] = { s[2], s[3], 0 };
                        sbuf_putc(&b, (char) strtol(hex, NULL, 16));
                        s += 4;
                } else if (s[0] == '\\' && s[1] == '\\') {
                        sbuf_putc(&b, '\\');
                        s += 2;
                } else
                        sbuf_putc(&b, *s++);
        }
        return sbuf_steal(&b);
}

static void check_row(const char *file, int smt, bool production, const char *expected, const char *text,
                      unsigned line, unsigned *bad) {
        _cleanup_free_ char *reason = NULL;
        enum sis_status st = vuln_classify(file, text, smt, production, &reason);
        if (!streq(sis_status_name(st), expected)) {
                print_error("line %u: %s smt=%d %s '%s': got %s (%s), expected %s\n", line, file, smt,
                            production ? "production" : "development", text, sis_status_name(st), strna(reason), expected);
                (*bad)++;
        }
}

static void test_table(void **state) {
        _cleanup_free_ char *data = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        unsigned rows = 0, bad = 0;

        assert_int_equal(read_file_capped("tests/data/vuln-strings.tsv", 1 << 20, &data, NULL), 0);
        assert_int_equal(strv_split(data, "\n", &lines), 0);
        for (size_t i = 0; lines[i]; i++) {
                char *f[6] = {};
                char *p = lines[i];
                _cleanup_free_ char *text = NULL;
                size_t n = 0;

                if (lines[i][0] == '#')
                        continue;
                while (n < 6) {
                        f[n++] = p;
                        p = strchr(p, '\t');
                        if (!p)
                                break;
                        *p++ = '\0';
                }
                assert_int_equal(n, 6);
                text = startswith(f[5], "esc") ? unescape(f[4]) : strdup(f[4]);
                assert_non_null(text);
                for (int smt = 0; smt <= 1; smt++) {
                        if ((streq(f[1], "on") && !smt) || (streq(f[1], "off") && smt))
                                continue;
                        for (int prod = 0; prod <= 1; prod++) {
                                if ((streq(f[2], "production") && !prod) || (streq(f[2], "development") && prod))
                                        continue;
                                check_row(f[0], smt, prod, f[3], text, (unsigned) i + 1, &bad);
                        }
                }
                rows++;
        }
        assert_true(rows >= 200);
        assert_int_equal(bad, 0);
}

/* SMT in an unknown state must not be treated as off. */
static void test_smt_unknown(void **state) {
        assert_int_equal(vuln_classify("mds", "Mitigation: Clear CPU buffers; SMT vulnerable", -1, true, NULL), SIS_FAIL);
        assert_int_equal(vuln_classify("spectre_v2", "Mitigation: Retpolines; STIBP: disabled", -1, true, NULL), SIS_FAIL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_smt_unknown),
        };
        return cmocka_run_group_tests_name("vuln", tests, NULL, NULL);
}
