/* SPDX-License-Identifier: MIT */
/* What root does inside a hostile VMM's jail: connect only to a socket whose peer is the VM's VMM
 * (reached without a symlink, of any path length), Firecracker's API over such a socket, unmount
 * only a real mount point, remove a tree without following symlinks or crossing mounts. Servers
 * run in children that take another uid before they listen, as the VMM does (root only; skipped
 * otherwise). One file: every test here runs against the same jail and servers (make_jail, serve),
 * the two sides of one boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "api.h"
#include "helpers.h"
#include "jailfs.h"

#define VMM_UID 4242 /* the VM's uid; any uid works for SO_PEERCRED */

static void need_root(void) {
        if (geteuid() != 0) {
                print_message("skipped: needs root (other uids, mounts)\n");
                skip();
        }
}

static char *path_join(const char *a, const char *b) {
        char *p = strdup_printf("%s/%s", a, b);
        assert_non_null(p);
        return p;
}

/* What a server does with each connection it accepts. */
enum serve_mode {
        SERVE_HELLO,   /* write "hello\n", close */
        SERVE_HTTP,    /* read one request, answer 200 with a JSON body */
        SERVE_NOTHING, /* never accept */
        SERVE_COUNT,   /* read to EOF, publish the number of bytes received as "count" */
};

static void serve_http(int c) {
        char req[8192];
        size_t len = 0;
        static const char reply[] =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                "Connection: close\r\n\r\n{\"ok\":true}";

        while (len < sizeof(req) - 1) {
                ssize_t n = read(c, req + len, sizeof(req) - 1 - len);
                if (n <= 0)
                        return;
                len += (size_t) n;
                req[len] = '\0';
                /* a GET has no body; a request with a body here is not expected */
                if (strstr(req, "\r\n\r\n"))
                        break;
        }
        if (!strstr(req, "Host: localhost\r\n"))
                return;
        (void) !write(c, reply, sizeof(reply) - 1);
}

/* Each connection, as mode says, until killed (SERVE_NOTHING: never accept). */
static void serve_loop(int s, void *userdata) {
        enum serve_mode mode = *(const enum serve_mode *) userdata;

        if (mode == SERVE_NOTHING)
                for (;;)
                        pause();
        for (;;) {
                int a = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                if (a < 0)
                        _exit(13);
                if (mode == SERVE_HELLO)
                        (void) !write(a, "hello\n", 6);
                else if (mode == SERVE_COUNT) {
                        char buf[4096], line[32];
                        size_t total = 0;
                        ssize_t n;
                        int f;
                        while ((n = read(a, buf, sizeof(buf))) > 0)
                                total += (size_t) n;
                        /* published whole: the test polls for the name, then reads it */
                        f = open("count.new", O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
                        snprintf(line, sizeof(line), "%zu\n", total);
                        (void) !write(f, line, strlen(line));
                        close(f);
                        (void) !rename("count.new", "count");
                } else
                        serve_http(a);
                close(a);
        }
}

/* A VMM (helpers.h: serve_as) serving each connection as mode says. */
static pid_t serve(const char *dir, const char *name, uid_t uid, enum serve_mode mode, int delay_ms) {
        return serve_as(dir, name, uid, mode == SERVE_NOTHING ? 0 : 16, delay_ms, serve_loop, &mode);
}

static void stop(pid_t pid) {
        int st;
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* A jail: dir with run/ owned by the VM's uid. */
static char *make_jail(void) {
        char *dir = strdup("/tmp/sis-test-jailfs.XXXXXX");
        _cleanup_free_ char *run = NULL;

        assert_non_null(dir);
        assert_non_null(mkdtemp(dir));
        run = path_join(dir, "run");
        assert_int_equal(mkdir(run, 0755), 0);
        assert_int_equal(chown(run, VMM_UID, VMM_UID), 0);
        return dir;
}

static void test_connect_peer(void **state) {
        _cleanup_free_ char *dir = NULL, *run = NULL, *err = NULL, *want = NULL;
        char buf[16] = {};
        pid_t srv;
        int fd = -1;

        need_root();
        dir = make_jail();
        run = path_join(dir, "run");
        srv = serve(run, "api.sock", VMM_UID, SERVE_HELLO, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/api.sock", .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                /* the VM's VMM: its uid and pid */
                assert_int_equal(jail_connect(&p, &fd, &err), 0);
                assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
                assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
                assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
                assert_string_equal(buf, "hello\n");
                close(fd);
                /* pid not known yet: the uid alone */
                p.pid = 0;
                assert_int_equal(jail_connect(&p, &fd, NULL), 0);
                close(fd);
                /* another uid expected: no pid known, the message says so */
                p.uid = VMM_UID + 1;
                fd = -1;
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                assert_int_equal(fd, -1);
                want = strdup_printf(
                        "vm1: run/api.sock is answered by pid %d uid 4242, not the VM's VMM (uid 4243): refusing it",
                        (int) srv);
                assert_string_equal(err, want);
        }
        stop(srv);
        assert_int_equal(rm_rf(dir), 0);
}

static void test_connect_wrong_peer(void **state) {
        _cleanup_free_ char *dir = NULL, *run = NULL, *err = NULL, *want = NULL;
        pid_t srv;
        int fd = -1;

        need_root();
        dir = make_jail();
        run = path_join(dir, "run");
        srv = serve(run, "api.sock", VMM_UID, SERVE_HELLO, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/api.sock", .pid = srv, .uid = VMM_UID + 1, .vm = "vm1" };
                /* the wrong uid */
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                want = strdup_printf(
                        "vm1: run/api.sock is answered by pid %d uid %d, not the VM's VMM (pid %d, uid %d): refusing it",
                        (int) srv, VMM_UID, (int) srv, VMM_UID + 1);
                assert_string_equal(err, want);
                free(err);
                free(want);
                err = NULL;
                /* the right uid, another process: the wrong pid */
                p.uid = VMM_UID;
                p.pid = getpid();
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                want = strdup_printf(
                        "vm1: run/api.sock is answered by pid %d uid %d, not the VM's VMM (pid %d, uid %d): refusing it",
                        (int) srv, VMM_UID, (int) getpid(), VMM_UID);
                assert_string_equal(err, want);
                assert_int_equal(fd, -1);
        }
        stop(srv);
        free(err);
        err = NULL;
        /* root's own server is no VMM either */
        srv = serve(run, "root.sock", 0, SERVE_HELLO, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/root.sock", .uid = VMM_UID, .vm = "vm1" };
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                assert_non_null(strstr(err, " uid 0, not the VM's VMM (uid 4242): refusing it"));
                free(err);
                err = NULL;
                /* a peer whose uid was never set does not accept root */
                p.uid = 0;
                assert_int_equal(jail_connect(&p, &fd, &err), -EINVAL);
                assert_string_equal(err, "vm1: run/root.sock: no VM uid to check its peer against");
        }
        stop(srv);
        assert_int_equal(rm_rf(dir), 0);
}

static void test_connect_paths(void **state) {
        _cleanup_free_ char *dir = NULL, *run = NULL, *other = NULL, *err = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL,
                            *deep = NULL, *deeprel = NULL, *real = NULL;
        char a[101], b[101];
        pid_t srv, real_srv;
        int fd = -1;

        need_root();
        dir = make_jail();
        run = path_join(dir, "run");
        other = path_join(dir, "other");
        assert_int_equal(mkdir(other, 0755), 0);
        assert_int_equal(chown(other, VMM_UID, VMM_UID), 0);
        /* a valid socket of the VM's own uid, and another one to point links at */
        srv = serve(run, "api.sock", VMM_UID, SERVE_HELLO, 0);
        real_srv = serve(other, "api.sock", VMM_UID, SERVE_HELLO, 0);
        real = path_join(other, "api.sock");
        {
                struct vm_peer p = { .dir = dir, .sock = "run/api.sock", .uid = VMM_UID, .vm = "vm1" };

                assert_int_equal(jail_connect(&p, &fd, NULL), 0);
                close(fd);
                /* the socket replaced by a symlink to a valid socket: relative, absolute */
                p1 = path_join(run, "link.sock");
                assert_int_equal(symlink("../other/api.sock", p1), 0);
                p.sock = "run/link.sock";
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                {
                        _cleanup_free_ char *want = strdup_printf(
                                "vm1: run/link.sock is a symlink, lies under one, or leads out of %s: refusing it",
                                dir);
                        assert_string_equal(err, want);
                }
                free(err);
                err = NULL;
                p2 = path_join(run, "abs.sock");
                assert_int_equal(symlink(real, p2), 0);
                p.sock = "run/abs.sock";
                assert_int_equal(jail_connect(&p, &fd, NULL), -EPERM);
                /* the parent directory replaced by a symlink */
                p3 = path_join(dir, "runlink");
                assert_int_equal(symlink("other", p3), 0);
                p.sock = "runlink/api.sock";
                assert_int_equal(jail_connect(&p, &fd, NULL), -EPERM);
                /* out of the jail */
                p.sock = "../x.sock";
                assert_int_equal(jail_connect(&p, &fd, NULL), -EPERM);
                /* a regular file */
                _cleanup_free_ char *file = path_join(run, "file.sock");
                assert_int_equal(write_file_atomic(file, "x", 1, 0644), 0);
                p.sock = "run/file.sock";
                assert_int_equal(jail_connect(&p, &fd, &err), -EPERM);
                assert_string_equal(err, "vm1: run/file.sock is not a socket: refusing it");
                free(err);
                err = NULL;
                /* not there yet; there but nobody listening: the two a caller retries */
                p.sock = "run/missing.sock";
                assert_int_equal(jail_connect(&p, &fd, &err), -ENOENT);
                assert_string_equal(err, "vm1: run/missing.sock: cannot connect: No such file or directory");
                free(err);
                err = NULL;
                {
                        struct sockaddr_un sa = { .sun_family = AF_UNIX };
                        _cleanup_free_ char *dead = path_join(run, "dead.sock");
                        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        assert_true(strlen(dead) < sizeof(sa.sun_path));
                        strcpy(sa.sun_path, dead);
                        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
                        close(s);
                        p.sock = "run/dead.sock";
                        assert_int_equal(jail_connect(&p, &fd, NULL), -ECONNREFUSED);
                }
        }
        stop(srv);
        stop(real_srv);
        /* a socket deeper than sun_path can name: 200 characters below the jail */
        memset(a, 'a', 100);
        memset(b, 'b', 100);
        a[100] = b[100] = '\0';
        deeprel = strdup_printf("%s/%s", a, b);
        deep = path_join(dir, deeprel);
        assert_int_equal(mkdir_parents(deep, 0755), 0);
        assert_int_equal(chown(deep, VMM_UID, VMM_UID), 0);
        srv = serve(deep, "api.sock", VMM_UID, SERVE_HELLO, 0);
        {
                _cleanup_free_ char *rel = strdup_printf("%s/api.sock", deeprel);
                struct vm_peer p = { .dir = dir, .sock = rel, .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                char buf[8] = {};
                assert_true(strlen(dir) + 1 + strlen(rel) > sizeof(((struct sockaddr_un *) 0)->sun_path));
                assert_int_equal(jail_connect(&p, &fd, &err), 0);
                assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
                close(fd);
        }
        stop(srv);
        assert_int_equal(rm_rf(dir), 0);
}

/* A VMM that listens and never accepts: once its backlog is full, connect() would wait for it
 * forever; jail_connect() says "refused" at once (the alarm fails the test instead of hanging). */
static void test_connect_never_blocks(void **state) {
        _cleanup_free_ char *dir = NULL, *run = NULL, *err = NULL;
        int fds[4], n = 0, k = 0;
        pid_t srv;

        need_root();
        dir = make_jail();
        run = path_join(dir, "run");
        srv = serve(run, "api.sock", VMM_UID, SERVE_NOTHING, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/api.sock", .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                alarm(10);
                for (; n < 4; n++) {
                        k = jail_connect(&p, &fds[n], &err);
                        if (k < 0)
                                break;
                }
                alarm(0);
                assert_int_equal(k, -ECONNREFUSED);
                assert_string_equal(err, "vm1: run/api.sock: cannot connect: it accepts no connection");
                for (int i = 0; i < n; i++)
                        close(fds[i]);
        }
        stop(srv);
        assert_int_equal(rm_rf(dir), 0);
}

/* Firecracker's API: libcurl over jail_connect()'s socket, refusals final, absence retried. */
static void test_api_peer(void **state) {
        _cleanup_free_ char *dir = NULL, *run = NULL, *err = NULL, *lnk = NULL, *other = NULL;
        struct fc_reply rep = {};
        long t0;
        pid_t srv;
        int k;

        need_root();
        dir = make_jail();
        run = path_join(dir, "run");
        srv = serve(run, "api.sock", VMM_UID, SERVE_HTTP, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/api.sock", .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                k = fc_api_call(&p, "GET", "/", NULL, true, 2000, &rep, &err);
                assert_string_equal(strempty(err), "");
                assert_int_equal(k, 0);
                assert_int_equal(rep.status, 200);
                assert_string_equal(rep.body, "{\"ok\":true}");
                fc_reply_done(&rep);
                /* the wrong uid: refused at once, not retried until the timeout */
                p.uid = VMM_UID + 1;
                t0 = now_ms();
                assert_int_equal(fc_api_call(&p, "GET", "/", NULL, true, 5000, &rep, &err), -EPERM);
                assert_true(now_ms() - t0 < 2000);
                assert_int_equal(rep.status, 0);
                assert_non_null(strstr(err, "GET /: vm1: run/api.sock is answered by pid "));
                assert_non_null(strstr(err, "not the VM's VMM"));
                free(err);
                err = NULL;
                /* a symlink to the right socket: refused at once too */
                lnk = path_join(run, "link.sock");
                assert_int_equal(symlink("api.sock", lnk), 0);
                p.uid = VMM_UID;
                p.sock = "run/link.sock";
                t0 = now_ms();
                assert_int_equal(fc_api_call(&p, "GET", "/", NULL, true, 5000, &rep, &err), -EPERM);
                assert_true(now_ms() - t0 < 2000);
                assert_non_null(strstr(err, "GET /: vm1: run/link.sock is a symlink"));
                free(err);
                err = NULL;
                /* not there: an action is sent once, a GET waits until its timeout */
                p.sock = "run/late.sock";
                assert_int_equal(fc_api_call(&p, "PUT", "/actions", NULL, false, 5000, &rep, &err), -ENOENT);
                assert_string_equal(err, "PUT /actions: vm1: run/late.sock: cannot connect: No such file or directory");
                free(err);
                err = NULL;
                assert_int_equal(fc_api_call(&p, "GET", "/", NULL, true, 100, &rep, &err), -ETIMEDOUT);
                assert_non_null(strstr(err, "GET /: no answer from run/late.sock within 100 ms: "));
                free(err);
                err = NULL;
        }
        stop(srv);
        /* not the VMM at the other end: not one byte of the request reaches it */
        other = path_join(dir, "other");
        assert_int_equal(mkdir(other, 0755), 0);
        assert_int_equal(chown(other, VMM_UID + 1, VMM_UID + 1), 0);
        srv = serve(other, "count.sock", VMM_UID + 1, SERVE_COUNT, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "other/count.sock", .uid = VMM_UID, .vm = "vm1" };
                _cleanup_free_ char *count = path_join(other, "count"), *got = NULL;
                json_object *body = json_object_new_object();
                json_object_object_add(body, "action_type", json_object_new_string("InstanceStart"));
                assert_int_equal(fc_api_call(&p, "PUT", "/actions", body, false, 2000, &rep, &err), -EPERM);
                json_object_put(body);
                assert_non_null(strstr(err, "PUT /actions: vm1: other/count.sock is answered by pid "));
                free(err);
                err = NULL;
                for (int i = 0; i < 200 && access(count, F_OK) < 0; i++)
                        usleep(10000);
                assert_int_equal(read_file_capped(count, 64, &got, NULL), 0);
                assert_string_equal(got, "0\n");
        }
        stop(srv);
        /* a VMM that listens and never accepts: no hang, a GET waits for its timeout */
        srv = serve(run, "deaf.sock", VMM_UID, SERVE_NOTHING, 0);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/deaf.sock", .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                int fds[4], n = 0;
                /* its backlog filled */
                while (n < 4 && jail_connect(&p, &fds[n], NULL) == 0)
                        n++;
                alarm(20);
                assert_int_equal(fc_api_call(&p, "GET", "/", NULL, true, 300, &rep, &err), -ETIMEDOUT);
                free(err);
                err = NULL;
                assert_int_equal(fc_api_call(&p, "PUT", "/actions", NULL, false, 300, &rep, &err), -ECONNREFUSED);
                alarm(0);
                for (int i = 0; i < n; i++)
                        close(fds[i]);
        }
        stop(srv);
        /* a VMM that starts listening while the request waits */
        srv = serve(run, "late.sock", VMM_UID, SERVE_HTTP, 200);
        {
                struct vm_peer p = { .dir = dir, .sock = "run/late.sock", .pid = srv, .uid = VMM_UID, .vm = "vm1" };
                assert_int_equal(fc_api_call(&p, "GET", "/", NULL, true, 5000, &rep, &err), 0);
                assert_int_equal(rep.status, 200);
                fc_reply_done(&rep);
        }
        stop(srv);
        assert_int_equal(rm_rf(dir), 0);
}

/* Whether something is mounted at path, by this process's mount table. */
static bool mounted(const char *path) {
        _cleanup_free_ char *mi = NULL;
        _cleanup_strv_free_ char **lines = NULL;

        assert_int_equal(read_file_capped("/proc/self/mountinfo", 1 << 22, &mi, NULL), 0);
        assert_int_equal(strv_split(mi, "\n", &lines), 0);
        for (char **l = lines; *l; l++) {
                _cleanup_strv_free_ char **f = NULL;
                assert_int_equal(strv_split(*l, " ", &f), 0);
                if (strv_length(f) > 4 && streq(f[4], path))
                        return true;
        }
        return false;
}

/* Mounts made in a mount namespace of the test's own: nothing is left mounted on the host if a
 * test fails half-way. */
static void private_mounts(void) {
        need_root();
        assert_int_equal(unshare(CLONE_NEWNS), 0);
        /* "none": ignored for MS_PRIVATE, but valgrind checks the strings */
        assert_int_equal(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
}

static void tmpfs_at(const char *path) {
        assert_int_equal(mount("tmpfs", path, "tmpfs", 0, "size=1m"), 0);
}

static void test_umount(void **state) {
        _cleanup_free_ char *dir = NULL, *disk = NULL, *other = NULL, *sub = NULL, *subdisk = NULL, *lnk = NULL,
                            *file = NULL;

        private_mounts();
        dir = make_jail();
        disk = path_join(dir, "disk");
        other = path_join(dir, "other");
        assert_int_equal(mkdir(disk, 0755), 0);
        assert_int_equal(mkdir(other, 0755), 0);
        /* a tmpfs at disk: unmounted */
        tmpfs_at(disk);
        assert_true(mounted(disk));
        assert_int_equal(jail_umount(dir, "disk"), 0);
        assert_false(mounted(disk));
        /* stacked: all of them */
        tmpfs_at(disk);
        tmpfs_at(disk);
        assert_int_equal(jail_umount(dir, "disk"), 0);
        assert_false(mounted(disk));
        /* nothing mounted, nothing there: nothing to do */
        assert_int_equal(jail_umount(dir, "disk"), 0);
        assert_int_equal(jail_umount(dir, "missing"), 0);
        assert_int_equal(jail_umount("/nonexistent/sis", "disk"), 0);
        /* disk replaced by a symlink to another mount: that one stays */
        tmpfs_at(other);
        assert_int_equal(rmdir(disk), 0);
        assert_int_equal(symlink("other", disk), 0);
        assert_int_equal(jail_umount(dir, "disk"), -EPERM);
        assert_true(mounted(other));
        assert_int_equal(unlink(disk), 0);
        assert_int_equal(symlink(other, disk), 0);
        assert_int_equal(jail_umount(dir, "disk"), -EPERM);
        assert_true(mounted(other));
        /* a parent replaced by a symlink */
        sub = path_join(dir, "sub");
        subdisk = path_join(sub, "disk");
        assert_int_equal(mkdir_parents(subdisk, 0755), 0);
        tmpfs_at(subdisk);
        lnk = path_join(dir, "lnk");
        assert_int_equal(symlink("sub", lnk), 0);
        assert_int_equal(jail_umount(dir, "lnk/disk"), -EPERM);
        assert_true(mounted(subdisk));
        assert_int_equal(jail_umount(dir, "../x"), -EPERM);
        /* not a directory */
        file = path_join(dir, "file");
        assert_int_equal(write_file_atomic(file, "x", 1, 0644), 0);
        assert_int_equal(jail_umount(dir, "file"), -EPERM);
        assert_int_equal(jail_umount(dir, "file/x"), -EPERM);
        assert_int_equal(jail_umount(dir, "sub/disk"), 0);
        assert_false(mounted(subdisk));
        assert_int_equal(umount2(other, MNT_DETACH), 0);
        assert_int_equal(rm_rf(dir), 0);
}

static bool exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

static void test_remove(void **state) {
        static const struct tfile files[] = {
                { "/outside/keep", "precious" },
                { "/outside/dir/keep2", "precious" },
                { "/t/a/b/file", "x" },
                { "/t/a/fifo", "|fifo" },
                { "/t/to-outside", "->../outside" },
                { "/t/a/b/to-file", "->../../../outside/keep" },
                { "/t/abs", NULL }, /* made a symlink to the absolute path below */
                { "/t/empty", NULL },
                { "/t/.hidden", "x" },
                {},
        };
        _cleanup_free_ char *root = mkroot(files), *t = path_join(root, "t"), *keep = path_join(root, "outside/keep"),
                            *keep2 = path_join(root, "outside/dir/keep2"), *abs = path_join(root, "t/abs"),
                            *outside = path_join(root, "outside"), *deep = NULL, *lnk = path_join(root, "lnk");
        int fd;

        assert_int_equal(rmdir(abs), 0);
        assert_int_equal(symlink(outside, abs), 0);
        assert_int_equal(jail_remove(t), 0);
        assert_false(exists(t));
        assert_true(exists(keep));
        assert_true(exists(keep2));
        /* absent: done */
        assert_int_equal(jail_remove(t), 0);
        assert_int_equal(jail_remove("/nonexistent/sis/x"), 0);
        /* path itself a symlink: the link goes, not what it points to */
        assert_int_equal(symlink(outside, lnk), 0);
        assert_int_equal(jail_remove(lnk), 0);
        assert_false(exists(lnk));
        assert_true(exists(keep));
        /* deeper than the walk holds descriptors for */
        deep = strdup(t);
        assert_int_equal(mkdir(t, 0755), 0);
        fd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (int i = 0; i < 300; i++) {
                int nfd;
                assert_int_equal(mkdirat(fd, "d", 0755), 0);
                if (i % 50 == 0)
                        assert_int_equal(symlinkat(outside, fd, "l"), 0);
                nfd = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(nfd >= 0);
                close(fd);
                fd = nfd;
        }
        close(fd);
        assert_int_equal(jail_remove(t), 0);
        assert_false(exists(t));
        assert_true(exists(keep2));
        assert_int_equal(rm_rf(root), 0);
}

static void test_remove_mounts(void **state) {
        static const struct tfile files[] = {
                { "/t/a/m/", NULL },
                { "/t/a/other", "x" },
                { "/t/b/c", "x" },
                {},
        };
        _cleanup_free_ char *root = NULL, *t = NULL, *m = NULL, *inside = NULL, *b = NULL;

        private_mounts();
        root = mkroot(files);
        t = path_join(root, "t");
        m = path_join(root, "t/a/m");
        inside = path_join(m, "file");
        b = path_join(root, "t/b");
        tmpfs_at(m);
        assert_int_equal(write_file_atomic(inside, "mounted", 7, 0644), 0);
        /* the mount is left alone with what it holds; everything else goes */
        assert_int_equal(jail_remove(t), -EBUSY);
        assert_true(mounted(m));
        assert_true(exists(inside));
        assert_false(exists(b));
        /* path itself a mount point */
        assert_int_equal(jail_remove(m), -EBUSY);
        assert_true(exists(inside));
        assert_int_equal(umount2(m, MNT_DETACH), 0);
        assert_int_equal(jail_remove(t), 0);
        assert_false(exists(t));
        assert_int_equal(rm_rf(root), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_connect_peer),  cmocka_unit_test(test_connect_wrong_peer),
                cmocka_unit_test(test_connect_paths), cmocka_unit_test(test_connect_never_blocks),
                cmocka_unit_test(test_api_peer),      cmocka_unit_test(test_remove),
                cmocka_unit_test(test_umount),        cmocka_unit_test(test_remove_mounts),
        };
        return cmocka_run_group_tests_name("jailfs", tests, NULL, NULL);
}
