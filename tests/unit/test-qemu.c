/* SPDX-License-Identifier: MIT */
/* The QEMU backend's data: cgroup plans from mount tables (v1, hybrid, v2), QEMU's argv, ldd's
 * lines; and the QMP client against a scripted server on a socketpair, and on the jail's socket
 * (only the VM's QEMU is spoken to). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "helpers.h"
#include "qemu.h"
#include "qmp.h"

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
static const char comounted[] =
        "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0\n"
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
        assert_string_equal(
                j, "/sys/fs/cgroup/cpu/qemu/vm1\n/sys/fs/cgroup/memory/qemu/vm1\n/sys/fs/cgroup/pids/qemu/vm1\n");
        w = joined(p.writes);
        assert_string_equal(w,
                            "/sys/fs/cgroup/cpu/qemu/vm1/cpu.cfs_period_us\n100000\n"
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
        assert_string_equal(w,
                            "/sys/fs/cgroup/cgroup.subtree_control\n+cpu +memory +pids\n"
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
        assert_int_equal(cgroup_plan_make("garbage\n\n cgroup\n", 1, "qemu", "vm", &l, &p), -EBADMSG);
        /* mount points as the kernel escapes them */
        assert_int_equal(
                cgroup_plan_make("cgroup /sys/fs/cgroup/my\\040pids cgroup rw,pids 0 0\n", 1, "qemu", "vm", &l, &p), 0);
        assert_string_equal(p.join[0], "/sys/fs/cgroup/my pids/qemu/vm");
        cgroup_plan_done(&p);
}

static void test_qemu_argv(void **state) {
        struct qemu_vm vm = { .binary = "/usr/bin/qemu-system-x86_64",
                              .id = "vm1",
                              .vcpus = 2,
                              .mem_mib = 512,
                              .kernel = "/vmlinux",
                              .rootfs = "/rootfs.ext4",
                              .home = "/disk/home.ext4",
                              .boot_args = "console=ttyS0 root=/dev/vda ro",
                              .tap = "tap0",
                              .guest_mac = "06:00:AC:10:00:02" };
        _cleanup_strv_free_ char **a = NULL;
        _cleanup_free_ char *j = NULL;

        assert_int_equal(qemu_argv(&vm, &a), 0);
        j = joined(a);
        assert_non_null(strstr(j, "-M\nmicrovm,acpi=off,"));
        assert_non_null(strstr(j, "-accel\ntcg,tb-size=64\n-cpu\nmax\n"));
        assert_non_null(strstr(j, "-drive\nid=rootfs,file=/rootfs.ext4,format=raw,if=none,read-only=on\n"));
        assert_non_null(strstr(j, "-netdev\ntap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off\n"));
        assert_non_null(strstr(j, "virtio-net-device,netdev=net0,mac=06:00:AC:10:00:02\n"));
        assert_non_null(strstr(j, "-qmp\nunix:/run/qmp.sock,server=on,wait=off\n"));
        assert_non_null(
                strstr(j, "-sandbox\non,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny\n"));
        assert_non_null(strstr(j, "-no-reboot\n"));
        assert_null(strstr(j, "-incoming"));
        assert_null(strstr(j, "throttling"));
        strv_free(a);
        a = NULL;
        free(j);
        /* --disk-rate 5/100: each drive throttled in bytes and operations a second */
        {
                struct vm_limits l = { .disk_mbyte = 5, .disk_iops = 100, .net_mbit = 10 };
                vm.limits = &l;
                assert_int_equal(qemu_argv(&vm, &a), 0);
                j = joined(a);
                assert_non_null(strstr(j,
                                       "-drive\nid=rootfs,file=/rootfs.ext4,format=raw,if=none,read-only=on,"
                                       "throttling.bps-total=5000000,throttling.iops-total=100\n"));
                assert_non_null(strstr(j,
                                       "id=home,file=/disk/home.ext4,format=raw,if=none,discard=unmap,"
                                       "throttling.bps-total=5000000,throttling.iops-total=100\n"));
                strv_free(a);
                a = NULL;
                free(j);
                l = (struct vm_limits) { .disk_iops = 50 };
                assert_int_equal(qemu_argv(&vm, &a), 0);
                j = joined(a);
                assert_non_null(strstr(j, "read-only=on,throttling.iops-total=50\n"));
                assert_null(strstr(j, "bps-total"));
                strv_free(a);
                a = NULL;
                free(j);
                vm.limits = NULL;
        }
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

static void test_ldd_lines(void **state) {
        char *p = NULL;

        assert_int_equal(ldd_line_path("\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f1c2a1e0000)", &p), 1);
        assert_string_equal(p, "/lib/x86_64-linux-gnu/libz.so.1");
        free(p);
        assert_int_equal(ldd_line_path("\t/lib64/ld-linux-x86-64.so.2 (0x00007f1c2b400000)", &p), 1);
        assert_string_equal(p, "/lib64/ld-linux-x86-64.so.2");
        free(p);
        assert_int_equal(ldd_line_path("\tlinux-vdso.so.1 (0x00007ffd5e5f2000)", &p), 0);
        assert_null(p);
        assert_int_equal(ldd_line_path("\tlibmissing.so.3 => not found", &p), -ENOENT);
        assert_int_equal(ldd_line_path("\tstatically linked", &p), 0);
        assert_int_equal(ldd_line_path("", &p), 0);
}

/* A scripted QMP server in a child: for each step, read one request line (and any descriptor
 * passed with it), check it holds `expect`, answer `reply` (several lines allowed; NULL: say
 * nothing, then wait for EOF). A descriptor that comes with "getfd" must read "vmstate". The
 * child's exit status says whether the requests were as scripted. */
struct step {
        const char *expect, *reply;
};

static _Noreturn void qmp_script(int fd, const char *greeting, const struct step *steps) {
        if (greeting && write(fd, greeting, strlen(greeting)) < 0)
                _exit(2);
        for (const struct step *s = steps; s && s->expect; s++) {
                char line[4096], cbuf[CMSG_SPACE(sizeof(int))];
                struct iovec iov = { .iov_base = line, .iov_len = sizeof(line) - 1 };
                struct msghdr m = {
                        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)
                };
                ssize_t n = recvmsg(fd, &m, 0);
                struct cmsghdr *h = CMSG_FIRSTHDR(&m);
                if (n <= 0)
                        _exit(3);
                line[n] = '\0';
                if (!strstr(line, s->expect))
                        _exit(4);
                if (strstr(line, "\"getfd\"")) {
                        char buf[16] = {};
                        int passed;
                        if (!h || h->cmsg_type != SCM_RIGHTS)
                                _exit(5);
                        memcpy(&passed, CMSG_DATA(h), sizeof(int));
                        if (pread(passed, buf, sizeof(buf) - 1, 0) != 7 || strcmp(buf, "vmstate") != 0)
                                _exit(6);
                }
                if (!s->reply) {
                        char c;
                        while (read(fd, &c, 1) > 0)
                                ;
                        _exit(0);
                }
                if (write(fd, s->reply, strlen(s->reply)) < 0)
                        _exit(7);
        }
        _exit(0);
}

static pid_t qmp_server(const int sv[2], const char *greeting, const struct step *steps) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid > 0) {
                close(sv[1]);
                return pid;
        }
        close(sv[0]); /* the client's end: EOF when the client closes it */
        qmp_script(sv[1], greeting, steps);
}

struct qmp_serving {
        const char *greeting;
        const struct step *steps;
};

static void qmp_serve(int s, void *userdata) {
        const struct qmp_serving *q = userdata;
        char c;

        for (;;) {
                int a = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                if (a < 0)
                        _exit(12);
                if (q->steps) {
                        close(s);
                        qmp_script(a, q->greeting, q->steps);
                }
                (void) !write(a, q->greeting, strlen(q->greeting));
                if (read(a, &c, 1) > 0)
                        _exit(4);
                close(a);
        }
}

/* The same script served as QEMU does it: on dir/name, listening as uid (taken before listen(),
 * as the VMM's jail does), for one connection. Returns once it listens. Without steps, a server
 * that greets every connection and exits 4 as soon as one sends it anything: the client must
 * have refused it; kill it when done (server_status() 128). */
static pid_t qmp_listen(const char *dir, const char *name, uid_t uid, const char *greeting, const struct step *steps) {
        struct qmp_serving q = { .greeting = greeting, .steps = steps };
        return serve_as(dir, name, uid, 4, 0, qmp_serve, &q);
}

static int server_status(pid_t pid) {
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": [\"oob\"]}}\n"

static void test_qmp_session(void **state) {
        static const struct step steps[] = {
                { "{\"execute\":\"qmp_capabilities\"}\n", "{\"return\": {}}\n" },
                /* an event before the answer is skipped; the answer may come in pieces */
                { "\"query-status\"",
                  "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1}}\n{\"return\": {\"status\"" },
                { NULL, NULL },
        };
        struct qmp *q = NULL;
        json_object *r = NULL;
        char *err = NULL;
        int sv[2];
        pid_t srv;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        srv = qmp_server(sv, GREETING, steps);
        assert_int_equal(qmp_attach(sv[0], 2000, &q, &err), 0);
        assert_int_equal(qmp_call(q, "query-status", NULL, -1, &r, &err), -ECONNRESET);
        assert_string_equal(err, "QMP query-status: QEMU closed the socket");
        free(err);
        qmp_close(q);
        assert_null(r);
        assert_int_equal(server_status(srv), 0);
}

static void test_qmp_calls(void **state) {
        static const struct step steps[] = {
                { "qmp_capabilities", "{\"return\": {}}\n" },
                { "{\"execute\":\"query-status\"}",
                  "{\"event\": \"STOP\"}\n{\"return\": {\"status\": \"paused\", \"running\": false}}\n" },
                { "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"sis-snapshot\"}}", "{\"return\": {}}\n" },
                { "\"migrate\"",
                  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"There's a migration process in progress\"}}\n" },
                { "query-migrate", "{\"return\": {\"status\": \"active\"}}\n" },
                { "query-migrate", "{\"return\": {\"status\": null}}\n" }, /* a hostile QEMU's: no status */
                { "query-migrate", "{\"return\": {\"status\": \"completed\"}}\n" },
                { "query-migrate",
                  "{\"return\": {\"status\": \"failed\", \"error-desc\": \"Unable to write to file: No space left on device\"}}\n" },
                { "query-migrate", "{\"return\": {\"status\": \"failed\", \"error-desc\": null}}\n" },
                { "\"cont\"", "{\"error\": {\"class\": \"GenericError\", \"desc\": null}}\n" },
                { "query-status", NULL },
                { NULL, NULL },
        };
        char path[] = "/tmp/sis-test-qmp.XXXXXX";
        struct qmp *q = NULL;
        json_object *r = NULL, *v, *a;
        char *err = NULL;
        int sv[2], fd;
        pid_t srv;

        /* the snapshot file QEMU cannot open itself */
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "vmstate", 7), 7);
        unlink(path);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        srv = qmp_server(sv, GREETING, steps);
        assert_int_equal(qmp_attach(sv[0], 300, &q, &err), 0);
        assert_int_equal(qmp_call(q, "query-status", NULL, -1, &r, &err), 0);
        assert_true(json_object_object_get_ex(r, "status", &v));
        assert_string_equal(json_object_get_string(v), "paused");
        json_object_put(r);
        /* a descriptor rides along with getfd */
        a = json_object_new_object();
        json_object_object_add(a, "fdname", json_object_new_string("sis-snapshot"));
        assert_int_equal(qmp_call(q, "getfd", a, fd, NULL, &err), 0);
        json_object_put(a);
        close(fd);
        /* QEMU's error, with its description */
        assert_int_equal(qmp_call(q, "migrate", NULL, -1, NULL, &err), -EIO);
        assert_string_equal(err, "QMP migrate: There's a migration process in progress");
        free(err);
        err = NULL;
        /* active, no status, then completed */
        assert_int_equal(qmp_wait_migration(q, 5000, &err), 0);
        assert_int_equal(qmp_wait_migration(q, 5000, &err), -EIO);
        assert_string_equal(err, "migration failed: Unable to write to file: No space left on device");
        free(err);
        err = NULL;
        /* a hostile QEMU's null where a string goes (each was handed on as a NULL string) */
        assert_int_equal(qmp_wait_migration(q, 5000, &err), -EIO);
        assert_string_equal(err, "migration failed");
        free(err);
        err = NULL;
        assert_int_equal(qmp_call(q, "cont", NULL, -1, NULL, &err), -EIO);
        assert_string_equal(err, "QMP cont: error");
        free(err);
        err = NULL;
        /* no answer: the call's timeout */
        assert_int_equal(qmp_call(q, "query-status", NULL, -1, NULL, &err), -ETIMEDOUT);
        assert_string_equal(err, "QMP query-status: no answer in time");
        free(err);
        qmp_close(q);
        assert_int_equal(server_status(srv), 0);
}

static void test_qmp_bad_server(void **state) {
        static const struct step caps[] = { { "qmp_capabilities", "not json\n" }, { NULL, NULL } };
        struct qmp *q = NULL;
        char *err = NULL;
        int sv[2];
        pid_t srv;

        /* no greeting: something else on the socket */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        srv = qmp_server(sv, "{\"hello\": 1}\n", NULL);
        assert_int_equal(qmp_attach(sv[0], 2000, &q, &err), -EPROTO);
        assert_string_equal(err, "no QMP greeting");
        free(err);
        err = NULL;
        assert_int_equal(server_status(srv), 0);
        /* a line that is not JSON */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        srv = qmp_server(sv, GREETING, caps);
        assert_int_equal(qmp_attach(sv[0], 2000, &q, &err), -EPROTO);
        assert_string_equal(err, "QMP qmp_capabilities: Protocol error");
        free(err);
        assert_int_equal(server_status(srv), 0);
        /* the path-level wrapper names the VM and the socket */
        err = NULL;
        {
                struct vm_peer p = { .dir = "/nonexistent", .sock = "qmp.sock", .uid = 10000, .vm = "vm1" };
                assert_int_equal(qmp_open(&p, 50, &q, &err), -ENOENT);
                assert_string_equal(err, "vm1: qmp.sock: cannot connect: No such file or directory");
                free(err);
                assert_null(qmp_status(&p, 50));
        }
}

#define QMP_UID 4243 /* the VM's uid in these tests */

/* qmp_open() on the jail's socket: only QEMU, as the VM's uid (and pid), is spoken to. */
static void test_qmp_peer(void **state) {
        static const struct step status[] = {
                { "qmp_capabilities", "{\"return\": {}}\n" },
                { "query-status", "{\"return\": {\"status\": \"running\", \"running\": true}}\n" },
                { NULL, NULL },
        };
        static const struct step null_status[] = {
                { "qmp_capabilities", "{\"return\": {}}\n" },
                { "query-status", "{\"return\": {\"status\": null, \"running\": true}}\n" },
                { NULL, NULL },
        };
        static const struct step caps[] = { { "qmp_capabilities", "{\"return\": {}}\n" }, { NULL, NULL } };
        char dir[] = "/tmp/sis-test-qmp-peer.XXXXXX";
        _cleanup_free_ char *want = NULL, *lnk = NULL, *other = NULL;
        struct qmp *q = NULL;
        char *err = NULL, *st;
        pid_t srv;
        long t0;

        if (geteuid() != 0) {
                print_message("skipped: needs root (a server of another uid)\n");
                skip();
        }
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 01777), 0); /* servers of two uids make their sockets here */
        /* the VM's QEMU: its uid and pid */
        srv = qmp_listen(dir, "qmp.sock", QMP_UID, GREETING, status);
        {
                struct vm_peer p = { .dir = dir, .sock = "qmp.sock", .pid = srv, .uid = QMP_UID, .vm = "vm1" };
                st = qmp_status(&p, 2000);
                assert_non_null(st);
                assert_string_equal(st, "running");
                free(st);
        }
        assert_int_equal(server_status(srv), 0);
        /* a hostile QEMU's status of another type (null was strdup'ed as a NULL string): none */
        srv = qmp_listen(dir, "null.sock", QMP_UID, GREETING, null_status);
        {
                struct vm_peer p = { .dir = dir, .sock = "null.sock", .pid = srv, .uid = QMP_UID, .vm = "vm1" };
                assert_null(qmp_status(&p, 2000));
        }
        assert_int_equal(server_status(srv), 0);
        /* a server of another uid: refused at once (no retry until the timeout), nothing said to it */
        srv = qmp_listen(dir, "other.sock", QMP_UID + 1, GREETING, NULL);
        {
                struct vm_peer p = { .dir = dir, .sock = "other.sock", .pid = srv, .uid = QMP_UID, .vm = "vm1" };
                t0 = now_ms();
                assert_int_equal(qmp_open(&p, 5000, &q, &err), -EPERM);
                assert_true(now_ms() - t0 < 2000);
                assert_null(q);
                want = strdup_printf(
                        "vm1: other.sock is answered by pid %d uid %d, not the VM's VMM (pid %d, uid %d): refusing it",
                        (int) srv, QMP_UID + 1, (int) srv, QMP_UID);
                assert_string_equal(err, want);
                free(err);
                err = NULL;
                assert_int_equal(qmp_oneshot(&p, "quit", 5000, &err), -EPERM);
                free(err);
                err = NULL;
                assert_null(qmp_status(&p, 5000));
        }
        /* it saw connections, never a request */
        kill(srv, SIGKILL);
        assert_int_equal(server_status(srv), 128);
        /* the right uid, another process */
        srv = qmp_listen(dir, "pid.sock", QMP_UID, GREETING, NULL);
        {
                struct vm_peer p = { .dir = dir, .sock = "pid.sock", .pid = getpid(), .uid = QMP_UID, .vm = "vm1" };
                assert_int_equal(qmp_open(&p, 5000, &q, &err), -EPERM);
                assert_non_null(strstr(err, "not the VM's VMM"));
                free(err);
                err = NULL;
        }
        kill(srv, SIGKILL);
        assert_int_equal(server_status(srv), 128);
        /* the socket a symlink to QEMU's real one */
        other = strdup_printf("%s/real", dir);
        assert_int_equal(mkdir(other, 0755), 0);
        assert_int_equal(chown(other, QMP_UID, QMP_UID), 0);
        srv = qmp_listen(other, "qmp.sock", QMP_UID, GREETING, caps);
        lnk = strdup_printf("%s/link.sock", dir);
        assert_int_equal(symlink("real/qmp.sock", lnk), 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "link.sock", .pid = srv, .uid = QMP_UID, .vm = "vm1" };
                assert_int_equal(qmp_open(&p, 5000, &q, &err), -EPERM);
                assert_non_null(strstr(err, "vm1: link.sock is a symlink"));
                free(err);
                err = NULL;
                /* and through the real path it is QEMU */
                p.sock = "real/qmp.sock";
                assert_int_equal(qmp_open(&p, 2000, &q, &err), 0);
                qmp_close(q);
        }
        assert_int_equal(server_status(srv), 0);
        assert_int_equal(rm_rf(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup_plan_v1), cmocka_unit_test(test_cgroup_plan_v2),
                cmocka_unit_test(test_qemu_argv),      cmocka_unit_test(test_ldd_lines),
                cmocka_unit_test(test_qmp_session),    cmocka_unit_test(test_qmp_calls),
                cmocka_unit_test(test_qmp_bad_server), cmocka_unit_test(test_qmp_peer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
