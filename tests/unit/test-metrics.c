/* SPDX-License-Identifier: MIT */
/* A VM's limits (the options, launch.conf, Firecracker's rate limiters), its denied-traffic log
 * lines, the VMM counters the monitor keeps, and the metrics text for a fixed set of VMs
 * (tests/expected/metrics-3vms.prom and .json: the golden files, rewritten with UPDATE=1 as
 * tests/golden.sh does; tests/consumers.sh hands the
 * same text to promtool and node_exporter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "denylog.h"
#include "fc.h"
#include "helpers.h"
#include "vmlimits.h"
#include "metrics.h"

static void test_limits_parse(void **state) {
        struct vm_limits l = {};
        static const char *const bad[] = { "", "x", "-1", "10/", "/10", "10/x", "10/5/5", "10001", "1e3", " 10", "10 ",
                                           "0/5",
                                           /* a burst under 64 KiB, over 1 s of the rate, over 32 MiB */
                                           "10/63", "1/123", "10000/32769" };

        assert_int_equal(limits_parse_net("10", &l), 0);
        assert_int_equal(l.net_mbit, 10);
        assert_int_equal(l.net_burst_kib, 0);
        assert_int_equal(limits_net_bytes(&l), 1250000);
        assert_int_equal(limits_net_burst(&l), 125000); /* 100 ms of the rate */
        assert_int_equal(limits_parse_net("1/64", &l), 0);
        assert_int_equal(limits_net_burst(&l), 64 << 10);
        assert_int_equal(limits_parse_net("10000/32768", &l), 0);
        assert_int_equal(limits_net_burst(&l), 32 << 20);
        assert_int_equal(limits_net_queue(&l), 4 << 20); /* 50 ms of 10 Gbit/s would be 62 MB */
        assert_int_equal(limits_parse_net("1", &l), 0);
        assert_int_equal(limits_net_burst(&l), 64 << 10); /* a GSO frame must fit */
        assert_int_equal(limits_parse_net("10000", &l), 0);
        assert_int_equal(limits_net_burst(&l), 32 << 20); /* 100 ms of it, within the cap */
        assert_int_equal(limits_parse_net("0", &l), 0);
        assert_int_equal(limits_net_burst(&l), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                l = (struct vm_limits) { .net_mbit = 7 };
                if (limits_parse_net(bad[i], &l) != -EINVAL || l.net_mbit != 7)
                        fail_msg("--net-rate '%s' taken", bad[i]);
        }
        assert_int_equal(limits_parse_disk("5/100", &l), 0);
        assert_int_equal(l.disk_mbyte, 5);
        assert_int_equal(l.disk_iops, 100);
        assert_int_equal(limits_parse_disk("0/100", &l), 0); /* ops only */
        assert_int_equal(limits_parse_disk("5/x", &l), -EINVAL);
        assert_int_equal(limits_parse_disk("100001", &l), -EINVAL);
        assert_int_equal(limits_parse_conns("20", &l), 0);
        assert_int_equal(l.max_conns, 20);
        assert_int_equal(limits_parse_conns("20/1", &l), -EINVAL);
        assert_int_equal(limits_parse_conns("65536", &l), 0);
        assert_int_equal(limits_parse_conns("65537", &l), -EINVAL);
        {
                struct vm_limits a = { .net_mbit = 10, .disk_mbyte = 5, .disk_iops = 100, .max_conns = 20 }, b;
                _cleanup_free_ char *d = limits_describe(&a), *s = limits_short(&a),
                                    *n = limits_short(&(struct vm_limits) {});
                json_object *j = limits_to_json(&a);
                assert_string_equal(d, "net 10 Mbit/s (burst 122 KiB), disk 5 MB/s 100 IOPS, 20 connections");
                assert_string_equal(s, "net=10,disk=5/100,conns=20");
                assert_string_equal(n, "-");
                limits_from_json(j, &b);
                assert_int_equal(b.net_mbit, 10);
                assert_int_equal(b.net_burst_kib, 122);
                assert_int_equal(b.disk_iops, 100);
                assert_int_equal(b.max_conns, 20);
                json_object_put(j);
                /* garbage in a state file reads as no limit, never as a huge one */
                j = json_tokener_parse("{\"net_mbit\": -5, \"disk_mbyte\": \"9\", \"max_conns\": 99999999999}");
                limits_from_json(j, &b);
                assert_int_equal(b.net_mbit, 0);
                json_object_put(j);
                /* a burst no option could give (over 1 s of the rate): the default instead */
                j = json_tokener_parse("{\"net_mbit\": 1, \"net_burst_kib\": 4096}");
                limits_from_json(j, &b);
                assert_int_equal(b.net_mbit, 1);
                assert_int_equal(b.net_burst_kib, 0);
                assert_int_equal(b.disk_mbyte, 0);
                assert_int_equal(b.max_conns, 0);
                json_object_put(j);
        }
}

static void write_conf(const char *path, const char *text, mode_t mode) {
        (void) unlink(path);
        assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
        assert_int_equal(chmod(path, mode), 0);
}

static void test_limits_conf(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *f = strdup_printf("%s/launch.conf", dir),
                            *link = strdup_printf("%s/l.conf", dir);
        struct vm_limits l = { .max_conns = 3 };
        char *err = NULL;

        /* absent: fine unless asked for */
        assert_int_equal(limits_conf_load(f, false, &l, &err), 0);
        assert_int_equal(l.max_conns, 3);
        assert_int_equal(limits_conf_load(f, true, &l, &err), -ENOENT);
        assert_non_null(strstr(err, f));
        free(err);
        err = NULL;

        write_conf(f, "# defaults\n\nnet-rate = 100/512\ndisk-rate=50/2000   # per drive\n  max-conns =  256\n", 0644);
        assert_int_equal(limits_conf_load(f, true, &l, &err), 0);
        assert_int_equal(l.net_mbit, 100);
        assert_int_equal(l.net_burst_kib, 512);
        assert_int_equal(l.disk_mbyte, 50);
        assert_int_equal(l.disk_iops, 2000);
        assert_int_equal(l.max_conns, 256);

        static const struct {
                const char *text, *why;
        } bad[] = {
                { "net-rate 100\n", ":1: not 'key = value'" },
                { "\n\nspeed = 1\n", ":3: unknown key 'speed'" },
                { "max-conns = many\n", ":1: max-conns: 'many' is not a number of connections" },
                { "net-rate = 100/x\n", ":1: net-rate: '100/x' is not MBIT[/BURST_KIB]" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct vm_limits before = l;
                write_conf(f, bad[i].text, 0644);
                assert_int_equal(limits_conf_load(f, true, &l, &err), -EINVAL);
                if (!strstr(err, bad[i].why) || !startswith(err, f))
                        fail_msg("'%s': %s", bad[i].text, err);
                assert_memory_equal(&l, &before, sizeof(l)); /* nothing half-applied */
                free(err);
                err = NULL;
        }
        /* not root's, writable by others, a symlink, a directory: refused, naming it */
        write_conf(f, "max-conns = 1\n", 0664);
        assert_int_equal(limits_conf_load(f, true, &l, &err), -EPERM);
        assert_non_null(strstr(err, "is writable by others (mode 0664)"));
        free(err);
        err = NULL;
        write_conf(f, "max-conns = 1\n", 0644);
        assert_int_equal(chown(f, 65534, 0), 0);
        assert_int_equal(limits_conf_load(f, true, &l, &err), -EPERM);
        assert_non_null(strstr(err, "belongs to uid 65534, not root"));
        free(err);
        err = NULL;
        assert_int_equal(chown(f, 0, 0), 0);
        assert_int_equal(symlink(f, link), 0);
        assert_int_equal(limits_conf_load(link, true, &l, &err), -EPERM);
        assert_non_null(strstr(err, "a symlink"));
        free(err);
        err = NULL;
        assert_int_equal(limits_conf_load(dir, true, &l, &err), -EPERM);
        free(err);
        err = NULL;
        assert_int_equal(l.max_conns, 256);
        (void) unlink(link);
        (void) unlink(f);
        (void) rmdir(dir);
}

static void test_fc_limits(void **state) {
        struct vm_limits l = { .net_mbit = 10, .disk_mbyte = 5, .disk_iops = 5 };
        struct fc_vm vm = { .id = "vm-1",
                            .vcpus = 1,
                            .mem_mib = 256,
                            .kernel = "/vmlinux",
                            .rootfs = "/rootfs.ext4",
                            .home = "/disk/home.ext4",
                            .boot_args = "console=ttyS0",
                            .tap = "tap0",
                            .limits = &l };
        struct fc_plan p;

        assert_int_equal(fc_plan_boot(&vm, &p), 0);
        for (size_t i = 0; i < p.n; i++) {
                const char *body =
                        p.r[i].body ? json_object_to_json_string_ext(p.r[i].body, JSON_C_TO_STRING_PLAIN) : "";
                if (streq(p.r[i].path, "/drives/rootfs") || streq(p.r[i].path, "/drives/home"))
                        /* 5 MB/s in tenths; 5 IOPS refilled once a second (a tenth would round to 0) */
                        assert_non_null(strstr(body,
                                               "\"rate_limiter\":{\"bandwidth\":{\"size\":500000,\"refill_time\":100},"
                                               "\"ops\":{\"size\":5,\"refill_time\":1000}}"));
                if (streq(p.r[i].path, "/network-interfaces/eth0")) {
                        assert_non_null(strstr(
                                body, "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":125000,\"refill_time\":100}}"));
                        assert_non_null(strstr(
                                body, "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":125000,\"refill_time\":100}}"));
                }
        }
        fc_plan_done(&p);
        /* a deeper bucket, as tbf's: refilled at the rate (rounded up to the millisecond: never
         * faster than asked) */
        l = (struct vm_limits) { .net_mbit = 10, .net_burst_kib = 1024 };
        json_object *rl = limits_fc_net(&l, false);
        assert_string_equal(json_object_to_json_string_ext(rl, JSON_C_TO_STRING_PLAIN),
                            "{\"bandwidth\":{\"size\":1048576,\"refill_time\":839}}");
        json_object_put(rl);
        assert_null(limits_fc_disk(&l, false));
        /* off: every bucket there, and off */
        rl = limits_fc_disk(&l, true);
        assert_string_equal(json_object_to_json_string_ext(rl, JSON_C_TO_STRING_PLAIN),
                            "{\"bandwidth\":{\"size\":0,\"refill_time\":0},\"ops\":{\"size\":0,\"refill_time\":0}}");
        json_object_put(rl);
        l = (struct vm_limits) {};
        assert_null(limits_fc_net(&l, false));
        rl = limits_fc_net(&l, true);
        assert_string_equal(json_object_to_json_string_ext(rl, JSON_C_TO_STRING_PLAIN),
                            "{\"bandwidth\":{\"size\":0,\"refill_time\":0}}");
        json_object_put(rl);
        /* no limits: no rate_limiter key at all (the bodies are as before) */
        vm.limits = &l;
        assert_int_equal(fc_plan_boot(&vm, &p), 0);
        for (size_t i = 0; i < p.n; i++)
                if (p.r[i].body && !streq(p.r[i].path, "/entropy"))
                        assert_null(strstr(json_object_to_json_string(p.r[i].body), "rate_limiter"));
        fc_plan_done(&p);
}

/* a restore: the snapshot's rate limiters replaced before the guest runs again, or left alone */
static void test_fc_load_limits(void **state) {
        struct vm_limits l = { .net_mbit = 10, .disk_iops = 20 };
        const char *order[] = {
                "/logger", "/metrics", "/snapshot/load", "/drives/rootfs", "/drives/home", "/network-interfaces/eth0",
                "/vm"
        };
        struct fc_plan p;

        assert_int_equal(fc_plan_load("/logger.fifo", "/metrics.fifo", true, &l, true, true, &p), 0);
        assert_int_equal(p.n, ELEMENTSOF(order));
        for (size_t i = 0; i < p.n; i++)
                assert_string_equal(p.r[i].path, order[i]);
        assert_non_null(strstr(json_object_to_json_string(p.r[2].body), "\"resume_vm\": false"));
        /* every bucket: the snapshot's bandwidth bucket, if it had one, is turned off */
        assert_string_equal(json_object_to_json_string_ext(p.r[3].body, JSON_C_TO_STRING_PLAIN),
                            "{\"drive_id\":\"rootfs\",\"rate_limiter\":{\"bandwidth\":{\"size\":0,\"refill_time\":0},"
                            "\"ops\":{\"size\":20,\"refill_time\":1000}}}");
        assert_string_equal(p.r[6].method, "PATCH");
        assert_string_equal(json_object_to_json_string_ext(p.r[6].body, JSON_C_TO_STRING_PLAIN),
                            "{\"state\":\"Resumed\"}");
        fc_plan_done(&p);
        /* no home, no network: the rootfs alone */
        assert_int_equal(fc_plan_load(NULL, NULL, false, &l, false, false, &p), 0);
        assert_int_equal(p.n, 3);
        assert_string_equal(p.r[1].path, "/drives/rootfs");
        fc_plan_done(&p);
        /* no limits: the snapshot's are turned off all the same (what runs is what the state says) */
        l = (struct vm_limits) {};
        assert_int_equal(fc_plan_load("/logger.fifo", "/metrics.fifo", true, &l, true, true, &p), 0);
        assert_int_equal(p.n, ELEMENTSOF(order));
        assert_non_null(strstr(json_object_to_json_string(p.r[2].body), "\"resume_vm\": false"));
        assert_string_equal(json_object_to_json_string_ext(p.r[5].body, JSON_C_TO_STRING_PLAIN),
                            "{\"iface_id\":\"eth0\",\"rx_rate_limiter\":{\"bandwidth\":{\"size\":0,\"refill_time\":0}},"
                            "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":0,\"refill_time\":0}}}");
        fc_plan_done(&p);
        assert_int_equal(fc_plan_load(NULL, NULL, false, NULL, true, true, &p), 0);
        assert_int_equal(p.n, 5);
        fc_plan_done(&p);
}

/* an IPv4 header (20 bytes) to dst, protocol proto, then ports src 40000, dst dport */
static size_t packet(unsigned char *b, unsigned proto, const char *dst, unsigned dport, bool fragment) {
        unsigned a, c, d, e;
        memset(b, 0, 64);
        b[0] = 0x45;
        b[6] = fragment ? 0x00 : 0x40;
        b[7] = fragment ? 0x10 : 0x00;
        b[9] = (unsigned char) proto;
        sscanf(dst, "%u.%u.%u.%u", &a, &c, &d, &e);
        b[16] = (unsigned char) a;
        b[17] = (unsigned char) c;
        b[18] = (unsigned char) d;
        b[19] = (unsigned char) e;
        b[20] = 40000 >> 8;
        b[21] = 40000 & 0xff;
        b[22] = (unsigned char) (dport >> 8);
        b[23] = (unsigned char) (dport & 0xff);
        return 28;
}

static void test_denylog_line(void **state) {
        unsigned char b[64];
        size_t n;
        time_t t = 1796112001; /* 2026-12-01T08:00:01Z */
        char *l;

        n = packet(b, 6, "169.254.169.254", 80, false);
        l = denylog_line(t, "s1", "metadata", b, n);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=metadata proto=tcp dst=169.254.169.254 dport=80\n");
        free(l);
        n = packet(b, 17, "10.0.0.53", 53, false);
        l = denylog_line(t, "s1", "private", b, n);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=private proto=udp dst=10.0.0.53 dport=53\n");
        free(l);
        /* ICMP: no port; a fragment past the first: no port either */
        n = packet(b, 1, "198.51.100.2", 0, false);
        l = denylog_line(t, "s1", "host", b, n);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=host proto=icmp dst=198.51.100.2\n");
        free(l);
        n = packet(b, 6, "203.0.113.9", 443, true);
        l = denylog_line(t, "s1", "deny", b, n);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=deny proto=tcp dst=203.0.113.9\n");
        free(l);
        /* a prefix that is not ours (nothing but our rules log to the group, still) */
        n = packet(b, 132, "203.0.113.9", 0, false);
        l = denylog_line(t, "s1", "x\" y\n", b, n);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=unknown proto=132 dst=203.0.113.9\n");
        free(l);
        /* not IPv4, too short, a header length past the end, a bad id: no line */
        n = packet(b, 6, "203.0.113.9", 443, false);
        assert_null(denylog_line(t, "s1", "deny", b, 19));
        b[0] = 0x65;
        assert_null(denylog_line(t, "s1", "deny", b, n));
        b[0] = 0x4f;
        assert_null(denylog_line(t, "s1", "deny", b, n));
        b[0] = 0x45;
        assert_null(denylog_line(t, "s 1", "deny", b, n));
        /* a TCP header cut short: no port, still a line */
        l = denylog_line(t, "s1", "deny", b, 22);
        assert_string_equal(l, "2026-12-01T08:00:01Z vm=s1 reason=deny proto=tcp dst=203.0.113.9\n");
        free(l);
}

static void test_vmm_counters(void **state) {
        struct vmm_counters c = {}, back;
        _cleanup_free_ char *text = NULL;

        /* Firecracker's counters are deltas: two lines add up */
        assert_int_equal(
                vmm_counters_add_fc(
                        &c,
                        "{\"utc_timestamp_ms\":1,\"block\":{\"read_bytes\":4096,\"write_bytes\":512,"
                        "\"read_count\":1,\"write_count\":1,\"rate_limiter_throttled_events\":2},"
                        "\"net\":{\"tx_rate_limiter_throttled\":3,\"rx_rate_limiter_throttled\":1},"
                        "\"seccomp\":{\"num_faults\":0},\"put_api_requests\":{\"actions_count\":1,"
                        "\"actions_fails\":1,\"drive_fails\":2},\"get_api_requests\":{\"instance_info_count\":4}}"),
                0);
        assert_int_equal(
                vmm_counters_add_fc(&c,
                                    "{\"block\":{\"read_bytes\":4096,\"write_count\":9},\"seccomp\":{\"num_faults\":1},"
                                    "\"patch_api_requests\":{\"drive_fails\":1,\"machine_cfg_fails\":-4}}"),
                0);
        /* num_faults is a stored value in Firecracker, repeated by every line: the largest, not a sum */
        assert_int_equal(vmm_counters_add_fc(&c, "{\"seccomp\":{\"num_faults\":1}}"), 0);
        assert_true(c.block && c.firecracker);
        assert_int_equal(c.read_bytes, 8192);
        assert_int_equal(c.write_bytes, 512);
        assert_int_equal(c.read_ops, 1);
        assert_int_equal(c.write_ops, 10);
        assert_int_equal(c.throttled, 6);
        assert_int_equal(c.seccomp_faults, 1);
        assert_int_equal(c.api_errors, 4); /* the negative one is not a count */
        /* garbage changes nothing */
        assert_int_equal(vmm_counters_add_fc(&c, "{\"block\":"), -EBADMSG);
        assert_int_equal(vmm_counters_add_fc(&c, "[1,2]"), -EBADMSG);
        assert_int_equal(vmm_counters_add_fc(&c, ""), -EBADMSG);
        assert_int_equal(c.read_bytes, 8192);
        text = vmm_counters_format(&c);
        vmm_counters_parse(text, &back);
        assert_memory_equal(&c, &back, sizeof(c));
        vmm_counters_parse("{\"block\": true, \"read_bytes\": \"12\", \"write_bytes\": -1}", &back);
        assert_true(back.block);
        assert_int_equal(back.read_bytes, 0);
        assert_int_equal(back.write_bytes, 0);
        vmm_counters_parse("not json", &back);
        assert_false(back.block);
}

/* Three VMs as the stand-ins of tests/consumers.sh would show them: a Firecracker VM with every
 * counter, a QEMU VM without the Firecracker-only ones, and one that has stopped. */
static void samples(struct vm_sample s[3]) {
        s[0] = (struct vm_sample) { .id = "fc-1",
                                    .backend = "firecracker",
                                    .up = true,
                                    .uptime_s = 3600,
                                    .watchdog_kills = 0,
                                    .cpu_s = 12.5,
                                    .vcpu_s = 10.25,
                                    .mem_bytes = 272629760,
                                    .mem_peak_bytes = 301989888,
                                    .net = true,
                                    .guest_tx_bytes = 5000000,
                                    .guest_tx_packets = 4000,
                                    .guest_rx_bytes = 90000000,
                                    .guest_rx_packets = 62000,
                                    .tc_throttled_tx = 117,
                                    .tc_throttled_rx = 0,
                                    .denied_known = true,
                                    .denied = { 3, 41, 1, 0, 5 },
                                    .vmm_known = true,
                                    .vmm = { .block = true,
                                             .read_bytes = 104857600,
                                             .write_bytes = 4194304,
                                             .read_ops = 2400,
                                             .write_ops = 310,
                                             .firecracker = true,
                                             .throttled = 7,
                                             .seccomp_faults = 0,
                                             .api_errors = 1 } };
        s[1] = (struct vm_sample) {
                .id = "qemu-2",
                .backend = "qemu",
                .up = true,
                .uptime_s = 59,
                .cpu_s = 3,
                .vcpu_s = 2.5,
                .mem_bytes = 157286400,
                .mem_peak_bytes = 157286400,
                .net = true,
                .guest_tx_bytes = 1200,
                .guest_tx_packets = 14,
                .guest_rx_bytes = 3400,
                .guest_rx_packets = 12,
                .denied_known = true,
                .vmm_known = true,
                .vmm = { .block = true, .read_bytes = 9437184, .write_bytes = 0, .read_ops = 180, .write_ops = 0 }
        };
        s[2] = (struct vm_sample) { .id = "gone-3",
                                    .backend = "firecracker",
                                    .up = false,
                                    .uptime_s = 0,
                                    .watchdog_kills = 1,
                                    .cpu_s = -1,
                                    .vcpu_s = -1,
                                    .mem_bytes = -1,
                                    .mem_peak_bytes = -1 };
}

static void golden(const char *name, const char *text) {
        _cleanup_free_ char *path = strdup_printf("tests/expected/%s", name), *want = NULL;
        if (getenv("UPDATE") && streq(getenv("UPDATE"), "1")) {
                assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
                return;
        }
        assert_int_equal(read_file_capped(path, 1 << 20, &want, NULL), 0);
        if (!streq(want, text))
                fail_msg("%s differs from what the renderer writes:\n%s", path, text);
}

static void test_metrics_render(void **state) {
        struct vm_sample s[3];
        _cleanup_free_ char *prom = NULL, *json = NULL, *empty = NULL;

        samples(s);
        prom = metrics_prometheus(s, 3);
        json = metrics_json(s, 3);
        assert_non_null(prom);
        assert_non_null(json);
        golden("metrics-3vms.prom", prom);
        golden("metrics-3vms.json", json);
        /* Firecracker-only families carry only Firecracker VMs; a stopped VM's unknowns are absent */
        assert_non_null(strstr(prom, "sis_vm_seccomp_faults_total{vm=\"fc-1\",backend=\"firecracker\"} 0\n"));
        assert_null(strstr(prom, "sis_vm_seccomp_faults_total{vm=\"qemu-2\""));
        assert_null(strstr(prom, "sis_vm_memory_bytes{vm=\"gone-3\""));
        assert_non_null(strstr(prom, "sis_vm_up{vm=\"gone-3\",backend=\"firecracker\"} 0\n"));
        assert_non_null(strstr(
                prom, "sis_vm_denied_packets_total{vm=\"fc-1\",backend=\"firecracker\",reason=\"private\"} 41\n"));
        /* no VM: an empty exposition (valid), and an empty list */
        empty = metrics_prometheus(NULL, 0);
        assert_string_equal(empty, "");
        free(empty);
        empty = metrics_json(NULL, 0);
        assert_string_equal(empty, "{\n  \"vms\":[\n  ]\n}\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_limits_parse),   cmocka_unit_test(test_limits_conf),
                cmocka_unit_test(test_fc_limits),      cmocka_unit_test(test_fc_load_limits),
                cmocka_unit_test(test_denylog_line),   cmocka_unit_test(test_vmm_counters),
                cmocka_unit_test(test_metrics_render),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
