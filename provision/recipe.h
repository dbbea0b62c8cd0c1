/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A rootfs recipe (rootfs/NAME.recipe): data, one directive per line, "#" comments, sections
 * [alpine] and [debian] for what differs per distribution. `include NAME` reads another recipe
 * first; later scalars override, later lists append. See docs/sis-provision.1, RECIPES.
 */
#include <stdbool.h>
#include <stdint.h>

enum runlevel { RL_SYSINIT, RL_BOOT, RL_DEFAULT, RL_SHUTDOWN, _RL_MAX };
extern const char *const runlevel_names[_RL_MAX];

enum distro { DISTRO_ALPINE, DISTRO_DEBIAN, _DISTRO_MAX };
extern const char *const distro_names[_DISTRO_MAX];

struct recipe_flavour {
        char *release;       /* alpine "3.22.2"; debian "bookworm" */
        char *base_url;      /* alpine: the minirootfs URL ({release} and {arch} expanded) */
        char *base_sha256;   /* its pinned sha256 */
        char *signing_key;   /* alpine: the fingerprint that signs the release's .asc */
        char *variant;       /* debian: mmdebstrap --variant */
        char **repositories; /* alpine: apk repositories; debian: the mirror(s) */
        char **packages;
        char **runlevels[_RL_MAX];
        char **remove; /* absolute paths dropped from the image (caches, logs) */
};

struct recipe {
        char *name;
        char **files; /* every recipe file read, in order (for the recipe hash) */
        char *user;   /* the session user */
        uint32_t uid, gid;
        uint32_t subid_start, subid_count;
        char *hostname;
        char *console;   /* NULL: no getty; else a tty name (debug recipes) */
        int64_t epoch;   /* SOURCE_DATE_EPOCH when the environment sets none */
        char **overlays; /* directories under rootfs/overlay */
        struct recipe_flavour flavour[_DISTRO_MAX];
};

int distro_from_name(const char *s);

/* Parse rootfs/NAME.recipe under dir. 0, or -errno with *ret_error "file:line: message". */
int recipe_load(const char *dir, const char *name, struct recipe *ret, char **ret_error);
/* Parse one recipe text (no includes allowed unless dir is set); for tests and the fuzzer. */
int recipe_parse(const char *text, const char *filename, const char *dir, int depth, struct recipe *r,
                 char **ret_error);
/* The checks that need the whole recipe (a user, sane ids). */
int recipe_validate(const struct recipe *r, enum distro d, char **ret_error);
void recipe_done(struct recipe *r);

/* A safe absolute path inside the image: normalised, no "..", no NUL, not "/". */
bool image_path_ok(const char *p);
