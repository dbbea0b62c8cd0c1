/* SPDX-License-Identifier: MIT */
/* Test driver for launch/confine.c:
 *   confine-run [--qemu] [--vsock] [--nproc N] ROOT UID OUT DEVICES CGROUPS FILES CMD...
 * runs CMD in the jail (ROOT staged; devices, cgroup directories and host files to bind in
 * comma-separated, or "-"), its output to OUT, and exits with its status. --qemu: under QEMU's
 * syscall allowlist instead of the generic filter; --vsock: AF_VSOCK sockets allowed too.
 *   confine-run probe
 * is meant to run inside (this binary and its libraries bound in): what the jail lets it do, one
 * "name: result" a line, the result "ok" or the errno's name. */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "confine.h"
#include "util.h"

static void said(const char *name, long r) {
        const char *e = r < 0 ? strerrorname_np(errno) : NULL;
        printf("%s: %s\n", name, r >= 0 ? "ok" : e ? e : "?");
}

/* a descriptor: closed after */
static void said_fd(const char *name, long r) {
        said(name, r);
        if (r >= 0)
                close((int) r);
}

static void *thread_fn(void *arg) {
        return arg;
}

static int probe(void) {
        struct io_uring_params iop = {};
        struct rlimit rl;
        char ldt[16], line[256];
        int sv[2], n = 0, refused = 0;
        pthread_t t;
        pid_t child, id;
        FILE *f;

        id = getsid(0);
        printf("session leader: %s\n", id < 0 ? strerrorname_np(errno) : id == getpid() ? "yes" : "no");
        id = getpgid(0);
        printf("process group leader: %s\n", id < 0 ? strerrorname_np(errno) : id == getpid() ? "yes" : "no");
        if (getrlimit(RLIMIT_NPROC, &rl) == 0)
                printf("nproc: %llu\n", (unsigned long long) rl.rlim_cur);
        f = fopen("/proc/self/status", "re");
        while (f && fgets(line, sizeof(line), f))
                if (startswith(line, "Cap") || startswith(line, "NoNewPrivs:") || startswith(line, "Seccomp:"))
                        fputs(line, stdout);
        if (f)
                fclose(f);
        said_fd("socket unix", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        said_fd("socket inet", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        said_fd("socket inet6", socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        said_fd("socket netlink", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
        said_fd("socket packet", socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
        said_fd("socket vsock", socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
        errno = 0;
        said("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
                said("socketpair unix", 0);
                close(sv[0]);
                close(sv[1]);
        } else
                said("socketpair unix", -1);
        said_fd("io_uring_setup", syscall(SYS_io_uring_setup, 8, &iop));
        said_fd("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
        said("kcmp", syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0));
        said("modify_ldt", syscall(SYS_modify_ldt, 0, ldt, sizeof(ldt)));
        said_fd("pidfd_open", syscall(SYS_pidfd_open, getpid(), 0));
        said("unshare user", unshare(CLONE_NEWUSER));
        said("clone3", syscall(SYS_clone3, NULL, 0));
        /* every forbidden syscall, every argument -1: nothing happens, whatever answers */
        for (const char *const *s = confine_forbidden; *s; s++, n++) {
                errno = 0;
                if (syscall(seccomp_syscall_resolve_name(*s), -1L, -1L, -1L, -1L, -1L, -1L) == -1 && errno == EPERM)
                        refused++;
                else
                        printf("forbidden but not refused: %s (%s)\n", *s, strerrorname_np(errno) ?: "?");
        }
        printf("forbidden: %d of %d refused\n", refused, n);
        errno = pthread_create(&t, NULL, thread_fn, NULL);
        said("thread", errno ? -1 : pthread_join(t, NULL));
        fflush(stdout);
        child = fork();
        if (child == 0)
                _exit(0);
        if (child > 0)
                (void) waitpid(child, NULL, 0);
        said("fork", child);
        fflush(stdout);
        /* no exit handlers: a sanitizer's leak check at exit would ptrace, which the jail refuses */
        _exit(0);
}

int main(int argc, char **argv) {
        _cleanup_strv_free_ char **devs = NULL, **cgroups = NULL, **files = NULL;
        struct confine_spec s = { .id = "sis-test", .nofile = 256 };
        char *err = NULL;
        pid_t pid;
        int st, out, i = 1;

        if (argc == 2 && streq(argv[1], "probe"))
                return probe();
        for (; i < argc && startswith(argv[i], "--"); i++)
                if (streq(argv[i], "--qemu"))
                        s.syscalls = qemu_syscalls;
                else if (streq(argv[i], "--vsock"))
                        s.vsock = true;
                else if (streq(argv[i], "--nproc") && i + 1 < argc)
                        s.nproc = strtoul(argv[++i], NULL, 10);
                else
                        argc = 0;
        argc -= i - 1;
        argv += i - 1;
        if (argc < 8) {
                fprintf(stderr,
                        "usage: confine-run [--qemu] [--vsock] [--nproc N] ROOT UID OUT DEVICES CGROUPS FILES CMD...\n"
                        "       confine-run probe\n");
                return 2;
        }
        /* the jailed process is our grandchild: adopt it when its parent exits, to wait for it */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0 || (strcmp(argv[4], "-") != 0 && strv_split(argv[4], ",", &devs) < 0) ||
            (strcmp(argv[5], "-") != 0 && strv_split(argv[5], ",", &cgroups) < 0) ||
            (strcmp(argv[6], "-") != 0 && strv_split(argv[6], ",", &files) < 0))
                return 2;
        s.root = argv[1];
        s.uid = (uid_t) atoi(argv[2]);
        s.gid = (gid_t) atoi(argv[2]);
        s.devices = (const char *const *) devs;
        s.cgroups = cgroups;
        s.files = files;
        s.argv = argv + 7;
        s.out_fd = out;
        if (confine_spawn(&s, &pid, &err) < 0) {
                fprintf(stderr, "confine-run: %s\n", err ? err : "failed");
                free(err);
                return 3;
        }
        if (waitpid(pid, &st, 0) < 0)
                return 4;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
