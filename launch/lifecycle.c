/* SPDX-License-Identifier: MIT */
#include "lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "api.h"
#include "fileio.h"
#include "jail.h"
#include "qmp.h"
#include "run.h"
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

bool vm_state_pid(json_object *st, const char *key, pid_t *pid, unsigned long long *start) {
        json_object *v;
        _cleanup_free_ char *k2 = strdup_printf("%s_starttime", key);
        if (!k2 || !json_object_object_get_ex(st, key, &v))
                return false;
        *pid = (pid_t) json_object_get_int(v);
        *start = json_object_object_get_ex(st, k2, &v) ? (unsigned long long) json_object_get_int64(v) : 0;
        return true;
}

/* Append what the FIFO holds to path, rotating to path.1 past the cap. */
static void drain(int fifo, const char *path, size_t cap) {
        char buf[16384];
        ssize_t n;

        while ((n = read(fifo, buf, sizeof(buf))) > 0) {
                struct stat st;
                int fd;
                if (stat(path, &st) == 0 && (size_t) st.st_size + (size_t) n > cap) {
                        _cleanup_free_ char *old = strdup_printf("%s.1", path);
                        if (old)
                                (void) rename(path, old);
                }
                fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                if (fd < 0)
                        return;
                (void) !write(fd, buf, (size_t) n);
                close(fd);
        }
}

static _Noreturn void monitor_loop(const char *run_dir, const char *id, unsigned interval_s) {
        json_object *st = NULL;
        const char *chroot = NULL, *sock = NULL, *qmp = NULL, *backend = "firecracker";
        _cleanup_free_ char *log = NULL, *metrics = NULL, *busy = NULL;
        pid_t vmm = 0;
        unsigned long long start = 0;
        int lfd, mfd, misses = 0;
        time_t next_check;
        json_object *v;

        if (vm_state_read(run_dir, id, &st) < 0 || !vm_state_pid(st, "pid", &vmm, &start))
                _exit(1);
        if (json_object_object_get_ex(st, "chroot", &v))
                chroot = json_object_get_string(v);
        if (json_object_object_get_ex(st, "api_socket", &v))
                sock = json_object_get_string(v);
        if (json_object_object_get_ex(st, "qmp_socket", &v))
                qmp = json_object_get_string(v);
        if (qmp && !*qmp)
                qmp = NULL; /* Firecracker's VMs have an empty one */
        if (json_object_object_get_ex(st, "backend", &v))
                backend = json_object_get_string(v);
        /* firecracker.log: Firecracker's log; qemu.log: QEMU's messages and the guest's serial */
        log = strdup_printf("%s/vms/%s/%s.log", run_dir, id, backend);
        metrics = strdup_printf("%s/vms/%s/metrics.log", run_dir, id);
        busy = strdup_printf("%s/vms/%s/busy", run_dir, id);
        if (!log || !metrics || !busy)
                _exit(1);
        /* O_RDWR: never EOF while Firecracker is between writes, and never blocks it. The VMM can
         * write to its jail: only a FIFO reached without a symlink is read. */
        lfd = open_beneath(strempty(chroot), "logger.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        mfd = open_beneath(strempty(chroot), "metrics.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        next_check = time(NULL) + interval_s;
        while (proc_alive(vmm, start)) {
                struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = mfd, .events = POLLIN } };
                (void) poll(p, 2, 500);
                if (lfd >= 0)
                        drain(lfd, log, LOG_CAP);
                if (mfd >= 0)
                        drain(mfd, metrics, LOG_CAP / 4);
                if (interval_s == 0 || ((!sock || !*sock) && !qmp) || time(NULL) < next_check)
                        continue;
                next_check = time(NULL) + interval_s;
                if (access(busy, F_OK) == 0) /* a snapshot is being written: slow answers are expected */
                        continue;
                if (qmp) {
                        _cleanup_free_ char *status = qmp_status(qmp, 2000);
                        misses = status ? 0 : misses + 1;
                } else {
                        struct fc_reply rep = {};
                        int k = fc_api_call(sock, "GET", "/", NULL, false, 2000, &rep, NULL);
                        fc_reply_done(&rep);
                        misses = k < 0 ? misses + 1 : 0;
                }
                if (misses >= 3) {
                        /* a VMM that stops answering may be wedged in a signal handler: only SIGKILL works */
                        (void) kill(vmm, SIGKILL);
                        json_object_object_add(st, "watchdog",
                                               json_object_new_string(qmp ? "killed: QMP did not answer 3 checks in a row"
                                                                          : "killed: the API did not answer 3 checks in a row"));
                        json_object_object_add(st, "watchdog_killed_at", json_object_new_int64((int64_t) time(NULL)));
                        (void) vm_state_write(run_dir, id, st);
                        break;
                }
        }
        if (lfd >= 0)
                drain(lfd, log, LOG_CAP);
        if (mfd >= 0)
                drain(mfd, metrics, LOG_CAP / 4);
        _exit(0);
}

int monitor_start(const char *run_dir, const char *id, unsigned interval_s) {
        int pipefd[2], status;
        pid_t pid, m = 0;
        json_object *st = NULL;
        int k;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
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
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull >= 0) {
                        dup2(devnull, 0);
                        dup2(devnull, 1);
                        dup2(devnull, 2);
                }
                monitor_loop(run_dir, id, interval_s);
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
        /* recorded here, before run returns: clean must find it */
        k = vm_state_read(run_dir, id, &st);
        if (k >= 0) {
                json_object_object_add(st, "monitor", json_object_new_int((int) m));
                json_object_object_add(st, "monitor_starttime", json_object_new_int64((int64_t) proc_starttime(m)));
                k = vm_state_write(run_dir, id, st);
        }
        json_object_put(st);
        return k;
}

static bool wait_gone(pid_t pid, unsigned long long start, unsigned seconds) {
        for (unsigned i = 0; i < seconds * 20; i++) {
                if (!proc_alive(pid, start))
                        return true;
                usleep(50000);
        }
        return !proc_alive(pid, start);
}

int vm_stop(const char *run_dir, const char *id, unsigned timeout_s) {
        json_object *st = NULL, *v;
        pid_t pid;
        unsigned long long start;
        const char *how;

        if (!vm_id_ok(id))
                return launch_fail(2, "'%s' is not a VM name", id);
        if (vm_state_read(run_dir, id, &st) < 0 || !vm_state_pid(st, "pid", &pid, &start)) {
                json_object_put(st);
                return launch_fail(2, "no VM named %s (sis-launch list)", id);
        }
        if (!proc_alive(pid, start)) {
                json_object_put(st);
                launch_step("%s is not running", id);
                return 0;
        }
        how = "SendCtrlAltDel";
        if (json_object_object_get_ex(st, "api_socket", &v) && *json_object_get_string(v)) {
                json_object *body = json_object_new_object();
                struct fc_reply rep = {};
                json_object_object_add(body, "action_type", json_object_new_string("SendCtrlAltDel"));
                (void) fc_api_call(json_object_get_string(v), "PUT", "/actions", body, false, 2000, &rep, NULL);
                fc_reply_done(&rep);
                json_object_put(body);
        }
        if (!wait_gone(pid, start, timeout_s)) {
                how = "SIGTERM";
                (void) kill(pid, SIGTERM);
                if (!wait_gone(pid, start, 5)) {
                        how = "SIGKILL";
                        (void) kill(pid, SIGKILL);
                        (void) wait_gone(pid, start, 5);
                }
        }
        json_object_put(st);
        launch_step("%s stopped (%s)", id, how);
        return 0;
}

int vm_kill(const char *run_dir, const char *id) {
        json_object *st = NULL;
        pid_t pid;
        unsigned long long start;

        if (!vm_id_ok(id))
                return launch_fail(2, "'%s' is not a VM name", id);
        if (vm_state_read(run_dir, id, &st) < 0 || !vm_state_pid(st, "pid", &pid, &start)) {
                json_object_put(st);
                return launch_fail(2, "no VM named %s (sis-launch list)", id);
        }
        json_object_put(st);
        if (proc_alive(pid, start)) {
                (void) kill(pid, SIGKILL);
                (void) wait_gone(pid, start, 5);
        }
        launch_step("%s killed", id);
        return 0;
}

int vm_logs(const char *run_dir, const char *id) {
        if (!vm_id_ok(id))
                return launch_fail(2, "'%s' is not a VM name", id);
        for (int i = 0; i < 4; i++) {
                _cleanup_free_ char *p = strdup_printf("%s/vms/%s/%s.log%s", run_dir, id, i < 2 ? "firecracker" : "qemu",
                                                       i % 2 == 0 ? ".1" : ""),
                                    *text = NULL;
                if (p && read_file_capped(p, 2 * LOG_CAP, &text, NULL) >= 0)
                        fputs(text, stdout);
        }
        {
                _cleanup_free_ char *d = strdup_printf("%s/vms/%s", run_dir, id);
                if (!d || access(d, F_OK) < 0)
                        return launch_fail(2, "no VM named %s (sis-launch list)", id);
        }
        return 0;
}
