/* SPDX-License-Identifier: MIT */
#pragma once
/* What the unit tests share: throwaway roots (mkroot), a monotonic clock in ms, and a VMM's
 * socket served by a child as another uid (serve_as). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "fileio.h"
#include "util.h"

struct tfile {
        const char *path;
        const char *content;
};

/* A throwaway root: a list of {path, content} where content NULL makes a directory, "->target" a
 * symlink, "|fifo" a FIFO; everything else a file. */
static inline char *mkroot(const struct tfile *files) {
        char *dir = strdup("/tmp/sis-test.XXXXXX");

        if (!dir || !mkdtemp(dir))
                abort();
        for (const struct tfile *f = files; f && f->path; f++) {
                _cleanup_free_ char *p = strdup_printf("%s%s", dir, f->path);
                char *slash = strrchr(p, '/');
                *slash = '\0';
                if (mkdir_parents(p, 0755) < 0)
                        abort();
                *slash = '/';
                if (!f->content) {
                        if (mkdir_parents(p, 0755) < 0)
                                abort();
                } else if (f->content[0] == '-' && f->content[1] == '>') {
                        if (symlink(f->content + 2, p) < 0)
                                abort();
                } else if (streq(f->content, "|fifo")) {
                        if (mkfifo(p, 0644) < 0)
                                abort();
                } else {
                        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        if (fd < 0 || write(fd, f->content, strlen(f->content)) != (ssize_t) strlen(f->content))
                                abort();
                        close(fd);
                }
        }
        return dir;
}

static inline long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A VMM's socket, for the tests of what root does with one: a server in a child, in dir
 * (chdir'd into, so that the path's length does not matter to bind()), as uid (taken before
 * listen(), as the VMM's jail does), gone with the test (parent-death signal) or after 60 s, no
 * SIGPIPE. After delay_ms it listens on name (backlog) and runs serve(s, userdata), which does
 * not return. Returns its pid once it listens (at once when delayed). The child exits 10 when it
 * cannot take dir or the uid, 11 when it cannot listen. */
typedef void (*serve_fn)(int s, void *userdata);
static inline pid_t serve_as(const char *dir, const char *name, uid_t uid, int backlog, int delay_ms, serve_fn serve,
                             void *userdata) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int ready[2];
        pid_t pid;
        char c;

        if (strlen(name) >= sizeof(sa.sun_path) || pipe2(ready, O_CLOEXEC) < 0)
                abort();
        strcpy(sa.sun_path, name);
        pid = fork();
        if (pid < 0)
                abort();
        if (pid == 0) {
                int s;
                close(ready[0]);
                if (chdir(dir) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                        _exit(10);
                /* after the uid change, which clears it */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
                        _exit(10);
                alarm(60);
                if (delay_ms)
                        usleep((useconds_t) delay_ms * 1000);
                /* a client may be gone before an answer, and nobody reads ready when delayed */
                signal(SIGPIPE, SIG_IGN);
                s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(s, backlog) < 0)
                        _exit(11);
                (void) !write(ready[1], "x", 1);
                close(ready[1]);
                serve(s, userdata);
                _exit(0);
        }
        close(ready[1]);
        if (!delay_ms && read(ready[0], &c, 1) != 1)
                abort();
        close(ready[0]);
        return pid;
}
