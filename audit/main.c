/* SPDX-License-Identifier: MIT */
/* sis-audit: is this host fit to run Firecracker microVMs? */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "audit.h"
#include "cli.h"
#include "dump.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "render.h"
#include "util.h"

static const char usage_text[] =
        "Usage: sis-audit [OPTION]...\n"
        "Audit this host (or a collected dump) against Firecracker's production baseline.\n"
        "\n"
        "  -r, --root DIR|FILE.tar.gz  audit the tree or dump at DIR instead of the running host\n"
        "  -p, --profile NAME          production (default) or development\n"
        "  -P, --policy FILE           apply a policy: profile, severities, required checks, waivers\n"
        "  -f, --format FORMAT         text (default), json, junit, prometheus, markdown or html\n"
        "  -o, --output FILE           write the report to FILE (atomically) instead of stdout\n"
        "      --only ID[,ID...]       run only these checks (IDs, categories, or globs like 'kvm.*')\n"
        "  -l, --list-checks           list the checks and exit\n"
        "  -c, --collect DIR|FILE.tar.gz\n"
        "                              also write every file and probe answer the audit used, for --root\n"
        "      --firecracker PATH      firecracker binary (default: first in /usr/local/bin, /usr/bin, /usr/sbin)\n"
        "      --jailer PATH           jailer binary (default: first in /usr/local/bin, /usr/bin, /usr/sbin)\n"
        "      --qemu PATH             the VMM is this QEMU, jailed by sis-launch: jail.binaries checks it\n"
        "                              instead of firecracker and jailer\n"
        "      --chroot-base DIR       jailer chroot base directory (default: /srv/jailer)\n"
        "      --jail-uid MIN-MAX      uid range of jailed VMMs (default: 10000-10999)\n"
        "      --jail-gid MIN-MAX      gid range of jailed VMMs (default: 10000-10999)\n"
        "      --vm NAME               audit the running microVM NAME only (the vm.NAME check)\n"
        "      --run-dir DIR           sis-launch's state, where VMs are found (default: /run/sis)\n"
        "      --no-color              no colour even on a terminal\n"
        "  -h, --help                  show this help and exit\n"
        "  -V, --version               show the version and exit\n"
        "\n"
        "Exit status: 0 pass, 1 a check failed (launch gate closed), 2 usage or internal error,\n"
        "3 inconclusive (no FAIL, but a required check is UNKNOWN).\n";

enum {
        OPT_ONLY = 0x100,
        OPT_FIRECRACKER,
        OPT_QEMU,
        OPT_JAILER,
        OPT_CHROOT_BASE,
        OPT_JAIL_UID,
        OPT_JAIL_GID,
        OPT_NO_COLOR,
        OPT_VM,
        OPT_RUN_DIR,
};

static const struct option options[] = { { "root", required_argument, NULL, 'r' },
                                         { "profile", required_argument, NULL, 'p' },
                                         { "policy", required_argument, NULL, 'P' },
                                         { "format", required_argument, NULL, 'f' },
                                         { "output", required_argument, NULL, 'o' },
                                         { "only", required_argument, NULL, OPT_ONLY },
                                         { "list-checks", no_argument, NULL, 'l' },
                                         { "collect", required_argument, NULL, 'c' },
                                         { "firecracker", required_argument, NULL, OPT_FIRECRACKER },
                                         { "qemu", required_argument, NULL, OPT_QEMU },
                                         { "jailer", required_argument, NULL, OPT_JAILER },
                                         { "chroot-base", required_argument, NULL, OPT_CHROOT_BASE },
                                         { "jail-uid", required_argument, NULL, OPT_JAIL_UID },
                                         { "jail-gid", required_argument, NULL, OPT_JAIL_GID },
                                         { "no-color", no_argument, NULL, OPT_NO_COLOR },
                                         { "vm", required_argument, NULL, OPT_VM },
                                         { "run-dir", required_argument, NULL, OPT_RUN_DIR },
                                         { "help", no_argument, NULL, 'h' },
                                         { "version", no_argument, NULL, 'V' },
                                         {} };

static void log_stderr(void *ud _unused_, enum sis_log_level level _unused_, const char *fmt, va_list ap) {
        (void) cli_failv(0, fmt, ap);
}

static int parse_range(const char *s, unsigned *lo, unsigned *hi) {
        _cleanup_free_ char *a = strdup(s);
        char *dash;
        uint32_t x, y;

        if (!a || !(dash = strchr(a, '-')))
                return -EINVAL;
        *dash = '\0';
        if (safe_atou32(a, &x) < 0 || safe_atou32(dash + 1, &y) < 0 || x > y || x == 0)
                return -EINVAL;
        *lo = x;
        *hi = y;
        return 0;
}

static int list_checks(const char *format, FILE *out) {
        const struct check *t;
        size_t n;

        t = check_table(&n);
        if (streq(format, "json")) {
                json_object *a = json_object_new_array();
                for (size_t i = 0; i < n; i++) {
                        json_object *o = json_object_new_object();
                        json_object_object_add(o, "id", json_object_new_string(t[i].id));
                        json_object_object_add(o, "title", json_object_new_string(t[i].title));
                        json_object_object_add(o, "category", json_object_new_string(t[i].category));
                        json_object_object_add(o, "severity", json_object_new_string(sis_severity_name(t[i].severity)));
                        json_object_object_add(o, "required", json_object_new_boolean(t[i].required));
                        json_object_object_add(o, "rationale", json_object_new_string(t[i].rationale));
                        json_object_object_add(o, "remediation", json_object_new_string(t[i].remediation));
                        json_object_array_add(a, o);
                }
                _cleanup_free_ char *text = json_text(a);
                json_object_put(a);
                if (!text)
                        return cli_fail(EXIT_USAGE, "%s", strerror(ENOMEM));
                fputs(text, out);
                return 0;
        }
        fprintf(out, "%-20s %-9s %-9s %-9s %s\n", "ID", "CATEGORY", "SEVERITY", "REQUIRED", "TITLE");
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%-20s %-9s %-9s %-9s %s\n", t[i].id, t[i].category, sis_severity_name(t[i].severity),
                        t[i].required ? "yes" : "no", t[i].title);
        return 0;
}

/* The command line, parsed. */
struct cli {
        struct audit_config cfg;
        const char *root_dir, *format, *output, *collect, *profile, *policy_path;
        char **only;
        bool list, no_color;
};

static void cli_done(struct cli *a) {
        strv_free(a->only);
}

/* --firecracker, --qemu, --jailer, --chroot-base: an absolute path into cfg. */
static int parse_path_option(struct cli *a, int opt, const char *arg) {
        static const struct {
                int opt;
                const char *name;
                size_t field;
        } paths[] = {
                { OPT_FIRECRACKER, "firecracker", offsetof(struct audit_config, firecracker) },
                { OPT_QEMU, "qemu", offsetof(struct audit_config, qemu) },
                { OPT_JAILER, "jailer", offsetof(struct audit_config, jailer) },
                { OPT_CHROOT_BASE, "chroot-base", offsetof(struct audit_config, chroot_base) },
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                if (paths[i].opt != opt)
                        continue;
                if (arg[0] != '/')
                        return cli_usage_error("--%s: '%s' is not an absolute path", paths[i].name, arg);
                *(const char **) ((char *) &a->cfg + paths[i].field) = arg;
                return 0;
        }
        return EXIT_USAGE;
}

static int parse_only(struct cli *a, const char *arg) {
        _cleanup_strv_free_ char **l = NULL;

        if (strv_split(arg, ",", &l) < 0)
                return EXIT_USAGE;
        for (char **p = l; *p; p++) {
                if (!check_pattern_known(*p))
                        return cli_usage_error("--only: no check matches '%s' (see --list-checks)", *p);
                if (strv_extend(&a->only, *p) < 0)
                        return EXIT_USAGE;
        }
        return 0;
}

static int parse_jail_range(struct cli *a, int opt, const char *arg) {
        unsigned lo, hi;

        if (parse_range(arg, &lo, &hi) < 0)
                return cli_usage_error("--%s: '%s' is not a range MIN-MAX of non-zero ids",
                                       opt == OPT_JAIL_UID ? "jail-uid" : "jail-gid", arg);
        if (opt == OPT_JAIL_UID) {
                a->cfg.jail_uid_min = lo;
                a->cfg.jail_uid_max = hi;
        } else {
                a->cfg.jail_gid_min = lo;
                a->cfg.jail_gid_max = hi;
        }
        return 0;
}

static int parse_vm(struct cli *a, const char *arg) {
        _cleanup_free_ char *id = NULL;

        if (!vm_id_ok(arg))
                return cli_usage_error("--vm: '%s' is not a VM name", arg);
        id = strdup_printf("vm.%s", arg);
        if (!id || strv_extend(&a->only, id) < 0)
                return EXIT_USAGE;
        return 0;
}

/* 0: go on; >0 or -1: exit with that code (-1: 0, after --help or --version). */
static int parse_args(int argc, char **argv, struct cli *a) {
        int c, k = 0;

        while (k == 0 && (c = getopt_long(argc, argv, "r:p:P:f:o:lc:hV", options, NULL)) >= 0) {
                switch (c) {
                case 'r': a->root_dir = optarg; break;
                case 'P': a->policy_path = optarg; break;
                case 'f': a->format = optarg; break;
                case 'o': a->output = optarg; break;
                case 'l': a->list = true; break;
                case 'c': a->collect = optarg; break;
                case OPT_NO_COLOR: a->no_color = true; break;
                case 'p':
                        if (!streq(optarg, "production") && !streq(optarg, "development"))
                                return cli_usage_error("--profile: unknown profile '%s' (production, development)",
                                                       optarg);
                        a->profile = optarg;
                        break;
                case OPT_ONLY: k = parse_only(a, optarg); break;
                case OPT_FIRECRACKER:
                case OPT_QEMU:
                case OPT_JAILER:
                case OPT_CHROOT_BASE: k = parse_path_option(a, c, optarg); break;
                case OPT_JAIL_UID:
                case OPT_JAIL_GID: k = parse_jail_range(a, c, optarg); break;
                case OPT_VM: k = parse_vm(a, optarg); break;
                case OPT_RUN_DIR:
                        if (optarg[0] != '/')
                                return cli_usage_error("--run-dir: '%s' is not an absolute path", optarg);
                        a->cfg.run_dir = optarg;
                        break;
                case 'h': fputs(usage_text, stdout); return -1;
                case 'V': printf("sis-audit %s\n", SIS_VERSION); return -1;
                default: return cli_usage_error("invalid usage");
                }
        }
        if (k == 0 && optind < argc)
                return cli_usage_error("unexpected argument '%s'", argv[optind]);
        return k;
}

/* --policy: loaded, and agreeing with --profile; the profile it names becomes the CLI's. */
static int load_policy(struct cli *a, struct sis_policy **ret) {
        _cleanup_free_ char *err = NULL;
        const char *pp;
        int k;

        k = sis_policy_load(a->policy_path, ret, &err);
        if (k < 0)
                return cli_fail(EXIT_USAGE, "%s", err ? err : strerror(-k));
        pp = sis_policy_profile(*ret);
        if (a->profile && pp && !streq(a->profile, pp))
                return cli_usage_error("--profile %s contradicts the policy's profile %s", a->profile, pp);
        if (!a->profile)
                a->profile = pp;
        return 0;
}

/* The report, in its format, to --output or stdout. */
static int write_report(const struct cli *a, const struct sis_report *rep, render_fn render) {
        _cleanup_free_ char *text = NULL;
        struct render_opts ro = {};

        ro.color = !a->output && !a->no_color && streq(a->format, "text") && render_color_auto();
        text = render(rep, &ro);
        return cli_write_output(a->output, text);
}

/* --collect: every file and probe answer the audit used, dated as the report is. */
static int write_dump(const char *collect, struct sis_dump *dump, const struct sis_report *rep) {
        int k = sis_dump_write(dump, collect, SIS_VERSION, rep->started);

        if (k < 0)
                return cli_fail(EXIT_USAGE, "--collect %s: %s", collect, strerror(-k));
        fprintf(stderr, "%s: wrote the dump to %s (audit it anywhere with --root %s)\n", cli_name(), collect, collect);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_(cli_done) struct cli a = { .root_dir = "/", .format = "text" };
        _cleanup_policy_ struct sis_policy *policy = NULL;
        _cleanup_root_ struct sis_root *root = NULL;
        _cleanup_report_ struct sis_report *rep = NULL;
        _cleanup_dump_ struct sis_dump *dump = NULL;
        enum audit_stage stage;
        const struct report_format *fmt;
        size_t n_only;
        int k;

        /* a run lives for milliseconds: memory freed is kept for the next allocation rather than
         * given back and faulted in again (page faults are most of a live audit's system time) */
        cli_set_name("sis-audit");
        (void) mallopt(M_TRIM_THRESHOLD, 64 << 20);
        (void) mallopt(M_MMAP_THRESHOLD, 16 << 20);
        sis_log_set(log_stderr, NULL, SIS_LOG_WARNING);
        audit_config_defaults(&a.cfg);
        k = parse_args(argc, argv, &a);
        if (k != 0)
                return k < 0 ? 0 : k;
        fmt = report_format_lookup(a.format);
        if (!fmt)
                return cli_usage_error("--format: unknown format '%s' (text, json, junit, prometheus, markdown, html)",
                                       a.format);
        if (a.list)
                return list_checks(a.format, stdout) < 0 ? EXIT_USAGE : 0;
        if (a.policy_path && (k = load_policy(&a, &policy)) != 0)
                return k;
        if (a.profile && streq(a.profile, "development"))
                a.cfg.profile = PROFILE_DEVELOPMENT;

        k = sis_root_new(a.root_dir, &root);
        if (k < 0)
                return cli_fail(EXIT_USAGE, "--root %s: %s", a.root_dir,
                                k == -EBADMSG ? "not a valid dump (bad archive or " SIS_DUMP_META ")" : strerror(-k));
        if (a.collect) {
                if (sis_dump_new(&dump) < 0)
                        return EXIT_USAGE;
                sis_root_set_recorder(root, dump);
        }
        k = audit_session(root, &a.cfg, a.only, policy, time(NULL), &rep, &stage);
        if (k < 0)
                return cli_fail(EXIT_USAGE, "%s: %s",
                                stage == AUDIT_STAGE_POLICY ? "applying the policy" : "audit failed", strerror(-k));
        n_only = strv_length(a.only);
        if (n_only > 0 && startswith(a.only[n_only - 1], "vm.") && rep->n_findings == 0)
                return cli_usage_error("--vm %s: no such VM under %s/vms", a.only[n_only - 1] + 3,
                                       a.cfg.run_dir ? a.cfg.run_dir : "/run/sis");
        if (a.collect && (k = write_dump(a.collect, dump, rep)) != 0)
                return k;
        k = write_report(&a, rep, fmt->render);
        return k != 0 ? k : sis_report_exit_code(rep);
}
