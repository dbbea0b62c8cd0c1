/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * An image tree: the metadata of every file of the future filesystem (path, type, mode, owner,
 * times, device numbers, link targets, xattrs) in memory, sorted by path; regular file contents
 * either in memory (files we write) or in a work directory (files unpacked or installed). Owners
 * and device nodes never touch the disk, so an ordinary user builds a tree owned by root, with
 * setuid files and /dev nodes, and streams it as a sorted pax archive into mke2fs -d -.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tree_xattr {
        char *name;
        void *value;
        size_t len;
};

struct tree_entry {
        char *path;  /* "etc/passwd": relative, normalised, no "./" */
        mode_t mode; /* type and permission bits */
        uid_t uid;
        gid_t gid;
        int64_t mtime;
        dev_t rdev;
        uint64_t size;
        char *link; /* symlink target, or the path of a hard link's first name */
        char *data; /* contents held in memory, or NULL: read <work>/<path> */
        struct tree_xattr *xattrs;
        size_t n_xattrs;
};

struct tree {
        char *work; /* the work directory holding contents */
        int work_fd;
        struct tree_entry **e; /* sorted by strcmp(path) */
        size_t n, cap;
};

int tree_init(struct tree *t, const char *work);
void tree_done(struct tree *t);

/* Unpack a tar (any compression libarchive reads) into the tree: contents into the work
 * directory, metadata into memory. Refuses entries that escape the tree ("..", absolute links
 * used as parents). 0 or -errno with *ret_error naming the archive and entry. */
int tree_load_tar(struct tree *t, const char *tarball, char **ret_error);
/* Re-read the work directory after a program changed it: new files get root:root and their
 * on-disk mode, vanished ones go, device nodes and known metadata stay. */
int tree_rescan(struct tree *t, char **ret_error);

struct tree_entry *tree_find(const struct tree *t, const char *path);
/* Add or replace a file with in-memory contents, a directory, or a symlink; missing parent
 * directories are created (0755 root). path is relative or absolute ("/etc/x" == "etc/x"). */
int tree_put_file(struct tree *t, const char *path, const char *data, size_t len, mode_t perm, uid_t uid, gid_t gid);
int tree_put_dir(struct tree *t, const char *path, mode_t perm, uid_t uid, gid_t gid);
int tree_put_symlink(struct tree *t, const char *path, const char *target);
int tree_put_node(struct tree *t, const char *path, mode_t mode, dev_t rdev, uid_t uid, gid_t gid);
/* Remove path and everything below it. 0 even when absent. */
int tree_remove(struct tree *t, const char *path);
/* Read a file's contents (memory or work dir), capped. */
int tree_read(const struct tree *t, const struct tree_entry *e, size_t cap, char **ret, size_t *ret_len);
int tree_set_xattr(struct tree_entry *e, const char *name, const void *value, size_t len);

/* Stream the tree as a sorted pax archive to fd; times clamped to epoch. */
int tree_write_pax(struct tree *t, int fd, int64_t epoch, char **ret_error);
/* Blocks (4 KiB) and inodes the tree needs in ext4, before any margin. */
void tree_usage(const struct tree *t, uint64_t *ret_blocks, uint64_t *ret_inodes);
