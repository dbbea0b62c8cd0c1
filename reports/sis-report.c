/* SPDX-License-Identifier: MIT */
/* sis-report: re-render a saved sis-audit report, merge many into a fleet view, show drift. */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>

#include "fileio.h"
#include "fleet.h"
#include "log.h"
#include "read.h"
#include "render.h"
#include "util.h"

#define EXIT_USAGE 2

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

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("sis-report: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see --help)\n", stderr);
        return EXIT_USAGE;
}

static int load(const char *path, struct sis_report **ret) {
        _cleanup_free_ char *err = NULL;
        int k = report_load(path, ret, &err);
        if (k < 0)
                fprintf(stderr, "sis-report: %s\n", err ? err : strerror(-k));
        return k;
}

static int emit(const char *text, const char *output) {
        int k;

        if (!text) {
                fputs("sis-report: out of memory\n", stderr);
                return EXIT_USAGE;
        }
        if (output) {
                k = write_file_atomic(output, text, strlen(text), 0644);
                if (k < 0) {
                        fprintf(stderr, "sis-report: --output %s: %s\n", output, strerror(-k));
                        return EXIT_USAGE;
                }
        } else if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
                fputs("sis-report: writing the report failed\n", stderr);
                return EXIT_USAGE;
        }
        return 0;
}

/* Effective badness for drift: a waived finding decides nothing. */
static int badness(const struct sis_finding *f) {
        return f->waived ? 0 : sis_status_rank(f->status);
}

static const char *shown(const struct sis_finding *f) {
        return f->waived ? "WAIVED" : sis_status_name(f->status);
}

static const struct sis_finding *find(const struct sis_report *r, const char *id) {
        for (size_t i = 0; i < r->n_findings; i++)
                if (streq(r->findings[i]->id, id))
                        return r->findings[i];
        return NULL;
}

static int do_diff(const struct sis_report *a, const struct sis_report *b, const char *format, const char *output) {
        struct sbuf t = {};
        json_object *j = json_object_new_object(), *changes = json_object_new_array();
        unsigned worse = 0, better = 0, added = 0, removed = 0;
        int k;

#define CHANGE(kind, id, from, to, summary)                                                         \
        do {                                                                                        \
                json_object *c = json_object_new_object();                                          \
                json_object_object_add(c, "change", json_object_new_string(kind));                  \
                json_object_object_add(c, "id", json_object_new_string(id));                        \
                json_object_object_add(c, "from", (from) ? json_object_new_string(from) : NULL);    \
                json_object_object_add(c, "to", (to) ? json_object_new_string(to) : NULL);          \
                json_object_object_add(c, "summary", (summary) ? json_object_new_string(summary) : NULL); \
                json_object_array_add(changes, c);                                                  \
                sbuf_printf(&t, "  %-8s %-36s %-8s -> %-8s %s\n", kind, id, (from) ? (from) : "-",   \
                            (to) ? (to) : "-", (summary) ? (summary) : "");                          \
        } while (0)

        sbuf_printf(&t, "sis-report diff: host %s, verdict %s -> %s\n", strna(report_fact(b, "hostname")),
                    sis_verdict_name(a->verdict), sis_verdict_name(b->verdict));
        for (size_t i = 0; i < b->n_findings; i++) {
                const struct sis_finding *nf = b->findings[i], *of = find(a, nf->id);
                if (!of) {
                        added++;
                        if (badness(nf) >= sis_status_rank(SIS_WARN))
                                worse += badness(nf) == sis_status_rank(SIS_FAIL);
                        CHANGE(badness(nf) == sis_status_rank(SIS_FAIL) ? "new-fail" : "new", nf->id, NULL, shown(nf), nf->summary);
                } else if (badness(nf) > badness(of)) {
                        worse++;
                        CHANGE("worse", nf->id, shown(of), shown(nf), nf->summary);
                } else if (badness(nf) < badness(of)) {
                        better++;
                        CHANGE("better", nf->id, shown(of), shown(nf), nf->summary);
                } else if (!streq(shown(nf), shown(of)))
                        CHANGE("changed", nf->id, shown(of), shown(nf), nf->summary);
        }
        for (size_t i = 0; i < a->n_findings; i++)
                if (!find(b, a->findings[i]->id)) {
                        removed++;
                        CHANGE("removed", a->findings[i]->id, shown(a->findings[i]), NULL, NULL);
                }
#undef CHANGE
        sbuf_printf(&t, "%u worse, %u better, %u new, %u removed\n", worse, better, added, removed);
        json_object_object_add(j, "schema_version", json_object_new_int(1));
        json_object_object_add(j, "tool", json_object_new_string("sis-report"));
        json_object_object_add(j, "kind", json_object_new_string("diff"));
        json_object_object_add(j, "verdict_before", json_object_new_string(sis_verdict_name(a->verdict)));
        json_object_object_add(j, "verdict_after", json_object_new_string(sis_verdict_name(b->verdict)));
        json_object_object_add(j, "worse", json_object_new_int((int) worse));
        json_object_object_add(j, "better", json_object_new_int((int) better));
        json_object_object_add(j, "new", json_object_new_int((int) added));
        json_object_object_add(j, "removed", json_object_new_int((int) removed));
        json_object_object_add(j, "changes", changes);
        if (streq(format, "json")) {
                _cleanup_free_ char *s = strdup_printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                                                                     JSON_C_TO_STRING_SPACED |
                                                                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
                k = emit(s, output);
                sbuf_done(&t);
        } else {
                _cleanup_free_ char *s = sbuf_steal(&t);
                k = emit(s, output);
        }
        json_object_put(j);
        if (k)
                return k;
        return worse > 0 || (a->verdict == SIS_VERDICT_PASS && b->verdict != SIS_VERDICT_PASS) ? 1 : 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
                { "no-color", no_argument, NULL, 'C' },     { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },      {}
        };
        const char *format = NULL, *output = NULL, *verb;
        bool no_color = false;
        int c;

        /* a report read is freed while the one written is built: keep the memory for it rather
         * than give it back and fault it in again */
        (void) mallopt(M_TRIM_THRESHOLD, 256 << 20);
        (void) mallopt(M_TOP_PAD, 16 << 20);
        (void) mallopt(M_MMAP_THRESHOLD, 64 << 20);
        while ((c = getopt_long(argc, argv, "f:o:hV", options, NULL)) >= 0)
                switch (c) {
                case 'f': format = optarg; break;
                case 'o': output = optarg; break;
                case 'C': no_color = true; break;
                case 'h': fputs(usage_text, stdout); return 0;
                case 'V': printf("sis-report %s\n", SIS_VERSION); return 0;
                default: fputs("sis-report: invalid usage (see --help)\n", stderr); return EXIT_USAGE;
                }
        if (optind >= argc)
                return usage_error("no verb: render, merge or diff");
        verb = argv[optind++];

        if (streq(verb, "render")) {
                _cleanup_report_ struct sis_report *r = NULL;
                _cleanup_free_ char *text = NULL;
                struct render_opts ro = {};
                render_fn fn;

                if (argc - optind != 1)
                        return usage_error("render takes one REPORT.json");
                fn = render_lookup(format ? format : "text");
                if (!fn)
                        return usage_error("--format: unknown format '%s' (text, json, junit, prometheus, markdown, html)", format);
                if (load(argv[optind], &r) < 0)
                        return EXIT_USAGE;
                ro.color = !output && !no_color && (!format || streq(format, "text")) && isatty(STDOUT_FILENO) &&
                           !getenv("NO_COLOR") && !streq_ptr(getenv("TERM"), "dumb");
                text = fn(r, &ro);
                return emit(text, output);
        }
        if (streq(verb, "merge")) {
                struct sis_report **rs;
                struct fleet *f = NULL;
                _cleanup_free_ char *text = NULL;
                size_t n = (size_t) (argc - optind);
                int k;

                if (n == 0)
                        return usage_error("merge takes one or more REPORT.json");
                if (!fleet_format_known(format ? format : "html"))
                        return usage_error("--format: unknown format '%s' for merge (html, markdown, json, junit, prometheus)", format);
                rs = calloc(n, sizeof(*rs));
                if (!rs)
                        return EXIT_USAGE;
                for (size_t i = 0; i < n; i++)
                        if (load(argv[optind + (int) i], &rs[i]) < 0) {
                                for (size_t j = 0; j < i; j++)
                                        sis_report_free(rs[j]);
                                free(rs);
                                return EXIT_USAGE;
                        }
                k = fleet_new(rs, n, &f);
                if (k < 0) {
                        fputs("sis-report: out of memory\n", stderr);
                        return EXIT_USAGE;
                }
                text = fleet_render(f, format ? format : "html");
                fleet_free(f);
                return emit(text, output);
        }
        if (streq(verb, "diff")) {
                _cleanup_report_ struct sis_report *a = NULL, *b = NULL;

                if (argc - optind != 2)
                        return usage_error("diff takes OLD.json NEW.json");
                if (format && !streq(format, "text") && !streq(format, "json"))
                        return usage_error("--format: unknown format '%s' for diff (text, json)", format);
                if (load(argv[optind], &a) < 0 || load(argv[optind + 1], &b) < 0)
                        return EXIT_USAGE;
                return do_diff(a, b, format ? format : "text", output);
        }
        return usage_error("unknown verb '%s' (render, merge, diff)", verb);
}
