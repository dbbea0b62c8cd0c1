/* SPDX-License-Identifier: MIT */
/*
 * A VMM process seen from the host while it starts: QEMU spawned into sis's own jail and its QMP
 * handshake, what a VMM writes to its log FIFO before the monitor takes over (and its last words
 * when it fails), Firecracker's boot word in its log (--config-file), and the `--version` probe.
 * Not in qemu.c: that file is the fuzzers' (argv and ldd parsing only, linked without the jail).
 */
#include "vmm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "cli.h"
#include "confine.h"
#include "exec.h"
#include "fileio.h"
#include "jailfs.h"
#include "json.h"
#include "lifecycle.h"
#include "qemu.h"
#include "qmp.h"
#include "util.h"

/* The VMM's own memory beyond the guest's, in its cgroup: QEMU with TCG keeps a 64 MiB
 * translation cache (-accel tcg,tb-size=64) besides its own ~100 MiB. */
#define QEMU_OVERHEAD_MIB 256

/* QEMU under sis's jail: its cgroups with limits, its files bound in, only its devices, the log
 * FIFO as its stdout and stderr: write-only, so that QEMU never blocks on it when nobody reads
 * (it gets EPIPE instead). *ret_logfd, a reader, keeps it open until the monitor has its own. */
int qemu_spawn(const struct run_opts *o, const struct start_req *r, const char *chroot, uid_t uid, const char *netns,
               char *const *argv, const char *mounts, int cgv, pid_t *ret_pid, int *ret_logfd, double *ret_setup_ms,
               char **ret_error) {
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_close_ int wfd = -1;
        struct cgroup_plan cp = {};
        struct cgroup_limits lim = { .vcpus = o->vcpus,
                                     .mem_bytes = ((uint64_t) o->mem_mib + QEMU_OVERHEAD_MIB) << 20,
                                     .pids = 128 + o->vcpus };
        const char *devices[5];
        size_t nd = 0;
        /* the largest file QEMU writes itself is none: disks are on its tmpfs, snapshots go to a
         * descriptor it is handed */
        uint64_t fsize = 1ull << 30;
        int k, logfd;

        k = qemu_files(o->qemu, !r->qvm->kvm, &files, ret_error);
        if (k < 0)
                return k;
        k = cgroup_plan_make(mounts, cgv, "qemu", o->id, &lim, &cp);
        if (k == -EBADMSG)
                return set_error(ret_error, k, "/proc/self/mounts: a line it cannot parse");
        if (k < 0)
                return set_error(ret_error, k, "no cgroup v%d hierarchy with cpu, memory or pids is mounted", cgv);
        k = cgroup_apply(&cp, ret_error);
        if (k < 0)
                goto out;
        devices[nd++] = "null";
        devices[nd++] = "urandom";
        if (r->qvm->kvm)
                devices[nd++] = "kvm";
        if (netns)
                devices[nd++] = "net/tun";
        devices[nd] = NULL;
        if (r->home) {
                struct stat hst;
                if (stat(r->home, &hst) == 0 && (uint64_t) hst.st_size + (1ull << 20) > fsize)
                        fsize = (uint64_t) hst.st_size + (1ull << 20);
        }
        /* a reader first (O_RDWR never blocks), then QEMU's write-only end */
        logfd = open_beneath(chroot, "logger.fifo", O_RDWR, S_IFIFO);
        wfd = logfd < 0 ? logfd : open_beneath(chroot, "logger.fifo", O_WRONLY, S_IFIFO);
        if (wfd >= 0 && fcntl(wfd, F_SETFL, 0) < 0) /* blocking writes while someone reads */
                wfd = -errno;
        if (logfd < 0 || wfd < 0) {
                k = set_error(ret_error, logfd < 0 ? logfd : wfd, "%s/logger.fifo: %s", chroot,
                              strerror(-(logfd < 0 ? logfd : wfd)));
                if (logfd >= 0)
                        close(logfd);
                wfd = -1;
                goto out;
        }
        {
                struct confine_spec spec = { .root = chroot,
                                             .id = o->id,
                                             .uid = uid,
                                             .gid = uid,
                                             .netns = netns,
                                             .devices = devices,
                                             .files = files,
                                             .cgroups = cp.join,
                                             .nofile = 4096,
                                             .fsize = fsize,
                                             .argv = argv,
                                             .out_fd = wfd,
                                             .syscalls = qemu_syscalls };
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                k = confine_spawn(&spec, ret_pid, ret_error);
                clock_gettime(CLOCK_MONOTONIC, &b);
                /* the jail's setup: from the fork to QEMU's exec */
                *ret_setup_ms = (double) (b.tv_sec - a.tv_sec) * 1e3 + (double) (b.tv_nsec - a.tv_nsec) / 1e6;
        }
        if (k < 0)
                close(logfd);
        else
                *ret_logfd = logfd;
out:
        cgroup_plan_done(&cp);
        return k;
}

/* After the spawn, over QMP (its peer checked: the VM's uid and QEMU's pid): a new VM must be
 * running; a restore is handed its state (opened by the restore, never by QEMU or through the
 * jail) and resumed. */
int qemu_handshake(const struct run_opts *o, const struct start_req *r, int vmstate_fd, const struct vm_peer *peer,
                   char **ret_error) {
        struct qmp *q = NULL;
        json_object *ret = NULL;
        int k;

        k = qmp_open(peer, o->api_timeout_ms, &q, ret_error);
        if (k < 0)
                return k;
        if (r->qvm->incoming) {
                k = vmstate_fd < 0 ? set_error(ret_error, -EBADF, "no snapshot state to load")
                                   : qmp_migrate_fd(q, "migrate-incoming", vmstate_fd, ret_error);
                /* the state streams in; then QEMU resumes the guest by itself */
                if (k >= 0) {
                        _cleanup_free_ char *e = NULL;
                        k = qmp_wait_migration(q, 300000, &e);
                        if (k < 0)
                                k = set_error(ret_error, k, "loading the snapshot: %s", strna(e));
                }
        }
        for (int i = 0; k >= 0 && i < 100; i++) {
                json_object_put(ret);
                ret = NULL;
                k = qmp_call(q, "query-status", NULL, -1, &ret, ret_error);
                if (k < 0)
                        break;
                const char *status = json_str(ret, "status") ?: "?"; /* QEMU's: a string, or not one */
                if (streq(status, "running"))
                        break;
                if (r->qvm->incoming && (streq(status, "paused") || streq(status, "postmigrate")))
                        k = qmp_call(q, "cont", NULL, -1, NULL, ret_error);
                else if (!streq(status, "inmigrate") && !streq(status, "prelaunch"))
                        k = set_error(ret_error, -EIO, "QEMU is %s, not running", status);
                usleep(20000);
        }
        json_object_put(ret);
        qmp_close(q);
        return k;
}

/* What a VMM wrote to its log FIFO that nobody read yet (a reader holds it open, non-blocking):
 * appended to seen, and to the VM's log file when log_path is set. At most VMM_LOG_READS reads a
 * call, 1 MiB (the monitor's drain is bounded for the same reason): a VMM that refills its FIFO
 * as fast as it is read must not keep the start in here, with no monitor and no watchdog, and a
 * read is counted, not its bytes: a FIFO of packets (O_DIRECT) gives a few bytes a read, each
 * appended to the log file. The rest waits in the FIFO for the monitor. */
#define VMM_LOG_READS 64
void read_vmm_log(int logfd, const char *log_path, struct sbuf *seen) {
        char buf[16384];
        ssize_t n;

        if (logfd < 0 || fcntl(logfd, F_SETFL, O_NONBLOCK) < 0)
                return;
        for (int i = 0; i < VMM_LOG_READS && (n = read(logfd, buf, sizeof(buf))) > 0; i++) {
                if (log_path)
                        log_append(log_path, buf, (size_t) n, LOG_CAP);
                if (seen->len < (1u << 20))
                        sbuf_putn(seen, buf, (size_t) n);
        }
}

/* The last lines a failed VMM wrote, each made one printable line (a backslash-newline, as in
 * Firecracker's own messages, continues a line). */
void vmm_said(const char *who, const char *raw_text) {
        _cleanup_free_ char *copy = raw_text ? strdup(raw_text) : NULL;
        const char *text = copy, *end, *from;
        int lines = 0;

        if (!text || !*text)
                return;
        for (char *c = copy; (c = strstr(c, "\\\n"));)
                c[0] = c[1] = ' ';
        end = text + strlen(text);
        while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
                end--;
        for (from = end; from > text && lines < 10; from--)
                if (from[-1] == '\n' && ++lines == 10)
                        break;
        (void) cli_fail(0, "%s's last words:", who);
        for (const char *l = from; l < end;) {
                const char *nl = memchr(l, '\n', (size_t) (end - l));
                _cleanup_free_ char *one = NULL, *raw = strndup(l, nl ? (size_t) (nl - l) : (size_t) (end - l));
                one = raw ? str_one_line(raw) : NULL;
                if (one && *one)
                        fprintf(stderr, "  %s\n", one);
                l = nl ? nl + 1 : end;
        }
}

/* Firecracker's answer when /dev/kvm is a node with no driver behind it (a host without KVM):
 * "... Error creating KVM object: No such device (os error 19) ...". */
bool kvm_missing(const char *text) {
        return text && strstr(text, "KVM") && strstr(text, "(os error 19)");
}

/* --config-file: Firecracker boots by itself and has no API to ask. It is up once its log says
 * so; a VMM that exits first has failed, and its last words are in the log, which a reader has
 * held open since before the jailer ran. Whatever is read here goes to the VM's log file, where
 * the monitor goes on. 0 booted; -ECHILD it exited; -ETIMEDOUT no word within timeout_ms. */
#define FC_BOOTED "Successfully started microvm"
int fc_wait_booted(pid_t vmm, unsigned long long start, int logfd, const char *log_path, long timeout_ms,
                   struct sbuf *seen) {
        for (long waited = 0;; waited += 20) {
                bool alive = proc_alive(vmm, start);
                /* read after the liveness test: what it wrote before it died is all there */
                read_vmm_log(logfd, log_path, seen);
                if (seen->buf && strstr(seen->buf, FC_BOOTED))
                        return 0;
                if (!alive)
                        return -ECHILD;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                usleep(20000);
        }
}

/* The first line of `binary --version`, e.g. "Firecracker v1.16.1": run as the audit's probe runs
 * it (an empty environment, bounded output, its group killed after 2 s). NULL when it printed
 * nothing or could not run. */
char *vmm_version(const char *binary) {
        return exec_version_line(binary, (char *[]) { NULL }, 2000);
}
