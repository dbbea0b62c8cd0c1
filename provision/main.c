/* SPDX-License-Identifier: MIT */
/* sis-provision: guest kernels, root filesystems and home disks for SIS microVMs. */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <sys/stat.h>

#include "cli.h"
#include "common.h"
#include "kernel.h"
#include "image.h"
#include "rootfs.h"
#include "sign.h"
#include "util.h"

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

/* What the command line says; each verb reads its part. */
struct args {
        struct kernel_opts o;
        struct rootfs_opts ro;
        struct disk_opts dop;
        bool home, have_owner;
        const char *check, *sign, *keyring;
        char **trusted;
        char *out;   /* the default --out, when one is made up */
        char **rest; /* the arguments after the verb */
        int n_rest;
};

/* The options, into a. -1 to go on with the verb, else the exit code (--help, --version, a usage
 * error said). */
static int parse_options(int argc, char **argv, struct args *a) {
        static const struct option options[] = { { "source", required_argument, NULL, 's' },
                                                 { "sha256", required_argument, NULL, 'S' },
                                                 { "profile", required_argument, NULL, 'p' },
                                                 { "out", required_argument, NULL, 'o' },
                                                 { "jobs", required_argument, NULL, 'j' },
                                                 { "configs", required_argument, NULL, 'C' },
                                                 { "cache", required_argument, NULL, 'c' },
                                                 { "check-config", required_argument, NULL, 'K' },
                                                 { "distro", required_argument, NULL, 'd' },
                                                 { "release", required_argument, NULL, 'R' },
                                                 { "base", required_argument, NULL, 'B' },
                                                 { "recipe", required_argument, NULL, 'r' },
                                                 { "recipes", required_argument, NULL, 'Q' },
                                                 { "repo", required_argument, NULL, 'P' },
                                                 { "mirror", required_argument, NULL, 'M' },
                                                 { "offline", no_argument, NULL, 'O' },
                                                 { "size", required_argument, NULL, 'z' },
                                                 { "home", no_argument, NULL, 'H' },
                                                 { "owner", required_argument, NULL, 'w' },
                                                 { "sign", required_argument, NULL, 'G' },
                                                 { "keyring", required_argument, NULL, 'k' },
                                                 { "trusted", required_argument, NULL, 'T' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 { "version", no_argument, NULL, 'V' },
                                                 {} };
        int c;

        while ((c = getopt_long(argc, argv, "s:p:o:j:d:r:hV", options, NULL)) >= 0)
                switch (c) {
                case 's': a->o.source = optarg; break;
                case 'S':
                        if (!is_hex_any(optarg, 64))
                                return cli_usage_error("--sha256: '%s' is not 64 hex digits", optarg);
                        a->o.sha256 = optarg;
                        a->ro.sha256 = optarg;
                        break;
                case 'p': a->o.profile = optarg; break;
                case 'o': a->o.out = optarg; break;
                case 'j': {
                        uint32_t j;
                        if (safe_atou32(optarg, &j) < 0 || j == 0 || j > 1024)
                                return cli_usage_error("--jobs: '%s' is not a number of jobs", optarg);
                        a->o.jobs = j;
                        break;
                }
                case 'C': a->o.configs = optarg; break;
                case 'c': a->o.cache = optarg; break;
                case 'K': a->check = optarg; break;
                case 'd': a->ro.distro = optarg; break;
                case 'R': a->ro.release = optarg; break;
                case 'B': a->ro.base = optarg; break;
                case 'r': a->ro.recipe = optarg; break;
                case 'Q': a->ro.recipes = optarg; break;
                case 'P': a->ro.repo = optarg; break;
                case 'M': a->ro.mirror = optarg; break;
                case 'O': a->ro.offline = true; break;
                case 'z':
                        if (parse_size(optarg, &a->ro.size) < 0 || a->ro.size < (1u << 20))
                                return cli_usage_error("--size: '%s' is not a size of at least 1M (e.g. 512M, 4G)",
                                                       optarg);
                        a->dop.size = a->ro.size;
                        break;
                case 'H': a->home = true; break;
                case 'w': {
                        unsigned u, g;
                        char tail;
                        if (sscanf(optarg, "%u:%u%c", &u, &g, &tail) != 2 || u > 65533 || g > 65533)
                                return cli_usage_error("--owner: '%s' is not UID:GID (numbers up to 65533)", optarg);
                        a->dop.uid = u;
                        a->dop.gid = g;
                        a->have_owner = true;
                        break;
                }
                case 'G':
                        if (!*optarg)
                                return cli_usage_error("--sign: an empty key id");
                        a->sign = optarg;
                        break;
                case 'k': a->keyring = optarg; break;
                case 'T':
                        strv_free(a->trusted);
                        a->trusted = NULL;
                        if (strv_split(optarg, ",", &a->trusted) < 0)
                                return EXIT_USAGE;
                        if (!a->trusted || !a->trusted[0])
                                return cli_usage_error("--trusted: no fingerprint in '%s'", optarg);
                        for (size_t i = 0; a->trusted[i]; i++)
                                if (!is_hex_any(a->trusted[i], 40))
                                        return cli_usage_error("--trusted: '%s' is not a fingerprint (40 hex digits)",
                                                               a->trusted[i]);
                        break;
                case 'h': fputs(usage_text, stdout); return EXIT_SUCCESS;
                case 'V': printf("sis-provision %s\n", SIS_VERSION); return EXIT_SUCCESS;
                default: return cli_usage_error("invalid usage");
                }
        return -1;
}

static int verb_verify(struct args *a) {
        _cleanup_free_ char *fpr = NULL, *why = NULL;
        const char *dir;
        int k;

        if (a->n_rest != 1)
                return cli_usage_error("verify takes one DIR");
        if (a->sign)
                return cli_usage_error("verify: --sign goes with kernel or rootfs");
        if (a->trusted && !a->keyring)
                return cli_usage_error("verify: --trusted goes with --keyring FILE");
        dir = a->rest[0];
        k = provision_verify_dir(dir, a->keyring, a->trusted, &fpr, &why);
        if (k < 0)
                return cli_fail(EXIT_USAGE, "%s: %s", dir, strerror(-k));
        if (k == 0 && fpr)
                printf("%s: every output matches manifest.json and SHA256SUMS, signed by %s\n", dir, fpr);
        else if (k == 0)
                printf("%s: every output matches manifest.json\n", dir);
        else
                (void) cli_fail(k, "%s", why ? why : dir);
        return k;
}

static int verb_rootfs(struct args *a) {
        if (a->ro.sha256 && !a->ro.base)
                return cli_usage_error("rootfs: --sha256 goes with --base");
        if (!a->o.out) {
                a->out = strdup_printf("out/rootfs-%s-%s", a->ro.distro, a->ro.recipe);
                a->o.out = a->out;
        }
        a->ro.out = a->o.out;
        a->ro.cache = a->o.cache;
        a->ro.progress = isatty(STDERR_FILENO);
        return rootfs_build(&a->ro);
}

static int verb_disk(struct args *a) {
        if (!a->home)
                return cli_usage_error("disk: only --home disks exist");
        if (!a->dop.size)
                return cli_usage_error("disk --home needs --size SIZE");
        if (!a->have_owner)
                return cli_usage_error("disk --home needs --owner UID:GID");
        a->dop.out = a->o.out ? a->o.out : "home.ext4";
        return disk_home_build(&a->dop);
}

static int verb_kernel(struct args *a) {
        _cleanup_free_ char *err = NULL;
        int k;

        if (!a->o.profile)
                return cli_usage_error("kernel needs --profile NAME");
        if (a->check)
                return kernel_check_config(a->check, a->o.configs, a->o.profile);
        if (!a->o.source)
                return cli_usage_error("kernel needs --source TARBALL|DIR");
        if (!a->o.out) {
                a->out = strdup_printf("out/kernel-%s", a->o.profile);
                a->o.out = a->out;
        }
        a->o.progress = isatty(STDERR_FILENO);
        k = kernel_build(&a->o, &err);
        if (k == -EINVAL && !err)
                return EXIT_USAGE; /* the download said why */
        if (k < 0)
                return cli_fail(k == -ESRCH ? 1 : EXIT_USAGE, "%s", err ? err : strerror(-k));
        return EXIT_SUCCESS;
}

static const struct verb {
        const char *name;
        int (*run)(struct args *a);
        bool builds; /* the build options' checks first (verify checks its own) */
        bool signs;  /* --sign goes with it */
} verbs[] = {
        { "kernel", verb_kernel, true, true },
        { "rootfs", verb_rootfs, true, true },
        { "disk", verb_disk, true, false },
        { "verify", verb_verify, false, false },
};

/* The checks every build verb shares, then --sign's key, before anything is built. */
static int build_checks(const struct args *a, const struct verb *v) {
        if (a->keyring || a->trusted)
                return cli_usage_error("--keyring and --trusted go with verify");
        if (a->n_rest > 0)
                return cli_usage_error("unexpected argument '%s'", a->rest[0]);
        if (a->sign && (a->check || !v || !v->signs))
                return cli_usage_error("--sign goes with kernel or rootfs builds");
        if (a->sign) {
                /* refuse a key that cannot sign before anything is built */
                _cleanup_free_ char *fpr = NULL, *why = NULL;
                int k = sign_key_check(a->sign, &fpr, &why);
                if (k < 0)
                        return cli_fail(EXIT_USAGE, "%s", why ? why : strerror(-k));
                if (provision_set_signer(a->sign) < 0)
                        return EXIT_USAGE;
                cli_step("outputs signed with %s", fpr);
        }
        return -1;
}

int main(int argc, char **argv) {
        struct args a = { .o = { .configs = "kernel-configs", .arch = "x86_64" },
                          .ro = { .distro = "alpine", .recipe = "sis-session", .recipes = "rootfs" } };
        const struct verb *v = NULL;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        const char *name;
        int k;

        cli_set_name("sis-provision");
        /* a full disk or a file-size limit is an error to report, not a signal to die of */
        signal(SIGXFSZ, SIG_IGN);
        /* mke2fs stopping early closes our pipe: an error to report (EPIPE), not a death */
        signal(SIGPIPE, SIG_IGN);
        /* file names in archives are bytes in UTF-8: let libarchive pass them through unchanged,
         * whatever the caller's locale (a plain "C" cannot convert them) */
        setlocale(LC_CTYPE, "C.UTF-8");
        a.o.jobs = cpus > 0 ? (unsigned) cpus : 1;
        k = parse_options(argc, argv, &a);
        if (k < 0 && optind >= argc)
                k = cli_usage_error("no verb: kernel, rootfs, disk or verify");
        if (k < 0) {
                name = argv[optind++];
                a.rest = argv + optind;
                a.n_rest = argc - optind;
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                        if (streq(verbs[i].name, name))
                                v = &verbs[i];
                if (!v || v->builds)
                        k = build_checks(&a, v);
                if (k < 0)
                        k = v ? v->run(&a) : cli_usage_error("unknown verb '%s' (kernel, rootfs, disk, verify)", name);
        }
        strv_free(a.trusted);
        free(a.out);
        return k;
}
