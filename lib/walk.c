/* SPDX-License-Identifier: MIT */
/* A directory walker that hands its callback user data (nftw() has only globals for that). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "util.h"

struct walker {
        size_t root_len;
        bool root_slash; /* the root ends in '/': no other one after it */
        unsigned flags;
        walk_fn fn;
        void *userdata;
};

static int cmp_name(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The names in a directory but . and .., read whole so that no descriptor stays open. */
static int read_names(const char *path, bool sorted, char ***ret, size_t *ret_n) {
        DIR *d = opendir(path);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        int k = 0;

        if (!d)
                return -errno;
        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de) {
                        k = -errno;
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n == cap) {
                        size_t c = cap ? cap * 2 : 16;
                        char **p = reallocarray(names, c, sizeof(*names));
                        if (!p) {
                                k = -ENOMEM;
                                break;
                        }
                        names = p;
                        cap = c;
                }
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        k = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (k < 0) {
                names_free(names, n);
                return k;
        }
        if (sorted && n > 1)
                qsort(names, n, sizeof(*names), cmp_name);
        *ret = names;
        *ret_n = n;
        return 0;
}

/* One entry: report it, then what it holds when it is a directory. */
static int walk_one(struct walker *w, const char *path, unsigned depth) {
        struct walk_entry e = { .path = path, .depth = depth };
        const char *slash = strrchr(path, '/'), *sep = *path && path[strlen(path) - 1] == '/' ? "" : "/";
        char **names = NULL;
        size_t n = 0;
        struct stat st;
        int k;

        e.rel = depth == 0 ? "" : path + w->root_len + (w->root_slash ? 0 : 1);
        e.name = depth == 0 || !slash ? path : slash + 1;
        if (lstat(path, &st) < 0) {
                if (depth == 0)
                        return -errno;
                e.error = -errno;
                return w->fn(&e, w->userdata);
        }
        e.st = &st;
        if (depth > 0 || !(w->flags & WALK_NO_ROOT)) {
                k = w->fn(&e, w->userdata);
                if (k < 0)
                        return k;
        }
        if (!S_ISDIR(st.st_mode))
                return 0;
        k = read_names(path, w->flags & WALK_SORTED, &names, &n);
        if (k == -ENOMEM)
                return k;
        if (k < 0) {
                /* the directory could not be read: fn decides */
                e.error = k;
                return w->fn(&e, w->userdata);
        }
        for (size_t i = 0; k >= 0 && i < n; i++) {
                _cleanup_free_ char *p = strdup_printf("%s%s%s", path, sep, names[i]);
                k = p ? walk_one(w, p, depth + 1) : -ENOMEM;
        }
        names_free(names, n);
        return k;
}

int walk(const char *root, unsigned flags, walk_fn fn, void *userdata) {
        size_t len = strlen(root);
        struct walker w = { .root_len = len,
                            .root_slash = len > 0 && root[len - 1] == '/',
                            .flags = flags,
                            .fn = fn,
                            .userdata = userdata };
        return walk_one(&w, root, 0);
}
