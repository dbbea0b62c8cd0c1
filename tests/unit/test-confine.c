/* SPDX-License-Identifier: MIT */
/* The jail's seccomp filters (launch/confine.c): QEMU's allowlist as data (real x86_64 syscalls,
 * no duplicates, nothing forbidden in it), then both filters loaded for real in a child of their
 * own: what they refuse (EPERM), what they let through, clone3's ENOSYS, and a foreign ABI
 * killing the process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/kcmp.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"
#include "helpers.h"

static size_t count(const char *const *l) {
        size_t n = 0;
        while (l[n])
                n++;
        return n;
}

static bool listed(const char *const *l, const char *name) {
        for (; *l; l++)
                if (streq(*l, name))
                        return true;
        return false;
}

static void test_allowlist_resolves(void **state) {
        /* long enough to be QEMU's, short enough to be an allowlist */
        assert_in_range(count(qemu_syscalls), 60, 250);
        for (const char *const *s = qemu_syscalls; *s; s++) {
                if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, *s) == __NR_SCMP_ERROR)
                        fail_msg("qemu_syscalls: %s is not an x86_64 syscall", *s);
        }
        for (const char *const *s = confine_forbidden; *s; s++)
                if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, *s) == __NR_SCMP_ERROR)
                        fail_msg("confine_forbidden: %s is not an x86_64 syscall", *s);
}

static void test_allowlist_no_duplicates(void **state) {
        for (const char *const *l[] = { qemu_syscalls, confine_forbidden }, *const *const *p = l; p < l + 2; p++)
                for (const char *const *a = *p; *a; a++)
                        for (const char *const *b = a + 1; *b; b++)
                                if (streq(*a, *b))
                                        fail_msg("%s is listed twice", *a);
}

static void test_allowlist_forbids(void **state) {
        /* named in the review: none may ever be allowed */
        static const char *const never[] = {
                "io_uring_setup",
                "io_uring_enter",
                "io_uring_register",
                "userfaultfd",
                "modify_ldt",
                "kcmp",
                "kexec_load",
                "kexec_file_load",
                "open_by_handle_at",
                "name_to_handle_at",
                "add_key",
                "request_key",
                "keyctl",
                "bpf",
                "perf_event_open",
                "ptrace",
                "process_vm_readv",
                "process_vm_writev",
                "unshare",
                "setns",
                "mount",
                "umount2",
                "fsopen",
                "fsmount",
                "fsconfig",
                "fspick",
                "move_mount",
                "open_tree",
                "mount_setattr",
                "pivot_root",
                "chroot",
                "init_module",
                "finit_module",
                "delete_module",
                "pidfd_open",
                "pidfd_getfd",
                "memfd_secret",
                "fanotify_init",
                "quotactl",
                "quotactl_fd",
                "acct",
                "swapon",
                "swapoff",
                "reboot",
                "iopl",
                "ioperm",
                "lookup_dcookie",
                "personality",
                "vhangup",
                "settimeofday",
                "clock_settime",
                "adjtimex",
                "clock_adjtime",
                "sethostname",
                "setdomainname",
                NULL,
        };
        for (const char *const *n = never; *n; n++) {
                if (!listed(confine_forbidden, *n))
                        fail_msg("%s is not in confine_forbidden", *n);
                if (listed(qemu_syscalls, *n))
                        fail_msg("%s is in QEMU's allowlist", *n);
        }
        for (const char *const *s = qemu_syscalls; *s; s++)
                if (listed(confine_forbidden, *s))
                        fail_msg("%s is both allowed and forbidden", *s);
        /* clone3 is ENOSYS whatever a list says: listing it would only mislead */
        assert_false(listed(qemu_syscalls, "clone3"));
}

/* Runs fn in a child (after setsid: no terminal to touch) and returns what it wrote to fd, the
 * failed checks, one a line; *ret_status is the child's wait status. */
static char *in_child(void (*fn)(int fd, const void *arg), const void *arg, int *ret_status) {
        int p[2];
        pid_t pid;
        char buf[4096];
        size_t n = 0;
        ssize_t r;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct rlimit none = { 0, 0 };
                close(p[0]);
                (void) setsid();
                (void) setrlimit(RLIMIT_CORE, &none);
                /* cmocka's handlers would carry on with the test run in here */
                for (int sig = 1; sig < NSIG; sig++)
                        (void) signal(sig, SIG_DFL);
                fn(p[1], arg);
                _exit(0);
        }
        close(p[1]);
        while (n < sizeof(buf) - 1 && (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
                n += (size_t) r;
        buf[n] = '\0';
        close(p[0]);
        assert_int_equal(waitpid(pid, ret_status, 0), pid);
        return strdup(buf);
}

static void report(int fd, const char *what, long r, int err, int want) {
        char line[256];
        int n;
        if (r == -1 && err == want)
                return;
        n = snprintf(line, sizeof(line), "%s: returned %ld, errno %d (%s), wanted errno %d\n", what, r, err,
                     r == -1 ? strerror(err) : "-", want);
        (void) !write(fd, line, (size_t) n);
}

static void report_ok(int fd, const char *what, long r, int err) {
        char line[256];
        int n;
        if (r >= 0)
                return;
        n = snprintf(line, sizeof(line), "%s: failed, errno %d (%s), wanted success\n", what, err, strerror(err));
        (void) !write(fd, line, (size_t) n);
}

#define EXPECT_ERRNO(fd, want, call) \
        do { \
                long r_ = (long) (call); \
                report(fd, #call, r_, errno, want); \
        } while (0)
#define EXPECT_OK(fd, call) \
        do { \
                long r_ = (long) (call); \
                report_ok(fd, #call, r_, errno); \
                if (r_ >= 0) \
                        close((int) r_); \
        } while (0)

static void *thread_fn(void *arg) {
        return arg;
}

struct filter {
        const char *const *allow;
        bool vsock;
};

/* Every forbidden syscall, with every argument -1 (bad pointers, flags, descriptors, lengths):
 * without a filter each fails or queries (EFAULT, EINVAL, EBADF, ENOSYS; personality and vhangup
 * without a terminal change nothing) even as root; under either filter each must be EPERM. */
static void forbidden_all(int fd) {
        for (const char *const *f = confine_forbidden; *f; f++) {
                long r;
                errno = 0;
                r = syscall(seccomp_syscall_resolve_name(*f), -1L, -1L, -1L, -1L, -1L, -1L);
                report(fd, *f, r, errno, EPERM);
        }
}

/* The same without a filter: the names the kernel itself answers EPERM here (a sysctl or lockdown
 * can: kernel.io_uring_disabled, kexec_load_disabled, modules_disabled) */
static void control(int fd, const void *arg) {
        for (const char *const *f = confine_forbidden; *f; f++) {
                long r;
                errno = 0;
                r = syscall(seccomp_syscall_resolve_name(*f), -1L, -1L, -1L, -1L, -1L, -1L);
                if (r == -1 && errno == EPERM)
                        (void) !write(fd, *f, strlen(*f)), (void) !write(fd, " ", 1);
        }
}

static void filtered(int fd, const void *arg) {
        const struct filter *f = arg;
        struct io_uring_params iop = {};
        char ldt[16];
        pthread_t t;
        void *ret = NULL;
        int sv[2], k;
        pid_t child;

        k = confine_seccomp_load(f->allow, f->vsock);
        if (k < 0) {
                report(fd, "confine_seccomp_load", k, -k, 0);
                return;
        }
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
                report(fd, "no_new_privs and seccomp mode 2", 0, 0, 0);
        forbidden_all(fd);
        /* the review's list, with real arguments */
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_io_uring_setup, 8, &iop));
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_userfaultfd, O_CLOEXEC));
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_modify_ldt, 0, ldt, sizeof(ldt)));
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0));
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_pidfd_open, getpid(), 0));
        EXPECT_ERRNO(fd, EPERM, unshare(CLONE_NEWUSER));
        EXPECT_ERRNO(fd, EPERM, personality(0xffffffff));
        /* sockets: AF_UNIX only (AF_VSOCK when asked for) */
        EXPECT_ERRNO(fd, EPERM, socket(AF_INET, SOCK_STREAM, 0));
        EXPECT_ERRNO(fd, EPERM, socket(AF_INET6, SOCK_DGRAM, 0));
        EXPECT_ERRNO(fd, EPERM, socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
        EXPECT_ERRNO(fd, EPERM, socket(AF_PACKET, SOCK_RAW, 0));
        EXPECT_ERRNO(fd, EPERM, socket(AF_UNSPEC, SOCK_STREAM, 0));
        EXPECT_ERRNO(fd, EPERM, socket(AF_MAX + 5, SOCK_STREAM, 0));
        /* the kernel reads an int: AF_INET with the upper half set is refused, and so is AF_UNIX */
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_socket, (1L << 32) | AF_INET, SOCK_STREAM, 0));
        EXPECT_ERRNO(fd, EPERM, syscall(SYS_socket, (1L << 32) | AF_UNIX, SOCK_STREAM, 0));
        EXPECT_ERRNO(fd, EPERM, socketpair(AF_INET, SOCK_STREAM, 0, sv));
        EXPECT_ERRNO(fd, EPERM, socketpair(AF_NETLINK, SOCK_RAW, 0, sv));
        if (f->vsock) {
                /* through the filter: the kernel answers (EAFNOSUPPORT without the module) */
                errno = 0;
                k = socket(AF_VSOCK, SOCK_STREAM, 0);
                if (k < 0 && errno == EPERM)
                        report(fd, "socket(AF_VSOCK) with vsock", k, errno, 0);
                if (k >= 0)
                        close(k);
        } else
                EXPECT_ERRNO(fd, EPERM, socket(AF_VSOCK, SOCK_STREAM, 0));
        EXPECT_OK(fd, socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        EXPECT_OK(fd, socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        k = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        report_ok(fd, "socketpair(AF_UNIX)", k, errno);
        if (k == 0) {
                close(sv[0]);
                close(sv[1]);
        }
        /* clone3: ENOSYS, so that threads come from clone; clone with a namespace flag: EPERM */
        EXPECT_ERRNO(fd, ENOSYS, syscall(SYS_clone3, NULL, 0));
        errno = 0;
        child = (pid_t) syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (child == 0)
                _exit(0);
        report(fd, "clone(CLONE_NEWUSER)", child, errno, EPERM);
        errno = 0;
        child = (pid_t) syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
        if (child == 0)
                _exit(0);
        report(fd, "clone(CLONE_NEWNET)", child, errno, EPERM);
        /* threads work under both */
        k = pthread_create(&t, NULL, thread_fn, (void *) 7);
        if (k != 0)
                report(fd, "pthread_create", -1, k, 0);
        else if (pthread_join(t, &ret) != 0 || ret != (void *) 7)
                report(fd, "pthread_join", -1, 0, 0);
        /* processes: only the generic filter (the stand-ins are shells); QEMU makes threads only */
        errno = 0;
        child = fork();
        if (child == 0)
                _exit(0);
        if (f->allow)
                report(fd, "fork under the allowlist", child, errno, EPERM);
        else if (child < 0)
                report(fd, "fork under the generic filter", child, errno, 0);
        else
                (void) waitpid(child, NULL, 0);
        if (f->allow) {
                /* not listed: EPERM */
                EXPECT_ERRNO(fd, EPERM, mknodat(AT_FDCWD, "/nonexistent/x", S_IFIFO | 0600, 0));
                EXPECT_ERRNO(fd, EPERM, chdir("/"));
        }
}

static bool under_valgrind(void) {
        const char *v = getenv("SIS_VALGRIND");
        return v && streq(v, "1");
}

static void check_filter(const char *const *allow, bool vsock) {
        struct filter f = { allow, vsock };
        _cleanup_free_ char *out = NULL;
        int st;

        if (under_valgrind()) {
                skip(); /* valgrind makes its own syscalls, and cannot run another ABI's */
                return;
        }
        out = in_child(filtered, &f, &st);
        if (*out)
                fail_msg("under the %s filter%s:\n%s", allow ? "QEMU" : "generic", vsock ? " (vsock)" : "", out);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

/* Without a filter, with these arguments, the kernel answers EPERM to none of the forbidden
 * syscalls (or to a few, said so): the tests below measure the filters, not the kernel. */
static void test_forbidden_control(void **state) {
        _cleanup_free_ char *out = NULL;
        int st;

        if (under_valgrind() || geteuid() != 0) {
                skip();
                return;
        }
        out = in_child(control, NULL, &st);
        assert_true(WIFEXITED(st));
        if (*out)
                print_message("refused by this kernel itself, without a filter: %s\n", out);
}

static void test_generic_filter(void **state) {
        check_filter(NULL, false);
}

static void test_generic_filter_vsock(void **state) {
        check_filter(NULL, true);
}

static void test_qemu_filter(void **state) {
        check_filter(qemu_syscalls, false);
}

static void test_qemu_filter_vsock(void **state) {
        check_filter(qemu_syscalls, true);
}

static void refuse_forbidden(int fd, const void *arg) {
        static const char *const bad[] = { "read", "write", "bpf", NULL };
        int k = confine_seccomp_load(bad, false);
        report(fd, "an allowlist with bpf", k < 0 ? -1 : k, -k, EINVAL);
        /* nothing was loaded */
        if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
                report(fd, "a filter was loaded", 0, 0, 0);
}

static void test_allowlist_refused_with_forbidden(void **state) {
        _cleanup_free_ char *out = NULL;
        int st;

        if (under_valgrind()) {
                skip();
                return;
        }
        out = in_child(refuse_forbidden, NULL, &st);
        if (*out)
                fail_msg("%s", out);
}

/* A foreign ABI: x32 (the syscall number with bit 30) and i386 (int 0x80) kill the process
 * (SIGSYS), not just the thread and not with an errno. */
struct abi_case {
        bool filter;
        const char *const *allow;
        bool i386;
};

static void *foreign_call(void *arg) {
        const struct abi_case *c = arg;
        long r;

        if (c->i386)
                __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L /* i386 getpid */) : "memory");
        else
                r = syscall(0x40000000L | SYS_getpid);
        return (void *) r;
}

/* from a second thread: KILL_THREAD would leave the main thread to exit 0 */
static void foreign(int fd, const void *arg) {
        const struct abi_case *c = arg;
        pthread_t t;

        if (c->filter && confine_seccomp_load(c->allow, false) < 0)
                _exit(3);
        if (pthread_create(&t, NULL, foreign_call, (void *) c) != 0)
                _exit(4);
        (void) pthread_join(t, NULL);
        _exit(0);
}

static void test_foreign_abi_killed(void **state) {
        const char *const *lists[] = { NULL, qemu_syscalls };
        struct abi_case c = { .filter = false, .i386 = true };
        _cleanup_free_ char *o = NULL;
        bool have_i386;
        int st;

        if (under_valgrind()) {
                skip();
                return;
        }
        /* is there an i386 ABI at all (ia32_emulation)? Without, int 0x80 is a SIGSEGV */
        o = in_child(foreign, &c, &st);
        have_i386 = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!have_i386)
                print_message("no i386 ABI on this kernel: x32 only\n");
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                for (int i386 = 0; i386 <= have_i386; i386++) {
                        _cleanup_free_ char *out = NULL;
                        c = (struct abi_case) { true, lists[i], i386 };
                        out = in_child(foreign, &c, &st);
                        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
                                fail_msg("%s filter, %s: wait status %#x, not killed by SIGSYS",
                                         lists[i] ? "QEMU" : "generic", i386 ? "i386" : "x32", st);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_allowlist_resolves),   cmocka_unit_test(test_allowlist_no_duplicates),
                cmocka_unit_test(test_allowlist_forbids),    cmocka_unit_test(test_allowlist_refused_with_forbidden),
                cmocka_unit_test(test_forbidden_control),    cmocka_unit_test(test_generic_filter),
                cmocka_unit_test(test_generic_filter_vsock), cmocka_unit_test(test_qemu_filter),
                cmocka_unit_test(test_qemu_filter_vsock),    cmocka_unit_test(test_foreign_abi_killed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
