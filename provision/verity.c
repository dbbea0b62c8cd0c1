/* SPDX-License-Identifier: MIT */
#include "verity.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

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
        if (!is_hex_lower(s, len))
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
            !hex_field(o, "salt", 2 * VERITY_SALT_BYTES, v.salt) ||
            !json_object_object_get_ex(o, "hash_algorithm", &f) || !json_object_is_type(f, json_type_string) ||
            !streq(json_object_get_string(f), VERITY_HASH) ||
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
                             (unsigned long long) (v->data_blocks * (VERITY_BLOCK / 512)), dev, dev, VERITY_BLOCK,
                             VERITY_BLOCK, (unsigned long long) v->data_blocks, (unsigned long long) v->hash_start,
                             VERITY_HASH, v->root_hash, v->salt);
}
