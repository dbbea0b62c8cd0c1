/* SPDX-License-Identifier: MIT */
/* The one part of verity.h that writes a tree (libcryptsetup): apart, so that sis-launch, which
 * only reads manifests and builds tables, does not load libcryptsetup and its libraries. */
#include "verity.h"

#include <libcryptsetup.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"
#include "util.h"

struct log_capture {
        char *last; /* libcryptsetup's last error line, for the message */
};

static void log_capture_done(struct log_capture *c) {
        free(c->last);
}

static void log_cb(int level, const char *msg, void *ud) {
        struct log_capture *c = ud;
        if (level != CRYPT_LOG_ERROR || !msg)
                return;
        free(c->last);
        c->last = strndup(msg, strcspn(msg, "\n"));
}

int verity_append(const char *image, const unsigned char salt[VERITY_SALT_BYTES], const unsigned char uuid[16],
                  struct verity_info *ret, char **err) {
        struct crypt_device *cd = NULL;
        _cleanup_(log_capture_done) struct log_capture lc = {};
        struct crypt_params_verity p = { .hash_name = VERITY_HASH,
                                         .data_device = image,
                                         .salt = (const char *) salt,
                                         .salt_size = VERITY_SALT_BYTES,
                                         .hash_type = 1,
                                         .data_block_size = VERITY_BLOCK,
                                         .hash_block_size = VERITY_BLOCK,
                                         .flags = CRYPT_VERITY_CREATE_HASH };
        char root[32];
        size_t root_len = sizeof(root);
        struct stat st;
        _cleanup_free_ char *hex = NULL, *shex = NULL;
        int k;

        if (stat(image, &st) < 0)
                return set_error(err, -errno, "%s: %s", image, strerror(errno));
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size % VERITY_BLOCK)
                return set_error(err, -EINVAL, "%s: not a regular file of whole %u-byte blocks", image, VERITY_BLOCK);
        *ret = (struct verity_info) { .data_blocks = (uint64_t) st.st_size / VERITY_BLOCK,
                                      .hash_offset = (uint64_t) st.st_size };
        ret->hash_start = ret->data_blocks + 1; /* the superblock takes one block */
        p.data_size = ret->data_blocks;
        p.hash_area_offset = ret->hash_offset;
        uuid_format(uuid, ret->uuid);

        k = crypt_init(&cd, image);
        if (k >= 0) {
                crypt_set_log_callback(cd, log_cb, &lc);
                k = crypt_format(cd, CRYPT_VERITY, NULL, NULL, ret->uuid, NULL, 0, &p);
        }
        if (k >= 0)
                k = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, root, &root_len, NULL, 0);
        crypt_free(cd);
        if (k < 0)
                return set_error(err, k, "%s: the verity hash tree: %s", image, lc.last ? lc.last : strerror(-k));
        hex = hex_encode(root, root_len);
        shex = hex_encode(salt, VERITY_SALT_BYTES);
        if (!hex || !shex || root_len != 32)
                return set_error(err, -ENOMEM, "%s: the verity root hash", image);
        memcpy(ret->root_hash, hex, sizeof(ret->root_hash));
        memcpy(ret->salt, shex, sizeof(ret->salt));
        return 0;
}
