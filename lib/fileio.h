/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Publishing atomically: what appears at path is complete or absent, never half-written. A file is
 * written beside it ("PATH.tmpXXXXXX", same directory, so that the rename stays in one filesystem),
 * given its mode, fsynced, renamed over path, and path's directory fsynced. A directory is built
 * beside it the same way, synced (syncfs) and renamed into place. On any failure the temp file or
 * directory is removed and path is left as it was. All return 0 or -errno.
 */
/* Write data to path atomically. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same with the content written by fill(fd, userdata), which returns 0 or -errno. */
typedef int (*atomic_fill_fn)(int fd, void *userdata);
int write_file_atomic_with(const char *path, mode_t mode, atomic_fill_fn fill, void *userdata);
/* In two steps, for a writer that keeps the descriptor itself: open the temp file beside path
 * (returns the fd; *ret_tmp its name, caller frees), write, then publish it.
 * atomic_tmpfile_publish() always closes fd; err < 0 (the writer's failure) removes the temp file
 * and is returned. */
int atomic_tmpfile_open(const char *path, char **ret_tmp);
int atomic_tmpfile_publish(int fd, const char *tmp, const char *path, mode_t mode, int err);

/* A directory: fill(tmpdir, userdata) fills a new temp directory (mode) beside path. path must not
 * exist (-EEXIST) unless ATOMIC_REPLACE: then an existing directory is exchanged with the new one
 * in one step (renameat2 RENAME_EXCHANGE) and the old tree removed after (on a filesystem that
 * cannot exchange, only an empty directory at path is replaced; a full one fails, -ENOTEMPTY). */
#define ATOMIC_REPLACE 1u
typedef int (*atomic_dir_fn)(const char *tmpdir, void *userdata);
int write_dir_atomic(const char *path, mode_t mode, unsigned flags, atomic_dir_fn fill, void *userdata);
/* In two steps: make the temp directory (*ret_tmp, caller frees), fill it, then publish it
 * (err < 0, the filler's failure: the temp directory is removed and err returned). */
int atomic_tmpdir_open(const char *path, mode_t mode, unsigned flags, char **ret_tmp);
int atomic_tmpdir_publish(const char *tmp, const char *path, unsigned flags, int err);
/* rm -rf: remove path and everything below it, never following a symlink. 0 or -errno. */
int rm_rf(const char *path);

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
