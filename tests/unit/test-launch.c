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

/* Many processes claim VMs from a registry with 8 uids and 8 slots: each uid and slot goes to
 * exactly one, the name to one, and dropping an entry frees both. */
static void test_registry_race(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *reg = strdup_printf("%s/registry", dir);
        struct reg_claim c = { .backend = "qemu",
                               .run_dir = dir,
                               .chroot_base = dir,
                               .uid_min = 3000000000u,
                               .uid_max = 3000000007u,
                               .net_pool = "10.200.0.0/27" };
        _cleanup_strv_free_ char **ids = NULL;
        struct reg_vm vm = {}, vm2 = {};
        bool uid_seen[8] = {}, slot_seen[8] = {};
        pid_t kids[12];
        int taken = 0, none = 0;

        reg_use_dir(reg);
        for (int i = 0; i < 12; i++) {
                kids[i] = fork();
                assert_true(kids[i] >= 0);
                if (kids[i] == 0) {
                        char id[16];
                        _cleanup_free_ char *err = NULL;
                        struct reg_vm got = {};
                        snprintf(id, sizeof(id), "vm-%d", i);
                        c.id = id;
                        int k = reg_claim(&c, &got, &err);
                        reg_vm_done(&got);
                        free(dir); /* the child's copies: valgrind follows forks */
                        free(reg);
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
                        fail_msg("a reg_claim failed");
        }
        assert_int_equal(taken, 8);
        assert_int_equal(none, 4);
        assert_int_equal(reg_list(&ids), 0);
        assert_int_equal(strv_length(ids), 8);
        for (char **id = ids; *id; id++) {
                assert_int_equal(reg_load(*id, &vm), 0);
                assert_true(vm.uid >= 3000000000u && vm.uid <= 3000000007u && !uid_seen[vm.uid - 3000000000u]);
                assert_true(vm.slot >= 0 && vm.slot < 8 && !slot_seen[vm.slot]);
                uid_seen[vm.uid - 3000000000u] = slot_seen[vm.slot] = true;
                assert_int_equal(vm.net_base, (10u << 24 | 200u << 16) + 4u * (unsigned) vm.slot);
                reg_vm_done(&vm);
        }
        {
                /* a name is the host's: a second claim of it fails, whatever the run dir */
                _cleanup_free_ char *err = NULL;
                c.id = ids[0];
                c.run_dir = "/elsewhere";
                assert_int_equal(reg_claim(&c, &vm, &err), -EEXIST);
                assert_non_null(strstr(err, "exists already"));
        }
        /* dropping one frees exactly its uid and slot */
        assert_int_equal(reg_drop(ids[0]), 0);
        {
                _cleanup_free_ char *err = NULL;
                c.id = "vm-new";
                assert_int_equal(reg_claim(&c, &vm, &err), 0);
                reg_vm_done(&vm);
                c.id = "vm-newer";
                free(err);
                err = NULL;
                assert_int_equal(reg_claim(&c, &vm, &err), -EUSERS);
        }
        /* made bits survive a reload */
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_int_equal(reg_mark(&vm, REG_JAIL | REG_NET), 0);
        reg_vm_done(&vm);
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_int_equal(vm.made, REG_JAIL | REG_NET);
        assert_null(vm.snapshot_tmp);
        /* a snapshot being written is recorded with the VM, for clean */
        vm.snapshot_tmp = strdup("/srv/snaps/s1.tmp.AbC123");
        assert_int_equal(reg_save(&vm), 0);
        reg_vm_done(&vm);
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_string_equal(vm.snapshot_tmp, "/srv/snaps/s1.tmp.AbC123");
        /* a clean drops the entry under a run that is still going: the run's next mark cannot bring
         * it back (its uid and slot may be another VM's by then), nor write over a new claim */
        assert_int_equal(reg_drop("vm-new"), 0);
        assert_int_equal(reg_mark(&vm, REG_CGROUP), -ENOENT);
        assert_int_equal(reg_load("vm-new", &vm2), -ENOENT);
        {
                _cleanup_free_ char *err = NULL;
                c.id = "vm-new";
                c.net_pool = NULL;
                assert_int_equal(reg_claim(&c, &vm2, &err), 0);
                reg_vm_done(&vm2);
        }
        assert_int_equal(reg_mark(&vm, REG_CGROUP), -ESTALE);
        assert_int_equal(reg_load("vm-new", &vm2), 0);
        assert_int_equal(vm2.slot, -1);
        assert_int_equal(vm2.made, 0);
        reg_vm_done(&vm2);
        reg_vm_done(&vm);
        reg_use_dir(NULL);
        rm_rf(dir);
}

/* A uid a running process has is not handed out; one that only an exited, not yet reaped process
 * (a zombie: init reaps a daemonized VMM late) has, is. */
static void test_registry_busy_uid(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *reg = strdup_printf("%s/registry", dir);
        struct reg_claim c = { .id = "vm-b",
                               .backend = "qemu",
                               .run_dir = dir,
                               .chroot_base = dir,
                               .uid_min = 3000000100u,
                               .uid_max = 3000000101u };
        struct reg_vm vm = {};
        int ready[2], st;
        char x;
        pid_t kid;

        if (geteuid() != 0)
                skip();
        reg_use_dir(reg);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        kid = fork();
        assert_true(kid >= 0);
        if (kid == 0) {
                close(ready[0]);
                if (setresuid(3000000100u, 3000000100u, 3000000100u) < 0)
                        _exit(1);
                (void) !write(ready[1], "x", 1);
                /* alive until the parent closes its end, then a zombie until it is reaped */
                (void) !read(ready[1], &x, 1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        assert_int_equal(read(ready[0], &x, 1), 1);
        /* running: its uid is busy */
        assert_int_equal(reg_claim(&c, &vm, NULL), 0);
        assert_int_equal(vm.uid, 3000000101u);
        reg_vm_done(&vm);
        assert_int_equal(reg_drop("vm-b"), 0);
        /* exited, not reaped: its uid is free */
        kill(kid, SIGKILL);
        {
                _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", (int) kid), *text = NULL;
                for (int i = 0; i < 500; i++) {
                        free(text);
                        text = NULL;
                        if (read_file_capped(p, 4096, &text, NULL) >= 0 && strstr(text, ") Z "))
                                break;
                        usleep(10000);
                }
                assert_non_null(strstr(strempty(text), ") Z "));
        }
        assert_int_equal(reg_claim(&c, &vm, NULL), 0);
        assert_int_equal(vm.uid, 3000000100u);
        reg_vm_done(&vm);
        assert_int_equal(waitpid(kid, &st, 0), kid);
        close(ready[0]);
        reg_use_dir(NULL);
        rm_rf(dir);
}

/* Where root may keep state: root's, not writable by others, no one else's symlink on the way. */
static void test_dir_trusted(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *ok = strdup_printf("%s/ok/deeper/missing", dir),
                            *open_ = strdup_printf("%s/open", dir), *under = strdup_printf("%s/open/x", dir),
                            *sticky = strdup_printf("%s/sticky", dir), *insticky = strdup_printf("%s/sticky/mine", dir),
                            *theirs = strdup_printf("%s/theirs", dir), *link = strdup_printf("%s/sticky/link", dir),
                            *newsticky = strdup_printf("%s/sticky/new", dir),
                            *deepsticky = strdup_printf("%s/sticky/new/deeper", dir),
                            *newinsticky = strdup_printf("%s/sticky/mine/new/deeper", dir);
        char *why = NULL;

        if (geteuid() != 0)
                skip();
        assert_int_equal(mkdir_parents(ok, 0755), 0);
        assert_int_equal(rmdir(ok), 0); /* a missing last component is fine */
        assert_int_equal(dir_trusted(ok, &why), 0);
        assert_int_equal(mkdir(open_, 0777), 0);
        assert_int_equal(chmod(open_, 0777), 0);
        assert_int_equal(mkdir(under, 0755), 0);
        assert_int_equal(dir_trusted(open_, &why), -EPERM);
        assert_non_null(strstr(why, "writable by others (mode 0777)"));
        free(why), why = NULL;
        assert_int_equal(dir_trusted(under, &why), -EPERM); /* a parent anyone can write to */
        free(why), why = NULL;
        assert_int_equal(mkdir(sticky, 0777), 0);
        assert_int_equal(chmod(sticky, 01777), 0);
        assert_int_equal(mkdir(insticky, 0700), 0);
        assert_int_equal(dir_trusted(insticky, &why), 0);    /* /tmp/x: a root-owned sticky parent */
        assert_int_equal(dir_trusted(sticky, &why), -EPERM); /* but not itself */
        free(why), why = NULL;
        /* nor a directory root would make there: anyone can make it first, and own it */
        assert_int_equal(dir_trusted(newsticky, &why), -EPERM);
        assert_non_null(strstr(why, "does not exist, and"));
        assert_non_null(strstr(why, "is writable by others (mode 1777): make it first"));
        free(why), why = NULL;
        assert_int_equal(dir_trusted(deepsticky, &why), -EPERM);
        free(why), why = NULL;
        assert_int_equal(dir_trusted(newinsticky, &why), 0); /* under root's own directory there */
        assert_int_equal(mkdir(theirs, 0755), 0);
        assert_int_equal(chown(theirs, 65534, 65534), 0);
        assert_int_equal(dir_trusted(theirs, &why), -EPERM);
        assert_non_null(strstr(why, "not root"));
        free(why), why = NULL;
        /* someone else's symlink in a sticky directory leads wherever they like */
        assert_int_equal(symlink(ok, link), 0);
        assert_int_equal(lchown(link, 65534, 65534), 0);
        assert_int_equal(dir_trusted(link, &why), -EPERM);
        assert_non_null(strstr(why, "symlink"));
        free(why);
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
                cmocka_unit_test(test_registry_race),
                cmocka_unit_test(test_registry_busy_uid),
                cmocka_unit_test(test_dir_trusted),
                cmocka_unit_test(test_ledger_race),
                cmocka_unit_test(test_guest_kernel_version),
                cmocka_unit_test(test_vm_state_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
