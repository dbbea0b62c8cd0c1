/* SPDX-License-Identifier: MIT */
/* sis-provision: guest kernels, root filesystems and home disks for SIS microVMs. */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common.h"
#include "kernel.h"
#include "image.h"
#include "rootfs.h"
#include "sign.h"
#include "util.h"

#define EXIT_USAGE 2

static const char usage_text[] =
        "Usage: sis-provision kernel --source TARBALL|DIR|URL [--sha256 HEX] --profile NAME [--out DIR] [--jobs N]\n"
        "                            [--sign KEYID]\n"
        "       sis-provision kernel --check-config FILE --profile NAME\n"
        "       sis-provision rootfs [--distro alpine|debian] [--release R] [--base TARBALL|URL [--sha256 HEX]]\n"
        "                            [--recipe NAME] [--out DIR] [--repo DIR] [--offline] [--sign KEYID]\n"
        "       sis-provision disk --home --size SIZE --owner UID:GID [--out FILE]\n"
        "       sis-provision verify DIR [--keyring FILE [--trusted FPR[,FPR...]]]\n"
        "Build verified, reproducible SIS guest kernels, root filesystems and home disks, without root.\n"
        "\n"
        "  -s, --source TARBALL|DIR|URL\n"
        "                            the kernel source: a tarball (.tar.xz, .tar.gz), a tree, or an\n"
        "                            https URL (downloaded into the cache; needs --sha256)\n"
        "      --sha256 HEX          refuse a tarball (kernel source, rootfs base) whose sha256 differs\n"
        "  -p, --profile NAME        a profile in kernel-configs/profiles (e.g. sis-guest)\n"
        "  -o, --out DIR|FILE        where the outputs go (default: out/kernel-PROFILE,\n"
        "                            out/rootfs-DISTRO-RECIPE, home.ext4)\n"
        "  -j, --jobs N              parallel build jobs (default: the number of CPUs)\n"
        "      --configs DIR         the fragments directory (default: kernel-configs)\n"
        "      --cache DIR           the cache (default: $XDG_CACHE_HOME/sis or ~/.cache/sis)\n"
        "      --check-config FILE   audit an existing .config against the profile, build nothing\n"
        "  -d, --distro NAME         rootfs: alpine (default) or debian\n"
        "      --release R           rootfs: the distribution release (default: the recipe's)\n"
        "      --base TARBALL|URL    rootfs: the base tree instead of the recipe's (Alpine)\n"
        "  -r, --recipe NAME         rootfs: a recipe in rootfs/ (default: sis-session)\n"
        "      --recipes DIR         the recipes directory (default: rootfs)\n"
        "      --repo DIR            rootfs: a local Alpine repository (offline installs)\n"
        "      --mirror URL          rootfs: the Debian mirror instead of the recipe's\n"
        "      --offline             rootfs: use only the cache and local files, no network\n"
        "      --size SIZE           rootfs, disk: the image size (K, M, G suffixes; rootfs default:\n"
        "                            the tree plus a margin)\n"
        "      --home                disk: a home disk (label home, the user's skeleton)\n"
        "      --owner UID:GID       disk: the owner of the home disk's root\n"
        "      --sign KEYID          kernel, rootfs: sign SHA256SUMS into SHA256SUMS.asc with this key of\n"
        "                            your keyring (GNUPGHOME; a fingerprint, key id or user id)\n"
        "      --keyring FILE        verify: require SHA256SUMS.asc to be a good signature by a key in\n"
        "                            FILE (public keys, binary or armoured)\n"
        "      --trusted FPR,...     verify: and by one of these keys (40-hex-digit fingerprints)\n"
        "  -h, --help                show this help and exit\n"
        "  -V, --version             show the version and exit\n"
        "\n"
        "Exit status: 0 done; 1 a requested symbol is missing (kernel, --check-config), or a file does\n"
        "not match manifest.json or SHA256SUMS or the signature is missing, bad or untrusted (verify);\n"
        "2 usage error, bad input, an unreadable manifest or keyring, or a failed build or signature.\n";

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
                { "distro", required_argument, NULL, 'd' }, { "release", required_argument, NULL, 'R' },
                { "base", required_argument, NULL, 'B' },   { "recipe", required_argument, NULL, 'r' },
                { "recipes", required_argument, NULL, 'Q' }, { "repo", required_argument, NULL, 'P' },
                { "mirror", required_argument, NULL, 'M' }, { "offline", no_argument, NULL, 'O' },
                { "size", required_argument, NULL, 'z' },   { "home", no_argument, NULL, 'H' },
                { "owner", required_argument, NULL, 'w' },   { "sign", required_argument, NULL, 'G' },
                { "keyring", required_argument, NULL, 'k' }, { "trusted", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
                {}
        };
        struct kernel_opts o = { .configs = "kernel-configs", .arch = "x86_64" };
        struct rootfs_opts ro = { .distro = "alpine", .recipe = "sis-session", .recipes = "rootfs" };
        struct disk_opts dop = {};
        bool home = false, have_owner = false;
        const char *check = NULL, *verb, *sign = NULL, *keyring = NULL;
        _cleanup_strv_free_ char **trusted = NULL;
        _cleanup_free_ char *out = NULL, *err = NULL;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int c, k;

        /* a full disk or a file-size limit is an error to report, not a signal to die of */
        signal(SIGXFSZ, SIG_IGN);
        /* mke2fs stopping early closes our pipe: an error to report (EPIPE), not a death */
        signal(SIGPIPE, SIG_IGN);
        /* file names in archives are bytes in UTF-8: let libarchive pass them through unchanged,
         * whatever the caller's locale (a plain "C" cannot convert them) */
        setlocale(LC_CTYPE, "C.UTF-8");
        o.jobs = cpus > 0 ? (unsigned) cpus : 1;
        while ((c = getopt_long(argc, argv, "s:p:o:j:d:r:hV", options, NULL)) >= 0)
                switch (c) {
                case 's': o.source = optarg; break;
                case 'S':
                        if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdefABCDEF") != 64)
                                return usage_error("--sha256: '%s' is not 64 hex digits", optarg);
                        o.sha256 = optarg;
                        ro.sha256 = optarg;
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
                case 'd': ro.distro = optarg; break;
                case 'R': ro.release = optarg; break;
                case 'B': ro.base = optarg; break;
                case 'r': ro.recipe = optarg; break;
                case 'Q': ro.recipes = optarg; break;
                case 'P': ro.repo = optarg; break;
                case 'M': ro.mirror = optarg; break;
                case 'O': ro.offline = true; break;
                case 'z':
                        if (parse_size(optarg, &ro.size) < 0 || ro.size < (1u << 20))
                                return usage_error("--size: '%s' is not a size of at least 1M (e.g. 512M, 4G)", optarg);
                        dop.size = ro.size;
                        break;
                case 'H': home = true; break;
                case 'w': {
                        unsigned u, g;
                        char tail;
                        if (sscanf(optarg, "%u:%u%c", &u, &g, &tail) != 2 || u > 65533 || g > 65533)
                                return usage_error("--owner: '%s' is not UID:GID (numbers up to 65533)", optarg);
                        dop.uid = u;
                        dop.gid = g;
                        have_owner = true;
                        break;
                }
                case 'G':
                        if (!*optarg)
                                return usage_error("--sign: an empty key id");
                        sign = optarg;
                        break;
                case 'k': keyring = optarg; break;
                case 'T':
                        strv_free(trusted);
                        trusted = NULL;
                        if (strv_split(optarg, ",", &trusted) < 0)
                                return EXIT_USAGE;
                        if (!trusted || !trusted[0])
                                return usage_error("--trusted: no fingerprint in '%s'", optarg);
                        for (size_t i = 0; trusted[i]; i++)
                                if (strlen(trusted[i]) != 40 || strspn(trusted[i], "0123456789abcdefABCDEF") != 40)
                                        return usage_error("--trusted: '%s' is not a fingerprint (40 hex digits)", trusted[i]);
                        break;
                case 'h': fputs(usage_text, stdout); return 0;
                case 'V': printf("sis-provision %s\n", SIS_VERSION); return 0;
                default: fputs("sis-provision: invalid usage (see --help)\n", stderr); return EXIT_USAGE;
                }
        if (optind >= argc)
                return usage_error("no verb: kernel, rootfs, disk or verify");
        verb = argv[optind++];
        if (streq(verb, "verify")) {
                _cleanup_free_ char *fpr = NULL, *why = NULL;
                if (argc - optind != 1)
                        return usage_error("verify takes one DIR");
                if (sign)
                        return usage_error("verify: --sign goes with kernel or rootfs");
                if (trusted && !keyring)
                        return usage_error("verify: --trusted goes with --keyring FILE");
                k = provision_verify_dir(argv[optind], keyring, trusted, &fpr, &why);
                if (k < 0)
                        return provision_error(EXIT_USAGE, "%s: %s", argv[optind], strerror(-k));
                if (k == 0 && fpr)
                        printf("%s: every output matches manifest.json and SHA256SUMS, signed by %s\n", argv[optind], fpr);
                else if (k == 0)
                        printf("%s: every output matches manifest.json\n", argv[optind]);
                else
                        (void) provision_error(k, "%s", why ? why : argv[optind]);
                return k;
        }
        if (keyring || trusted)
                return usage_error("--keyring and --trusted go with verify");
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        if (sign && (check || !(streq(verb, "kernel") || streq(verb, "rootfs"))))
                return usage_error("--sign goes with kernel or rootfs builds");
        if (sign) {
                /* refuse a key that cannot sign before anything is built */
                _cleanup_free_ char *fpr = NULL, *why = NULL;
                k = sign_key_check(sign, &fpr, &why);
                if (k < 0)
                        return provision_error(EXIT_USAGE, "%s", why ? why : strerror(-k));
                if (provision_set_signer(sign) < 0)
                        return EXIT_USAGE;
                provision_step(isatty(STDERR_FILENO), "outputs signed with %s", fpr);
        }
        if (streq(verb, "rootfs")) {
                if (ro.sha256 && !ro.base)
                        return usage_error("rootfs: --sha256 goes with --base");
                if (!o.out) {
                        out = strdup_printf("out/rootfs-%s-%s", ro.distro, ro.recipe);
                        o.out = out;
                }
                ro.out = o.out;
                ro.cache = o.cache;
                ro.progress = isatty(STDERR_FILENO);
                return rootfs_build(&ro);
        }
        if (streq(verb, "disk")) {
                if (!home)
                        return usage_error("disk: only --home disks exist");
                if (!dop.size)
                        return usage_error("disk --home needs --size SIZE");
                if (!have_owner)
                        return usage_error("disk --home needs --owner UID:GID");
                dop.out = o.out ? o.out : "home.ext4";
                dop.progress = isatty(STDERR_FILENO);
                return disk_home_build(&dop);
        }
        if (!streq(verb, "kernel"))
                return usage_error("unknown verb '%s' (kernel, rootfs, disk, verify)", verb);
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
        k = kernel_build(&o, &err);
        if (k == -EINVAL && !err)
                return EXIT_USAGE; /* the download said why */
        if (k < 0)
                return provision_error(k == -ESRCH ? 1 : EXIT_USAGE, "%s", err ? err : strerror(-k));
        return 0;
}
