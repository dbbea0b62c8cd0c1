/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct rootfs_opts {
        const char *distro;  /* alpine (default) or debian */
        const char *release; /* overrides the recipe's */
        const char *base;    /* TARBALL or https URL: overrides the recipe's base */
        const char *sha256;  /* expected sha256 of --base */
        const char *recipe;  /* NAME: <recipes>/NAME.recipe */
        const char *recipes; /* the recipes directory (rootfs/) */
        const char *repo;    /* alpine: a local repository directory (offline installs) */
        const char *mirror;  /* debian: overrides the recipe's repository */
        const char *out;
        const char *cache;
        uint64_t size; /* 0: computed */
        bool offline;
        bool progress; /* a terminal: show the download's progress */
};

struct disk_opts {
        const char *out; /* the image file */
        uint64_t size;
        uid_t uid;
        gid_t gid;
};

/* 0 built; 2 bad input or a failed step (one message on stderr). */
int rootfs_build(const struct rootfs_opts *o);
int disk_home_build(const struct disk_opts *o);
