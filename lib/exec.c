/* SPDX-License-Identifier: MIT */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

extern char **environ;

#define EXEC_LINE_MAX 4096

void exec_result_done(struct exec_result *res) {
        if (res) {
                free(res->output);
                *res = (struct exec_result) {};
        }
}

/* The caller's environment, with the extra entries replacing same-named ones. */
static int env_merge(char *const *extra, char ***ret) {
        _cleanup_strv_free_ char **envp = NULL;

        for (char **e = environ; e && *e; e++) {
                bool replaced = false;
                for (char *const *x = extra; x && *x; x++)
                        if (strncmp(*e, *x, strcspn(*x, "=") + 1) == 0)
                                replaced = true;
                if (!replaced && strv_extend(&envp, *e) < 0)
                        return -ENOMEM;
        }
        for (char *const *x = extra; x && *x; x++)
                if (strv_extend(&envp, *x) < 0)
                        return -ENOMEM;
        if (!envp && !(envp = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(envp);
        return 0;
}

static int spawn(char *const argv[], const struct exec_opts *o, char *const envp[], int out_fd, pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        int r;

        r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -r;
        }
        if (o->stdin_fd > 0)
                r = posix_spawn_file_actions_adddup2(&fa, o->stdin_fd, 0);
        else
                r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
        if (r == 0 && o->dir)
                r = posix_spawn_file_actions_addchdir_np(&fa, o->dir);
        if (r == 0 && o->timeout_ms > 0) {
                /* its own group, so that the deadline reaches whatever it started */
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
                if (r == 0)
                        r = posix_spawnattr_setpgroup(&attr, 0);
        }
        if (r == 0)
                r = (o->search_path ? posix_spawnp : posix_spawn)(ret_pid, argv[0], &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

static long ms_left(const struct timespec *deadline) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

struct reader {
        const struct exec_opts *o;
        struct exec_result *res;
        struct sbuf line;
};

/* Hands a chunk of output on; false once the capture is full (reading stops). */
static bool deliver(struct reader *rd, const char *buf, size_t n) {
        const struct exec_opts *o = rd->o;

        if (o->log_fd >= 0 && write(o->log_fd, buf, n) != (ssize_t) n) {
                /* a full log disk must not stop the program; the exit status still counts */
        }
        for (size_t i = 0; o->on_line && i < n; i++) {
                if (buf[i] != '\n') {
                        if (rd->line.len < EXEC_LINE_MAX)
                                sbuf_putc(&rd->line, buf[i]);
                        continue;
                }
                o->on_line(o->userdata, rd->line.buf ? rd->line.buf : "");
                rd->line.len = 0;
                if (rd->line.buf)
                        rd->line.buf[0] = '\0';
        }
        if (o->capture_max > 0) {
                memcpy(rd->res->output + rd->res->output_len, buf, n);
                rd->res->output_len += n;
                rd->res->output[rd->res->output_len] = '\0';
                if (rd->res->output_len == o->capture_max) {
                        rd->res->truncated = true;
                        return false;
                }
        }
        return true;
}

/* Read fd until EOF, a full capture, the deadline, or (stop_at_exit) the child's exit. *w is the
 * waitpid() answer once the child was seen to exit, 0 before. */
static void read_output(struct reader *rd, int fd, pid_t pid, const struct timespec *deadline, pid_t *w, int *status) {
        const struct exec_opts *o = rd->o;
        char buf[8192];

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int wait_ms = -1, pr;
                size_t want = sizeof(buf);
                ssize_t n;

                if (o->timeout_ms > 0) {
                        long ms = ms_left(deadline);
                        if (ms <= 0) {
                                rd->res->timed_out = true;
                                return;
                        }
                        wait_ms = (int) MIN(ms, (long) INT32_MAX);
                }
                if (o->stop_at_exit) /* look at the child's state every 20 ms */
                        wait_ms = wait_ms < 0 ? 20 : MIN(wait_ms, 20);
                pr = poll(&p, 1, wait_ms);
                if (pr < 0 && errno != EINTR)
                        return;
                if (pr > 0) {
                        if (o->capture_max > 0)
                                want = MIN(want, o->capture_max - rd->res->output_len);
                        n = read(fd, buf, want);
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (n <= 0 || !deliver(rd, buf, (size_t) n))
                                return;
                        continue;
                }
                if (!o->stop_at_exit)
                        continue;
                if (*w == 0 && (*w = waitpid(pid, status, WNOHANG)) > 0)
                        continue; /* exited: one more poll round drains what is buffered */
                if (*w > 0)
                        return;
        }
}

/* Reap the child; with a deadline, wait only until then and kill its group after. */
static void reap(pid_t pid, const struct timespec *deadline, struct exec_result *res, pid_t w, int *status) {
        if (deadline)
                while (w == 0 && (w = waitpid(pid, status, WNOHANG)) == 0 && !res->timed_out) {
                        if (ms_left(deadline) <= 0)
                                res->timed_out = true;
                        else
                                poll(NULL, 0, 10);
                }
        if (w == 0 && deadline)
                kill(-pid, SIGKILL);
        if (w == 0)
                while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                        ;
}

int exec_run(char *const argv[], const struct exec_opts *opts, struct exec_result *res) {
        static const struct exec_opts defaults = { .log_fd = -1 };
        const struct exec_opts *o = opts ? opts : &defaults;
        _cleanup_strv_free_ char **merged = NULL;
        _cleanup_close_ int rfd = -1, wfd = -1;
        struct exec_result dummy = {};
        struct reader rd = { .o = o };
        struct timespec deadline;
        int pipefd[2], status = 0, r;
        pid_t pid, w = 0;

        if (!res)
                res = &dummy;
        *res = (struct exec_result) {};
        rd.res = res;
        if (!argv || !argv[0])
                return -EINVAL;
        if (!o->env_only) {
                r = env_merge(o->env, &merged);
                if (r < 0)
                        return r;
        }
        if (o->capture_max > 0 && !(res->output = calloc(1, o->capture_max + 1)))
                return -ENOMEM;
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                r = -errno;
                exec_result_done(res);
                return r;
        }
        rfd = pipefd[0];
        wfd = pipefd[1];
        r = spawn(argv, o, o->env_only ? o->env : merged, wfd, &pid);
        close(TAKE_FD(wfd));
        if (r < 0) {
                exec_result_done(res);
                return r;
        }
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += o->timeout_ms / 1000;
        deadline.tv_nsec += (long) (o->timeout_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
        }
        read_output(&rd, rfd, pid, &deadline, &w, &status);
        close(TAKE_FD(rfd));
        sbuf_done(&rd.line);
        reap(pid, o->timeout_ms > 0 ? &deadline : NULL, res, w, &status);
        exec_result_done(&dummy);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        res->signal = WTERMSIG(status);
        return 128 + res->signal;
}

int exec_logged(const char *dir, char *const argv[], char *const env[], int log_fd, exec_line_fn on_line,
                void *userdata) {
        const struct exec_opts o = {
                .dir = dir,
                .env = env,
                .search_path = true,
                .log_fd = log_fd,
                .on_line = on_line,
                .userdata = userdata,
        };
        return exec_run(argv, &o, NULL);
}

int exec_version(const char *program, char *const env[], unsigned timeout_ms, struct exec_result *res) {
        char *const argv[] = { (char *) program, (char *) "--version", NULL };
        const struct exec_opts opts = {
                .env = env,
                .env_only = env != NULL,
                .search_path = env == NULL,
                .log_fd = -1,
                .capture_max = 4095,
                .timeout_ms = timeout_ms,
                .stop_at_exit = true,
        };

        return exec_run(argv, &opts, res);
}

char *exec_version_line(const char *program, char *const env[], unsigned timeout_ms) {
        _cleanup_(exec_result_done) struct exec_result res = {};

        if (exec_version(program, env, timeout_ms, &res) < 0 || res.timed_out || !res.output || res.output_len == 0)
                return NULL;
        return strndup(res.output, MIN(strcspn(res.output, "\n"), (size_t) 511));
}
