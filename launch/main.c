/* SPDX-License-Identifier: MIT */
/* sis-launch: jailed Firecracker microVMs, started only on hosts that pass the audit. */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>

#include "cli.h"
#include "lifecycle.h"
#include "metrics.h"
#include "net.h"
#include "registry.h"
#include "run.h"
#include "snapshot.h"
#include "util.h"

static const char usage_text[] =
        "Usage: sis-launch run --name ID --kernel FILE --rootfs FILE [--home FILE] [--vcpus N] [--mem MiB]\n"
        "                      [--backend firecracker|qemu] [--accel kvm|tcg|auto] [--net none]\n"
        "                      [--policy FILE] [--config-file] [--dry-run] [--no-image-hash]\n"
        "       sis-launch list | metrics [--format prometheus|json] [--output FILE]\n"
        "       sis-launch stop ID [--timeout SECONDS] | kill ID | logs ID [--denied] | clean ID\n"
        "       sis-launch snapshot ID --out DIR [--forensic] [--key FILE] [--ledger DIR]\n"
        "       sis-launch restore DIR --name ID [--policy FILE] [--images DIR] [--key FILE] [--ledger DIR]\n"
        "Start SIS microVMs, jailed (Firecracker under its jailer, or QEMU under sis-launch's own jail),\n"
        "only when the host passes the audit.\n"
        "\n"
        "  -n, --name ID             the VM's name: 1 to 64 of A-Z, a-z, 0-9 and '-'\n"
        "  -k, --kernel FILE         the guest kernel (vmlinux)\n"
        "  -r, --rootfs FILE         the read-only root filesystem (rootfs.ext4)\n"
        "      --home FILE           a home disk template: the VM gets its own copy, in RAM\n"
        "      --vcpus N             vCPUs, 1 to 32 (default 1)\n"
        "      --mem MiB             guest memory, 128 to 65536 MiB (default 512)\n"
        "      --backend VMM         firecracker (under its jailer, the default) or qemu (QEMU's microvm\n"
        "                            under sis-launch's own jail)\n"
        "      --accel MODE          qemu: kvm, tcg, or auto: KVM when the audit's KVM checks pass\n"
        "                            (default auto)\n"
        "      --net MODE            default: a network namespace with a TAP, NAT and a firewall; none\n"
        "      --net-pool CIDR       the pool of /30s for the VMs' links (default 172.31.0.0/16)\n"
        "      --uplink IF           NAT out of this interface (default: the default route's)\n"
        "      --allow CIDR          let this VM reach CIDR even if private (repeatable)\n"
        "      --deny CIDR           never let this VM reach CIDR (repeatable)\n"
        "      --net-rate MBIT[/BURST]  limit the VM's network to MBIT Mbit/s each way (BURST: the\n"
        "                            bucket, 64 to 32768 KiB and at most 1 s of the rate; 0: no limit)\n"
        "      --disk-rate MBYTES[/IOPS]  limit each of the VM's drives to MBYTES MB/s and IOPS\n"
        "                            operations a second (0: no limit)\n"
        "      --max-conns N         at most N connections out of the VM at once (at most 65536; 0: no\n"
        "                            limit)\n"
        "      --conf FILE           the host's defaults for the limits (default /etc/sis/launch.conf;\n"
        "                            root's, written by nobody else)\n"
        "  -p, --policy FILE         the audit policy of the gate (default: the production profile)\n"
        "      --config-file         configure Firecracker with one configuration file, not the API\n"
        "      --console             give the guest a serial console (debugging)\n"
        "      --vsock CID           a vsock device with guest CID (3 or more); its socket is the\n"
        "                            jail's /run/vsock.sock (firecracker only)\n"
        "      --dry-run             audit, then print the jailer command and the requests; start nothing\n"
        "      --no-image-hash       do not hash --rootfs against its manifest.json before the start;\n"
        "                            the guest's dm-verity still checks every block it reads\n"
        "      --jailer PATH         the jailer (default /usr/local/bin/jailer)\n"
        "      --firecracker PATH    the VMM the jailer runs (default /usr/local/bin/firecracker)\n"
        "      --qemu PATH           the QEMU binary (default /usr/bin/qemu-system-x86_64)\n"
        "      --chroot-base DIR     where jails are built (default /srv/jailer)\n"
        "      --run-dir DIR         sis-launch's state (default /run/sis)\n"
        "      --uid-range MIN-MAX   the per-VM uids and gids (default 10000-10999)\n"
        "      --watchdog SECONDS    run: check the API this often, SIGKILL after 3 misses (default 5,\n"
        "                            0 off)\n"
        "      --timeout SECONDS     stop: wait this long after Ctrl-Alt-Del before SIGTERM (default 10)\n"
        "      --denied              logs: the VM's denied connection attempts, not the VMM's log\n"
        "      --format FORMAT       metrics: prometheus (the default) or json\n"
        "      --output FILE         metrics: write FILE atomically (node_exporter's textfile collector),\n"
        "                            not standard output\n"
        "  -o, --out DIR             snapshot: the new snapshot directory (must not exist)\n"
        "      --forensic            snapshot: add the VM's logs, audit and policy; never restorable\n"
        "      --key FILE            snapshot, restore: the key snapshots are sealed under (default\n"
        "                            /var/lib/sis/snapshot.key, made on first use; a --key must exist)\n"
        "      --ledger DIR          snapshot, restore: the ledger of issued and spent snapshots\n"
        "                            (default /var/lib/sis/snapshots)\n"
        "      --images DIR          restore: where kernels and root filesystems are found by sha256\n"
        "                            (default /var/lib/sis/images)\n"
        "  -h, --help                show this help and exit\n"
        "  -V, --version             show the version and exit\n"
        "\n"
        "Exit status: 0 done; 1 refused: the host fails the audit, or (restore) the snapshot was restored\n"
        "before or does not fit this host; nothing was started; 2 usage error, bad input or a failed\n"
        "step (everything it set up is removed again).\n";

enum {
        OPT_HOME = 0x100,
        OPT_VCPUS,
        OPT_MEM,
        OPT_NET,
        OPT_CONFIG_FILE,
        OPT_CONSOLE,
        OPT_DRY_RUN,
        OPT_JAILER,
        OPT_FIRECRACKER,
        OPT_CHROOT_BASE,
        OPT_RUN_DIR,
        OPT_UID_RANGE,
        OPT_LEDGER,
        OPT_WATCHDOG,
        OPT_TIMEOUT,
        OPT_NET_POOL,
        OPT_UPLINK,
        OPT_ALLOW,
        OPT_DENY,
        OPT_VSOCK,
        OPT_BACKEND,
        OPT_ACCEL,
        OPT_QEMU,
        OPT_KEY,
        OPT_IMAGES,
        OPT_FORENSIC,
        OPT_NET_RATE,
        OPT_DISK_RATE,
        OPT_MAX_CONNS,
        OPT_CONF,
        OPT_DENIED,
        OPT_FORMAT,
        OPT_OUTPUT,
        OPT_NO_IMAGE_HASH
};

/* Everything the command line says: the options come before, after or between the verb's
 * arguments (getopt permutes), so all of them are parsed first, then the verb's handler runs. */
struct cmdline {
        struct run_opts o;
        struct snap_opts so;
        unsigned stop_timeout;
        /* the limits given on the command line, applied over the host's defaults */
        struct vm_limits cli;
        bool cli_net, cli_disk, cli_conns;
        const char *conf;
        bool conf_given;
        bool denied;                 /* logs */
        const char *format, *output; /* metrics */
        const char *verb;
        char **args; /* the verb's arguments */
        int n_args;
};

#define OPT_NOT_MINE (-1)

static int absolute(const char *opt, const char *path, const char **ret) {
        if (path[0] != '/')
                return cli_usage_error("--%s: '%s' is not an absolute path", opt, path);
        *ret = path;
        return 0;
}

/* What the VM is: its name, images, size, VMM and devices. */
static int parse_vm_option(int c, const char *arg, struct cmdline *a) {
        uint32_t v;
        int k;

        switch (c) {
        case 'n': a->o.id = arg; return 0;
        case 'k': a->o.kernel = arg; return 0;
        case 'r': a->o.rootfs = arg; return 0;
        case OPT_HOME: a->o.home = arg; return 0;
        case 'p': a->o.policy = arg; return 0;
        case OPT_VCPUS:
                if (safe_atou32(arg, &v) < 0 || v < 1 || v > 32)
                        return cli_usage_error("--vcpus: '%s' is not 1 to 32", arg);
                a->o.vcpus = v;
                return 0;
        case OPT_MEM:
                if (safe_atou32(arg, &v) < 0 || v < 128 || v > 65536)
                        return cli_usage_error("--mem: '%s' is not 128 to 65536 (MiB)", arg);
                a->o.mem_mib = v;
                return 0;
        case OPT_BACKEND:
                if ((k = backend_from_name(arg)) < 0)
                        return cli_usage_error("--backend: '%s' is not firecracker or qemu", arg);
                a->o.backend = k;
                return 0;
        case OPT_ACCEL:
                if ((k = accel_from_name(arg)) < 0)
                        return cli_usage_error("--accel: '%s' is not kvm, tcg or auto", arg);
                a->o.accel = k;
                return 0;
        case OPT_VSOCK:
                if (safe_atou32(arg, &v) < 0 || v < 3 || v == UINT32_MAX)
                        return cli_usage_error("--vsock: '%s' is not a guest CID (3 or more)", arg);
                a->o.vsock_cid = v;
                return 0;
        case OPT_CONFIG_FILE: a->o.config_file = true; return 0;
        case OPT_CONSOLE: a->o.console = true; return 0;
        case OPT_DRY_RUN: a->o.dry_run = true; return 0;
        case OPT_NO_IMAGE_HASH: a->o.no_image_hash = true; return 0;
        default: return OPT_NOT_MINE;
        }
}

/* The VM's network and its limits. */
static int parse_net_option(int c, const char *arg, struct cmdline *a) {
        unsigned slots;
        int k;

        switch (c) {
        case OPT_NET:
                if ((k = netmode_from_name(arg)) < 0)
                        return cli_usage_error("--net: '%s' is not default or none", arg);
                a->o.net = k;
                return 0;
        case OPT_NET_POOL:
                if (net_pool_slots(arg, &slots) < 0)
                        return cli_usage_error("--net-pool: '%s' is not an IPv4 CIDR of /30 or larger", arg);
                a->o.net_pool = arg;
                return 0;
        case OPT_UPLINK: a->o.uplink = arg; return 0;
        case OPT_ALLOW:
        case OPT_DENY: {
                char *one[] = { (char *) arg, NULL };
                _cleanup_free_ char *probe = NULL;
                struct vm_net n = {};
                probe = net_ruleset_vm(&n, one, NULL, 0);
                if (!probe)
                        return cli_usage_error("--%s: '%s' is not an IPv4 CIDR (203.0.113.0/24)",
                                               c == OPT_ALLOW ? "allow" : "deny", arg);
                return strv_extend(c == OPT_ALLOW ? &a->o.allow : &a->o.deny, arg) < 0 ? EXIT_USAGE : 0;
        }
        case OPT_NET_RATE:
                if (limits_parse_net(arg, &a->cli) < 0)
                        return cli_usage_error(
                                "--net-rate: '%s' is not MBIT[/BURST] (0 to %u Mbit/s; burst %u to %u KiB, at most 1 s of the rate)",
                                arg, LIMITS_NET_MAX, LIMITS_BURST_MIN_KIB, LIMITS_BURST_MAX_KIB);
                a->cli_net = true;
                return 0;
        case OPT_DISK_RATE:
                if (limits_parse_disk(arg, &a->cli) < 0)
                        return cli_usage_error("--disk-rate: '%s' is not MBYTES[/IOPS] (0 to %u MB/s)", arg,
                                               LIMITS_DISK_MAX);
                a->cli_disk = true;
                return 0;
        case OPT_MAX_CONNS:
                if (limits_parse_conns(arg, &a->cli) < 0)
                        return cli_usage_error("--max-conns: '%s' is not 0 to %u", arg, LIMITS_CONNS_MAX);
                a->cli_conns = true;
                return 0;
        case OPT_CONF:
                if (arg[0] != '/')
                        return cli_usage_error("--conf: '%s' is not an absolute path", arg);
                a->conf = arg;
                a->conf_given = true;
                return 0;
        default: return OPT_NOT_MINE;
        }
}

/* Where sis-launch finds its binaries and keeps its state, jails and snapshots. */
static int parse_place_option(int c, const char *arg, struct cmdline *a) {
        unsigned lo, hi;
        char tail;
        int k;

        switch (c) {
        case OPT_QEMU: return absolute("qemu", arg, &a->o.qemu);
        case OPT_JAILER: return absolute("jailer", arg, &a->o.jailer);
        case OPT_FIRECRACKER: return absolute("firecracker", arg, &a->o.firecracker);
        case OPT_CHROOT_BASE: return absolute("chroot-base", arg, &a->o.chroot_base);
        case OPT_RUN_DIR: return absolute("run-dir", arg, &a->o.run_dir);
        case OPT_LEDGER: return absolute("ledger", arg, &a->so.ledger);
        case OPT_IMAGES: return absolute("images", arg, &a->so.images);
        case OPT_KEY:
                k = absolute("key", arg, &a->so.key);
                a->so.key_given = k == 0;
                return k;
        case OPT_UID_RANGE:
                if (sscanf(arg, "%u-%u%c", &lo, &hi, &tail) != 2 || lo == 0 || lo > hi || hi > 4000000000u)
                        return cli_usage_error("--uid-range: '%s' is not MIN-MAX of non-zero ids", arg);
                a->o.uid_min = lo;
                a->o.uid_max = hi;
                return 0;
        default: return OPT_NOT_MINE;
        }
}

/* What one verb alone takes: logs, metrics, snapshot, stop, the watchdog of run. */
static int parse_verb_option(int c, const char *arg, struct cmdline *a) {
        uint32_t v;

        switch (c) {
        case 'o': a->so.out = arg; return 0;
        case OPT_FORENSIC: a->so.forensic = true; return 0;
        case OPT_DENIED: a->denied = true; return 0;
        case OPT_FORMAT:
                if (!streq(arg, "prometheus") && !streq(arg, "json"))
                        return cli_usage_error("--format: '%s' is not prometheus or json", arg);
                a->format = arg;
                return 0;
        case OPT_OUTPUT: a->output = arg; return 0;
        case OPT_WATCHDOG:
        case OPT_TIMEOUT:
                if (safe_atou32(arg, &v) < 0 || v > 3600)
                        return cli_usage_error("--%s: '%s' is not 0 to 3600 seconds",
                                               c == OPT_WATCHDOG ? "watchdog" : "timeout", arg);
                if (c == OPT_WATCHDOG)
                        a->o.watchdog_s = v;
                else
                        a->stop_timeout = v;
                return 0;
        default: return OPT_NOT_MINE;
        }
}

/* All options, then the verb and its arguments. OPT_NOT_MINE: go on to the verb; else the exit
 * code (--help, --version, a usage error). */
static int parse_cmdline(int argc, char **argv, struct cmdline *a) {
        static const struct option options[] = { { "name", required_argument, NULL, 'n' },
                                                 { "kernel", required_argument, NULL, 'k' },
                                                 { "rootfs", required_argument, NULL, 'r' },
                                                 { "home", required_argument, NULL, OPT_HOME },
                                                 { "vcpus", required_argument, NULL, OPT_VCPUS },
                                                 { "mem", required_argument, NULL, OPT_MEM },
                                                 { "net", required_argument, NULL, OPT_NET },
                                                 { "policy", required_argument, NULL, 'p' },
                                                 { "config-file", no_argument, NULL, OPT_CONFIG_FILE },
                                                 { "console", no_argument, NULL, OPT_CONSOLE },
                                                 { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                                                 { "no-image-hash", no_argument, NULL, OPT_NO_IMAGE_HASH },
                                                 { "jailer", required_argument, NULL, OPT_JAILER },
                                                 { "firecracker", required_argument, NULL, OPT_FIRECRACKER },
                                                 { "chroot-base", required_argument, NULL, OPT_CHROOT_BASE },
                                                 { "run-dir", required_argument, NULL, OPT_RUN_DIR },
                                                 { "uid-range", required_argument, NULL, OPT_UID_RANGE },
                                                 { "out", required_argument, NULL, 'o' },
                                                 { "ledger", required_argument, NULL, OPT_LEDGER },
                                                 { "watchdog", required_argument, NULL, OPT_WATCHDOG },
                                                 { "timeout", required_argument, NULL, OPT_TIMEOUT },
                                                 { "net-pool", required_argument, NULL, OPT_NET_POOL },
                                                 { "uplink", required_argument, NULL, OPT_UPLINK },
                                                 { "allow", required_argument, NULL, OPT_ALLOW },
                                                 { "deny", required_argument, NULL, OPT_DENY },
                                                 { "vsock", required_argument, NULL, OPT_VSOCK },
                                                 { "backend", required_argument, NULL, OPT_BACKEND },
                                                 { "accel", required_argument, NULL, OPT_ACCEL },
                                                 { "qemu", required_argument, NULL, OPT_QEMU },
                                                 { "key", required_argument, NULL, OPT_KEY },
                                                 { "images", required_argument, NULL, OPT_IMAGES },
                                                 { "forensic", no_argument, NULL, OPT_FORENSIC },
                                                 { "net-rate", required_argument, NULL, OPT_NET_RATE },
                                                 { "disk-rate", required_argument, NULL, OPT_DISK_RATE },
                                                 { "max-conns", required_argument, NULL, OPT_MAX_CONNS },
                                                 { "conf", required_argument, NULL, OPT_CONF },
                                                 { "denied", no_argument, NULL, OPT_DENIED },
                                                 { "format", required_argument, NULL, OPT_FORMAT },
                                                 { "output", required_argument, NULL, OPT_OUTPUT },
                                                 { "help", no_argument, NULL, 'h' },
                                                 { "version", no_argument, NULL, 'V' },
                                                 {} };
        static int (*const parsers[])(int, const char *, struct cmdline *) = { parse_vm_option, parse_net_option,
                                                                               parse_place_option, parse_verb_option };
        int c, k;

        while ((c = getopt_long(argc, argv, "n:k:r:p:o:hV", options, NULL)) >= 0) {
                if (c == 'h') {
                        fputs(usage_text, stdout);
                        return 0;
                }
                if (c == 'V') {
                        printf("sis-launch %s\n", SIS_VERSION);
                        return 0;
                }
                k = OPT_NOT_MINE;
                for (size_t i = 0; k == OPT_NOT_MINE && i < ELEMENTSOF(parsers); i++)
                        k = parsers[i](c, optarg, a);
                if (k == OPT_NOT_MINE) {
                        return cli_usage_error("invalid usage");
                }
                if (k != 0)
                        return k;
        }
        if (optind >= argc)
                return cli_usage_error("no verb: run, list, stop, kill, logs, clean, snapshot or restore");
        a->verb = argv[optind++];
        a->args = argv + optind;
        a->n_args = argc - optind;
        return OPT_NOT_MINE;
}

/* Root keeps state, jails, the ledger, the key and the images it trusts only where nobody else
 * can write: each directory the verb uses is checked. */
static int dirs_trusted(const struct cmdline *a) {
        bool snap = streq(a->verb, "restore") || streq(a->verb, "snapshot"),
             starts = streq(a->verb, "run") || streq(a->verb, "restore");
        _cleanup_free_ char *key_dir = strndup(a->so.key, (size_t) (strrchr(a->so.key, '/') - a->so.key)),
                            *conf_dir = strndup(a->conf, (size_t) (strrchr(a->conf, '/') - a->conf)), *cwd = NULL,
                            *out = NULL, *out_dir = NULL;

        /* snapshot --out: the directory it is made in (and its temporary one, beside it) */
        if (streq(a->verb, "snapshot") && a->so.out) {
                if (a->so.out[0] != '/' && !(cwd = getcwd(NULL, 0)))
                        return cli_fail(EXIT_USAGE, "--out %s: the current directory: %s", a->so.out, strerror(errno));
                out = cwd ? strdup_printf("%s/%s", cwd, a->so.out) : strdup(a->so.out);
                out_dir = out ? strndup(out, (size_t) MAX(strrchr(out, '/') - out, 1)) : NULL;
                if (!out_dir)
                        return cli_fail(EXIT_USAGE, "out of memory");
        }
        const struct {
                const char *opt, *path, *given; /* given: the argument, when path is not it */
        } dirs[] = { { "--run-dir", a->o.run_dir },
                     { "--chroot-base", a->o.chroot_base },
                     { "--ledger", snap ? a->so.ledger : NULL },
                     { "--key", snap && key_dir && *key_dir ? key_dir : NULL },
                     { "--images", streq(a->verb, "restore") ? a->so.images : NULL },
                     { "--conf", starts && conf_dir && *conf_dir ? conf_dir : NULL },
                     { "--out", out_dir, a->so.out } };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *why = NULL;
                if (dirs[i].path && dir_trusted(dirs[i].path, &why) < 0)
                        return cli_fail(EXIT_USAGE, "%s %s: %s: refusing it", dirs[i].opt,
                                        dirs[i].given ? dirs[i].given : dirs[i].path, strna(why));
        }
        return 0;
}

/* run and restore: the host's defaults (launch.conf), then what the command line says. */
static int limits_load(struct cmdline *a) {
        _cleanup_free_ char *why = NULL;

        if (limits_conf_load(a->conf, a->conf_given, &a->o.limits, &why) < 0)
                return cli_fail(EXIT_USAGE, "%s", strna(why));
        if (a->cli_net) {
                a->o.limits.net_mbit = a->cli.net_mbit;
                a->o.limits.net_burst_kib = a->cli.net_burst_kib;
        }
        if (a->cli_disk) {
                a->o.limits.disk_mbyte = a->cli.disk_mbyte;
                a->o.limits.disk_iops = a->cli.disk_iops;
        }
        if (a->cli_conns)
                a->o.limits.max_conns = a->cli.max_conns;
        return 0;
}

static int verb_run(struct cmdline *a) {
        int k = limits_load(a);

        if (k != 0)
                return k;
        if (a->n_args > 0)
                return cli_usage_error("unexpected argument '%s'", a->args[0]);
        if (!a->o.id)
                return cli_usage_error("run needs --name ID");
        return vm_run(&a->o);
}

static int verb_restore(struct cmdline *a) {
        int k = limits_load(a);

        if (k != 0)
                return k;
        if (a->n_args != 1)
                return cli_usage_error("restore takes one snapshot DIR");
        if (!a->o.id)
                return cli_usage_error("restore needs --name ID");
        return vm_restore(&a->o, a->args[0], &a->so);
}

static int verb_list(struct cmdline *a) {
        if (a->n_args > 0)
                return cli_usage_error("unexpected argument '%s'", a->args[0]);
        return streq(a->verb, "metrics") ? vm_metrics(streq(a->format, "json"), a->output) : vm_list(a->o.run_dir);
}

/* stop, kill, logs, clean and snapshot: one VM, by name. */
static int one_vm(const struct cmdline *a) {
        return a->n_args == 1 ? 0 : cli_usage_error("%s takes one VM name", a->verb);
}

static int verb_stop(struct cmdline *a) {
        return one_vm(a) ?: vm_stop(a->o.run_dir, a->args[0], a->stop_timeout);
}

static int verb_kill(struct cmdline *a) {
        return one_vm(a) ?: vm_kill(a->o.run_dir, a->args[0]);
}

static int verb_logs(struct cmdline *a) {
        return one_vm(a) ?: vm_logs(a->o.run_dir, a->args[0], a->denied);
}

static int verb_clean(struct cmdline *a) {
        return one_vm(a) ?: vm_clean(a->o.run_dir, a->o.chroot_base, a->args[0]);
}

static int verb_snapshot(struct cmdline *a) {
        int k = one_vm(a);

        if (k != 0)
                return k;
        if (!a->so.out)
                return cli_usage_error("snapshot needs --out DIR");
        return vm_snapshot(a->args[0], &a->so, a->o.api_timeout_ms);
}

static const struct verb {
        const char *name;
        int (*run)(struct cmdline *a);
        bool curl; /* talks to a VMM's API (libcurl) */
} verbs[] = {
        { "run", verb_run, true },      { "list", verb_list, false },        { "metrics", verb_list, false },
        { "stop", verb_stop, true },    { "kill", verb_kill, false },        { "logs", verb_logs, false },
        { "clean", verb_clean, false }, { "snapshot", verb_snapshot, true }, { "restore", verb_restore, true },
};

int main(int argc, char **argv) {
        struct cmdline a = { .o = { .vcpus = 1,
                                    .mem_mib = 512,
                                    .net_pool = "172.31.0.0/16",
                                    .jailer = "/usr/local/bin/jailer",
                                    .firecracker = "/usr/local/bin/firecracker",
                                    .qemu = "/usr/bin/qemu-system-x86_64",
                                    .chroot_base = "/srv/jailer",
                                    .run_dir = "/run/sis",
                                    .uid_min = 10000,
                                    .uid_max = 10999,
                                    .api_timeout_ms = 5000,
                                    .watchdog_s = 5 },
                             .so = { .ledger = SNAPSHOT_LEDGER, .key = SNAPSHOT_KEY, .images = SNAPSHOT_IMAGES },
                             .stop_timeout = 10,
                             .conf = LIMITS_CONF,
                             .format = "prometheus" };
        const struct verb *verb = NULL;
        int k;

        cli_set_name("sis-launch");

        signal(SIGPIPE, SIG_IGN);
        k = parse_cmdline(argc, argv, &a);
        if (k != OPT_NOT_MINE)
                goto out;
        k = dirs_trusted(&a);
        if (k != 0)
                goto out;
        if (a.o.vsock_cid && a.o.backend == BACKEND_QEMU) {
                /* QEMU's jail refuses AF_VSOCK (confine.c), and its vhost-vsock needs /dev/vhost-vsock:
                 * an option that would do nothing is refused, not ignored */
                k = cli_usage_error("--vsock: only the firecracker backend has a vsock device");
                goto out;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(a.verb, verbs[i].name))
                        verb = &verbs[i];
        if (!verb) {
                k = cli_usage_error("unknown verb '%s' (run, list, stop, kill, logs, clean, snapshot, restore)",
                                    a.verb);
                goto out;
        }
        if (verb->curl)
                curl_global_init(CURL_GLOBAL_DEFAULT);
        k = verb->run(&a);
        if (verb->curl)
                curl_global_cleanup();
out:
        strv_free(a.o.allow);
        strv_free(a.o.deny);
        return k;
}
