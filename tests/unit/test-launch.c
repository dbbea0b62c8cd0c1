/* SPDX-License-Identifier: MIT */
/* sis-launch: names, cgroup detection, the jailer's argv, Firecracker request bodies, leases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "cgroup.h"
#include "fc.h"
#include "helpers.h"
#include "jail.h"
#include "run.h"
#include "snapshot.h"
#include "state.h"

static void test_vm_id(void **state) {
        char long_id[66];

        assert_true(vm_id_ok("vm-1"));
        assert_true(vm_id_ok("A"));
        memset(long_id, 'a', 64);
        long_id[64] = '\0';
        assert_true(vm_id_ok(long_id));
        long_id[64] = 'a';
        long_id[65] = '\0';
        assert_false(vm_id_ok(long_id));
        assert_false(vm_id_ok(""));
        assert_false(vm_id_ok(NULL));
        assert_false(vm_id_ok("vm_1"));
        assert_false(vm_id_ok("../x"));
        assert_false(vm_id_ok("vm 1"));
        assert_false(vm_id_ok("v\xc3\xa9")); /* Rust's is_alphanumeric would take it; the jail path must not */
}

static void test_cgroup_detect(void **state) {
        assert_int_equal(cgroup_version_detect("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"), 2);
        /* hybrid: v1 controllers plus a unified mount elsewhere -> the jailer needs v1 */
        assert_int_equal(cgroup_version_detect("tmpfs /sys/fs/cgroup tmpfs ro 0 0\n"
                                               "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
                                               "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"),
                         1);
        assert_int_equal(cgroup_version_detect("proc /proc proc rw 0 0\n"), -ENOENT);
        assert_int_equal(cgroup_version_detect(""), -ENOENT);
}

static char *joined(char **v) {
        struct sbuf sb = {};
        for (char **p = v; *p; p++)
                sbuf_printf(&sb, "%s%s", p == v ? "" : " ", *p);
        return sbuf_steal(&sb);
}

static void test_jailer_argv(void **state) {
        char *vmm[] = { (char *) "--api-sock", (char *) "/run/firecracker.socket", NULL };
        struct jailer_opts o = { .jailer = "/usr/local/bin/jailer", .id = "vm-1", .exec_file = "/usr/local/bin/firecracker",
                                 .uid = 10001, .gid = 10001, .chroot_base = "/srv/jailer", .netns = "/run/netns/sis-vm-1",
                                 .cgroup_version = 2, .vcpus = 2, .mem_mib = 512, .vmm_args = vmm };
        char **argv = NULL, *s;

        assert_int_equal(jailer_argv(&o, &argv), 0);
        s = joined(argv);
        assert_string_equal(s, "/usr/local/bin/jailer --id vm-1 --exec-file /usr/local/bin/firecracker --uid 10001 --gid 10001 "
                               "--chroot-base-dir /srv/jailer --netns /run/netns/sis-vm-1 --new-pid-ns --daemonize "
                               "--cgroup-version 2 --cgroup cpu.max=200000 100000 --cgroup memory.max=603979776 "
                               "--cgroup memory.swap.max=0 --cgroup pids.max=64 --resource-limit no-file=2048 "
                               "--resource-limit fsize=1073741824 -- --api-sock /run/firecracker.socket");
        free(s);
        strv_free(argv);
        o.cgroup_version = 1;
        o.netns = NULL;
        assert_int_equal(jailer_argv(&o, &argv), 0);
        s = joined(argv);
        assert_non_null(strstr(s, "--cgroup-version 1 --cgroup cpu.cfs_period_us=100000 --cgroup cpu.cfs_quota_us=200000 "
                                  "--cgroup memory.limit_in_bytes=603979776 --cgroup pids.max=64"));
        assert_null(strstr(s, "--netns"));
        free(s);
        strv_free(argv);
        o.id = "bad/id";
        assert_int_equal(jailer_argv(&o, &argv), -EINVAL);
}

static void test_fc_plan(void **state) {
        struct fc_vm vm = { .id = "vm-1", .vcpus = 1, .mem_mib = 256, .kernel = "/vmlinux", .rootfs = "/rootfs.ext4",
                            .home = "/disk/home.ext4", .boot_args = "console=ttyS0", .tap = "tap0",
                            .guest_mac = "06:00:AC:10:00:02", .log_path = "/logger.fifo", .metrics_path = "/metrics.fifo" };
        struct fc_plan p;
        json_object *doc, *drives;
        const char *order[] = { "/logger", "/metrics", "/machine-config", "/boot-source", "/drives/rootfs", "/drives/home",
                                "/network-interfaces/eth0", "/entropy", "/actions" };

        assert_int_equal(fc_plan_boot(&vm, &p), 0);
        assert_int_equal(p.n, ELEMENTSOF(order));
        for (size_t i = 0; i < p.n; i++)
                assert_string_equal(p.r[i].path, order[i]);
        assert_string_equal(json_object_to_json_string_ext(p.r[4].body, JSON_C_TO_STRING_PLAIN),
                            "{\"drive_id\":\"rootfs\",\"path_on_host\":\"\\/rootfs.ext4\",\"is_root_device\":true,"
                            "\"is_read_only\":true,\"cache_type\":\"Unsafe\",\"io_engine\":\"Sync\"}");
        doc = fc_config_file(&p);
        assert_true(json_object_object_get_ex(doc, "drives", &drives));
        assert_int_equal(json_object_array_length(drives), 2);
        assert_false(json_object_object_get_ex(doc, "actions", NULL)); /* a config file boots by itself */
        assert_true(json_object_object_get_ex(doc, "network-interfaces", NULL));
        json_object_put(doc);
        fc_plan_done(&p);

        vm.home = NULL;
        vm.tap = NULL;
        vm.log_path = vm.metrics_path = NULL;
        assert_int_equal(fc_plan_boot(&vm, &p), 0);
        assert_int_equal(p.n, 5); /* machine-config, boot-source, rootfs, entropy, InstanceStart */
        fc_plan_done(&p);
}

static void test_boot_args_and_mac(void **state) {
        char mac[18];
        _cleanup_free_ char *a = fc_boot_args(false, false, "172.16.0.2", "172.16.0.1", "255.255.255.252"), *b = fc_boot_args(true, false, NULL, NULL, NULL);

        assert_non_null(strstr(a, "8250.nr_uarts=0 "));
        assert_non_null(strstr(a, " ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off"));
        assert_null(strstr(a, "console="));
        assert_non_null(strstr(b, "console=ttyS0 "));
        assert_null(strstr(b, "ip="));
        fc_mac_for("172.16.0.2", mac);
        assert_string_equal(mac, "06:00:AC:10:00:02");
}

/* Many processes race for leases from a range of 8: each number goes to exactly one. */
static void test_lease_race(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL);
        pid_t kids[12];
        char owner[16];
        uint32_t got;
        int taken = 0, none = 0;

        for (int i = 0; i < 12; i++) {
                kids[i] = fork();
                assert_true(kids[i] >= 0);
                if (kids[i] == 0) {
                        snprintf(owner, sizeof(owner), "vm-%d", i);
                        int k = lease_take(dir, "uid", 100, 107, owner, &got);
                        free(dir); /* the child's copy: valgrind follows forks */
                        _exit(k == 0 ? 0 : k == -EUSERS ? 1 : 2);
                }
        }
        for (int i = 0; i < 12; i++) {
                int st;
                assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
                assert_true(WIFEXITED(st));
                if (WEXITSTATUS(st) == 0)
                        taken++;
                else if (WEXITSTATUS(st) == 1)
                        none++;
                else
                        fail_msg("a lease_take failed");
        }
        assert_int_equal(taken, 8);
        assert_int_equal(none, 4);
        /* each lease file names one owner, and every owner holds one lease */
        for (unsigned n = 100; n <= 107; n++) {
                _cleanup_free_ char *p = strdup_printf("%s/leases/uid/%u", dir, n), *text = NULL;
                assert_int_equal(read_file_capped(p, 64, &text, NULL), 0);
                assert_true(startswith(text, "vm-"));
        }
        {
                /* give back the lease of whoever holds 100: exactly one, and one slot frees up */
                _cleanup_free_ char *p = strdup_printf("%s/leases/uid/100", dir), *holder = NULL;
                assert_int_equal(read_file_capped(p, 64, &holder, NULL), 0);
                strstrip(holder);
                assert_int_equal(lease_release(dir, "uid", holder), 1);
                assert_int_equal(lease_count(dir, "uid"), 7);
        }
        assert_int_equal(lease_take(dir, "uid", 100, 107, "vm-new", &got), 0);
        assert_int_equal(lease_take(dir, "uid", 100, 107, "vm-newer", &got), -EUSERS);
        rm_rf(dir);
}

/* Two processes claim one snapshot, 200 times: exactly one wins every time, and the loser is told
 * who holds it. */
static void test_ledger_race(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL);

        for (int round = 0; round < 200; round++) {
                char key[32];
                int wins = 0;
                pid_t kids[2];
                snprintf(key, sizeof(key), "snap%03d", round);
                for (int i = 0; i < 2; i++) {
                        kids[i] = fork();
                        assert_true(kids[i] >= 0);
                        if (kids[i] == 0) {
                                char *holder = NULL;
                                int k = ledger_claim(dir, key, i ? "b" : "a", &holder);
                                int code = k == 0 ? 0 : k == -EEXIST && holder && (holder[0] == 'a' || holder[0] == 'b') ? 1 : 2;
                                free(holder);
                                free(dir);
                                _exit(code);
                        }
                }
                for (int i = 0; i < 2; i++) {
                        int st;
                        assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
                        assert_true(WIFEXITED(st));
                        assert_true(WEXITSTATUS(st) <= 1);
                        wins += WEXITSTATUS(st) == 0;
                }
                assert_int_equal(wins, 1);
        }
        rm_rf(dir);
}

static void test_guest_kernel_version(void **state) {
        static const struct tfile files[] = {
                { "/vmlinux", "\x7f" "ELF junk Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP" },
                { "/none", "no version string here" },
                {}
        };
        _cleanup_free_ char *dir = mkroot(files), *a = strdup_printf("%s/vmlinux", dir), *b = strdup_printf("%s/none", dir);
        _cleanup_free_ char *v = NULL;

        /* the string must be followed by enough bytes to be believed: pad the file */
        {
                int fd = open(a, O_WRONLY | O_APPEND);
                char pad[256] = {};
                assert_true(fd >= 0);
                assert_int_equal(write(fd, pad, sizeof(pad)), (ssize_t) sizeof(pad));
                close(fd);
        }
        v = guest_kernel_version(a);
        assert_non_null(v);
        assert_string_equal(v, "6.1.0-28-amd64");
        assert_null(guest_kernel_version(b));
        assert_null(guest_kernel_version("/nonexistent"));
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vm_id),     cmocka_unit_test(test_cgroup_detect),     cmocka_unit_test(test_jailer_argv),
                cmocka_unit_test(test_fc_plan),   cmocka_unit_test(test_boot_args_and_mac), cmocka_unit_test(test_lease_race),
                cmocka_unit_test(test_ledger_race), cmocka_unit_test(test_guest_kernel_version),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
