/* SPDX-License-Identifier: MIT */
#pragma once

#include "hash.h"

/* A directory's identity: the sha256 of the sorted list of (path, size, mtime) of everything in
 * it but its directories. 0 or -errno. */
int kernel_source_hash(const char *dir, char hex[static SHA256_HEX]);
/* Unpack a tarball into a new directory, atomically; the top-level directory of the archive
 * (linux-source-6.1/) is stripped. 0, -EBADMSG (not a tar archive) or -errno. */
int kernel_source_unpack(const char *tarball, const char *dest);
