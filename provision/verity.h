/* SPDX-License-Identifier: MIT */
#pragma once
/* dm-verity for the read-only root: a hash tree appended to the image itself (libcryptsetup's
 * verity format, a superblock then the tree, 4 KiB blocks, sha256), so that the guest's kernel
 * checks every block it reads against one root hash that the manifest records.
 *
 * Image layout: [ data: data_blocks * 4096 ][ superblock: 4096 ][ hash tree ]
 *                 hash_offset = data_blocks * 4096; the tree starts at block data_blocks + 1. */
#include <json-c/json.h>
#include <stdint.h>

#define VERITY_BLOCK 4096u
#define VERITY_HASH "sha256"
#define VERITY_SALT_BYTES 32u

struct verity_info {
        uint64_t data_blocks; /* the filesystem, in 4 KiB blocks */
        uint64_t hash_offset; /* bytes: where the superblock starts (= the data's size) */
        uint64_t hash_start;  /* blocks: where the tree starts (dm-verity's hash_start_block) */
        char root_hash[65];   /* sha256, hex */
        char salt[2 * VERITY_SALT_BYTES + 1];
        char uuid[37];
};

/* Append the tree to `image` (a regular file whose size is a whole number of blocks). salt and
 * uuid come from the caller (derived from the build's inputs, so the result is reproducible).
 * -errno and *err naming the file. */
int verity_append(const char *image, const unsigned char salt[VERITY_SALT_BYTES], const unsigned char uuid[16],
                  struct verity_info *ret, char **err);

/* {"root_hash", "salt", "uuid", "hash_algorithm", "data_block_size", "hash_block_size",
 *  "data_blocks", "hash_offset", "hash_start_block"}: the manifest's "verity" object. */
json_object *verity_to_json(const struct verity_info *v);
/* Its inverse, strict: every field present, in range and of its format. -EINVAL. */
int verity_from_json(json_object *o, struct verity_info *ret);

/* The dm-mod.create= table of a read-only verity device named `name` over `dev` (e.g.
 * /dev/vda), data and tree on the same device: "NAME,UUID,,ro,0 SECTORS verity 1 DEV DEV 4096
 * 4096 BLOCKS HASH_START sha256 ROOT SALT". NULL on ENOMEM. */
char *verity_dm_create(const struct verity_info *v, const char *name, const char *dev);
