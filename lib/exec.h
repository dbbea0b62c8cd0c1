/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The one way sis runs another program. exec_run() spawns argv (posix_spawn), stdin from /dev/null
 * or a descriptor, its stdout and stderr through one pipe that is read until EOF; what is read goes
 * to a log descriptor, a line callback and/or a capture buffer with a cap. With a deadline the
 * program runs in its own process group, and when the deadline passes the whole group (its
 * children too) is killed with SIGKILL and reaped. Every descriptor it opens is closed on every
 * path; the pipe is close-on-exec, so the child holds only its ends.
 */

/* Sees each output line, without its newline (a line is cut at 4096 bytes; for progress). */
typedef void (*exec_line_fn)(void *userdata, const char *line);

struct exec_opts {
        const char *dir;      /* chdir there before the exec, or NULL */
        char *const *env;     /* "K=V" entries (NULL terminated) replacing same-named ones ... */
        bool env_only;        /* ... in the caller's environment, or (true) the whole environment */
        bool search_path;     /* argv[0] without a slash is looked up in PATH (posix_spawnp) */
        int stdin_fd;         /* > 0: the child's stdin; 0 (the default): /dev/null */
        int log_fd;           /* >= 0: output appended there (a failed write is ignored); -1: not */
        exec_line_fn on_line; /* when set, sees each line of output */
        void *userdata;
        size_t capture_max;  /* > 0: keep up to this many bytes of output in exec_result.output;
                              * reading stops once it is full (the pipe is closed) */
        unsigned timeout_ms; /* > 0: the deadline for all of it, from the spawn */
        bool stop_at_exit;   /* stop reading once the child exited (what a daemon it left behind
                              * keeps writing to the pipe is not waited for) */
};

struct exec_result {
        char *output; /* NUL-terminated capture (capture_max > 0), caller frees; or NULL */
        size_t output_len;
        bool truncated; /* the capture reached capture_max */
        bool timed_out; /* the deadline passed: the group was killed */
        int signal;     /* the signal that ended the child, or 0 */
};
void exec_result_done(struct exec_result *res);

/* Run argv. Returns the exit status (0..255), 128+signal, or -errno when it could not be started
 * (-ENOENT for a missing binary); res (may be NULL) is filled whenever the child ran. */
int exec_run(char *const argv[], const struct exec_opts *opts, struct exec_result *res);

/* Run argv (a path or a name looked up in PATH) in dir with extra environment entries (NULL
 * terminated "K=V"), stdout and stderr appended to log_fd. on_line, when set, sees each output
 * line (for progress). Returns the exit status (0..255), 128+signal, or -errno. */
int exec_logged(const char *dir, char *const argv[], char *const env[], int log_fd, exec_line_fn on_line,
                void *userdata);

/* `program --version`, as every tool asks it: no stdin, 4 KiB of output at most, reading stopped at
 * its exit, the group killed after timeout_ms. env: its whole environment; NULL: the caller's, with
 * program looked up in PATH. Returns as exec_run, res holding the output. */
int exec_version(const char *program, char *const env[], unsigned timeout_ms, struct exec_result *res);
/* Its first line (at most 511 bytes), or NULL when it could not run, ran out of time, or printed
 * nothing. */
char *exec_version_line(const char *program, char *const env[], unsigned timeout_ms);
