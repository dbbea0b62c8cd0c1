/* SPDX-License-Identifier: MIT */
/* sis-provision: guest kernels (and, later, root filesystems and disks) for SIS microVMs. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common.h"
#include "kernel.h"
#include "util.h"

#define EXIT_USAGE 2

static const char usage_text[] =
        "Usage: sis-provision kernel --source TARBALL|DIR|URL [--sha256 HEX] --profile NAME [--out DIR] [--jobs N]\n"
        "       sis-provision kernel --check-config FILE --profile NAME\n"
        "       sis-provision verify DIR\n"
        "Build verified, reproducible SIS guest kernels from kernel-configs/ fragments.\n"
        "\n"
        "  -s, --source TARBALL|DIR|URL\n"
        "                            the kernel source: a tarball (.tar.xz, .tar.gz), a tree, or an\n"
        "                            https URL (downloaded into the cache; needs --sha256)\n"
        "      --sha256 HEX          refuse a tarball whose sha256 differs\n"
        "  -p, --profile NAME        a profile in kernel-configs/profiles (e.g. sis-guest)\n"
        "  -o, --out DIR             where the outputs go (default: out/kernel-PROFILE)\n"
        "  -j, --jobs N              parallel build jobs (default: the number of CPUs)\n"
        "      --configs DIR         the fragments directory (default: kernel-configs)\n"
        "      --cache DIR           the cache (default: $XDG_CACHE_HOME/sis or ~/.cache/sis)\n"
        "      --check-config FILE   audit an existing .config against the profile, build nothing\n"
        "  -h, --help                show this help and exit\n"
        "  -V, --version             show the version and exit\n"
        "\n"
        "Exit status: 0 done; 1 a requested symbol is missing (kernel, --check-config) or an output\n"
        "does not match its manifest (verify); 2 usage error or bad input.\n";

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("sis-provision: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see --help)\n", stderr);
        return EXIT_USAGE;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "source", required_argument, NULL, 's' }, { "sha256", required_argument, NULL, 'S' },
                { "profile", required_argument, NULL, 'p' }, { "out", required_argument, NULL, 'o' },
                { "jobs", required_argument, NULL, 'j' },   { "configs", required_argument, NULL, 'C' },
                { "cache", required_argument, NULL, 'c' },  { "check-config", required_argument, NULL, 'K' },
                { "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
                {}
        };
        struct kernel_opts o = { .configs = "kernel-configs", .arch = "x86_64" };
        const char *check = NULL, *verb;
        _cleanup_free_ char *out = NULL;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int c, k;

        /* a full disk or a file-size limit is an error to report, not a signal to die of */
        signal(SIGXFSZ, SIG_IGN);
        o.jobs = cpus > 0 ? (unsigned) cpus : 1;
        while ((c = getopt_long(argc, argv, "s:p:o:j:hV", options, NULL)) >= 0)
                switch (c) {
                case 's': o.source = optarg; break;
                case 'S':
                        if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdefABCDEF") != 64)
                                return usage_error("--sha256: '%s' is not 64 hex digits", optarg);
                        o.sha256 = optarg;
                        break;
                case 'p': o.profile = optarg; break;
                case 'o': o.out = optarg; break;
                case 'j': {
                        uint32_t j;
                        if (safe_atou32(optarg, &j) < 0 || j == 0 || j > 1024)
                                return usage_error("--jobs: '%s' is not a number of jobs", optarg);
                        o.jobs = j;
                        break;
                }
                case 'C': o.configs = optarg; break;
                case 'c': o.cache = optarg; break;
                case 'K': check = optarg; break;
                case 'h': fputs(usage_text, stdout); return 0;
                case 'V': printf("sis-provision %s\n", SIS_VERSION); return 0;
                default: fputs("sis-provision: invalid usage (see --help)\n", stderr); return EXIT_USAGE;
                }
        if (optind >= argc)
                return usage_error("no verb: kernel or verify");
        verb = argv[optind++];
        if (streq(verb, "verify")) {
                if (argc - optind != 1)
                        return usage_error("verify takes one DIR");
                k = provision_verify(argv[optind]);
                if (k == 0)
                        printf("%s: every output matches manifest.json\n", argv[optind]);
                else
                        fprintf(stderr, "sis-provision: %s: %s\n", argv[optind],
                                k == 1 ? "an output does not match manifest.json" : "no readable manifest.json");
                return k;
        }
        if (!streq(verb, "kernel"))
                return usage_error("unknown verb '%s' (kernel, verify)", verb);
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        if (!o.profile)
                return usage_error("kernel needs --profile NAME");
        if (check)
                return kernel_check_config(check, o.configs, o.profile);
        if (!o.source)
                return usage_error("kernel needs --source TARBALL|DIR");
        if (!o.out) {
                out = strdup_printf("out/kernel-%s", o.profile);
                o.out = out;
        }
        o.progress = isatty(STDERR_FILENO);
        k = kernel_build(&o);
        if (k < 0) {
                fprintf(stderr, "sis-provision: %s\n", strerror(-k));
                return EXIT_USAGE;
        }
        return k;
}
