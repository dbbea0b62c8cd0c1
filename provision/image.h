/* SPDX-License-Identifier: MIT */
#pragma once
/* ext4 images without root, loop devices or mounts: a tree streamed as sorted pax into
 * `mke2fs -d -` (e2fsprogs >= 1.47.1) with pinned features, UUID, hash seed and time. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tree.h"

#define MKE2FS_MIN "1.47.1"

struct image_opts {
        const char *path; /* the image file, created (must not exist) */
        const char *work; /* a private directory for mke2fs.conf */
        const char *label;
        uint64_t size; /* bytes; 0: the tree's size plus a margin */
        unsigned char uuid[16];
        unsigned char hash_seed[16];
        uid_t root_uid;
        gid_t root_gid;
        mode_t root_perms;
        bool journal;
        int64_t epoch; /* SOURCE_DATE_EPOCH */
};

/* "mke2fs 1.47.2": 0 when >= MKE2FS_MIN, -EPROTONOSUPPORT (too old) or -ENOENT with *ret_error. */
int mke2fs_check(char **ret_version, char **ret_error);
/* A name-based UUID (version 8 layout) from sha256(parts...): deterministic per input. */
void uuid_from_hex(const char *sha256_hex, unsigned char out[16]);
void uuid_format(const unsigned char u[16], char out[37]);
/* The bytes a tree needs (with margin), rounded to MiB. */
uint64_t image_size_for(const struct tree *t, bool journal, uint64_t *ret_inodes);
/* Build the image. -ENOSPC with a clear message when o->size is too small; the file is removed
 * on any failure. */
int image_build(const struct image_opts *o, struct tree *t, char **ret_error);
/* "4G", "512M", "1048576" -> bytes (K, M, G, T suffixes are powers of 1024). */
int parse_size(const char *s, uint64_t *ret);
