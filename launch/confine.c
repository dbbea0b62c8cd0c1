/* SPDX-License-Identifier: MIT */
#include "confine.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "fileio.h"
#include "jail.h"
#include "util.h"

/* What a VMM never needs, refused by both filters (EPERM) and never in an allowlist: new
 * namespaces and mounts (a way back to capabilities), the kernel's own attack surface that no
 * VMM uses (io_uring, userfaultfd, BPF, perf, keyrings, the LDT, module loading, kexec),
 * looking into other processes (ptrace, process_vm_*, kcmp, pidfds), file handles that bypass
 * paths, and the host's clock, names, swap, quotas and accounting. */
const char *const confine_forbidden[] = {
        /* namespaces, mounts, the root */
        "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "fsconfig", "fspick",
        "move_mount", "open_tree", "mount_setattr",
        /* kernel attack surface no VMM needs */
        "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "modify_ldt", "bpf", "perf_event_open",
        "add_key", "request_key", "keyctl", "memfd_secret", "fanotify_init", "lookup_dcookie", "uselib", "_sysctl",
        "personality", "vhangup", "syslog",
        /* other processes */
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
        /* handles that bypass path resolution */
        "open_by_handle_at", "name_to_handle_at",
        /* the host: kernel, modules, power, swap, quotas, accounting, I/O ports, clocks, names */
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
        "quotactl", "quotactl_fd", "acct", "iopl", "ioperm", "settimeofday", "clock_settime", "adjtimex",
        "clock_adjtime", "sethostname", "setdomainname", NULL
};

/* QEMU's allowlist: the data, one syscall a line with why */
const char *const qemu_syscalls[] = {
#include "qemu-syscalls.h"
        NULL
};

/* clone's namespace flags (CLONE_NEWTIME is clone3's and unshare's only: clone takes that bit as
 * part of the exit signal) */
static const unsigned long ns_flags =
        CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

/* socket and socketpair in another family than AF_UNIX (and AF_VSOCK): EPERM. In an allowlist
 * that lists them, the allowed families are allowed (the default refuses the rest); in the
 * generic filter everything around them is refused, by single comparisons (libseccomp takes one
 * per argument and rule): below the first, each value between, above the last. Domains are
 * compared as 64-bit values: anything with the upper half set is above the last. */
static int add_socket_rules(scmp_filter_ctx ctx, const char *const *allow, bool vsock) {
        static const char *const names[] = { "socket", "socketpair" };
        static const int calls[] = { SCMP_SYS(socket), SCMP_SYS(socketpair) };
        const scmp_datum_t fams[] = { AF_UNIX, AF_VSOCK };
        size_t nf = vsock ? 2 : 1;
        int k = 0;

        for (size_t c = 0; k >= 0 && c < ELEMENTSOF(calls); c++) {
                if (allow) {
                        /* not listed: the default refuses it in any family */
                        for (size_t i = 0; k >= 0 && i < nf && strv_contains((char **) allow, names[c]); i++)
                                k = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[c], 1, SCMP_A0(SCMP_CMP_EQ, fams[i]));
                        continue;
                }
                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[c], 1, SCMP_A0(SCMP_CMP_LT, fams[0]));
                for (size_t i = 0; k >= 0 && i + 1 < nf; i++)
                        for (scmp_datum_t v = fams[i] + 1; k >= 0 && v < fams[i + 1]; v++)
                                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[c], 1, SCMP_A0(SCMP_CMP_EQ, v));
                if (k >= 0)
                        k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[c], 1,
                                             SCMP_A0(SCMP_CMP_GT, fams[nf - 1]));
        }
        return k;
}

int confine_seccomp_load(const char *const *allow, bool vsock) {
        scmp_filter_ctx ctx;
        int k = 0;

        for (const char *const *a = allow; a && *a; a++)
                if (strv_contains((char **) confine_forbidden, *a))
                        return -EINVAL;
        ctx = seccomp_init(allow ? SCMP_ACT_ERRNO(EPERM) : SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* another ABI than the native one (i386's int 0x80; x32, which libseccomp's x86_64 filter
         * sends to this action too): the whole process dies */
        k = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* a binary tree instead of a chain of comparisons (libseccomp 2.5): the allowlist is long */
        if (k >= 0 && allow)
                (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (allow) {
                for (const char *const *a = allow; k >= 0 && *a; a++) {
                        int nr = seccomp_syscall_resolve_name(*a);
                        if (nr == __NR_SCMP_ERROR || nr == SCMP_SYS(clone3))
                                continue; /* not on this architecture; clone3 below */
                        if (nr == SCMP_SYS(socket) || nr == SCMP_SYS(socketpair))
                                continue; /* below */
                        if (nr == SCMP_SYS(clone))
                                /* threads only: CLONE_THREAD, no namespace flag */
                                k = seccomp_rule_add(
                                        ctx, SCMP_ACT_ALLOW, nr, 1,
                                        SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags | CLONE_THREAD, CLONE_THREAD));
                        else
                                k = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                }
        } else {
                for (const char *const *f = confine_forbidden; k >= 0 && *f; f++) {
                        int nr = seccomp_syscall_resolve_name(*f);
                        if (nr != __NR_SCMP_ERROR)
                                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                }
                /* clone with any namespace flag: one rule per flag */
                for (unsigned long f = 1; k >= 0 && f; f <<= 1)
                        if (ns_flags & f)
                                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                                     SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
        }
        if (k >= 0)
                k = add_socket_rules(ctx, allow, vsock);
        /* clone3's flags are behind a pointer: ENOSYS, and the C library falls back to clone */
        if (k >= 0)
                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (k >= 0)
                k = seccomp_load(ctx);
        seccomp_release(ctx);
        return k;
}

/* Drop every capability for good (bounding and ambient sets first, while CAP_SETPCAP is still
 * ours), then become the VM's uid and gid with no supplementary groups, then clear what is left. */
static int become_user(const struct confine_spec *s) {
        cap_t none;
        int k = 0;

        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
                if (cap_drop_bound(c) < 0 && errno != EINVAL)
                        return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        if (setgroups(0, NULL) < 0 || setresgid(s->gid, s->gid, s->gid) < 0 || setresuid(s->uid, s->uid, s->uid) < 0)
                return -errno;
        none = cap_init();
        if (!none)
                return -ENOMEM;
        if (cap_set_proc(none) < 0)
                k = -errno;
        cap_free(none);
        return k;
}

/* Only the asked-for device nodes, the VM's, on a small tmpfs at <root>/dev. */
static int make_dev(const char *root, const char *const *devices, uid_t uid, gid_t gid) {
        _cleanup_free_ char *dev = strdup_printf("%s/dev", root);

        if (!dev)
                return -ENOMEM;
        if (mkdir(dev, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount("sis-dev", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=64") < 0)
                return -errno;
        for (const char *const *d = devices; d && *d; d++) {
                _cleanup_free_ char *host = strdup_printf("/dev/%s", *d), *in = strdup_printf("%s/%s", dev, *d);
                struct stat st;
                char *slash;
                if (!host || !in)
                        return -ENOMEM;
                if (stat(host, &st) < 0 || !S_ISCHR(st.st_mode))
                        return -ENODEV;
                slash = strrchr(in, '/');
                *slash = '\0';
                (void) mkdir(in, 0755);
                *slash = '/';
                if (mknod(in, S_IFCHR | 0600, st.st_rdev) < 0 || chown(in, uid, gid) < 0)
                        return -errno;
        }
        return 0;
}

/* Each host file at its own path under root, bound read-only: the VMM's binary, libraries and
 * firmware, and nothing else of the host (mount(2) follows symlinks on the host side). The mount
 * points are made on a small tmpfs per top-level directory (/usr, /lib, ...), seen by this mount
 * namespace only and made read-only after: nothing is written to the staged directory but those
 * directories, and creating ~60 mount points costs microseconds instead of a journal commit each. */
static int bind_files(const char *root, char *const *files) {
        _cleanup_strv_free_ char **tops = NULL;

        for (char *const *f = files; f && *f; f++) {
                _cleanup_free_ char *dst = strdup_printf("%s%s", root, *f), *dir = NULL;
                const char *second = strchr(*f + 1, '/');
                size_t n = strlen(*f);
                int fd;
                if (!dst || (*f)[0] != '/' || strstr(*f, "/../") || (n >= 3 && streq(*f + n - 3, "/..")))
                        return -EINVAL;
                if (second) {
                        _cleanup_free_ char *top = strndup(dst, strlen(root) + (size_t) (second - *f));
                        if (!top)
                                return -ENOMEM;
                        if (!strv_contains(tops, top)) {
                                if ((mkdir(top, 0755) < 0 && errno != EEXIST) ||
                                    mount("sis-vmm", top, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                          "mode=0755,size=64k,nr_inodes=4096") < 0)
                                        return -errno;
                                if (strv_extend(&tops, top) < 0)
                                        return -ENOMEM;
                        }
                }
                dir = strndup(dst, (size_t) (strrchr(dst, '/') - dst));
                if (!dir || (mkdir_parents(dir, 0755) < 0 && errno != EEXIST))
                        return -errno;
                fd = open(dst, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
                if (fd < 0)
                        return -errno;
                close(fd);
                if (mount(*f, dst, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                        return -errno;
        }
        for (char **t = tops; t && *t; t++)
                if (mount(NULL, *t, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        return -errno;
        return 0;
}

/* What the jail's init was doing when it failed, for the message. */
enum step {
        STEP_CGROUPS,
        STEP_SESSION,
        STEP_MOUNTS,
        STEP_DEV,
        STEP_FILES,
        STEP_PROC,
        STEP_PIVOT,
        STEP_HOSTNAME,
        STEP_RLIMITS,
        STEP_FDS,
        STEP_USER,
        STEP_NNP,
        STEP_SPECULATION,
        STEP_SECCOMP,
        STEP_EXEC,
};
static const char *const step_names[] = {
        [STEP_CGROUPS] = "joining the VM's cgroups",
        [STEP_SESSION] = "starting a session of its own",
        [STEP_MOUNTS] = "making its mounts private",
        [STEP_DEV] = "making /dev",
        [STEP_FILES] = "binding the VMM's files",
        [STEP_PROC] = "mounting /proc",
        [STEP_PIVOT] = "pivot_root into the staged directory",
        [STEP_HOSTNAME] = "setting its hostname",
        [STEP_RLIMITS] = "setting rlimits",
        [STEP_FDS] = "setting up stdio",
        [STEP_USER] = "dropping capabilities and becoming the VM's user",
        [STEP_NNP] = "setting no_new_privs",
        [STEP_SPECULATION] = "force-disabling speculation",
        [STEP_SECCOMP] = "loading the seccomp filter",
        [STEP_EXEC] = "executing the VMM",
};

struct failure {
        int step;
        int error; /* -errno */
};

/* The jail's init joins the VM's cgroups itself: on v1, writing 0 (itself) to each hierarchy's
 * "tasks" moves one thread without the global threadgroup lock that writing a pid to cgroup.procs
 * takes (its write side waits for an RCU grace period: milliseconds). On v2 the init is cloned
 * straight into its cgroup (CLONE_INTO_CGROUP); where clone3 is refused, it writes 0 to
 * cgroup.procs. */
static int join_cgroups(const int *fds, size_t n, bool v2) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = openat(fds[i], v2 ? "cgroup.procs" : "tasks", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "0", 1) != 1)
                        return errno > 0 ? -errno : -EIO;
        }
        return 0;
}

#define TRY(s, expr) \
        do { \
                if ((expr) < 0) { \
                        *ret_step = (s); \
                        return errno > 0 ? -errno : -EIO; \
                } \
        } while (0)

/* In the jail's init (pid 1 of its pid namespace). Returns -errno and the step that failed; does
 * not return on success. */
static int become_jailed(const struct confine_spec *s, const int *cgfds, size_t ncg, bool join, int status_fd,
                         int *ret_step) {
        _cleanup_free_ char *proc = strdup_printf("%s/proc", s->root), *old = strdup_printf("%s/old_root", s->root);
        struct rlimit rl;
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC), k;
        char *envp[] = { NULL };

        *ret_step = STEP_FDS;
        if (devnull < 0)
                return -errno;
        *ret_step = STEP_MOUNTS;
        if (!proc || !old)
                return -ENOMEM;
        if (join) {
                k = join_cgroups(cgfds, ncg, false);
                if (k < 0 && k != -ENOENT) {
                        *ret_step = STEP_CGROUPS;
                        return k;
                }
                /* no "tasks": v2 where clone3 was refused */
                if (k == -ENOENT)
                        TRY(STEP_CGROUPS, join_cgroups(cgfds, ncg, true));
        }
        /* a session of its own, without a controlling terminal: nothing in the jail can push input
         * into a terminal it inherited (TIOCSTI needs it to be the caller's controlling terminal),
         * and the launcher's session (its terminal's SIGHUP, SIGINT) cannot signal it */
        TRY(STEP_SESSION, setsid());
        TRY(STEP_MOUNTS, mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL));
        TRY(STEP_MOUNTS, mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL));
        k = make_dev(s->root, s->devices, s->uid, s->gid);
        if (k < 0) {
                *ret_step = STEP_DEV;
                return k;
        }
        k = bind_files(s->root, s->files);
        if (k < 0) {
                *ret_step = STEP_FILES;
                return k;
        }
        TRY(STEP_PROC, mkdir(proc, 0555) < 0 && errno != EEXIST ? -1 : 0);
        /* only the processes' directories (subset=pid: no /proc/sys, /proc/kcore, timer_list, ...; Linux
         * 5.8), and only the jail's own processes in them */
        if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2,subset=pid") < 0)
                TRY(STEP_PROC, mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2"));
        TRY(STEP_PIVOT, chdir(s->root));
        TRY(STEP_PIVOT, mkdir(old, 0700) < 0 && errno != EEXIST ? -1 : 0);
        TRY(STEP_PIVOT, syscall(SYS_pivot_root, ".", "old_root"));
        TRY(STEP_PIVOT, chdir("/"));
        TRY(STEP_PIVOT, umount2("/old_root", MNT_DETACH | UMOUNT_NOFOLLOW));
        TRY(STEP_PIVOT, rmdir("/old_root"));
        /* nothing setuid or device-like can come from the staged files */
        (void) mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL);
        if (s->id)
                TRY(STEP_HOSTNAME, sethostname(s->id, strlen(s->id)));
        rl = (struct rlimit) { s->nofile ? s->nofile : 2048, s->nofile ? s->nofile : 2048 };
        TRY(STEP_RLIMITS, setrlimit(RLIMIT_NOFILE, &rl));
        rl = (struct rlimit) { s->fsize ? s->fsize : RLIM_INFINITY, s->fsize ? s->fsize : RLIM_INFINITY };
        TRY(STEP_RLIMITS, setrlimit(RLIMIT_FSIZE, &rl));
        /* per uid, and the uid is the VM's: its tasks, threads included (QEMU: a main loop, an RCU
         * thread, vCPUs, up to 64 I/O workers) */
        rl = (struct rlimit) { s->nproc ? s->nproc : 256, s->nproc ? s->nproc : 256 };
        TRY(STEP_RLIMITS, setrlimit(RLIMIT_NPROC, &rl));
        rl = (struct rlimit) { 0, 0 };
        (void) setrlimit(RLIMIT_CORE, &rl);
        /* stdio, then every other fd but the exec-status pipe goes */
        TRY(STEP_FDS, dup2(devnull, 0));
        if (s->out_fd >= 0) {
                TRY(STEP_FDS, dup2(s->out_fd, 1));
                TRY(STEP_FDS, dup2(s->out_fd, 2));
        }
        if (status_fd > 3)
                TRY(STEP_FDS, syscall(SYS_close_range, 3, status_fd - 1, 0));
        TRY(STEP_FDS, syscall(SYS_close_range, status_fd + 1, ~0U, 0));
        k = become_user(s);
        if (k < 0) {
                *ret_step = STEP_USER;
                return k;
        }
        TRY(STEP_NNP, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        /* as the jailer's caller does for Firecracker: inherited across exec, never undone */
        TRY(STEP_SPECULATION, speculation_force_disable(NULL));
        k = confine_seccomp_load(s->syscalls, s->vsock);
        if (k < 0) {
                *ret_step = STEP_SECCOMP;
                return k;
        }
        *ret_step = STEP_EXEC;
        execve(s->argv[0], s->argv, envp);
        return -errno;
}

static void close_many(const int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
}

static void close_pair(const int p[2]) {
        close_many(p, 2);
}

/* The jail's init, from the process that holds its new namespaces: a fork, or a clone3 into the
 * v2 cgroup (that process is a fork of a fork, single-threaded: a raw clone3 without a stack is
 * as safe there as fork). *ret_joined says whether the child is in its cgroups already. */
static pid_t fork_init(int cgfd, bool *ret_joined) {
        *ret_joined = false;
        if (cgfd >= 0) {
                struct clone_args args = { .flags = CLONE_INTO_CGROUP,
                                           .exit_signal = SIGCHLD,
                                           .cgroup = (uint64_t) cgfd };
                long pid = syscall(SYS_clone3, &args, sizeof(args));
                if (pid >= 0) {
                        *ret_joined = true;
                        return (pid_t) pid;
                }
                /* only where clone3 is not there (older kernels, a seccomp filter around us): fork,
                 * then join. Anything else, pids.max reached included, is an answer. */
                if (errno != ENOSYS && errno != E2BIG && errno != EPERM)
                        return -1;
        }
        return fork();
}

int confine_spawn(const struct confine_spec *s, pid_t *ret_pid, char **ret_error) {
        size_t ncg = strv_length(s->cgroups);
        _cleanup_free_ int *cgfds = calloc(ncg ? ncg : 1, sizeof(int));
        int ready[2] = { -1, -1 }, status[2] = { -1, -1 }, st = 0, v2fd = -1;
        struct failure f = {};
        pid_t a, b = 0;
        ssize_t n;

        if (!s->root || !s->argv || !s->argv[0] || s->uid == 0 || s->gid == 0)
                return set_error(ret_error, -EINVAL, "a jail needs a root, a command and a non-root uid and gid");
        if (!cgfds)
                return set_error(ret_error, -ENOMEM, "out of memory");
        for (size_t i = 0; i < ncg; i++) {
                struct statfs sf;
                cgfds[i] = open(s->cgroups[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (cgfds[i] < 0) {
                        int e = errno;
                        close_many(cgfds, i);
                        return set_error(ret_error, -e, "%s: cannot open the cgroup: %s", s->cgroups[i], strerror(e));
                }
                if (ncg == 1 && fstatfs(cgfds[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                        v2fd = cgfds[i];
        }
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0 || (a = fork()) < 0) {
                int e = errno;
                close_many(cgfds, ncg);
                close_pair(ready);
                close_pair(status);
                return set_error(ret_error, -e, "cannot start the jail: %s", strerror(e));
        }
        if (a == 0) {
                /* the VM's network namespace (or a new, empty one), then the rest: the pid namespace
                 * applies to the next child, which is the jail's init */
                int nsfd = s->netns ? open(s->netns, O_RDONLY | O_CLOEXEC) : -1;
                bool joined;
                if (s->netns ? nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0 : unshare(CLONE_NEWNET) < 0)
                        _exit(10);
                if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
                        _exit(11);
                b = fork_init(v2fd, &joined);
                if (b < 0)
                        _exit(12);
                if (b == 0) {
                        close(ready[0]);
                        close(ready[1]);
                        close(status[0]);
                        f.error = become_jailed(s, cgfds, ncg, !joined, status[1], &f.step);
                        (void) !write(status[1], &f, sizeof(f));
                        _exit(126);
                }
                (void) !write(ready[1], &b, sizeof(b));
                _exit(0);
        }
        close(ready[1]);
        close(status[1]);
        close_many(cgfds, ncg);
        n = read(ready[0], &b, sizeof(b));
        close(ready[0]);
        while (waitpid(a, &st, 0) < 0 && errno == EINTR)
                ;
        if (n != (ssize_t) sizeof(b) || b <= 0) {
                int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
                close(status[0]);
                return set_error(ret_error, -EPERM, "cannot %s",
                                 code == 10           ? "join the VM's network namespace"
                                         : code == 11 ? "create the jail's namespaces"
                                         : code == 12 ? "start the jail's init"
                                                      : "start the jail");
        }
        /* EOF: the exec happened (the pipe is close-on-exec); a failure: what failed */
        n = read(status[0], &f, sizeof(f));
        close(status[0]);
        if (n == (ssize_t) sizeof(f)) {
                (void) waitpid(b, &st, 0); /* when we are a subreaper; init reaps it otherwise */
                if (f.step < 0 || (size_t) f.step >= ELEMENTSOF(step_names) || f.error >= 0)
                        f = (struct failure) { STEP_EXEC, -EIO };
                return set_error(ret_error, f.error, "the jail could not be set up: %s: %s", step_names[f.step],
                                 strerror(-f.error));
        }
        *ret_pid = b;
        return 0;
}
