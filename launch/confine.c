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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "fileio.h"
#include "jail.h"
#include "util.h"

/* What a VMM never needs, refused with EPERM (ENOSYS for clone3, so that the C library falls back
 * to clone, whose namespace flags are refused below). */
static const char *const denied[] = {
        "mount", "umount2", "pivot_root", "chroot", "reboot", "kexec_load", "kexec_file_load", "init_module",
        "finit_module", "delete_module", "swapon", "swapoff", "bpf", "perf_event_open", "keyctl", "add_key",
        "request_key", "unshare", "setns", "ptrace", "process_vm_readv", "process_vm_writev", "open_by_handle_at",
        "name_to_handle_at", "acct", "quotactl", "syslog", "iopl", "ioperm", "lookup_dcookie", "fsopen", "fsmount",
        "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr", "settimeofday", "clock_settime",
        "adjtimex", "clock_adjtime", "sethostname", "setdomainname", "vhangup", "personality",
};

static int install_seccomp(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int k = 0;

        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(denied); i++) {
                int nr = seccomp_syscall_resolve_name(denied[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* not on this architecture */
                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        }
        if (k >= 0)
                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        /* clone with any namespace flag: one rule per flag */
        static const unsigned long ns_flags[] = { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                                                  CLONE_NEWUTS, CLONE_NEWCGROUP };
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(ns_flags); i++)
                k = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
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
 * firmware, and nothing else of the host. Symlinks are followed on the host side. */
static int bind_files(const char *root, char *const *files) {
        for (char *const *f = files; f && *f; f++) {
                _cleanup_free_ char *src = realpath(*f, NULL), *dst = strdup_printf("%s%s", root, *f), *dir = NULL;
                int fd;
                if (!src || !dst || (*f)[0] != '/' || strstr(*f, "/../"))
                        return -EINVAL;
                dir = strndup(dst, (size_t) (strrchr(dst, '/') - dst));
                if (!dir || (mkdir_parents(dir, 0755) < 0 && errno != EEXIST))
                        return -errno;
                fd = open(dst, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
                if (fd < 0)
                        return -errno;
                close(fd);
                if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                        return -errno;
        }
        return 0;
}

/* In the jail's init (pid 1 of its pid namespace), after the parent said go. Returns -errno; does
 * not return on success. */
static int become_jailed(const struct confine_spec *s, int status_fd) {
        _cleanup_free_ char *proc = strdup_printf("%s/proc", s->root), *old = strdup_printf("%s/old_root", s->root);
        struct rlimit rl;
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        char *envp[] = { NULL };

        if (!proc || !old || devnull < 0)
                return -ENOMEM;
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 || mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        if (make_dev(s->root, s->devices, s->uid, s->gid) < 0)
                return -ENODEV;
        if (bind_files(s->root, s->files) < 0)
                return -ENOENT;
        if ((mkdir(proc, 0555) < 0 && errno != EEXIST) ||
            mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") < 0)
                return -errno;
        if (chdir(s->root) < 0 || (mkdir(old, 0700) < 0 && errno != EEXIST) || syscall(SYS_pivot_root, ".", "old_root") < 0 ||
            chdir("/") < 0 || umount2("/old_root", MNT_DETACH) < 0 || rmdir("/old_root") < 0)
                return -errno;
        /* nothing setuid or device-like can come from the staged files */
        (void) mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL);
        if (s->id && sethostname(s->id, strlen(s->id)) < 0)
                return -errno;
        rl = (struct rlimit) { s->nofile ? s->nofile : 2048, s->nofile ? s->nofile : 2048 };
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        rl = (struct rlimit) { s->fsize ? s->fsize : RLIM_INFINITY, s->fsize ? s->fsize : RLIM_INFINITY };
        if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
                return -errno;
        rl = (struct rlimit) { 0, 0 };
        (void) setrlimit(RLIMIT_CORE, &rl);
        /* stdio, then every other fd but the exec-status pipe goes */
        if (dup2(devnull, 0) < 0 || (s->out_fd >= 0 && (dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0)))
                return -errno;
        if (status_fd > 3)
                (void) syscall(SYS_close_range, 3, status_fd - 1, 0);
        (void) syscall(SYS_close_range, status_fd + 1, ~0U, 0);
        if (become_user(s) < 0)
                return -EPERM;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        /* as the jailer's caller does for Firecracker: inherited across exec, never undone */
        if (speculation_force_disable(NULL) < 0)
                return -errno;
        if (install_seccomp() < 0)
                return -EACCES;
        execve(s->argv[0], s->argv, envp);
        return -errno;
}

int confine_spawn(const struct confine_spec *s, pid_t *ret_pid, char **ret_error) {
        int ready[2], go[2], status[2], k, st;
        pid_t a, b = 0;
        ssize_t n;

        if (!s->root || !s->argv || !s->argv[0] || s->uid == 0 || s->gid == 0)
                return set_error(ret_error, -EINVAL, "a jail needs a root, a command and a non-root uid and gid");
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0)
                return -errno;
        a = fork();
        if (a < 0)
                return -errno;
        if (a == 0) {
                /* the VM's network namespace (or a new, empty one), then the rest: the pid namespace
                 * applies to the next child, which is the jail's init */
                int nsfd = s->netns ? open(s->netns, O_RDONLY | O_CLOEXEC) : -1;
                if (s->netns ? nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0 : unshare(CLONE_NEWNET) < 0)
                        _exit(10);
                if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
                        _exit(11);
                b = fork();
                if (b < 0)
                        _exit(12);
                if (b == 0) {
                        char c;
                        close(go[1]);
                        close(status[0]);
                        if (read(go[0], &c, 1) != 1) /* the parent put us in our cgroup */
                                _exit(13);
                        k = become_jailed(s, status[1]);
                        (void) !write(status[1], &k, sizeof(k));
                        _exit(126);
                }
                (void) !write(ready[1], &b, sizeof(b));
                _exit(0);
        }
        close(ready[1]);
        close(go[0]);
        close(status[1]);
        n = read(ready[0], &b, sizeof(b));
        close(ready[0]);
        while (waitpid(a, &st, 0) < 0 && errno == EINTR)
                ;
        if (n != (ssize_t) sizeof(b) || b <= 0) {
                close(go[1]);
                close(status[0]);
                return set_error(ret_error, -EPERM, "cannot create the jail's namespaces (step %d)",
                                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
        for (char *const *cg = s->cgroups; cg && *cg; cg++) {
                _cleanup_free_ char *procs = strdup_printf("%s/cgroup.procs", *cg), *line = strdup_printf("%d\n", (int) b);
                k = procs && line ? write_attr(procs, line) : -ENOMEM;
                if (k < 0) {
                        kill(b, SIGKILL);
                        close(go[1]);
                        close(status[0]);
                        return set_error(ret_error, k, "%s: cannot move the jail into it: %s", *cg, strerror(-k));
                }
        }
        (void) !write(go[1], "g", 1);
        close(go[1]);
        /* EOF: the exec happened (the pipe is close-on-exec); a number: what failed */
        n = read(status[0], &k, sizeof(k));
        close(status[0]);
        if (n == (ssize_t) sizeof(k)) {
                (void) waitpid(b, &st, 0);
                return set_error(ret_error, k, "the jail could not be set up: %s", strerror(-k));
        }
        *ret_pid = b;
        return 0;
}
