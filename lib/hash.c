/* SPDX-License-Identifier: MIT */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "macro.h"

struct sha256_ctx {
        EVP_MD_CTX *md;
};

int sha256_begin(struct sha256_ctx **ret) {
        struct sha256_ctx *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->md = EVP_MD_CTX_new();
        if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(c->md);
                free(c);
                return -EIO;
        }
        *ret = c;
        return 0;
}

int sha256_add(struct sha256_ctx *c, const void *data, size_t len) {
        return EVP_DigestUpdate(c->md, data, len) == 1 ? 0 : -EIO;
}

int sha256_end(struct sha256_ctx *c, char hex[static SHA256_HEX]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        int k = EVP_DigestFinal_ex(c->md, md, &len) == 1 && len == 32 ? 0 : -EIO;

        for (unsigned i = 0; k == 0 && i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        EVP_MD_CTX_free(c->md);
        free(c);
        return k;
}

int sha256_buf(const void *data, size_t len, char hex[static SHA256_HEX]) {
        struct sha256_ctx *c;
        int k = sha256_begin(&c);

        if (k < 0)
                return k;
        k = sha256_add(c, data, len);
        if (k < 0) {
                (void) sha256_end(c, hex);
                return k;
        }
        return sha256_end(c, hex);
}

int sha256_fd(int fd, char hex[static SHA256_HEX]) {
        struct sha256_ctx *c;
        char buf[1 << 16];
        int k = sha256_begin(&c);

        if (k < 0)
                return k;
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        k = -errno;
                        break;
                }
                if (n == 0)
                        break;
                k = sha256_add(c, buf, (size_t) n);
                if (k < 0)
                        break;
        }
        if (k < 0) {
                (void) sha256_end(c, hex);
                return k;
        }
        return sha256_end(c, hex);
}

int sha256_file(const char *path, char hex[static SHA256_HEX]) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return sha256_fd(fd, hex);
}
