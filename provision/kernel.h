/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

struct kernel_opts {
        const char *source;     /* tarball, directory (URL: see fetch) */
        const char *sha256;     /* expected sha256 of a tarball, or NULL */
        const char *profile;
        const char *configs;    /* the kernel-configs directory */
        const char *out;        /* output directory */
        const char *cache;      /* cache root */
        const char *arch;       /* "x86_64" */
        unsigned jobs;
        bool progress;          /* a terminal: show progress */
};


/* 0 built or cached; 1 a requested symbol did not survive (listed on stderr); 2 bad input; -errno. */
int kernel_build(const struct kernel_opts *o);
/* Audit an existing .config against a profile: 0 all there, 1 something missing. */
int kernel_check_config(const char *config, const char *configs, const char *profile);
