/* SPDX-License-Identifier: MIT */
/* make bench: the jail of the QEMU backend alone, as sis-launch sets it up (root only). Usage:
 * bench-jail QEMU RUNS. Each run stages an empty root, makes and joins a cgroup with limits, and
 * times confine_spawn() from the fork to QEMU's exec (QEMU then prints its version and exits).
 * Prints one line per run: milliseconds. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "confine.h"
#include "dump.h"
#include "fileio.h"
#include "qemu.h"
#include "util.h"

static double now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_free_ char *mounts = NULL;
        char tmp[] = "/tmp/sis-bench-jail.XXXXXX", *err = NULL;
        int runs, k, version;

        if (argc != 3 || (runs = atoi(argv[2])) <= 0) {
                fprintf(stderr, "usage: bench-jail QEMU RUNS\n");
                return 2;
        }
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if (qemu_files(argv[1], true, &files, &err) < 0 ||
            read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0 || !mkdtemp(tmp)) {
                fprintf(stderr, "bench-jail: %s\n", err ? err : "cannot prepare");
                return 1;
        }
        version = cgroup_version_detect(mounts);
        if (version < 0) {
                fprintf(stderr, "bench-jail: no cgroup hierarchy is mounted\n");
                return 1;
        }
        for (int i = 0; i < runs; i++) {
                _cleanup_free_ char *root = strdup_printf("%s/root", tmp), *id = strdup_printf("bench-%d", i);
                struct cgroup_limits lim = { .vcpus = 1, .mem_bytes = 512ull << 20, .pids = 129 };
                struct cgroup_plan cp = {};
                const char *devices[] = { "null", "urandom", "net/tun", NULL };
                char *cmd[] = { argv[1], (char *) "-version", NULL };
                int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
                pid_t pid;
                double a, b;

                if (!root || !id || devnull < 0 || mkdir(root, 0755) < 0 || chown(root, 20999, 20999) < 0)
                        return 1;
                k = cgroup_plan_make(mounts, version, "sis-bench", id, &lim, &cp);
                if (k >= 0)
                        k = cgroup_apply(&cp, &err);
                if (k < 0) {
                        fprintf(stderr, "bench-jail: cgroups: %s\n", err ? err : strerror(-k));
                        return 1;
                }
                struct confine_spec s = { .root = root,
                                          .id = id,
                                          .uid = 20999,
                                          .gid = 20999,
                                          .devices = devices,
                                          .files = files,
                                          .cgroups = cp.join,
                                          .nofile = 4096,
                                          .argv = cmd,
                                          .out_fd = devnull };
                a = now_ms();
                k = confine_spawn(&s, &pid, &err);
                b = now_ms();
                if (k < 0) {
                        fprintf(stderr, "bench-jail: %s\n", err ? err : strerror(-k));
                        return 1;
                }
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fprintf(stderr, "bench-jail: %s -version in the jail: status %d\n", argv[1], st);
                        return 1;
                }
                printf("%.3f\n", b - a);
                close(devnull);
                /* the VM's directories, then the group's (parents last) */
                for (size_t j = strv_length(cp.dirs); j > 0; j--)
                        (void) rmdir(cp.dirs[j - 1]);
                cgroup_plan_done(&cp);
                rm_rf(root);
        }
        rm_rf(tmp);
        return 0;
}
