/* SPDX-License-Identifier: MIT */
#include "imgcheck.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "sign.h"
#include "util.h"

#define MANIFEST_MAX (4u << 20)

/* dir/manifest.json, opened once without following a link, a regular file: its parsed text, or
 * NULL (*absent when there is none). Under require_signed its signature is checked on the same
 * descriptor that is then parsed: what the signature vouched for is what is read. */
static json_object *manifest_load(const char *dir, const struct image_policy *ip, bool *absent, char **err) {
        _cleanup_free_ char *p = strdup_printf("%s/manifest.json", dir), *text = NULL;
        _cleanup_close_ int fd = -1;
        json_object *m;
        struct stat st;
        int k;

        *absent = false;
        if (!p)
                return NULL;
        fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                *absent = true;
                return NULL;
        }
        if (fd < 0 || fstat(fd, &st) < 0) {
                (void) set_error(err, -errno, "%s: %s", p, strerror(errno));
                return NULL;
        }
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t) st.st_size > MANIFEST_MAX) {
                (void) set_error(err, -EBADMSG, "%s: not a manifest (a regular file of at most 4 MiB)", p);
                return NULL;
        }
        if (ip->require_signed) {
                _cleanup_free_ char *fpr = NULL;
                k = sign_verify_image(p, fd, ip->keyring, ip->trusted_keys, &fpr, NULL, err);
                if (k < 0)
                        return NULL;
                if (lseek(fd, 0, SEEK_SET) < 0) {
                        (void) set_error(err, -errno, "%s: %s", p, strerror(errno));
                        return NULL;
                }
        }
        k = read_fd_capped(fd, MANIFEST_MAX, &text, NULL);
        if (k < 0) {
                (void) set_error(err, k, "%s: cannot read it: %s", p, strerror(-k));
                return NULL;
        }
        m = json_tokener_parse(text);
        if (!m || !json_object_is_type(m, json_type_object)) {
                json_object_put(m);
                (void) set_error(err, -EBADMSG, "%s: not JSON", p);
                return NULL;
        }
        return m;
}

int image_check(const char *path, bool rootfs, const struct image_policy *p, struct image_id *ret, char **err) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        _cleanup_close_ int fd = -1;
        json_object *m = NULL, *o, *e, *h;
        const char *want = NULL;
        bool absent = true;
        char *slash;
        int k;

        *ret = (struct image_id) {};
        dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        name = strdup(slash ? slash + 1 : path);
        if (!name)
                return -ENOMEM;
        if (slash)
                *(slash == dir ? slash + 1 : slash) = '\0';
        else
                strcpy(dir, ".");
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return set_error(err, -errno, "%s: %s", path, strerror(errno));
        if (p->require_signed) {
                k = sign_verify_image(path, fd, p->keyring, p->trusted_keys, &ret->signer, ret->sha256, err);
                if (k < 0)
                        return k;
        }
        if (!rootfs)
                return 0;
        /* the manifest (its verity root hash) is what the signature vouches for too */
        m = manifest_load(dir, p, &absent, err);
        if (!m)
                return absent ? 0 : err && *err ? -EBADMSG : -ENOMEM;
        if (json_object_object_get_ex(m, "outputs", &o) && json_object_object_get_ex(o, name, &e) &&
            json_object_object_get_ex(e, "sha256", &h) && json_object_is_type(h, json_type_string))
                want = json_object_get_string(h);
        if (json_object_object_get_ex(m, "verity", &o)) {
                if (verity_from_json(o, &ret->v) < 0) {
                        json_object_put(m);
                        return set_error(err, -EBADMSG,
                                         "%s/manifest.json: its verity object is not one sis-provision writes", dir);
                }
                ret->verity = true;
        }
        if (p->hash && (want || ret->verity)) {
                if (!*ret->sha256 && (lseek(fd, 0, SEEK_SET) < 0 || sha256_fd(fd, ret->sha256) < 0)) {
                        json_object_put(m);
                        return set_error(err, -EIO, "%s: cannot read it", path);
                }
                if (!want || !streq(want, ret->sha256)) {
                        k = set_error(
                                err, -EBADMSG,
                                "%s: its sha256 %.16s… is not the %.16s… that %s/manifest.json records: the image changed "
                                "since it was built (refusing it; --no-image-hash leaves it to the guest's dm-verity)",
                                path, ret->sha256, want ? want : "(nothing)", dir);
                        json_object_put(m);
                        return k;
                }
        }
        if (ret->verity) {
                struct stat st;
                if (fstat(fd, &st) < 0 || (uint64_t) st.st_size <= ret->v.hash_offset) {
                        json_object_put(m);
                        return set_error(err, -EBADMSG, "%s: shorter than the verity tree %s/manifest.json records",
                                         path, dir);
                }
        }
        json_object_put(m);
        return 0;
}

void image_id_done(struct image_id *id) {
        free(id->signer);
        *id = (struct image_id) {};
}

/* The "Linux version X.Y.Z" string inside a kernel image: the guest's kernel release. */
char *guest_kernel_version(const char *kernel) {
        _cleanup_close_ int fd = open(kernel, O_RDONLY | O_CLOEXEC);
        static const char needle[] = "Linux version ";
        char buf[1 << 16];
        size_t keep = 0;
        ssize_t n;

        if (fd < 0)
                return NULL;
        while ((n = read(fd, buf + keep, sizeof(buf) - keep - 1)) > 0) {
                size_t len = keep + (size_t) n;
                char *hit = memmem(buf, len, needle, sizeof(needle) - 1);
                if (hit && (size_t) (hit - buf) + sizeof(needle) + 64 < len) {
                        char *v = hit + sizeof(needle) - 1;
                        size_t l = strcspn(v, " ");
                        if (l > 0 && l < 64)
                                return strndup(v, l);
                }
                /* keep the tail: the string may straddle two reads */
                keep = MIN(len, (size_t) 128);
                memmove(buf, buf + len - keep, keep);
        }
        return NULL;
}
