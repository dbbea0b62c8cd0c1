/* SPDX-License-Identifier: MIT */
#include "recipe.h"

#include <ctype.h>

#include "fileio.h"
#include "util.h"

const char *const runlevel_names[_RL_MAX] = { "sysinit", "boot", "default", "shutdown" };
const char *const distro_names[_DISTRO_MAX] = { "alpine", "debian" };

#define MAX_DEPTH 4
#define MAX_RECIPE (256 * 1024)

int distro_from_name(const char *s) {
        for (int i = 0; i < _DISTRO_MAX; i++)
                if (streq(s, distro_names[i]))
                        return i;
        return -EINVAL;
}

bool image_path_ok(const char *p) {
        _cleanup_free_ char *n = NULL;

        if (!p || p[0] != '/' || streq(p, "/") || strlen(p) > 4095)
                return false;
        /* no ".." component at all, even one that normalises away: a recipe says what it means */
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if ((c == p || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
                        return false;
        return path_normalize(p, &n) >= 0 && streq(n, p);
}

static bool name_ok(const char *s, size_t max, const char *extra) {
        size_t n = strlen(s);

        if (n == 0 || n > max || !isalnum((unsigned char) s[0]))
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char) *c) && !strchr(extra, *c))
                        return false;
        return true;
}

static bool url_ok(const char *s) {
        return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) && strlen(s) < 2048 &&
                str_is_printable(s, strlen(s)) && !strpbrk(s, " \t\"'\\");
}

static int set_str(char **dst, const char *v) {
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static int u32_arg(const char *s, uint32_t *ret) {
        return safe_atou32(s, ret);
}

/* A directive's check: the message when it fails. */
#define NEED(cond, ...) \
        do { \
                if (!(cond)) \
                        return set_error(err, -EINVAL, __VA_ARGS__); \
        } while (0)

/* A directive of the common part (before any [distro] section). */
static int common_directive(struct recipe *r, char **w, size_t n, char **err) {
        const char *k = w[0];

        if (streq(k, "user")) {
                NEED(n == 4, "user takes NAME UID GID");
                NEED(name_ok(w[1], 31, "-_") && islower((unsigned char) w[1][0]), "user: '%s' is not a user name",
                     w[1]);
                NEED(u32_arg(w[2], &r->uid) >= 0 && r->uid >= 1 && r->uid < 65534, "user: uid '%s' is not in 1..65533",
                     w[2]);
                NEED(u32_arg(w[3], &r->gid) >= 0 && r->gid >= 1 && r->gid < 65534, "user: gid '%s' is not in 1..65533",
                     w[3]);
                return set_str(&r->user, w[1]);
        }
        if (streq(k, "subids")) {
                NEED(n == 3, "subids takes START COUNT");
                NEED(u32_arg(w[1], &r->subid_start) >= 0 && r->subid_start >= 65536,
                     "subids: START must be at least 65536");
                NEED(u32_arg(w[2], &r->subid_count) >= 0 && r->subid_count >= 65536 &&
                             (uint64_t) r->subid_start + r->subid_count <= UINT32_MAX,
                     "subids: COUNT must be at least 65536 and the range must fit in 32 bits");
                return 0;
        }
        if (streq(k, "hostname")) {
                NEED(n == 2 && name_ok(w[1], 63, "-"), "hostname: not a host name");
                return set_str(&r->hostname, w[1]);
        }
        if (streq(k, "console")) {
                NEED(n == 2 && name_ok(w[1], 16, ""), "console takes none or a tty name (ttyS0)");
                if (streq(w[1], "none")) {
                        free(r->console);
                        r->console = NULL;
                        return 0;
                }
                return set_str(&r->console, w[1]);
        }
        if (streq(k, "epoch")) {
                int64_t e;
                NEED(n == 2 && safe_atoi64(w[1], &e) >= 0 && e > 0 && e < INT64_C(253402300800),
                     "epoch takes seconds since 1970");
                r->epoch = e;
                return 0;
        }
        if (streq(k, "overlay")) {
                NEED(n == 2 && name_ok(w[1], 64, "-_."), "overlay takes one directory NAME under rootfs/overlay");
                return strv_extend(&r->overlays, w[1]);
        }
        return set_error(err, -EINVAL, "unknown directive '%s' (or it belongs in a [distro] section)", k);
}

/* A directive of a [distro] section. */
static int flavour_directive(struct recipe_flavour *f, int section, char **w, size_t n, char **err) {
        const char *k = w[0];

        if (streq(k, "release")) {
                NEED(n == 2 && name_ok(w[1], 32, ".-_"), "release takes one name (3.22.2, bookworm)");
                return set_str(&f->release, w[1]);
        }
        if (streq(k, "base")) {
                NEED(n == 3 && url_ok(w[1]) && strncmp(w[1], "https://", 8) == 0,
                     "base takes an https URL and its sha256");
                NEED(is_hex_lower(w[2], 64), "base: '%s' is not a sha256 (64 lowercase hex digits)", w[2]);
                if (set_str(&f->base_url, w[1]) < 0)
                        return -ENOMEM;
                return set_str(&f->base_sha256, w[2]);
        }
        if (streq(k, "signing-key")) {
                NEED(n == 2 && strlen(w[1]) == 40 && strspn(w[1], "0123456789ABCDEF") == 40,
                     "signing-key takes a 40-digit uppercase fingerprint");
                return set_str(&f->signing_key, w[1]);
        }
        if (streq(k, "variant")) {
                NEED(n == 2 && name_ok(w[1], 32, "-"), "variant takes one name");
                return set_str(&f->variant, w[1]);
        }
        if (streq(k, "repository")) {
                NEED(n == 2 && url_ok(w[1]), "repository takes one http(s) URL");
                return strv_extend(&f->repositories, w[1]);
        }
        if (streq(k, "packages")) {
                NEED(n >= 2, "packages takes one or more names");
                for (size_t i = 1; i < n; i++) {
                        NEED(name_ok(w[i], 128, "+-._"), "packages: '%s' is not a package name", w[i]);
                        if (!strv_contains(f->packages, w[i]) && strv_extend(&f->packages, w[i]) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        if (streq(k, "runlevel")) {
                int rl = -1;
                NEED(n >= 2, "runlevel takes a runlevel and services");
                for (int i = 0; i < _RL_MAX; i++)
                        if (streq(w[1], runlevel_names[i]))
                                rl = i;
                NEED(rl >= 0, "runlevel: '%s' is not sysinit, boot, default or shutdown", w[1]);
                for (size_t i = 2; i < n; i++) {
                        NEED(name_ok(w[i], 64, "-_.@"), "runlevel: '%s' is not a service name", w[i]);
                        if (!strv_contains(f->runlevels[rl], w[i]) && strv_extend(&f->runlevels[rl], w[i]) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        if (streq(k, "remove")) {
                NEED(n >= 2, "remove takes absolute paths");
                for (size_t i = 1; i < n; i++) {
                        NEED(image_path_ok(w[i]), "remove: '%s' is not a normalised absolute path inside the image",
                             w[i]);
                        if (strv_extend(&f->remove, w[i]) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        return set_error(err, -EINVAL, "unknown directive '%s' in [%s]", k, distro_names[section]);
}

/* One directive: words[0] is the key. section -1 is the common part. */
static int directive(struct recipe *r, int section, char **w, size_t n, const char *dir, int depth, char **err) {
        if (streq(w[0], "include")) {
                _cleanup_free_ char *p = NULL, *text = NULL;
                NEED(section < 0 && n == 2 && name_ok(w[1], 64, "-_."),
                     "include takes one recipe NAME, before any section");
                NEED(dir, "include is not allowed here");
                NEED(depth < MAX_DEPTH, "includes nest deeper than %d", MAX_DEPTH);
                p = strdup_printf("%s/%s.recipe", dir, w[1]);
                if (!p)
                        return -ENOMEM;
                if (read_file_capped(p, MAX_RECIPE, &text, NULL) < 0)
                        return set_error(err, -ENOENT, "include %s: no recipe %s", w[1], p);
                return recipe_parse(text, p, dir, depth + 1, r, err);
        }
        if (section < 0)
                return common_directive(r, w, n, err);
        return flavour_directive(&r->flavour[section], section, w, n, err);
}
#undef NEED

int recipe_parse(const char *text, const char *filename, const char *dir, int depth, struct recipe *r,
                 char **ret_error) {
        _cleanup_strv_free_ char **lines = NULL;
        const char *p = text;
        unsigned lineno = 0;
        int section = -1, k;

        if (strv_extend(&r->files, filename) < 0)
                return -ENOMEM;
        if (strlen(text) > MAX_RECIPE)
                return set_error(ret_error, -EFBIG, "%s: too large", filename);
        while (*p) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, len), *why = NULL;
                _cleanup_strv_free_ char **w = NULL;
                char *hash;

                p += len + (p[len] == '\n');
                lineno++;
                if (!line)
                        return -ENOMEM;
                if (!str_is_printable(line, strlen(line)))
                        return set_error(ret_error, -EINVAL, "%s:%u: not printable text", filename, lineno);
                hash = strchr(line, '#');
                if (hash)
                        *hash = '\0';
                strstrip(line);
                if (!*line)
                        continue;
                if (line[0] == '[') {
                        size_t l = strlen(line);
                        _cleanup_free_ char *name = l >= 2 && line[l - 1] == ']' ? strndup(line + 1, l - 2) : NULL;
                        section = name ? distro_from_name(name) : -EINVAL;
                        if (section < 0)
                                return set_error(ret_error, -EINVAL, "%s:%u: unknown section '%s' (alpine, debian)",
                                                 filename, lineno, line);
                        continue;
                }
                if (strv_split(line, " \t", &w) < 0)
                        return -ENOMEM;
                k = directive(r, section, w, strv_length(w), dir, depth, &why);
                if (k < 0) {
                        if (why && strchr(why, ':') && strncmp(why, "include", 7) != 0 && strstr(why, ".recipe:"))
                                return set_error(ret_error, k, "%s", why); /* already placed in an included file */
                        return set_error(ret_error, k, "%s:%u: %s", filename, lineno, why ? why : strerror(-k));
                }
        }
        return 0;
}

int recipe_validate(const struct recipe *r, enum distro d, char **ret_error) {
        const struct recipe_flavour *f = &r->flavour[d];
        const char *file = r->files && r->files[0] ? r->files[0] : "recipe";

        if (!r->user)
                return set_error(ret_error, -EINVAL, "%s: no user (user NAME UID GID)", file);
        if (r->subid_count == 0)
                return set_error(ret_error, -EINVAL, "%s: no subids (subids START COUNT)", file);
        if (r->uid >= r->subid_start && r->uid < r->subid_start + r->subid_count)
                return set_error(ret_error, -EINVAL, "%s: the user's uid lies inside its own subid range", file);
        if (!f->release)
                return set_error(ret_error, -EINVAL, "%s: no [%s] release", file, distro_names[d]);
        if (!f->packages)
                return set_error(ret_error, -EINVAL, "%s: no [%s] packages", file, distro_names[d]);
        if (!f->repositories)
                return set_error(ret_error, -EINVAL, "%s: no [%s] repository", file, distro_names[d]);
        if (d == DISTRO_ALPINE && (!f->base_url || !f->base_sha256))
                return set_error(ret_error, -EINVAL, "%s: no [alpine] base URL SHA256", file);
        return 0;
}

int recipe_load(const char *dir, const char *name, struct recipe *ret, char **ret_error) {
        _cleanup_free_ char *p = NULL, *text = NULL;
        int k;

        *ret = (struct recipe) { .epoch = 0 };
        if (!name_ok(name, 64, "-_."))
                return set_error(ret_error, -EINVAL, "--recipe: '%s' is not a recipe name", name);
        p = strdup_printf("%s/%s.recipe", dir, name);
        if (!p)
                return -ENOMEM;
        k = read_file_capped(p, MAX_RECIPE, &text, NULL);
        if (k < 0)
                return set_error(ret_error, k, "--recipe %s: no recipe %s (%s)", name, p, strerror(-k));
        ret->name = strdup(name);
        if (!ret->name)
                return -ENOMEM;
        return recipe_parse(text, p, dir, 0, ret, ret_error);
}

void recipe_done(struct recipe *r) {
        free(r->name);
        strv_free(r->files);
        free(r->user);
        free(r->hostname);
        free(r->console);
        strv_free(r->overlays);
        for (int d = 0; d < _DISTRO_MAX; d++) {
                struct recipe_flavour *f = &r->flavour[d];
                free(f->release);
                free(f->base_url);
                free(f->base_sha256);
                free(f->signing_key);
                free(f->variant);
                strv_free(f->repositories);
                strv_free(f->packages);
                strv_free(f->remove);
                for (int i = 0; i < _RL_MAX; i++)
                        strv_free(f->runlevels[i]);
        }
        *r = (struct recipe) {};
}
