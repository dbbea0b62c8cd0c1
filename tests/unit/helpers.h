/* SPDX-License-Identifier: MIT */
#pragma once
/* Build throwaway roots for tests: a list of {path, content} where content NULL makes a
 * directory, "->target" a symlink, "|fifo" a FIFO; everything else a file. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "fileio.h"
#include "util.h"

struct tfile {
        const char *path;
        const char *content;
};

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
