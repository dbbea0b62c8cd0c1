/* SPDX-License-Identifier: MIT */
#include "jail.h"

#include <fcntl.h>
#include <linux/prctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "dump.h"
#include "fileio.h"
#include "jailfs.h"
#include "runopts.h"
#include "util.h"

uint64_t jail_mem_limit(unsigned mem_mib) {
        /* the VMM's own memory beyond the guest's: Firecracker stays under 5 MiB, leave 64 */
        return ((uint64_t) mem_mib << 20) + (64u << 20);
}

int jailer_argv(const struct jailer_opts *o, char ***ret) {
        _cleanup_strv_free_ char **a = NULL;
        uint64_t limit = jail_mem_limit(o->mem_mib);
        int k = 0;

        if (!vm_id_ok(o->id))
                return -EINVAL;
        strv_add(&a, &k, o->jailer);
        strv_add(&a, &k, "--id");
        strv_add(&a, &k, o->id);
        strv_add(&a, &k, "--exec-file");
        strv_add(&a, &k, o->exec_file);
        strv_add(&a, &k, "--uid");
        strv_addf(&a, &k, "%u", (unsigned) o->uid);
        strv_add(&a, &k, "--gid");
        strv_addf(&a, &k, "%u", (unsigned) o->gid);
        strv_add(&a, &k, "--chroot-base-dir");
        strv_add(&a, &k, o->chroot_base);
        if (o->netns) {
                strv_add(&a, &k, "--netns");
                strv_add(&a, &k, o->netns);
        }
        strv_add(&a, &k, "--new-pid-ns");
        strv_add(&a, &k, "--daemonize");
        strv_add(&a, &k, "--cgroup-version");
        strv_addf(&a, &k, "%d", o->cgroup_version);
        if (o->cgroup_version == 2) {
                strv_add(&a, &k, "--cgroup");
                strv_addf(&a, &k, "cpu.max=%u 100000", o->vcpus * 100000u);
                strv_add(&a, &k, "--cgroup");
                strv_addf(&a, &k, "memory.max=%llu", (unsigned long long) limit);
                strv_add(&a, &k, "--cgroup");
                strv_add(&a, &k, "memory.swap.max=0");
        } else {
                strv_add(&a, &k, "--cgroup");
                strv_add(&a, &k, "cpu.cfs_period_us=100000");
                strv_add(&a, &k, "--cgroup");
                strv_addf(&a, &k, "cpu.cfs_quota_us=%u", o->vcpus * 100000u);
                strv_add(&a, &k, "--cgroup");
                strv_addf(&a, &k, "memory.limit_in_bytes=%llu", (unsigned long long) limit);
        }
        strv_add(&a, &k, "--cgroup");
        strv_add(&a, &k, "pids.max=64"); /* Firecracker: an API thread, a VMM thread, one per vCPU */
        strv_add(&a, &k, "--resource-limit");
        strv_add(&a, &k, "no-file=2048");
        strv_add(&a, &k, "--resource-limit");
        /* logs and metrics go to FIFOs; the largest file it writes is a snapshot's memory file, the
         * guest's memory (in the snapshot tmpfs, which is that and 64 MiB): 1 GiB stopped a VM of
         * more memory from being snapshotted (its ftruncate failed with EFBIG) */
        strv_addf(&a, &k, "fsize=%llu", MAX(1ull << 30, ((unsigned long long) o->mem_mib + 64) << 20));
        if (o->vmm_args) {
                strv_add(&a, &k, "--");
                for (char *const *p = o->vmm_args; *p; p++)
                        strv_add(&a, &k, *p);
        }
        if (k < 0)
                return k;
        *ret = TAKE_PTR(a);
        return 0;
}

int jailer_argv_for(const struct run_opts *o, uid_t uid, const char *netns, int cgroup_version, char ***ret) {
        char *api_args[] = { (char *) "--api-sock", (char *) API_SOCK, NULL };
        char *cfg_args[] = { (char *) "--config-file", (char *) "/vm-config.json", (char *) "--no-api", NULL };
        const struct jailer_opts jo = { .jailer = o->jailer,
                                        .id = o->id,
                                        .exec_file = o->firecracker,
                                        .uid = uid,
                                        .gid = uid,
                                        .chroot_base = o->chroot_base,
                                        .netns = netns,
                                        .cgroup_version = cgroup_version,
                                        .vcpus = o->vcpus,
                                        .mem_mib = o->mem_mib,
                                        .vmm_args = o->config_file ? cfg_args : api_args };

        return jailer_argv(&jo, ret);
}

/* A read-only input in the jail: a hard link when on the same filesystem, else a copy. */
static int place_ro(const char *src, const char *dst) {
        _cleanup_close_ int in = -1, out = -1;
        struct stat st;

        if (link(src, dst) == 0)
                return 0;
        if (errno != EXDEV && errno != EPERM)
                return -errno;
        in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0 || fstat(in, &st) < 0)
                return -errno;
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (out < 0)
                return -errno;
        return copy_fd_sparse(in, out);
}

/* A small tmpfs at <chroot>/<name>, the VM's own: the VMM may write there, and nowhere else on the
 * host's filesystems (its size and inode count are the limit). */
static int mount_own(const struct stage_opts *o, const char *name, unsigned long long size, unsigned inodes,
                     char **ret_error) {
        _cleanup_free_ char *d = strdup_printf("%s/%s", o->chroot, name),
                            *opts = strdup_printf("size=%llu,nr_inodes=%u,mode=0700,uid=%u,gid=%u", size, inodes,
                                                  (unsigned) o->uid, (unsigned) o->gid);
        if (!d || !opts)
                return -ENOMEM;
        if (mkdir(d, 0700) < 0)
                return set_error(ret_error, -errno, "%s: %s", d, strerror(errno));
        if (mount("sis-vm", d, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                return set_error(ret_error, -errno, "%s: cannot mount a tmpfs: %s", d, strerror(errno));
        return 0;
}

/* A read-only input bound onto an empty file in the jail: the jail's root is a small tmpfs that
 * neither a link nor a copy of an image fits. The source is bound through its descriptor. */
static int place_bind(const char *src, const char *dst) {
        _cleanup_close_ int in = open(src, O_PATH | O_NOFOLLOW | O_CLOEXEC), out = -1;
        char proc[64];
        struct stat st;

        if (in < 0 || fstat(in, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (out < 0)
                return -errno;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", in);
        if (mount(proc, dst, NULL, MS_BIND, NULL) < 0)
                return -errno;
        if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        return 0;
}

int jail_stage(const struct stage_opts *o, char **ret_error) {
        _cleanup_free_ char *k = strdup_printf("%s/vmlinux", o->chroot),
                            *r = strdup_printf("%s/rootfs.ext4", o->chroot),
                            *h = strdup_printf("%s/disk/home.ext4", o->chroot),
                            *lf = strdup_printf("%s/logger.fifo", o->chroot),
                            *mf = strdup_printf("%s/metrics.fifo", o->chroot), *vmdir = strdup(o->chroot);
        char *slash = vmdir ? strrchr(vmdir, '/') : NULL;
        struct stat st;
        int e;

        if (!k || !r || !h || !lf || !mf || !slash || slash == vmdir)
                return -ENOMEM;
        /* <base>/<backend>/<id>: made here and only here (EEXIST: not ours, never reused or removed) */
        *slash = '\0';
        {
                const char *s2 = strrchr(vmdir, '/');
                _cleanup_free_ char *parent = s2 && s2 != vmdir ? strndup(vmdir, (size_t) (s2 - vmdir)) : NULL;
                e = !parent ? -EINVAL : mkdir_parents(parent, 0755);
                if (e >= 0 && mkdir(vmdir, 0700) < 0)
                        e = -errno;
                if (e < 0)
                        return set_error(ret_error, e, "%s: %s", vmdir,
                                         e == -EEXIST
                                                 ? "a jail is there already (left behind? sis-launch clean removes it)"
                                                 : strerror(-e));
        }
        /* the root is root's and read-only to the VMM: it cannot swap, link or add anything there */
        if (mkdir(o->chroot, 0755) < 0 || chmod(o->chroot, 0755) < 0)
                return set_error(ret_error, -errno, "%s: %s", o->chroot, strerror(errno));
        if (o->root_size) {
                /* Firecracker's jailer makes the root the VM uid's: then it is a tmpfs of its own,
                 * with room for the jailer's copy of the VMM, its device nodes and little else (not
                 * nodev: the jailer's nodes live there; the VMM cannot make any) */
                _cleanup_free_ char *opts = strdup_printf("size=%llu,nr_inodes=64,mode=0755", o->root_size);
                if (!opts)
                        return -ENOMEM;
                if (mount("sis-vm", o->chroot, "tmpfs", MS_NOSUID, opts) < 0)
                        return set_error(ret_error, -errno, "%s: cannot mount a tmpfs: %s", o->chroot, strerror(errno));
        }
        /* its sockets (API, QMP, vsock): the only directory it makes files in, besides its own disks */
        e = mount_own(o, "run", 64 << 10, 16, ret_error);
        if (e < 0)
                return e;
        if (o->kernel && (e = (o->root_size ? place_bind : place_ro)(o->kernel, k)) < 0)
                return set_error(ret_error, e, "--kernel %s: cannot place it in the jail: %s", o->kernel, strerror(-e));
        if ((e = (o->root_size ? place_bind : place_ro)(o->rootfs, r)) < 0)
                return set_error(ret_error, e, "--rootfs %s: cannot place it in the jail: %s", o->rootfs, strerror(-e));
        if (o->home) {
                /* root's file (checked by the caller), opened as what it was checked to be */
                _cleanup_close_ int in = open(o->home, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), out = -1;
                if (in < 0 || fstat(in, &st) < 0)
                        return set_error(ret_error, -errno, "--home %s: %s", o->home, strerror(errno));
                if (!S_ISREG(st.st_mode))
                        return set_error(ret_error, -EPERM, "--home %s: not a regular file", o->home);
                /* the VM's copy lives in RAM, and only the blocks it fills cost RAM */
                e = mount_own(o, "disk", (unsigned long long) st.st_size + (1u << 20), 16, ret_error);
                if (e < 0)
                        return e;
                out = open(h, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (out < 0 || (e = copy_fd_sparse(in, out)) < 0 || fchown(out, o->uid, o->gid) < 0)
                        return set_error(ret_error, out < 0 ? -errno : -EIO, "%s: cannot copy the home disk", h);
        } else if (o->home_size) {
                e = mount_own(o, "disk", o->home_size + (1u << 20), 16, ret_error);
                if (e < 0)
                        return e;
        }
        if (o->snapshot_size) {
                /* Firecracker writes a snapshot here; a restore's state is opened into it */
                e = mount_own(o, "snapshot", o->snapshot_size, 16, ret_error);
                if (e < 0)
                        return e;
        }
        if (mkfifo(lf, 0600) < 0 || chown(lf, o->uid, o->gid) < 0 || mkfifo(mf, 0600) < 0 ||
            chown(mf, o->uid, o->gid) < 0)
                return set_error(ret_error, -errno, "%s: cannot make the log FIFOs: %s", o->chroot, strerror(errno));
        return 0;
}

int jail_unstage(const char *chroot) {
        static const char *const own[] = { "disk", "run", "snapshot" }, *const bound[] = { "vmlinux", "rootfs.ext4" };
        _cleanup_free_ char *vmdir = strdup(chroot);
        char *slash;
        int k;

        if (!vmdir)
                return -ENOMEM;
        /* the VMM is gone; still, nothing here is reached through what it may have left */
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                (void) jail_umount(chroot, own[i]);
        for (size_t i = 0; i < ELEMENTSOF(bound); i++)
                (void) jail_umount_file(chroot, bound[i]);
        slash = strrchr(vmdir, '/'); /* <base>/firecracker/<id>/root -> <base>/firecracker/<id> */
        if (slash && streq(slash, "/root")) {
                *slash = '\0';
                (void) jail_umount(vmdir, "root"); /* Firecracker's root tmpfs */
        }
        k = jail_remove(vmdir);
        return k == -ENOENT ? 0 : k;
}

static int speculation(bool set, char **ret_uncontrolled) {
        static const struct {
                unsigned long which;
                const char *name;
        } misfeatures[] = {
                { PR_SPEC_STORE_BYPASS, "speculative store bypass" },
                { PR_SPEC_INDIRECT_BRANCH, "indirect branch speculation" },
        };
        struct sbuf un = {};

        for (size_t i = 0; i < ELEMENTSOF(misfeatures); i++) {
                int state = prctl(PR_GET_SPECULATION_CTRL, misfeatures[i].which, 0, 0, 0);
                if (state < 0 || !(state & PR_SPEC_PRCTL)) {
                        /* not affected, always mitigated, or no per-task control on this host */
                        if (state < 0 || !(state & (PR_SPEC_FORCE_DISABLE | PR_SPEC_DISABLE)) ||
                            (state & PR_SPEC_ENABLE))
                                if (state != PR_SPEC_NOT_AFFECTED)
                                        sbuf_printf(&un, "%s%s", un.len ? ", " : "", misfeatures[i].name);
                        continue;
                }
                if (set && prctl(PR_SET_SPECULATION_CTRL, misfeatures[i].which, PR_SPEC_FORCE_DISABLE, 0, 0) < 0) {
                        sbuf_done(&un);
                        return -errno;
                }
        }
        if (ret_uncontrolled)
                *ret_uncontrolled = un.len ? sbuf_steal(&un) : NULL;
        sbuf_done(&un);
        return 0;
}

int speculation_force_disable(char **ret_uncontrolled) {
        return speculation(true, ret_uncontrolled);
}

int speculation_uncontrolled(char **ret) {
        return speculation(false, ret);
}

char *vm_chroot(const char *base, const char *backend, const char *id) {
        return strdup_printf("%s/%s/%s/root", base, backend, id);
}

/* A fork, not exec_run(): the child sets its parent-death signal and the speculation controls
 * before the exec, which no spawn can do. */
int jailer_exec(char *const argv[]) {
        pid_t parent = getpid(), pid = fork();
        int status;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
                /* the jailer dies with a SIGKILLed sis-launch: an orphaned one would go on making the
                 * VM's cgroups (and more) after a clean. Once it has put itself in the VM's cgroup and
                 * forked the VMM (whose parent-death signal the fork clears), clean finds that by
                 * the cgroup. Kept across the exec: the jailer is not set-user-ID. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(126);
                /* speculative store bypass and indirect branch speculation off for the jailer and
                 * the VMM it execs: inherited across fork and exec, and "force" cannot be undone */
                if (speculation_force_disable(NULL) < 0) {
                        fprintf(stderr, "sis-launch: PR_SET_SPECULATION_CTRL refused: %s\n", strerror(errno));
                        _exit(126);
                }
                execve(argv[0], argv, envp);
                fprintf(stderr, "sis-launch: cannot run the jailer %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The daemonized Firecracker: the pid the jailer wrote into the (root's) jail root, believed only
 * when that process is in the VM's cgroup and runs as the VM's uid. */
pid_t jailed_vmm_pid(const char *chroot, const char *id, uid_t uid, uint32_t *ret_written) {
        *ret_written = 0;
        for (int i = 0; i < 200; i++) {
                _cleanup_close_ int fd = open_beneath(chroot, "firecracker.pid", O_RDONLY, S_IFREG);
                _cleanup_free_ char *text = NULL, *p = NULL;
                struct stat st;
                uint32_t pid;
                if (fd >= 0 && read_fd_capped(fd, 64, &text, NULL) >= 0 && safe_atou32(strstrip(text), &pid) >= 0 &&
                    pid > 1) {
                        *ret_written = pid;
                        if (cgroup_has_pid("firecracker", id, (pid_t) pid) && (p = strdup_printf("/proc/%u", pid)) &&
                            stat(p, &st) == 0 && st.st_uid == uid)
                                return (pid_t) pid;
                }
                usleep(5000);
        }
        return -ESRCH;
}
