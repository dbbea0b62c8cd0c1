/* SPDX-License-Identifier: MIT */
/* sis-audit: is this host fit to run Firecracker microVMs? */
#include <fnmatch.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "audit.h"
#include "dump.h"
#include "fileio.h"
#include "log.h"
#include "policy.h"
#include "render.h"
#include "util.h"

#define EXIT_USAGE 2

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

static const struct option options[] = {
        { "root", required_argument, NULL, 'r' },
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
        {}
};

static void log_stderr(void *ud _unused_, enum sis_log_level level _unused_, const char *fmt, va_list ap) {
        fputs("sis-audit: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("sis-audit: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see --help)\n", stderr);
        return EXIT_USAGE;
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

/* Every --only pattern must name something, or a typo would silently audit nothing. */
static bool pattern_known(const char *p) {
        const struct check *t;
        size_t n;

        t = check_table(&n);
        for (size_t i = 0; i < n; i++) {
                char *const one[] = { (char *) p, NULL };
                if (check_selected(t[i].id, t[i].category, one) || fnmatch(t[i].id, p, 0) == 0)
                        return true;
                if (t[i].instances && strncmp(p, t[i].id, strlen(t[i].id) - 2) == 0)
                        return true;
        }
        return false;
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
                fprintf(out, "%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(a);
                return 0;
        }
        fprintf(out, "%-20s %-9s %-9s %-9s %s\n", "ID", "CATEGORY", "SEVERITY", "REQUIRED", "TITLE");
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%-20s %-9s %-9s %-9s %s\n", t[i].id, t[i].category, sis_severity_name(t[i].severity),
                        t[i].required ? "yes" : "no", t[i].title);
        return 0;
}

int main(int argc, char **argv) {
        struct audit_config cfg;
        const char *root_dir = "/", *format = "text", *output = NULL, *collect = NULL, *profile = NULL;
        _cleanup_policy_ struct sis_policy *policy = NULL;
        const char *policy_path = NULL;
        _cleanup_strv_free_ char **only = NULL;
        _cleanup_root_ struct sis_root *root = NULL;
        _cleanup_report_ struct sis_report *rep = NULL;
        _cleanup_dump_ struct sis_dump *dump = NULL;
        _cleanup_free_ char *text = NULL;
        bool list = false, no_color = false;
        struct render_opts ro = {};
        render_fn render;
        int c, k;

        /* a run lives for milliseconds: memory freed is kept for the next allocation rather than
         * given back and faulted in again (page faults are most of a live audit's system time) */
        (void) mallopt(M_TRIM_THRESHOLD, 64 << 20);
        (void) mallopt(M_MMAP_THRESHOLD, 16 << 20);
        sis_log_set(log_stderr, NULL, SIS_LOG_WARNING);
        audit_config_defaults(&cfg);
        while ((c = getopt_long(argc, argv, "r:p:P:f:o:lc:hV", options, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        root_dir = optarg;
                        break;
                case 'p':
                        if (!streq(optarg, "production") && !streq(optarg, "development"))
                                return usage_error("--profile: unknown profile '%s' (production, development)", optarg);
                        profile = optarg;
                        break;
                case 'P':
                        policy_path = optarg;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case OPT_ONLY: {
                        _cleanup_strv_free_ char **l = NULL;
                        if (strv_split(optarg, ",", &l) < 0)
                                return EXIT_USAGE;
                        for (char **p = l; *p; p++) {
                                if (!pattern_known(*p))
                                        return usage_error("--only: no check matches '%s' (see --list-checks)", *p);
                                if (strv_extend(&only, *p) < 0)
                                        return EXIT_USAGE;
                        }
                        break;
                }
                case 'l':
                        list = true;
                        break;
                case 'c':
                        collect = optarg;
                        break;
                case OPT_FIRECRACKER:
                case OPT_QEMU:
                case OPT_JAILER:
                case OPT_CHROOT_BASE:
                        if (optarg[0] != '/')
                                return usage_error("--%s: '%s' is not an absolute path",
                                                   c == OPT_FIRECRACKER ? "firecracker" : c == OPT_QEMU ? "qemu" :
                                                   c == OPT_JAILER ? "jailer" : "chroot-base",
                                                   optarg);
                        if (c == OPT_QEMU)
                                cfg.qemu = optarg;
                        else if (c == OPT_FIRECRACKER)
                                cfg.firecracker = optarg;
                        else if (c == OPT_JAILER)
                                cfg.jailer = optarg;
                        else
                                cfg.chroot_base = optarg;
                        break;
                case OPT_JAIL_UID:
                case OPT_JAIL_GID: {
                        unsigned lo, hi;
                        if (parse_range(optarg, &lo, &hi) < 0)
                                return usage_error("--%s: '%s' is not a range MIN-MAX of non-zero ids",
                                                   c == OPT_JAIL_UID ? "jail-uid" : "jail-gid", optarg);
                        if (c == OPT_JAIL_UID) {
                                cfg.jail_uid_min = lo;
                                cfg.jail_uid_max = hi;
                        } else {
                                cfg.jail_gid_min = lo;
                                cfg.jail_gid_max = hi;
                        }
                        break;
                }
                case OPT_NO_COLOR:
                        no_color = true;
                        break;
                case OPT_VM: {
                        _cleanup_free_ char *id = NULL;
                        if (!vm_id_ok(optarg))
                                return usage_error("--vm: '%s' is not a VM name", optarg);
                        id = strdup_printf("vm.%s", optarg);
                        if (!id || strv_extend(&only, id) < 0)
                                return EXIT_USAGE;
                        break;
                }
                case OPT_RUN_DIR:
                        if (optarg[0] != '/')
                                return usage_error("--run-dir: '%s' is not an absolute path", optarg);
                        cfg.run_dir = optarg;
                        break;
                case 'h':
                        fputs(usage_text, stdout);
                        return 0;
                case 'V':
                        printf("sis-audit %s\n", SIS_VERSION);
                        return 0;
                default:
                        fputs("sis-audit: invalid usage (see --help)\n", stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        render = render_lookup(format);
        if (!render)
                return usage_error("--format: unknown format '%s' (text, json, junit, prometheus, markdown, html)", format);
        if (list)
                return list_checks(format, stdout) < 0 ? EXIT_USAGE : 0;
        if (policy_path) {
                _cleanup_free_ char *err = NULL;
                k = sis_policy_load(policy_path, &policy, &err);
                if (k < 0) {
                        log_error("%s", err ? err : strerror(-k));
                        return EXIT_USAGE;
                }
                if (profile && sis_policy_profile(policy) && !streq(profile, sis_policy_profile(policy)))
                        return usage_error("--profile %s contradicts the policy's profile %s", profile,
                                           sis_policy_profile(policy));
                if (!profile)
                        profile = sis_policy_profile(policy);
        }
        if (profile && streq(profile, "development"))
                cfg.profile = PROFILE_DEVELOPMENT;

        k = sis_root_new(root_dir, &root);
        if (k < 0) {
                log_error_errno(k, "--root %s: %s", root_dir,
                                k == -EBADMSG ? "not a valid dump (bad archive or " SIS_DUMP_META ")" : strerror(-k));
                return EXIT_USAGE;
        }
        if (collect) {
                if (sis_dump_new(&dump) < 0)
                        return EXIT_USAGE;
                sis_root_set_recorder(root, dump);
        }
        k = audit_run(root, &cfg, only, &rep);
        if (k < 0) {
                log_error_errno(k, "audit failed: %m");
                return EXIT_USAGE;
        }
        if (only && startswith(only[strv_length(only) - 1], "vm.") && rep->n_findings == 0)
                return usage_error("--vm %s: no such VM under %s/vms", only[strv_length(only) - 1] + 3,
                                   cfg.run_dir ? cfg.run_dir : "/run/sis");
        if (policy) {
                const char *sde = getenv("SOURCE_DATE_EPOCH");
                uint64_t epoch;
                k = sis_policy_apply(policy, rep, sde && safe_atou64(sde, &epoch) >= 0 ? (time_t) epoch : time(NULL),
                                     check_id_known);
                if (k < 0) {
                        log_error_errno(k, "applying the policy: %m");
                        return EXIT_USAGE;
                }
        }
        if (collect) {
                uint64_t epoch;
                const char *sde = getenv("SOURCE_DATE_EPOCH");
                k = sis_dump_write(dump, collect, SIS_VERSION,
                                   sde && safe_atou64(sde, &epoch) >= 0 ? (time_t) epoch : time(NULL));
                if (k < 0) {
                        log_error_errno(k, "--collect %s: %m", collect);
                        return EXIT_USAGE;
                }
                fprintf(stderr, "sis-audit: wrote the dump to %s (audit it anywhere with --root %s)\n", collect, collect);
        }

        ro.color = !output && !no_color && streq(format, "text") && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
                   !streq_ptr(getenv("TERM"), "dumb");
        text = render(rep, &ro);
        if (!text) {
                log_error("out of memory rendering the report");
                return EXIT_USAGE;
        }
        if (output) {
                k = write_file_atomic(output, text, strlen(text), 0644);
                if (k < 0) {
                        log_error_errno(k, "--output %s: %m", output);
                        return EXIT_USAGE;
                }
        } else if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
                log_error("writing the report: %m");
                return EXIT_USAGE;
        }
        return sis_report_exit_code(rep);
}
