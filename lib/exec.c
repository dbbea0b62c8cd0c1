/* SPDX-License-Identifier: MIT */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

extern char **environ;

int exec_logged(const char *dir, char *const argv[], char *const env[], int log_fd, exec_line_fn on_line, void *userdata) {
        _cleanup_strv_free_ char **envp = NULL;
        posix_spawn_file_actions_t fa;
        int pipefd[2], status, r;
        struct sbuf line = {};
        char buf[8192];
        pid_t pid;

        /* the caller's environment, with the extra entries replacing same-named ones */
        for (char **e = environ; *e; e++) {
                bool replaced = false;
                for (char *const *x = env; x && *x; x++) {
                        size_t l = strcspn(*x, "=");
                        if (strncmp(*e, *x, l + 1) == 0)
                                replaced = true;
                }
                if (!replaced && strv_extend(&envp, *e) < 0)
                        return -ENOMEM;
        }
        for (char *const *x = env; x && *x; x++)
                if (strv_extend(&envp, *x) < 0)
                        return -ENOMEM;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
        if (dir)
                posix_spawn_file_actions_addchdir_np(&fa, dir);
        r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                return -r;
        }
        for (;;) {
                ssize_t n = read(pipefd[0], buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (log_fd >= 0 && write(log_fd, buf, (size_t) n) != n) {
                        /* a full log disk must not stop the build; the exit status still counts */
                }
                for (ssize_t i = 0; on_line && i < n; i++) {
                        if (buf[i] != '\n') {
                                if (line.len < 4096)
                                        sbuf_putc(&line, buf[i]);
                                continue;
                        }
                        on_line(userdata, line.buf ? line.buf : "");
                        line.len = 0;
                        if (line.buf)
                                line.buf[0] = '\0';
                }
        }
        close(pipefd[0]);
        sbuf_done(&line);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}
