/* SPDX-License-Identifier: MIT */
/* libFuzzer target: saved JSON reports, read back and rendered in every format; each output
 * must pass a strict parser of its format (valid.h). */
#include "fuzz.h"
#include "read.h"
#include "render.h"
#include "valid.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        static const char *const formats[] = { "text", "json", "junit", "prometheus", "markdown", "html" };
        struct sis_report *r = NULL;
        char *err = NULL;

        if (report_parse(s, size, "fuzz.json", &r, &err) == 0) {
                for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                        char *out = report_format_lookup(formats[i])->render(r, &(struct render_opts) {});
                        check_output(formats[i], out);
                        free(out);
                }
                sis_report_free(r);
        }
        free(err);
        (void) data;
}
