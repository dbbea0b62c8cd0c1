/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Write data to path atomically: a temp file in the same directory, fsync, rename, fsync dir.
 * Nothing half-written is ever visible at path. Returns 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Write a string into an existing file in one write(): a kernel attribute (cgroup.procs,
 * memory.max), which takes a value per write and is never a temp file. 0 or -errno. */
int write_attr(const char *path, const char *value);

/* Read fd to its end into a NUL-terminated buffer; -EFBIG past cap bytes. */
int read_fd_capped(int fd, size_t cap, char **ret, size_t *ret_len);
/* Read a whole regular file (not through the sysroot: for the tool's own inputs), capped. */
int read_file_capped(const char *path, size_t cap, char **ret, size_t *ret_len);

/* Copy in to out (both at offset 0) keeping holes (SEEK_DATA/SEEK_HOLE): a sparse disk image or
 * guest memory stays sparse. -errno. */
int copy_fd_sparse(int in, int out);
/* Open rel inside dir without following any symlink on the way (openat2's RESOLVE_BENEATH and
 * RESOLVE_NO_SYMLINKS; on kernels without openat2, one component at a time with O_NOFOLLOW, no ".."):
 * for root opening files in a jail the VMM can write to, which may have swapped a directory or a
 * file for a link to the host's. type is S_IFIFO, S_IFREG, ... or 0 for any: anything else is
 * -EPERM. The descriptor, or -errno. */
int open_beneath(const char *dir, const char *rel, int flags, mode_t type);
/* The same as it works without openat2 (for tests). */
int open_beneath_walk(const char *dir, const char *rel, int flags, mode_t type);
/* mkdir -p (mode for new dirs). */
int mkdir_parents(const char *path, mode_t mode);
