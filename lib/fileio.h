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
/* The same for a sysfs attribute or a sysctl, which gives its whole value to one read of a page or
 * more: a read that leaves the buffer short is the end (a second read would ask the kernel again,
 * and a raw sysfs attribute may answer anew: systemd's read_virtual_file() reads them so). Never for
 * seq_file texts such as /proc/cpuinfo, which return a page at a time. */
int read_fd_kernfs_capped(int fd, size_t cap, char **ret, size_t *ret_len);
/* Read a whole regular file (not through the sysroot: for the tool's own inputs), capped. */
int read_file_capped(const char *path, size_t cap, char **ret, size_t *ret_len);

/* Copy in to out (both at offset 0) keeping holes (SEEK_DATA/SEEK_HOLE): a sparse disk image or
 * guest memory stays sparse. -errno. */
int copy_fd_sparse(int in, int out);
/* Open rel inside dir as root may open what a hostile VMM can write to (its jail): never following a
 * symlink, neither on the way nor at the end, never leaving dir (no "..", nothing absolute), and
 * never opening anything before its type is known. rel is first resolved O_PATH (openat2's
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS; one component at a time with
 * O_NOFOLLOW where openat2 is missing), then fstat()ed, and only then reopened through
 * /proc/self/fd/N with flags | O_CLOEXEC | O_NOCTTY (| O_NONBLOCK for a FIFO, which stays set:
 * opening a FIFO never blocks, and O_WRONLY with no reader is -ENXIO). flags with O_PATH return the
 * O_PATH descriptor itself. type is S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK, ... or 0 for anything but a
 * device or a socket (those only when asked for by type, or with O_PATH). Refused with -EPERM: a
 * symlink anywhere, a way out of dir, another type than asked for (nothing of it was opened);
 * -ENOTDIR for O_DIRECTORY on something else; -EINVAL with O_CREAT (it opens what is there, never
 * makes it). The descriptor, or -errno. */
int open_beneath(const char *dir, const char *rel, int flags, mode_t type);
/* The same beneath a directory descriptor the caller holds (O_PATH is enough). */
int open_beneath_at(int dirfd, const char *rel, int flags, mode_t type);
/* The same as it works without openat2 (for tests). */
int open_beneath_walk(const char *dir, const char *rel, int flags, mode_t type);
/* mkdir -p (mode for new dirs). */
int mkdir_parents(const char *path, mode_t mode);
