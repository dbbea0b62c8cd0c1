/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/stat.h>

/* One entry met by walk(). */
struct walk_entry {
        const char *path;      /* the root, "/" and rel (the root itself: the root as given) */
        const char *rel;       /* relative to the root; "" for the root itself */
        const char *name;      /* the last component of path */
        const struct stat *st; /* lstat() of path; NULL when error says it could not be read */
        unsigned depth;        /* 0 for the root */
        int error;             /* 0, or -errno: lstat() failed (st is NULL), or this directory,
                                * reported already, could not be read (a second call) */
};

/* Return 0 to go on, or a negative value to stop the walk with it. */
typedef int (*walk_fn)(const struct walk_entry *e, void *userdata);

enum {
        WALK_SORTED = 1 << 0,  /* a directory's entries in strcmp() order, not readdir()'s */
        WALK_NO_ROOT = 1 << 1, /* do not call fn for the root itself, but for an error reading it */
};

/* Walk the tree under root depth-first, a directory before what it holds, never following a
 * symbolic link (the root included), one descriptor open at a time. An entry that cannot be read
 * is passed to fn with error set: fn returns it to stop, or 0 to go on without it.
 * Returns 0, -errno when the root cannot be lstat()ed or memory runs out, or what fn stopped
 * with. */
int walk(const char *root, unsigned flags, walk_fn fn, void *userdata);
