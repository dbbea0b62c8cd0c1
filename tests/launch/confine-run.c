/* SPDX-License-Identifier: MIT */
/* Test driver for launch/confine.c: confine-run ROOT UID OUT DEVICES CGROUPS FILES CMD... runs
 * CMD in the jail (ROOT staged; devices, cgroup directories and host files to bind in comma-separated,
 * or "-"), its output to OUT, and exits with its status. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "confine.h"
#include "util.h"

int main(int argc, char **argv) {
        _cleanup_strv_free_ char **devs = NULL, **cgroups = NULL, **files = NULL;
        char *err = NULL;
        pid_t pid;
        int st, out;

        if (argc < 8) {
                fprintf(stderr, "usage: confine-run ROOT UID OUT DEVICES CGROUPS FILES CMD...\n");
                return 2;
        }
        /* the jailed process is our grandchild: adopt it when its parent exits, to wait for it */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0 || (strcmp(argv[4], "-") != 0 && strv_split(argv[4], ",", &devs) < 0) ||
            (strcmp(argv[5], "-") != 0 && strv_split(argv[5], ",", &cgroups) < 0) ||
            (strcmp(argv[6], "-") != 0 && strv_split(argv[6], ",", &files) < 0))
                return 2;
        struct confine_spec s = { .root = argv[1], .id = "sis-test", .uid = (uid_t) atoi(argv[2]), .gid = (gid_t) atoi(argv[2]),
                                  .devices = (const char *const *) devs, .cgroups = cgroups, .files = files,
                                  .argv = argv + 7, .out_fd = out, .nofile = 256 };
        if (confine_spawn(&s, &pid, &err) < 0) {
                fprintf(stderr, "confine-run: %s\n", err ? err : "failed");
                free(err);
                return 3;
        }
        if (waitpid(pid, &st, 0) < 0)
                return 4;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
