/* SPDX-License-Identifier: MIT */
/* sis-report: re-render a saved sis-audit report, merge many into a fleet view, show drift. */
#include <getopt.h>
#include <malloc.h>

#include "cli.h"
#include "drift.h"
#include "fleet.h"
#include "read.h"
#include "render.h"
#include "util.h"

static const char usage_text[] =
        "Usage: sis-report render REPORT.json [--format FORMAT] [--output FILE]\n"
        "       sis-report merge REPORT.json... [--format FORMAT] [--output FILE]\n"
        "       sis-report diff OLD.json NEW.json [--format text|json] [--output FILE]\n"
        "Re-render, merge and compare sis-audit JSON reports.\n"
        "\n"
        "  -f, --format FORMAT   render: text (default), json, junit, prometheus, markdown, html\n"
        "                        merge: html (default), markdown, json, junit, prometheus\n"
        "                        diff: text (default) or json\n"
        "  -o, --output FILE     write to FILE atomically instead of stdout\n"
        "      --no-color        no colour even on a terminal\n"
        "  -h, --help            show this help and exit\n"
        "  -V, --version         show the version and exit\n"
        "\n"
        "Exit status: 0 done (diff: nothing got worse), 1 diff: something got worse,\n"
        "2 usage error, unreadable or malformed report, or unknown schema_version.\n";

static int load(const char *path, struct sis_report **ret) {
        _cleanup_free_ char *err = NULL;
        int k = report_load(path, ret, &err);
        if (k < 0)
                (void) cli_fail(k, "%s", err ? err : strerror(-k));
        return k;
}

/* What the verbs share: the options and the arguments after the verb. */
struct args {
        const char *format, *output;
        bool no_color;
        char **files;
        size_t n_files;
};

static int do_render(const struct args *a) {
        _cleanup_report_ struct sis_report *r = NULL;
        _cleanup_free_ char *text = NULL;
        const struct report_format *fmt;
        struct render_opts ro = {};

        if (a->n_files != 1)
                return cli_usage_error("render takes one REPORT.json");
        fmt = report_format_lookup(a->format ? a->format : "text");
        if (!fmt)
                return cli_usage_error("--format: unknown format '%s' (text, json, junit, prometheus, markdown, html)",
                                       a->format);
        if (load(a->files[0], &r) < 0)
                return EXIT_USAGE;
        ro.color = !a->output && !a->no_color && (!a->format || streq(a->format, "text")) && render_color_auto();
        text = fmt->render(r, &ro);
        return cli_write_output(a->output, text);
}

static int do_merge(const struct args *a) {
        const struct report_format *fmt = report_format_lookup(a->format ? a->format : "html");
        struct sis_report **rs;
        struct fleet *f = NULL;
        _cleanup_free_ char *text = NULL;
        int k;

        if (a->n_files == 0)
                return cli_usage_error("merge takes one or more REPORT.json");
        if (!fmt || !fmt->render_fleet)
                return cli_usage_error(
                        "--format: unknown format '%s' for merge (html, markdown, json, junit, prometheus)", a->format);
        rs = calloc(a->n_files, sizeof(*rs));
        if (!rs)
                return EXIT_USAGE;
        for (size_t i = 0; i < a->n_files; i++)
                if (load(a->files[i], &rs[i]) < 0) {
                        for (size_t j = 0; j < i; j++)
                                sis_report_free(rs[j]);
                        free(rs);
                        return EXIT_USAGE;
                }
        k = fleet_new(rs, a->n_files, &f);
        if (k < 0)
                return cli_fail(EXIT_USAGE, "out of memory");
        text = fmt->render_fleet(f);
        fleet_free(f);
        return cli_write_output(a->output, text);
}

/* Exit 1 when something got worse. */
static int do_diff(const struct args *a) {
        _cleanup_report_ struct sis_report *before = NULL, *after = NULL;
        _cleanup_free_ char *text = NULL;
        struct report_drift d;
        int k;

        if (a->n_files != 2)
                return cli_usage_error("diff takes OLD.json NEW.json");
        if (a->format && !streq(a->format, "text") && !streq(a->format, "json"))
                return cli_usage_error("--format: unknown format '%s' for diff (text, json)", a->format);
        if (load(a->files[0], &before) < 0 || load(a->files[1], &after) < 0)
                return EXIT_USAGE;
        if (report_drift_compute(before, after, &d) < 0)
                return cli_fail(EXIT_USAGE, "out of memory");
        text = a->format && streq(a->format, "json") ? report_drift_json(&d) : report_drift_text(&d);
        k = cli_write_output(a->output, text);
        if (k == 0)
                k = report_drift_worse(&d) ? 1 : 0;
        report_drift_done(&d);
        return k;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
                { "no-color", no_argument, NULL, 'C' },     { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },      {}
        };
        static const struct {
                const char *name;
                int (*fn)(const struct args *a);
        } verbs[] = { { "render", do_render }, { "merge", do_merge }, { "diff", do_diff } };
        struct args args = {};
        const char *verb;
        int c;

        /* a report read is freed while the one written is built: keep the memory for it rather
         * than give it back and fault it in again */
        cli_set_name("sis-report");
        (void) mallopt(M_TRIM_THRESHOLD, 256 << 20);
        (void) mallopt(M_TOP_PAD, 16 << 20);
        (void) mallopt(M_MMAP_THRESHOLD, 64 << 20);
        while ((c = getopt_long(argc, argv, "f:o:hV", options, NULL)) >= 0)
                switch (c) {
                case 'f': args.format = optarg; break;
                case 'o': args.output = optarg; break;
                case 'C': args.no_color = true; break;
                case 'h': fputs(usage_text, stdout); return 0;
                case 'V': printf("sis-report %s\n", SIS_VERSION); return 0;
                default: return cli_usage_error("invalid usage");
                }
        if (optind >= argc)
                return cli_usage_error("no verb: render, merge or diff");
        verb = argv[optind++];
        args.files = argv + optind;
        args.n_files = (size_t) (argc - optind);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verb, verbs[i].name))
                        return verbs[i].fn(&args);
        return cli_usage_error("unknown verb '%s' (render, merge, diff)", verb);
}
