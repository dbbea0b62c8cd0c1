/* SPDX-License-Identifier: MIT */
/* sis-launch: jailed Firecracker microVMs, started only on hosts that pass the audit. */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>

#include "lifecycle.h"
#include "metrics.h"
#include "net.h"
#include "registry.h"
#include "say.h"
#include "run.h"
#include "snapshot.h"
#include "util.h"

#define EXIT_USAGE 2

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

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("sis-launch: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see --help)\n", stderr);
        return EXIT_USAGE;
}

enum { OPT_HOME = 0x100, OPT_VCPUS, OPT_MEM, OPT_NET, OPT_CONFIG_FILE, OPT_CONSOLE, OPT_DRY_RUN, OPT_JAILER,
       OPT_FIRECRACKER, OPT_CHROOT_BASE, OPT_RUN_DIR, OPT_UID_RANGE, OPT_LEDGER, OPT_WATCHDOG, OPT_TIMEOUT, OPT_NET_POOL, OPT_UPLINK, OPT_ALLOW, OPT_DENY, OPT_VSOCK, OPT_BACKEND, OPT_ACCEL, OPT_QEMU, OPT_KEY, OPT_IMAGES, OPT_FORENSIC,
       OPT_NET_RATE, OPT_DISK_RATE, OPT_MAX_CONNS, OPT_CONF, OPT_DENIED, OPT_FORMAT, OPT_OUTPUT, OPT_NO_IMAGE_HASH };

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "name", required_argument, NULL, 'n' },         { "kernel", required_argument, NULL, 'k' },
                { "rootfs", required_argument, NULL, 'r' },       { "home", required_argument, NULL, OPT_HOME },
                { "vcpus", required_argument, NULL, OPT_VCPUS },  { "mem", required_argument, NULL, OPT_MEM },
                { "net", required_argument, NULL, OPT_NET },      { "policy", required_argument, NULL, 'p' },
                { "config-file", no_argument, NULL, OPT_CONFIG_FILE }, { "console", no_argument, NULL, OPT_CONSOLE },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },    { "no-image-hash", no_argument, NULL, OPT_NO_IMAGE_HASH },    { "jailer", required_argument, NULL, OPT_JAILER },
                { "firecracker", required_argument, NULL, OPT_FIRECRACKER },
                { "chroot-base", required_argument, NULL, OPT_CHROOT_BASE },
                { "run-dir", required_argument, NULL, OPT_RUN_DIR }, { "uid-range", required_argument, NULL, OPT_UID_RANGE },
                { "out", required_argument, NULL, 'o' },          { "ledger", required_argument, NULL, OPT_LEDGER },
                { "watchdog", required_argument, NULL, OPT_WATCHDOG }, { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "net-pool", required_argument, NULL, OPT_NET_POOL }, { "uplink", required_argument, NULL, OPT_UPLINK },
                { "allow", required_argument, NULL, OPT_ALLOW },  { "deny", required_argument, NULL, OPT_DENY },
                { "vsock", required_argument, NULL, OPT_VSOCK },  { "backend", required_argument, NULL, OPT_BACKEND },
                { "accel", required_argument, NULL, OPT_ACCEL },  { "qemu", required_argument, NULL, OPT_QEMU },
                { "key", required_argument, NULL, OPT_KEY },      { "images", required_argument, NULL, OPT_IMAGES },
                { "forensic", no_argument, NULL, OPT_FORENSIC },
                { "net-rate", required_argument, NULL, OPT_NET_RATE }, { "disk-rate", required_argument, NULL, OPT_DISK_RATE },
                { "max-conns", required_argument, NULL, OPT_MAX_CONNS }, { "conf", required_argument, NULL, OPT_CONF },
                { "denied", no_argument, NULL, OPT_DENIED },      { "format", required_argument, NULL, OPT_FORMAT },
                { "output", required_argument, NULL, OPT_OUTPUT },
                { "help", no_argument, NULL, 'h' },               { "version", no_argument, NULL, 'V' },
                {}
        };
        struct run_opts o = { .vcpus = 1, .mem_mib = 512, .net_pool = "172.31.0.0/16", .jailer = "/usr/local/bin/jailer",
                              .firecracker = "/usr/local/bin/firecracker", 
                              .qemu = "/usr/bin/qemu-system-x86_64", .chroot_base = "/srv/jailer",
                              .run_dir = "/run/sis", .uid_min = 10000, .uid_max = 10999, .api_timeout_ms = 5000,
                              .watchdog_s = 5 };
        unsigned stop_timeout = 10;
        /* the limits given on the command line, applied over the host's defaults */
        struct vm_limits cli = {};
        bool cli_net = false, cli_disk = false, cli_conns = false, denied = false;
        const char *conf = LIMITS_CONF, *format = "prometheus", *output = NULL;
        bool conf_given = false;
        struct snap_opts so = { .ledger = SNAPSHOT_LEDGER, .key = SNAPSHOT_KEY, .images = SNAPSHOT_IMAGES };
        _cleanup_free_ char *key_dir = NULL, *conf_dir = NULL;
        const char *verb;
        uint32_t v;
        int c, k;

        signal(SIGPIPE, SIG_IGN);
        while ((c = getopt_long(argc, argv, "n:k:r:p:o:hV", options, NULL)) >= 0)
                switch (c) {
                case 'n': o.id = optarg; break;
                case 'k': o.kernel = optarg; break;
                case 'r': o.rootfs = optarg; break;
                case OPT_HOME: o.home = optarg; break;
                case OPT_VCPUS:
                        if (safe_atou32(optarg, &v) < 0 || v < 1 || v > 32)
                                return usage_error("--vcpus: '%s' is not 1 to 32", optarg);
                        o.vcpus = v;
                        break;
                case OPT_MEM:
                        if (safe_atou32(optarg, &v) < 0 || v < 128 || v > 65536)
                                return usage_error("--mem: '%s' is not 128 to 65536 (MiB)", optarg);
                        o.mem_mib = v;
                        break;
                case OPT_NET:
                        if ((k = netmode_from_name(optarg)) < 0)
                                return usage_error("--net: '%s' is not default or none", optarg);
                        o.net = k;
                        break;
                case 'p': o.policy = optarg; break;
                case OPT_NET_POOL: {
                        unsigned slots;
                        if (net_pool_slots(optarg, &slots) < 0)
                                return usage_error("--net-pool: '%s' is not an IPv4 CIDR of /30 or larger", optarg);
                        o.net_pool = optarg;
                        break;
                }
                case OPT_UPLINK: o.uplink = optarg; break;
                case OPT_BACKEND:
                        if ((k = backend_from_name(optarg)) < 0)
                                return usage_error("--backend: '%s' is not firecracker or qemu", optarg);
                        o.backend = k;
                        break;
                case OPT_ACCEL:
                        if ((k = accel_from_name(optarg)) < 0)
                                return usage_error("--accel: '%s' is not kvm, tcg or auto", optarg);
                        o.accel = k;
                        break;
                case OPT_VSOCK:
                        if (safe_atou32(optarg, &v) < 0 || v < 3 || v == UINT32_MAX)
                                return usage_error("--vsock: '%s' is not a guest CID (3 or more)", optarg);
                        o.vsock_cid = v;
                        break;
                case OPT_ALLOW:
                case OPT_DENY: {
                        char *one[] = { optarg, NULL };
                        _cleanup_free_ char *probe = NULL;
                        struct vm_net n = {};
                        probe = net_ruleset_vm(&n, one, NULL, 0);
                        if (!probe)
                                return usage_error("--%s: '%s' is not an IPv4 CIDR (203.0.113.0/24)", c == OPT_ALLOW ? "allow" : "deny", optarg);
                        if (strv_extend(c == OPT_ALLOW ? &o.allow : &o.deny, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                }
                case OPT_NET_RATE:
                        if (limits_parse_net(optarg, &cli) < 0)
                                return usage_error("--net-rate: '%s' is not MBIT[/BURST] (0 to %u Mbit/s; burst %u to %u KiB, at most 1 s of the rate)",
                                                   optarg, LIMITS_NET_MAX, LIMITS_BURST_MIN_KIB, LIMITS_BURST_MAX_KIB);
                        cli_net = true;
                        break;
                case OPT_DISK_RATE:
                        if (limits_parse_disk(optarg, &cli) < 0)
                                return usage_error("--disk-rate: '%s' is not MBYTES[/IOPS] (0 to %u MB/s)", optarg, LIMITS_DISK_MAX);
                        cli_disk = true;
                        break;
                case OPT_MAX_CONNS:
                        if (limits_parse_conns(optarg, &cli) < 0)
                                return usage_error("--max-conns: '%s' is not 0 to %u", optarg, LIMITS_CONNS_MAX);
                        cli_conns = true;
                        break;
                case OPT_CONF:
                        if (optarg[0] != '/')
                                return usage_error("--conf: '%s' is not an absolute path", optarg);
                        conf = optarg;
                        conf_given = true;
                        break;
                case OPT_DENIED: denied = true; break;
                case OPT_FORMAT:
                        if (!streq(optarg, "prometheus") && !streq(optarg, "json"))
                                return usage_error("--format: '%s' is not prometheus or json", optarg);
                        format = optarg;
                        break;
                case OPT_OUTPUT: output = optarg; break;
                case OPT_CONFIG_FILE: o.config_file = true; break;
                case OPT_CONSOLE: o.console = true; break;
                case OPT_DRY_RUN: o.dry_run = true; break;
                case OPT_NO_IMAGE_HASH: o.no_image_hash = true; break;
                case OPT_QEMU:
                case OPT_JAILER:
                case OPT_FIRECRACKER:
                case OPT_CHROOT_BASE:
                case OPT_RUN_DIR:
                        if (optarg[0] != '/')
                                return usage_error("--%s: '%s' is not an absolute path",
                                                   c == OPT_QEMU ? "qemu" : c == OPT_JAILER ? "jailer" : c == OPT_FIRECRACKER ? "firecracker" :
                                                   c == OPT_CHROOT_BASE ? "chroot-base" : "run-dir", optarg);
                        if (c == OPT_QEMU)
                                o.qemu = optarg;
                        else if (c == OPT_JAILER)
                                o.jailer = optarg;
                        else if (c == OPT_FIRECRACKER)
                                o.firecracker = optarg;
                        else if (c == OPT_CHROOT_BASE)
                                o.chroot_base = optarg;
                        else
                                o.run_dir = optarg;
                        break;
                case OPT_UID_RANGE: {
                        unsigned lo, hi;
                        char tail;
                        if (sscanf(optarg, "%u-%u%c", &lo, &hi, &tail) != 2 || lo == 0 || lo > hi || hi > 4000000000u)
                                return usage_error("--uid-range: '%s' is not MIN-MAX of non-zero ids", optarg);
                        o.uid_min = lo;
                        o.uid_max = hi;
                        break;
                }
                case 'o': so.out = optarg; break;
                case OPT_FORENSIC: so.forensic = true; break;
                case OPT_LEDGER:
                case OPT_KEY:
                case OPT_IMAGES:
                        if (optarg[0] != '/')
                                return usage_error("--%s: '%s' is not an absolute path",
                                                   c == OPT_LEDGER ? "ledger" : c == OPT_KEY ? "key" : "images", optarg);
                        if (c == OPT_LEDGER)
                                so.ledger = optarg;
                        else if (c == OPT_IMAGES)
                                so.images = optarg;
                        else {
                                so.key = optarg;
                                so.key_given = true;
                        }
                        break;
                case OPT_WATCHDOG:
                case OPT_TIMEOUT:
                        if (safe_atou32(optarg, &v) < 0 || v > 3600)
                                return usage_error("--%s: '%s' is not 0 to 3600 seconds", c == OPT_WATCHDOG ? "watchdog" : "timeout", optarg);
                        if (c == OPT_WATCHDOG)
                                o.watchdog_s = v;
                        else
                                stop_timeout = v;
                        break;
                case 'h': fputs(usage_text, stdout); return 0;
                case 'V': printf("sis-launch %s\n", SIS_VERSION); return 0;
                default: fputs("sis-launch: invalid usage (see --help)\n", stderr); return EXIT_USAGE;
                }
        if (optind >= argc)
                return usage_error("no verb: run, list, stop, kill, logs, clean, snapshot or restore");
        verb = argv[optind++];
        {
                /* root keeps state, jails, the ledger, the key and the images it trusts only where
                 * nobody else can write */
                bool snap = streq(verb, "restore") || streq(verb, "snapshot"), starts = streq(verb, "run") || streq(verb, "restore");
                key_dir = strndup(so.key, (size_t) (strrchr(so.key, '/') - so.key));
                conf_dir = strndup(conf, (size_t) (strrchr(conf, '/') - conf));
                const struct {
                        const char *opt, *path;
                } dirs[] = { { "--run-dir", o.run_dir }, { "--chroot-base", o.chroot_base },
                             { "--ledger", snap ? so.ledger : NULL }, { "--key", snap && key_dir && *key_dir ? key_dir : NULL },
                             { "--images", streq(verb, "restore") ? so.images : NULL },
                             { "--conf", starts && conf_dir && *conf_dir ? conf_dir : NULL } };
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        _cleanup_free_ char *why = NULL;
                        if (dirs[i].path && dir_trusted(dirs[i].path, &why) < 0)
                                return launch_fail(EXIT_USAGE, "%s %s: %s: refusing it", dirs[i].opt, dirs[i].path,
                                                   strna(why));
                }
        }
        if (o.vsock_cid && o.backend == BACKEND_QEMU)
                /* QEMU's jail refuses AF_VSOCK (confine.c), and its vhost-vsock needs /dev/vhost-vsock:
                 * an option that would do nothing is refused, not ignored */
                return usage_error("--vsock: only the firecracker backend has a vsock device");
        if (streq(verb, "list") || streq(verb, "metrics")) {
                if (optind < argc)
                        return usage_error("unexpected argument '%s'", argv[optind]);
                if (streq(verb, "metrics"))
                        return vm_metrics(streq(format, "json"), output);
                return vm_list(o.run_dir);
        }
        /* run and restore: the host's defaults, then what the command line says */
        if (streq(verb, "run") || streq(verb, "restore")) {
                _cleanup_free_ char *why = NULL;
                if (limits_conf_load(conf, conf_given, &o.limits, &why) < 0)
                        return launch_fail(EXIT_USAGE, "%s", strna(why));
                if (cli_net) {
                        o.limits.net_mbit = cli.net_mbit;
                        o.limits.net_burst_kib = cli.net_burst_kib;
                }
                if (cli_disk) {
                        o.limits.disk_mbyte = cli.disk_mbyte;
                        o.limits.disk_iops = cli.disk_iops;
                }
                if (cli_conns)
                        o.limits.max_conns = cli.max_conns;
        }
        if (streq(verb, "stop") || streq(verb, "kill") || streq(verb, "logs")) {
                if (argc - optind != 1)
                        return usage_error("%s takes one VM name", verb);
                if (streq(verb, "logs"))
                        return vm_logs(o.run_dir, argv[optind], denied);
                if (streq(verb, "kill"))
                        return vm_kill(o.run_dir, argv[optind]);
                curl_global_init(CURL_GLOBAL_DEFAULT);
                c = vm_stop(o.run_dir, argv[optind], stop_timeout);
                curl_global_cleanup();
                return c;
        }
        if (streq(verb, "clean")) {
                if (argc - optind != 1)
                        return usage_error("clean takes one VM name");
                return vm_clean(o.run_dir, o.chroot_base, argv[optind]);
        }
        if (streq(verb, "snapshot")) {
                if (argc - optind != 1)
                        return usage_error("snapshot takes one VM name");
                if (!so.out)
                        return usage_error("snapshot needs --out DIR");
                curl_global_init(CURL_GLOBAL_DEFAULT);
                c = vm_snapshot(o.run_dir, argv[optind], &so, o.api_timeout_ms);
                curl_global_cleanup();
                return c;
        }
        if (streq(verb, "restore")) {
                if (argc - optind != 1)
                        return usage_error("restore takes one snapshot DIR");
                if (!o.id)
                        return usage_error("restore needs --name ID");
                curl_global_init(CURL_GLOBAL_DEFAULT);
                c = vm_restore(&o, argv[optind], &so);
                curl_global_cleanup();
                return c;
        }
        if (!streq(verb, "run"))
                return usage_error("unknown verb '%s' (run, list, stop, kill, logs, clean, snapshot, restore)", verb);
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        if (!o.id)
                return usage_error("run needs --name ID");
        curl_global_init(CURL_GLOBAL_DEFAULT);
        c = vm_run(&o);
        curl_global_cleanup();
        strv_free(o.allow);
        strv_free(o.deny);
        return c;
}
