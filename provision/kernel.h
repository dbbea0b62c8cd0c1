/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

struct kernel_opts {
        const char *source; /* tarball, directory (URL: see fetch) */
        const char *sha256; /* expected sha256 of a tarball, or NULL */
        const char *profile;
        const char *configs; /* the kernel-configs directory */
        const char *out;     /* output directory */
        const char *cache;   /* cache root */
        const char *arch;    /* "x86_64" */
        unsigned jobs;
        bool progress; /* a terminal: show the download's and make's progress */
};

/* Build (or find in the cache) and publish a kernel; its steps are said on stderr as they go.
 * 0, or -errno with a message in *ret_error when there is more to say than the errno:
 * -ESRCH a requested symbol did not survive olddefconfig (the message lists each one);
 * -EINVAL without a message: the download failed and said why. */
int kernel_build(const struct kernel_opts *o, char **ret_error);
/* Audit an existing .config against a profile: 0 all there, 1 something missing. */
int kernel_check_config(const char *config, const char *configs, const char *profile);
