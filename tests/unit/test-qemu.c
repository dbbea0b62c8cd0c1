/* SPDX-License-Identifier: MIT */
/* The QEMU backend's data: cgroup plans from mount tables (v1, hybrid, v2), QEMU's argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cgroup.h"
#include "helpers.h"
#include "qemu.h"

/* This development host: v1 controllers plus an empty unified hierarchy (hybrid). */
static const char hybrid[] =
        "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
        "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
        "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n"
        "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
        "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n"
        "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
/* Debian 12 with systemd: cgroup2 alone. */
static const char unified[] =
        "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
        "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n";
/* A v1 host with controllers co-mounted, as older distributions do. */
static const char comounted[] = "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0\n"
                                "cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,memory 0 0\n";

static char *joined(char **l) {
        struct sbuf sb = {};
        for (char **p = l; p && *p; p++)
                sbuf_printf(&sb, "%s\n", *p);
        return sbuf_steal(&sb);
}

static void test_cgroup_plan_v1(void **state) {
        struct cgroup_limits l = { .vcpus = 2, .mem_bytes = 768ull << 20, .pids = 130 };
        struct cgroup_plan p = {};
        _cleanup_free_ char *w = NULL, *j = NULL;

        assert_int_equal(cgroup_plan_make(hybrid, 1, "qemu", "vm1", &l, &p), 0);
        j = joined(p.join);
        assert_string_equal(j, "/sys/fs/cgroup/cpu/qemu/vm1\n/sys/fs/cgroup/memory/qemu/vm1\n/sys/fs/cgroup/pids/qemu/vm1\n");
        w = joined(p.writes);
        assert_string_equal(w, "/sys/fs/cgroup/cpu/qemu/vm1/cpu.cfs_period_us\n100000\n"
                               "/sys/fs/cgroup/cpu/qemu/vm1/cpu.cfs_quota_us\n200000\n"
                               "/sys/fs/cgroup/memory/qemu/vm1/memory.limit_in_bytes\n805306368\n"
                               "/sys/fs/cgroup/pids/qemu/vm1/pids.max\n130\n");
        /* parents before children */
        assert_string_equal(p.dirs[0], "/sys/fs/cgroup/cpu/qemu");
        assert_string_equal(p.dirs[1], "/sys/fs/cgroup/cpu/qemu/vm1");
        cgroup_plan_done(&p);

        /* co-mounted controllers: one directory serves both */
        assert_int_equal(cgroup_plan_make(comounted, 1, "qemu", "vm1", &l, &p), 0);
        assert_int_equal(strv_length(p.join), 2);
        assert_string_equal(p.join[0], "/sys/fs/cgroup/cpu,cpuacct/qemu/vm1");
        cgroup_plan_done(&p);
}

static void test_cgroup_plan_v2(void **state) {
        struct cgroup_limits l = { .vcpus = 1, .mem_bytes = 1ull << 30, .pids = 129 };
        struct cgroup_plan p = {};
        _cleanup_free_ char *w = NULL;

        assert_int_equal(cgroup_plan_make(unified, 2, "qemu", "vm-2", &l, &p), 0);
        assert_int_equal(strv_length(p.join), 1);
        assert_string_equal(p.join[0], "/sys/fs/cgroup/qemu/vm-2");
        w = joined(p.writes);
        assert_string_equal(w, "/sys/fs/cgroup/cgroup.subtree_control\n+cpu +memory +pids\n"
                               "/sys/fs/cgroup/qemu/cgroup.subtree_control\n+cpu +memory +pids\n"
                               "/sys/fs/cgroup/qemu/vm-2/cpu.max\n100000 100000\n"
                               "/sys/fs/cgroup/qemu/vm-2/memory.max\n1073741824\n"
                               "/sys/fs/cgroup/qemu/vm-2/memory.swap.max\n0\n"
                               "/sys/fs/cgroup/qemu/vm-2/pids.max\n129\n");
        cgroup_plan_done(&p);
        /* the hybrid host's unified mount is not where v2 limits go */
        assert_int_equal(cgroup_plan_make(hybrid, 2, "qemu", "vm-2", &l, &p), -ENOENT);
        /* names are checked: nothing outside <mount>/<group> */
        assert_int_equal(cgroup_plan_make(unified, 2, "qemu", "../x", &l, &p), -EINVAL);
        assert_int_equal(cgroup_plan_make(unified, 2, "..", "vm", &l, &p), -EINVAL);
        assert_int_equal(cgroup_plan_make("garbage\n\n cgroup\n", 1, "qemu", "vm", &l, &p), -ENOENT);
}

static void test_qemu_argv(void **state) {
        struct qemu_vm vm = { .binary = "/usr/bin/qemu-system-x86_64", .id = "vm1", .vcpus = 2, .mem_mib = 512,
                              .kernel = "/vmlinux", .rootfs = "/rootfs.ext4", .home = "/disk/home.ext4",
                              .boot_args = "console=ttyS0 root=/dev/vda ro", .tap = "tap0", .guest_mac = "06:00:AC:10:00:02" };
        _cleanup_strv_free_ char **a = NULL;
        _cleanup_free_ char *j = NULL;

        assert_int_equal(qemu_argv(&vm, &a), 0);
        j = joined(a);
        assert_non_null(strstr(j, "-M\nmicrovm,acpi=off,"));
        assert_non_null(strstr(j, "-accel\ntcg,tb-size=64\n-cpu\nmax\n"));
        assert_non_null(strstr(j, "-drive\nid=rootfs,file=/rootfs.ext4,format=raw,if=none,read-only=on\n"));
        assert_non_null(strstr(j, "-netdev\ntap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off\n"));
        assert_non_null(strstr(j, "virtio-net-device,netdev=net0,mac=06:00:AC:10:00:02\n"));
        assert_non_null(strstr(j, "-qmp\nunix:/qmp.sock,server=on,wait=off\n"));
        assert_non_null(strstr(j, "-sandbox\non,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny\n"));
        assert_non_null(strstr(j, "-no-reboot\n"));
        assert_null(strstr(j, "-incoming"));
        strv_free(a);
        a = NULL;
        free(j);
        vm.kvm = true;
        vm.incoming = true;
        vm.tap = NULL;
        vm.home = NULL;
        assert_int_equal(qemu_argv(&vm, &a), 0);
        j = joined(a);
        assert_non_null(strstr(j, "-accel\nkvm\n-cpu\nhost\n"));
        assert_non_null(strstr(j, "-incoming\ndefer\n"));
        assert_null(strstr(j, "netdev"));
        assert_null(strstr(j, "id=home"));
        vm.id = "bad/name";
        assert_int_equal(qemu_argv(&vm, &a), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup_plan_v1),
                cmocka_unit_test(test_cgroup_plan_v2),
                cmocka_unit_test(test_qemu_argv),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
