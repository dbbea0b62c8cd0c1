/* SPDX-License-Identifier: MIT */
/*
 * A running VM's monitor (its log and metrics FIFOs drained, its watchdog), the view of a VM that
 * the monitor, stop and snapshot share, and the process identities (pid and start time) they all
 * trust. The verbs that act on a VM (stop, kill, logs, list, clean) are in lifecycle.c.
 */
#include "lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "denylog.h"
#include "fileio.h"
#include "jail.h"
#include "jailfs.h"
#include "metrics.h"
#include "net.h"
#include "qmp.h"
#include "registry.h"
#include "state.h"
#include "util.h"

unsigned long long proc_starttime(pid_t pid) {
        _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        const char *c;
        unsigned long long v = 0;

        if (!p || read_file_capped(p, 4096, &text, NULL) < 0 || !(c = strrchr(text, ')')))
                return 0;
        /* after ") ": the state is field 3; the start time is field 22 */
        for (int field = 2; *c && field < 22; c++)
                if (*c == ' ')
                        field++;
        if (sscanf(c, "%llu", &v) != 1)
                return 0;
        return v;
}

bool proc_alive(pid_t pid, unsigned long long starttime) {
        _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        const char *c;

        if (pid < 2 || !starttime || proc_starttime(pid) != starttime)
                return false;
        if (!p || read_file_capped(p, 4096, &text, NULL) < 0 || !(c = strrchr(text, ')')))
                return false;
        return c[1] == ' ' && c[2] != 'Z' && c[2] != 'X';
}

void log_append(const char *path, const char *buf, size_t n, size_t cap) {
        struct stat st;
        int fd;

        if (n == 0)
                return;
        if (stat(path, &st) == 0 && (size_t) st.st_size + n > cap) {
                _cleanup_free_ char *old = strdup_printf("%s.1", path);
                if (old)
                        (void) rename(path, old);
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return;
        (void) !write(fd, buf, n);
        close(fd);
}

/* Firecracker's metrics lines as they arrive on the FIFO, summed (its counters are deltas since
 * the last line) into vmm-counters.json for sis-launch metrics. Firecracker writes one line a
 * minute (and one per FlushMetrics): a line longer than 64 KiB is not one of its, nor are more
 * than COUNT_LINES_MAX lines in one round of the monitor; those are logged, not parsed (a VMM
 * that floods its FIFO gets the monitor's bounded drain, never its CPU). */
#define COUNT_LINES_MAX 4
struct counting {
        struct sbuf line;
        bool skipping, changed;
        unsigned parsed; /* lines parsed this round */
        struct vmm_counters c;
};

static void count_lines(struct counting *ct, const char *buf, size_t n) {
        for (const char *p = buf, *end = buf + n; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t take = nl ? (size_t) (nl - p) : (size_t) (end - p);
                if (!ct->skipping && ct->line.len + take <= (64u << 10))
                        sbuf_putn(&ct->line, p, take);
                else
                        ct->skipping = true;
                if (nl) {
                        if (!ct->skipping && ct->line.buf && ct->parsed < COUNT_LINES_MAX) {
                                ct->parsed++;
                                if (vmm_counters_add_fc(&ct->c, ct->line.buf) >= 0)
                                        ct->changed = true;
                        }
                        sbuf_done(&ct->line);
                        ct->skipping = false;
                }
                p += take + (nl ? 1 : 0);
        }
}

/* Append what the FIFO holds to path, rotating to path.1 past the cap (and count it, with ct): at
 * most DRAIN_READS reads a round (256 KiB), so that a VMM writing without end cannot keep the
 * monitor from its other work (its watchdog, the other FIFO, the denied log); the rest waits in the
 * FIFO, and a VMM that fills it loses its own lines (Firecracker writes non-blocking). Reads are
 * counted, not bytes: a FIFO of packets (O_DIRECT) gives a line a read, each appended to the log
 * file (256 KiB of short lines was thousands of appends a round). */
#define DRAIN_READS 16
static void drain(int fifo, const char *path, size_t cap, struct counting *ct) {
        char buf[16384];
        ssize_t n;

        if (ct)
                ct->parsed = 0;
        for (int i = 0; i < DRAIN_READS && (n = read(fifo, buf, sizeof(buf))) > 0; i++) {
                log_append(path, buf, (size_t) n, cap);
                if (ct)
                        count_lines(ct, buf, (size_t) n);
        }
}

static void counters_save(const char *path, struct counting *ct) {
        _cleanup_free_ char *text = NULL;
        if (!ct->changed || !(text = vmm_counters_format(&ct->c)))
                return;
        if (write_file_atomic(path, text, strlen(text), 0644) >= 0)
                ct->changed = false;
}

/* One QMP session over a checked connection (QEMU serves one client at a time, and the console
 * waits while the monitor talks): with status, query-status for the watchdog (false when QEMU did
 * not answer it); then QEMU's block counters (query-blockstats, summed over its drives). */
static bool qemu_check(const struct vm_peer *peer, bool status, struct counting *ct) {
        struct qmp *q = NULL;
        json_object *r = NULL;
        struct vmm_counters c = { .block = true };
        bool answered = true;

        if (qmp_open(peer, 2000, &q, NULL) < 0)
                return false;
        if (status) {
                json_object *v;
                answered = qmp_call(q, "query-status", NULL, -1, &r, NULL) >= 0 &&
                        json_object_object_get_ex(r, "status", &v);
                json_object_put(r);
                r = NULL;
        }
        if (answered && qmp_call(q, "query-blockstats", NULL, -1, &r, NULL) >= 0 &&
            json_object_is_type(r, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(r); i++) {
                        json_object *st, *v;
                        if (!json_object_object_get_ex(json_object_array_get_idx(r, i), "stats", &st))
                                continue;
                        static const char *const keys[] = { "rd_bytes", "wr_bytes", "rd_operations", "wr_operations" };
                        uint64_t *dst[] = { &c.read_bytes, &c.write_bytes, &c.read_ops, &c.write_ops };
                        for (size_t j = 0; j < ELEMENTSOF(keys); j++)
                                if (json_object_object_get_ex(st, keys[j], &v) &&
                                    json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0)
                                        *dst[j] += (uint64_t) json_object_get_int64(v);
                }
                if (memcmp(&c, &ct->c, sizeof(c)) != 0) {
                        ct->c = c;
                        ct->changed = true;
                }
        }
        json_object_put(r);
        qmp_close(q);
        return answered;
}

void vm_view_done(struct vm_view *v) {
        reg_vm_done(&v->reg);
        vm_state_done(&v->st);
        free(v->chroot);
        *v = (struct vm_view) {};
}

int vm_view_load(const char *id, struct vm_view *v) {
        int k;

        *v = (struct vm_view) {};
        k = reg_load(id, &v->reg);
        if (k < 0)
                return k;
        /* the run dir is root's (checked): its state says how the VM was started */
        if (vm_state_load(v->reg.run_dir, id, &v->st) < 0) {
                vm_view_done(v);
                return -ENOENT;
        }
        v->qemu = streq(v->reg.backend, "qemu");
        v->chroot = vm_chroot(v->reg.chroot_base, v->reg.backend, id);
        v->sock = v->qemu ? v->st.qmp_socket : v->st.api_socket;
        if (v->sock && !*v->sock)
                v->sock = NULL;
        /* only the two names sis-launch itself uses: never a path from a file */
        if (v->sock && !streq(v->sock, v->qemu ? "run/qmp.sock" : "run/firecracker.socket"))
                v->sock = NULL;
        v->watchdog_s = v->st.watchdog_s;
        return v->chroot ? 0 : (vm_view_done(v), -ENOMEM);
}

struct vm_peer vm_view_peer(const struct vm_view *v) {
        return (struct vm_peer) {
                .dir = v->chroot, .sock = v->sock, .pid = v->reg.vmm, .uid = v->reg.uid, .vm = v->reg.id
        };
}

void vmm_signal(const struct reg_vm *vm, int sig) {
        int fd = vm->vmm > 0 ? (int) syscall(SYS_pidfd_open, vm->vmm, 0) : -1;
        if (fd >= 0 && vmm_alive(vm))
                (void) syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
        if (fd >= 0)
                close(fd);
}

/* A snapshot holds an exclusive lock on its busy file while it writes; a busy file nobody holds is
 * one a killed snapshot left: removed, so that the watchdog does not stay off for good. */
static bool snapshot_writing(const char *busy) {
        _cleanup_close_ int fd = open(busy, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return false;
        if (flock(fd, LOCK_SH | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        (void) unlink(busy);
        return false;
}

static _Noreturn void monitor_loop(const char *run_dir, const char *id) {
        struct vm_view v;
        _cleanup_free_ char *log = NULL, *metrics = NULL, *busy = NULL, *counters = NULL, *denied = NULL, *ns = NULL;
        int lfd, mfd, misses = 0;
        time_t next_check, next_count = 0; /* next_count: QEMU's counters without a watchdog */
        struct counting ct = {};
        struct denylog *dl = NULL;

        if (vm_view_load(id, &v) < 0 || !v.reg.vmm)
                _exit(1);
        /* firecracker.log: Firecracker's log; qemu.log: QEMU's messages and the guest's serial */
        log = strdup_printf("%s/vms/%s/%s.log", v.reg.run_dir, id, v.reg.backend);
        metrics = strdup_printf("%s/vms/%s/metrics.log", v.reg.run_dir, id);
        busy = strdup_printf("%s/vms/%s/busy", v.reg.run_dir, id);
        counters = strdup_printf("%s/vms/%s/vmm-counters.json", v.reg.run_dir, id);
        denied = strdup_printf("%s/vms/%s/denied.log", v.reg.run_dir, id);
        ns = net_ns_path(id);
        if (!log || !metrics || !busy || !counters || !denied || !ns)
                _exit(1);
        /* Firecracker's counters so far (a monitor restarted by list goes on from them; QEMU's are
         * absolute, asked again) */
        if (!v.qemu) {
                _cleanup_free_ char *text = NULL;
                if (read_file_capped(counters, 64 << 10, &text, NULL) >= 0)
                        vmm_counters_parse(text, &ct.c);
        }
        /* the firewall's log of this VM's denied connections (its namespace, its host slot) */
        if (v.reg.slot >= 0 && (v.reg.made & REG_NET))
                dl = denylog_open(id, ns, net_host_log_group((unsigned) v.reg.slot), denied);
        (void) run_dir;
        /* O_RDWR: never EOF while the VMM is between writes. Reached without a symlink, and only
         * when it is a FIFO. */
        lfd = open_beneath(v.chroot, "logger.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        mfd = open_beneath(v.chroot, "metrics.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        next_check = time(NULL) + v.watchdog_s;
        while (proc_alive(v.reg.vmm, v.reg.vmm_start)) {
                struct pollfd p[4] = { { .fd = lfd, .events = POLLIN }, { .fd = mfd, .events = POLLIN } };
                int dfds[2], nd = denylog_fds(dl, dfds);
                for (int i = 0; i < nd; i++)
                        p[2 + i] = (struct pollfd) { .fd = dfds[i], .events = POLLIN };
                (void) poll(p, (nfds_t) (2 + nd), 500);
                if (lfd >= 0)
                        drain(lfd, log, LOG_CAP, NULL);
                if (mfd >= 0)
                        drain(mfd, metrics, LOG_CAP / 4, v.qemu ? NULL : &ct);
                denylog_drain(dl);
                /* QEMU without a watchdog: its counters alone, every MONITOR_COUNT_S */
                if (v.qemu && v.sock && v.watchdog_s == 0 && time(NULL) >= next_count && access(busy, F_OK) < 0) {
                        struct vm_peer peer = vm_view_peer(&v);
                        (void) qemu_check(&peer, false, &ct);
                        next_count = time(NULL) + MONITOR_COUNT_S;
                }
                counters_save(counters, &ct);
                if (v.watchdog_s == 0 || !v.sock || time(NULL) < next_check)
                        continue;
                next_check = time(NULL) + v.watchdog_s;
                if (snapshot_writing(busy)) /* slow answers are expected meanwhile */
                        continue;
                struct vm_peer peer = vm_view_peer(&v);
                if (v.qemu) {
                        /* the watchdog's question and the counters, in one session */
                        misses = qemu_check(&peer, true, &ct) ? 0 : misses + 1;
                        counters_save(counters, &ct);
                } else {
                        struct fc_reply rep = {};
                        int k = fc_api_call(&peer, "GET", "/", NULL, false, 2000, &rep, NULL);
                        fc_reply_done(&rep);
                        misses = k < 0 ? misses + 1 : 0;
                }
                if (misses >= 3) {
                        /* a VMM that stops answering may be wedged in a signal handler: only SIGKILL works */
                        vmm_signal(&v.reg, SIGKILL);
                        v.st.watchdog = v.qemu ? "killed: QMP did not answer 3 checks in a row"
                                               : "killed: the API did not answer 3 checks in a row";
                        v.st.watchdog_killed_at = (int64_t) time(NULL);
                        (void) vm_state_save(v.reg.run_dir, id, &v.st);
                        break;
                }
        }
        if (lfd >= 0)
                drain(lfd, log, LOG_CAP, NULL);
        if (mfd >= 0)
                drain(mfd, metrics, LOG_CAP / 4, v.qemu ? NULL : &ct);
        denylog_drain(dl);
        counters_save(counters, &ct);
        denylog_close(dl);
        _exit(0);
}

static int set_monitor(struct reg_vm *vm, void *ud) {
        vm->monitor = *(pid_t *) ud;
        vm->monitor_start = proc_starttime(vm->monitor);
        return 0;
}

/* A fork, not exec_run(): the monitor is this program's own code (monitor_loop), detached by a
 * second fork; the pipe only carries the grandchild's pid back. */
int monitor_start(const char *run_dir, const char *id) {
        int pipefd[2], status, k;
        pid_t pid, m = 0;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                k = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return k;
        }
        if (pid == 0) {
                int devnull;
                close(pipefd[0]);
                setsid();
                m = fork();
                if (m != 0) {
                        /* tell the caller who the monitor is, then leave it to init */
                        (void) !write(pipefd[1], &m, sizeof(m));
                        _exit(m < 0 ? 1 : 0);
                }
                close(pipefd[1]);
                /* the OOM killer takes a VM's memory hog, never the watchdog that would stop it */
                (void) write_attr("/proc/self/oom_score_adj", "-1000");
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull >= 0) {
                        dup2(devnull, 0);
                        dup2(devnull, 1);
                        dup2(devnull, 2);
                }
                /* a daemon keeps nothing of its caller's: no descriptor (a lock, a pipe) stays open
                 * for as long as the VM lives */
                (void) syscall(SYS_close_range, 3, ~0U, 0);
                monitor_loop(run_dir, id);
        }
        close(pipefd[1]);
        if (read(pipefd[0], &m, sizeof(m)) != (ssize_t) sizeof(m))
                m = 0;
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (m <= 0)
                return -ECHILD;
        /* recorded before run returns: clean must find it, list must check it */
        return reg_update(id, set_monitor, &m);
}

/* The VM's VMM, alive and still in the VM's cgroup: the only process stop and kill signal by pid. */
bool vmm_alive(const struct reg_vm *vm) {
        return vm->vmm && proc_alive(vm->vmm, vm->vmm_start) && cgroup_has_pid(vm->backend, vm->id, vm->vmm);
}
