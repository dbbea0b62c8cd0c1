/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* SHA-256 (OpenSSL's libcrypto), as 64 lowercase hex digits plus NUL. 0 or -errno. */
#define SHA256_HEX 65
int sha256_buf(const void *data, size_t len, char hex[static SHA256_HEX]);
int sha256_fd(int fd, char hex[static SHA256_HEX]);
int sha256_file(const char *path, char hex[static SHA256_HEX]);
/* A running hash for content made of several parts. */
struct sha256_ctx;
int sha256_begin(struct sha256_ctx **ret);
int sha256_add(struct sha256_ctx *c, const void *data, size_t len);
int sha256_end(struct sha256_ctx *c, char hex[static SHA256_HEX]); /* frees c */
