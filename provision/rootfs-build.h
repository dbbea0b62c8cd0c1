/* SPDX-License-Identifier: MIT */
/*
 * What the parts of `sis-provision rootfs` share: the build's state and the steps rootfs.c runs
 * in turn (rootfs-alpine.c, rootfs-debian.c, rootfs-settings.c). Internal to provision/.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "hash.h"
#include "recipe.h"
#include "rootfs.h"
#include "tree.h"

#define MAX_TEXT (4u << 20)

struct build {
        const struct rootfs_opts *o;
        struct recipe r;
        enum distro d;
        const struct recipe_flavour *f;
        char *cache, *work, *base_path;
        char base_sha256[SHA256_HEX];
        char recipe_sha256[SHA256_HEX];
        char *archive_state; /* debian: the InRelease sha256 the base was built from */
        int64_t epoch;
        json_object *packages;
        bool signature_checked;
};

#define STEP(b, ...) cli_step(__VA_ARGS__)

/* The text of a regular file in the tree; "" when there is none. */
int read_tree_text(struct tree *t, const char *path, char **ret);
/* The next line of *p without its newline (NULL: no memory); *p moves past it. */
char *rootfs_next_line(const char **p);
/* 16 bytes (a UUID, a hash seed) from the build's identity key and what they are for. */
void derive_id(const char *key, const char *what, unsigned char out[16]);

/* The base tarball into b->base_path and b->base_sha256 (alpine: fetched and checked; debian:
 * made by mmdebstrap and cached under the archive's state). */
int alpine_base(struct build *b, char **err);
int debian_base(struct build *b, char **err);
/* alpine: apk add the recipe's packages into the unpacked tree, in a user namespace. */
int run_apk(struct build *b, struct tree *t, char **err);
/* The SIS settings (user, uidmap, Podman, fstab, mount points, inittab, runlevels) into the tree. */
int sis_settings(struct build *b, struct tree *t, char **err);
