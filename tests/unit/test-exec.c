/* SPDX-License-Identifier: MIT */
/* The exec helper: capture with a cap, a deadline that kills the whole group, no descriptor left
 * open on any path, a missing binary, the environment and the line callback. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <time.h>
#include <valgrind/valgrind.h>

#include "exec.h"
#include "helpers.h"

static int count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void test_capture(void **state _unused_) {
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "echo out; echo err >&2; exit 3", NULL };
        const struct exec_opts o = { .log_fd = -1, .capture_max = 100 };
        _cleanup_(exec_result_done) struct exec_result res = {};
        int before = count_fds();

        assert_int_equal(exec_run(argv, &o, &res), 3);
        assert_string_equal(res.output, "out\nerr\n");
        assert_int_equal(res.output_len, 8);
        assert_false(res.truncated);
        assert_false(res.timed_out);
        assert_int_equal(res.signal, 0);
        assert_int_equal(count_fds(), before);
}

static void test_cap(void **state _unused_) {
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "yes 0123456789 | head -c 100000", NULL };
        const struct exec_opts o = { .log_fd = -1, .capture_max = 10, .timeout_ms = 5000 };
        _cleanup_(exec_result_done) struct exec_result res = {};
        int before = count_fds();

        (void) exec_run(argv, &o, &res);
        assert_string_equal(res.output, "0123456789");
        assert_true(res.truncated);
        assert_int_equal(count_fds(), before);
}

static void test_deadline_kills_group(void **state _unused_) {
        /* the grandchild writes its pid, then both sleep past the deadline */
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "sleep 30 & echo $!; wait", NULL };
        const struct exec_opts o = { .log_fd = -1, .capture_max = 64, .timeout_ms = 300 };
        _cleanup_(exec_result_done) struct exec_result res = {};
        struct timespec t0, t1;
        int before = count_fds(), r, grandchild;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = exec_run(argv, &o, &res);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_true(res.timed_out);
        assert_int_equal(res.signal, SIGKILL);
        assert_int_equal(r, 128 + SIGKILL);
        assert_true(t1.tv_sec - t0.tv_sec < 5);
        assert_int_equal(safe_atoi(res.output, &grandchild), 0);
        /* killed with the group (it was the shell's child, now reaped by init or gone) */
        for (int i = 0; i < 100 && kill(grandchild, 0) == 0; i++) {
                _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", grandchild);
                _cleanup_free_ char *st = NULL;
                if (read_file_capped(p, 4096, &st, NULL) < 0 || strstr(st, ") Z "))
                        break; /* a zombie waiting for its reaper is dead */
                usleep(10000);
        }
        {
                _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", grandchild);
                _cleanup_free_ char *st = NULL;
                assert_true(read_file_capped(p, 4096, &st, NULL) < 0 || strstr(st, ") Z ") || !strstr(st, "sleep"));
        }
        assert_int_equal(count_fds(), before);
}

static void test_missing_binary(void **state _unused_) {
        char *const argv[] = { (char *) "/nonexistent/sis-no-such-binary", NULL };
        char *const argv_path[] = { (char *) "sis-no-such-binary", NULL };
        const struct exec_opts o = { .log_fd = -1, .capture_max = 16 };
        const struct exec_opts op = { .log_fd = -1, .search_path = true };
        struct exec_result res = {};
        int before = count_fds();

        /* Under valgrind, glibc's posix_spawn cannot share memory with its child (valgrind turns
         * CLONE_VM|CLONE_VFORK into a fork), so the exec error comes back as POSIX's other form:
         * a child that exits 127. Everywhere else it is the error itself. */
        int missing = RUNNING_ON_VALGRIND ? 127 : -ENOENT;

        assert_int_equal(exec_run(argv, &o, &res), missing);
        if (!RUNNING_ON_VALGRIND)
                assert_null(res.output);
        exec_result_done(&res);
        assert_int_equal(exec_run(argv_path, &op, NULL), missing);
        assert_int_equal(exec_logged(NULL, argv_path, NULL, -1, NULL, NULL), missing);
        assert_int_equal(count_fds(), before);
}

static void on_line(void *userdata, const char *line) {
        struct sbuf *b = userdata;
        sbuf_printf(b, "[%s]", line);
}

static void test_logged_env_lines(void **state _unused_) {
        char *const argv[] = { (char *) "sh", (char *) "-c", (char *) "echo \"$SIS_T\"; echo two; pwd", NULL };
        char *const env[] = { (char *) "SIS_T=one", NULL };
        char log[] = "/tmp/sis-test-exec.XXXXXX";
        _cleanup_free_ char *got = NULL, *text = NULL;
        struct sbuf b = {};
        int fd = mkostemp(log, O_CLOEXEC), before;

        assert_true(fd >= 0);
        before = count_fds();
        assert_int_equal(exec_logged("/", argv, env, fd, on_line, &b), 0);
        assert_int_equal(count_fds(), before);
        got = sbuf_steal(&b);
        assert_string_equal(got, "[one][two][/]");
        assert_int_equal(read_file_capped(log, 4096, &text, NULL), 0);
        assert_string_equal(text, "one\ntwo\n/\n");
        close(fd);
        unlink(log);
}

static void test_stdin_and_env_only(void **state _unused_) {
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c",
                               (char *) "read x || exit 7; echo \"$x:${HOME-unset}\"; cat", NULL };
        char *const env[] = { (char *) "PATH=/usr/bin:/bin", NULL };
        _cleanup_(exec_result_done) struct exec_result res = {};
        int p[2];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write(p[1], "in\nrest\n", 8), 8);
        close(p[1]);
        {
                const struct exec_opts o = {
                        .log_fd = -1, .capture_max = 64, .stdin_fd = p[0], .env = env, .env_only = true
                };
                assert_int_equal(exec_run(argv, &o, &res), 0);
        }
        close(p[0]);
        assert_string_equal(res.output, "in:unset\nrest\n");
        exec_result_done(&res);
        {
                /* stdin is /dev/null by default: read fails at once */
                const struct exec_opts o = { .log_fd = -1, .capture_max = 64 };
                assert_int_equal(exec_run(argv, &o, &res), 7);
        }
}

static void test_stop_at_exit(void **state _unused_) {
        /* the child exits at once, a daemon it left keeps the pipe open: not waited for */
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "echo v1; (sleep 5; echo late) & exit 0",
                               NULL };
        const struct exec_opts o = { .log_fd = -1, .capture_max = 64, .timeout_ms = 2000, .stop_at_exit = true };
        _cleanup_(exec_result_done) struct exec_result res = {};

        assert_int_equal(exec_run(argv, &o, &res), 0);
        assert_false(res.timed_out);
        assert_string_equal(res.output, "v1\n");
}

/* `--version` as the tools ask it: found in PATH with the caller's environment, or by its path with
 * an empty one; NULL for a program that is missing or says nothing, or one past its deadline */
static void test_version_line(void **state _unused_) {
        _cleanup_free_ char *a = exec_version_line("true", NULL, 2000), *b = NULL, *c = NULL;
        char dir[] = "/tmp/sis-exec-XXXXXX", path[64];
        int fd;

        assert_non_null(a);
        assert_true(strncmp(a, "true (GNU coreutils)", 20) == 0);
        assert_null(strchr(a, '\n'));
        b = exec_version_line("/bin/true", (char *[]) { NULL }, 2000);
        assert_non_null(b);
        assert_string_equal(a, b);
        assert_null(exec_version_line("/nonexistent/sis-nothing", (char *[]) { NULL }, 2000));
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/hang", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
        assert_true(fd >= 0);
        assert_int_equal(dprintf(fd, "#!/bin/sh\necho started\nsleep 30\n") > 0, 1);
        close(fd);
        c = exec_version_line(path, (char *[]) { NULL }, 300);
        assert_null(c); /* it printed a line, then ran past its deadline: killed, not trusted */
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_capture),
                cmocka_unit_test(test_cap),
                cmocka_unit_test(test_deadline_kills_group),
                cmocka_unit_test(test_missing_binary),
                cmocka_unit_test(test_logged_env_lines),
                cmocka_unit_test(test_stdin_and_env_only),
                cmocka_unit_test(test_stop_at_exit),
                cmocka_unit_test(test_version_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
