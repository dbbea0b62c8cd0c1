/* SPDX-License-Identifier: MIT */
#include "verity.h"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"
#include "util.h"

struct log_capture {
        char *last; /* libcryptsetup's last error line, for the message */
};

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
        struct log_capture lc = {};
        struct crypt_params_verity p = { .hash_name = VERITY_HASH, .data_device = image, .salt = (const char *) salt,
                                         .salt_size = VERITY_SALT_BYTES, .hash_type = 1, .data_block_size = VERITY_BLOCK,
                                         .hash_block_size = VERITY_BLOCK, .flags = CRYPT_VERITY_CREATE_HASH };
        char root[32];
        size_t root_len = sizeof(root);
        struct stat st;
        _cleanup_free_ char *hex = NULL, *shex = NULL;
        int k;

        if (stat(image, &st) < 0)
                return set_error(err, -errno, "%s: %s", image, strerror(errno));
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size % VERITY_BLOCK)
                return set_error(err, -EINVAL, "%s: not a regular file of whole %u-byte blocks", image, VERITY_BLOCK);
        *ret = (struct verity_info) { .data_blocks = (uint64_t) st.st_size / VERITY_BLOCK, .hash_offset = (uint64_t) st.st_size };
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
        if (k < 0) {
                k = set_error(err, k, "%s: the verity hash tree: %s", image, lc.last ? lc.last : strerror(-k));
                free(lc.last);
                return k;
        }
        free(lc.last);
        hex = hex_encode(root, root_len);
        shex = hex_encode(salt, VERITY_SALT_BYTES);
        if (!hex || !shex || root_len != 32)
                return set_error(err, -ENOMEM, "%s: the verity root hash", image);
        memcpy(ret->root_hash, hex, sizeof(ret->root_hash));
        memcpy(ret->salt, shex, sizeof(ret->salt));
        return 0;
}

json_object *verity_to_json(const struct verity_info *v) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "root_hash", json_object_new_string(v->root_hash));
        json_object_object_add(o, "salt", json_object_new_string(v->salt));
        json_object_object_add(o, "uuid", json_object_new_string(v->uuid));
        json_object_object_add(o, "hash_algorithm", json_object_new_string(VERITY_HASH));
        json_object_object_add(o, "data_block_size", json_object_new_int(VERITY_BLOCK));
        json_object_object_add(o, "hash_block_size", json_object_new_int(VERITY_BLOCK));
        json_object_object_add(o, "data_blocks", json_object_new_int64((int64_t) v->data_blocks));
        json_object_object_add(o, "hash_offset", json_object_new_int64((int64_t) v->hash_offset));
        json_object_object_add(o, "hash_start_block", json_object_new_int64((int64_t) v->hash_start));
        return o;
}

static bool hex_field(json_object *o, const char *key, size_t len, char *out) {
        json_object *f;
        const char *s;
        if (!json_object_object_get_ex(o, key, &f) || !json_object_is_type(f, json_type_string))
                return false;
        s = json_object_get_string(f);
        if (strlen(s) != len || strspn(s, "0123456789abcdef") != len)
                return false;
        memcpy(out, s, len + 1);
        return true;
}

static bool int_field(json_object *o, const char *key, uint64_t min, uint64_t max, uint64_t *out) {
        json_object *f;
        int64_t v;
        if (!json_object_object_get_ex(o, key, &f) || !json_object_is_type(f, json_type_int))
                return false;
        v = json_object_get_int64(f);
        if (v < 0 || (uint64_t) v < min || (uint64_t) v > max)
                return false;
        *out = (uint64_t) v;
        return true;
}

int verity_from_json(json_object *o, struct verity_info *ret) {
        struct verity_info v = {};
        json_object *f;
        uint64_t bs, hbs;

        if (!json_object_is_type(o, json_type_object) || !hex_field(o, "root_hash", 64, v.root_hash) ||
            !hex_field(o, "salt", 2 * VERITY_SALT_BYTES, v.salt) || !json_object_object_get_ex(o, "hash_algorithm", &f) ||
            !json_object_is_type(f, json_type_string) || !streq(json_object_get_string(f), VERITY_HASH) ||
            !int_field(o, "data_block_size", VERITY_BLOCK, VERITY_BLOCK, &bs) ||
            !int_field(o, "hash_block_size", VERITY_BLOCK, VERITY_BLOCK, &hbs) ||
            /* at most 16 TiB of data: the sectors stay well inside 64 bits */
            !int_field(o, "data_blocks", 1, UINT64_C(1) << 32, &v.data_blocks) ||
            !int_field(o, "hash_offset", 0, UINT64_MAX >> 1, &v.hash_offset) ||
            !int_field(o, "hash_start_block", 0, UINT64_MAX >> 13, &v.hash_start) ||
            v.hash_offset != v.data_blocks * VERITY_BLOCK || v.hash_start != v.data_blocks + 1)
                return -EINVAL;
        if (json_object_object_get_ex(o, "uuid", &f)) {
                const char *u = json_object_get_string(f);
                if (!json_object_is_type(f, json_type_string) || strlen(u) != 36 ||
                    strspn(u, "0123456789abcdef-") != 36)
                        return -EINVAL;
                memcpy(v.uuid, u, sizeof(v.uuid));
        }
        *ret = v;
        return 0;
}

char *verity_dm_create(const struct verity_info *v, const char *name, const char *dev) {
        return strdup_printf("%s,,,ro,0 %llu verity 1 %s %s %u %u %llu %llu %s %s %s", name,
                             (unsigned long long) (v->data_blocks * (VERITY_BLOCK / 512)), dev, dev, VERITY_BLOCK, VERITY_BLOCK,
                             (unsigned long long) v->data_blocks, (unsigned long long) v->hash_start, VERITY_HASH, v->root_hash,
                             v->salt);
}
