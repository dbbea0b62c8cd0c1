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
#include "imgcheck.h"
#include "jail.h"
#include "registry.h"
#include "run.h"
#include "snapshot.h"
#include "state.h"
#include "verity.h"

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
        struct jailer_opts o = { .jailer = "/usr/local/bin/jailer",
                                 .id = "vm-1",
                                 .exec_file = "/usr/local/bin/firecracker",
                                 .uid = 10001,
                                 .gid = 10001,
                                 .chroot_base = "/srv/jailer",
                                 .netns = "/run/netns/sis-vm-1",
                                 .cgroup_version = 2,
                                 .vcpus = 2,
                                 .mem_mib = 512,
                                 .vmm_args = vmm };
        char **argv = NULL, *s;

        assert_int_equal(jailer_argv(&o, &argv), 0);
        s = joined(argv);
        assert_string_equal(
                s,
                "/usr/local/bin/jailer --id vm-1 --exec-file /usr/local/bin/firecracker --uid 10001 --gid 10001 "
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
        assert_non_null(strstr(s,
                               "--cgroup-version 1 --cgroup cpu.cfs_period_us=100000 --cgroup cpu.cfs_quota_us=200000 "
                               "--cgroup memory.limit_in_bytes=603979776 --cgroup pids.max=64"));
        assert_null(strstr(s, "--netns"));
        free(s);
        strv_free(argv);
        /* a VM of more memory than 1 GiB: Firecracker writes all of it into snapshot/mem */
        o.mem_mib = 4096;
        assert_int_equal(jailer_argv(&o, &argv), 0);
        s = joined(argv);
        assert_non_null(strstr(s, "--resource-limit fsize=4362076160 --")); /* 4096 + 64 MiB */
        free(s);
        strv_free(argv);
        o.id = "bad/id";
        assert_int_equal(jailer_argv(&o, &argv), -EINVAL);
}

static void test_fc_plan(void **state) {
        struct fc_vm vm = { .id = "vm-1",
                            .vcpus = 1,
                            .mem_mib = 256,
                            .kernel = "/vmlinux",
                            .rootfs = "/rootfs.ext4",
                            .home = "/disk/home.ext4",
                            .boot_args = "console=ttyS0",
                            .tap = "tap0",
                            .guest_mac = "06:00:AC:10:00:02",
                            .log_path = "/logger.fifo",
                            .metrics_path = "/metrics.fifo" };
        struct fc_plan p;
        json_object *doc, *drives;
        const char *order[] = { "/logger",        "/metrics",     "/machine-config",          "/boot-source",
                                "/drives/rootfs", "/drives/home", "/network-interfaces/eth0", "/entropy",
                                "/actions" };

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
        _cleanup_free_ char *a = fc_boot_args(false, false, NULL, "172.16.0.2", "172.16.0.1", "255.255.255.252"),
                            *b = fc_boot_args(true, false, NULL, NULL, NULL, NULL);

        assert_non_null(strstr(a, "8250.nr_uarts=0 "));
        assert_non_null(strstr(a, " ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off"));
        assert_null(strstr(a, "console="));
        assert_non_null(strstr(b, "console=ttyS0 "));
        assert_null(strstr(b, "ip="));
        fc_mac_for("172.16.0.2", mac);
        assert_string_equal(mac, "06:00:AC:10:00:02");
}

/* A verity root: the table from the manifest's fields, /dev/dm-0 mounted, Firecracker adds no root=
 * of its own (its rootfs drive is not the root device) and QEMU names no /dev/vda. */
static void test_verity_boot(void **state) {
        json_object *m = json_tokener_parse(
                "{\"root_hash\": \""
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                "\", \"salt\": \""
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                "\", \"hash_algorithm\": \"sha256\", "
                "\"data_block_size\": 4096, \"hash_block_size\": 4096, \"data_blocks\": 1000, \"hash_offset\": 4096000, "
                "\"hash_start_block\": 1001}");
        struct verity_info v;
        struct fc_plan p = {};
        _cleanup_free_ char *t = NULL, *fa = NULL, *qa = NULL;

        assert_int_equal(verity_from_json(m, &v), 0);
        t = verity_dm_create(&v, "sis-root", "/dev/vda");
        assert_string_equal(t,
                            "sis-root,,,ro,0 8000 verity 1 /dev/vda /dev/vda 4096 4096 1000 1001 sha256 "
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
                            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        fa = fc_boot_args(false, false, t, NULL, NULL, NULL);
        qa = fc_boot_args(false, true, t, NULL, NULL, NULL);
        assert_non_null(strstr(fa, "root=/dev/dm-0 ro dm-mod.create=\"sis-root,,,ro,0 8000 verity 1 "));
        assert_non_null(strstr(qa, "root=/dev/dm-0 ro "));
        assert_null(strstr(qa, "/dev/vda ro"));
        {
                struct fc_vm vm = { .id = "vm1",
                                    .vcpus = 1,
                                    .mem_mib = 128,
                                    .kernel = "/vmlinux",
                                    .rootfs = "/rootfs.ext4",
                                    .boot_args = fa,
                                    .verity = true };
                json_object *root;
                assert_int_equal(fc_plan_boot(&vm, &p), 0);
                for (size_t i = 0; i < p.n; i++)
                        if (streq(p.r[i].path, "/drives/rootfs")) {
                                assert_true(json_object_object_get_ex(p.r[i].body, "is_root_device", &root));
                                assert_false(json_object_get_boolean(root));
                        }
                fc_plan_done(&p);
        }
        /* a manifest whose numbers disagree, or whose hash is not hex, is refused */
        json_object_object_add(m, "hash_start_block", json_object_new_int(7));
        assert_int_equal(verity_from_json(m, &v), -EINVAL);
        json_object_object_add(m, "hash_start_block", json_object_new_int(1001));
        json_object_object_add(m, "root_hash", json_object_new_string("0123 dm-mod.create=evil"));
        assert_int_equal(verity_from_json(m, &v), -EINVAL);
        json_object_put(m);
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
                                int code = k == 0                                                          ? 0
                                        : k == -EEXIST && holder && (holder[0] == 'a' || holder[0] == 'b') ? 1
                                                                                                           : 2;
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
                { "/vmlinux",
                  "\x7f"
                  "ELF junk Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP" },
                { "/none", "no version string here" },
                {}
        };
        _cleanup_free_ char *dir = mkroot(files), *a = strdup_printf("%s/vmlinux", dir),
                            *b = strdup_printf("%s/none", dir);
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

/* state.json: a state written, loaded and written again is the same file, key for key; a
 * mistyped member reads as absent. */
static void test_vm_state_roundtrip(void **state) {
        static const struct tfile files[] = { { "/vms/a/", NULL },
                                              { "/vms/b/state.json", "{\"uid\": \"x\", \"vcpus\": 2}" },
                                              {} };
        _cleanup_free_ char *dir = mkroot(files), *p = strdup_printf("%s/vms/a/state.json", dir), *t1 = NULL,
                            *t2 = NULL;
        char *allow[] = { (char *) "203.0.113.0/24", NULL };
        struct vm_state st = VM_STATE_INIT, back;

        st.boot_args = "console=ttyS0";
        st.guest_kernel = "6.1.0";
        st.has_images = true;
        st.rootfs_image.sha256 = "ab";
        st.rootfs_image.verity_root_hash = "cd";
        st.has_net = true;
        st.net.slot = 3;
        st.net.ns_path = "/run/netns/sis-a";
        st.net.allow = allow;
        st.net.uplink = "eth0";
        st.id = "a";
        st.backend = "qemu";
        st.uid = st.gid = 10001;
        st.qmp_socket = "run/qmp.sock";
        st.api_socket = "";
        st.accel = "tcg";
        st.watchdog_s = 5;
        st.rootfs = "/img/rootfs.ext4";
        st.vcpus = 1;
        st.mem_mib = 512;
        st.limits.net_mbit = 100;
        st.cgroup_version = 2;
        st.argv = "qemu-system-x86_64 -m 512";
        st.audit.report_sha256 = "00";
        st.audit.profile = "production";
        st.has_created = true;
        st.created = 1700000000;
        st.jail_setup_ms = 12.5;
        st.pid = 4242;
        st.pid_starttime = 99;
        st.watchdog = "killed";
        st.watchdog_killed_at = 1700000001;
        assert_int_equal(vm_state_save(dir, "a", &st), 0);
        assert_int_equal(read_file_capped(p, 1 << 20, &t1, NULL), 0);
        assert_non_null(strstr(t1, "\"qemu_version\": null"));
        assert_non_null(strstr(t1, "\"policy\": null"));
        assert_null(strstr(t1, "\"home\""));
        assert_int_equal(vm_state_load(dir, "a", &back), 0);
        assert_string_equal(back.net.allow[0], "203.0.113.0/24");
        assert_int_equal(back.limits.net_mbit, 100);
        assert_int_equal(back.pid, 4242);
        assert_true(back.jail_setup_ms == 12.5);
        assert_int_equal(vm_state_save(dir, "a", &back), 0);
        vm_state_done(&back);
        assert_int_equal(read_file_capped(p, 1 << 20, &t2, NULL), 0);
        assert_string_equal(t1, t2);
        assert_int_equal(vm_state_load(dir, "b", &back), 0);
        assert_int_equal(back.uid, 0);
        assert_int_equal(back.vcpus, 2);
        assert_false(back.has_created);
        vm_state_done(&back);
        assert_int_equal(vm_state_load(dir, "none", &back), -ENOENT);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vm_id),
                cmocka_unit_test(test_cgroup_detect),
                cmocka_unit_test(test_jailer_argv),
                cmocka_unit_test(test_fc_plan),
                cmocka_unit_test(test_boot_args_and_mac),
                cmocka_unit_test(test_verity_boot),
                cmocka_unit_test(test_ledger_race),
                cmocka_unit_test(test_guest_kernel_version),
                cmocka_unit_test(test_vm_state_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
