/* SPDX-License-Identifier: MIT */
#pragma once
/* What sis-launch run checks of --kernel and --rootfs before anything starts, and records as the
 * VM's image identity: the sha256 of what boots, its signer (images.require_signed), and for a
 * root filesystem built by sis-provision, the dm-verity tree its manifest.json records (the guest
 * then mounts /dev/dm-0, checked block by block against the root hash).
 *
 * The manifest is read from the image's own directory (root's: the caller checks that the paths
 * it is given are root's regular files), opened without following links. */
#include <json-c/json.h>
#include <stdbool.h>

#include "hash.h"
#include "verity.h"

struct image_id {
        char sha256[SHA256_HEX]; /* "" when not hashed (no manifest, no signature asked for) */
        char *signer;            /* the signer's fingerprint, or NULL */
        bool verity;             /* a rootfs whose manifest has a verity tree: v is it */
        struct verity_info v;
};

struct image_policy {
        bool require_signed;
        const char *keyring;
        char *const *trusted_keys;
        bool hash; /* check the file against its manifest's sha256 (default); false:
                    * leave it to the guest's dm-verity (--no-image-hash) */
};

/* 0; -EBADMSG (exit 1: the image is not what was built or signed) or another -errno (exit 2),
 * with *err one line naming the file. rootfs: look for manifest.json and its verity tree. */
int image_check(const char *path, bool rootfs, const struct image_policy *p, struct image_id *ret, char **err);
void image_id_done(struct image_id *id);

/* The release in a kernel image's "Linux version X.Y.Z" string (the guest's kernel); NULL. */
char *guest_kernel_version(const char *kernel);
