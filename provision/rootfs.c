/* SPDX-License-Identifier: MIT */
/*
 * sis-provision rootfs: recipe -> base tree -> packages -> the SIS settings -> ext4, no root.
 *
 * This file runs the build in order and writes what it publishes; the steps live beside it:
 *   rootfs-alpine.c    the pinned minirootfs and apk in a user namespace;
 *   rootfs-debian.c    mmdebstrap, cached under the archive's InRelease;
 *   rootfs-settings.c  passwd/group/shadow, uidmap, Podman, fstab, inittab, runlevels, written
 *                      by us into the in-memory tree;
 *   home-disk.c        the home disk template (sis-provision disk).
 * The tree is streamed into mke2fs -d - (image.c); then a dm-verity hash tree is appended to the
 * image (verity.c), its root hash in the manifest: the guest's kernel checks every block of /
 * against it. The output directory (rootfs.ext4, sbom.cdx.json, manifest.json, SHA256SUMS) is
 * published by one rename.
 */
#include "rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "dump.h"
#include "fileio.h"
#include "hash.h"
#include "image.h"
#include "number.h"
#include "recipe.h"
#include "rootfs-build.h"
#include "sbom.h"
#include "tree.h"
#include "util.h"
#include "verity.h"
#include "walk.h"

#define MANIFEST_VERSION 1

static const char *const rootfs_outputs[] = { "rootfs.ext4", "sbom.cdx.json", NULL };
static const char *const rootfs_published[] = { "rootfs.ext4", "sbom.cdx.json", "manifest.json", "SHA256SUMS", NULL };

/* --- recipe identity ---------------------------------------------------------------------- */

/* Every entry of an overlay, in sorted order, below the overlay's own directory (which must be
 * one); an entry that cannot be read stops the walk. */
static int overlay_entry(const struct walk_entry *e) {
        if (e->error)
                return e->error;
        if (e->depth == 0)
                return S_ISDIR(e->st->st_mode) ? 1 : -ENOTDIR;
        return 0;
}

static int hash_one(const struct walk_entry *e, void *ud) {
        struct sha256_ctx *c = ud;
        _cleanup_free_ char *line = NULL;
        char hex[SHA256_HEX] = "";
        int k = overlay_entry(e);

        if (k != 0)
                return k < 0 ? k : 0;
        line = strdup_printf("%s %o\n", e->rel, (unsigned) e->st->st_mode);
        if (!line)
                return -ENOMEM;
        k = sha256_add(c, line, strlen(line));
        if (k >= 0 && S_ISREG(e->st->st_mode) && (k = sha256_file(e->path, hex)) >= 0)
                k = sha256_add(c, hex, strlen(hex));
        return k;
}

/* sha256 over every recipe file read and every overlay file (path, mode, contents). */
static int recipe_hash(struct build *b) {
        struct sha256_ctx *c;
        int k = sha256_begin(&c);

        for (size_t i = 0; k >= 0 && b->r.files[i]; i++) {
                _cleanup_free_ char *text = NULL;
                k = read_file_capped(b->r.files[i], 1 << 20, &text, NULL);
                if (k >= 0)
                        k = sha256_add(c, text, strlen(text) + 1);
        }
        for (size_t i = 0; k >= 0 && b->r.overlays && b->r.overlays[i]; i++) {
                _cleanup_free_ char *root = strdup_printf("%s/overlay/%s", b->o->recipes, b->r.overlays[i]);
                k = root ? walk(root, WALK_SORTED, hash_one, c) : -ENOMEM;
        }
        if (k < 0)
                return k;
        return sha256_end(c, b->recipe_sha256);
}

/* --- overlays ----------------------------------------------------------------------------- */

static int copy_one(const struct walk_entry *e, void *ud) {
        struct tree *t = ud;
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = overlay_entry(e);

        if (k != 0)
                return k < 0 ? k : 0;
        if (S_ISDIR(e->st->st_mode))
                return tree_find(t, e->rel) ? 0 : tree_put_dir(t, e->rel, 0755, 0, 0);
        if (S_ISLNK(e->st->st_mode)) {
                char buf[4096];
                ssize_t n = readlink(e->path, buf, sizeof(buf) - 1);
                if (n < 0)
                        return -errno;
                buf[n] = '\0';
                return tree_put_symlink(t, e->rel, buf);
        }
        if (!S_ISREG(e->st->st_mode))
                return -EINVAL;
        k = read_file_capped(e->path, MAX_TEXT, &text, &len);
        if (k < 0)
                return k;
        /* overlay files are root's: executable or not, never setuid */
        return tree_put_file(t, e->rel, text, len, e->st->st_mode & 0111 ? 0755 : 0644, 0, 0);
}

/* --- small text helpers -------------------------------------------------------------------- */

int read_tree_text(struct tree *t, const char *path, char **ret) {
        struct tree_entry *e = tree_find(t, path);
        if (!e || !S_ISREG(e->mode)) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        return tree_read(t, e, MAX_TEXT, ret, NULL);
}

/* --- package lists for the manifest ------------------------------------------------------- */

static int cmp_pkg(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

char *rootfs_next_line(const char **p) {
        size_t len = strcspn(*p, "\n");
        char *l = strndup(*p, len);

        *p += len + ((*p)[len] == '\n');
        return l;
}

/* "name version" lines from dpkg's status or apk's installed database. */
static json_object *package_list(struct tree *t, enum distro d) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        _cleanup_strv_free_ char **list = NULL;
        bool installed = d == DISTRO_ALPINE;
        json_object *arr;

        if (read_tree_text(t, d == DISTRO_ALPINE ? "lib/apk/db/installed" : "var/lib/dpkg/status", &text) < 0)
                return NULL;
        for (const char *p = text; *p;) {
                _cleanup_free_ char *l = rootfs_next_line(&p);
                if (!l)
                        return NULL;
                if (d == DISTRO_ALPINE) {
                        if (startswith(l, "P:")) {
                                free(name);
                                name = strdup(l + 2);
                        } else if (startswith(l, "V:") && name)
                                (void) strv_push(&list, strdup_printf("%s %s", name, l + 2));
                } else {
                        if (startswith(l, "Package: ")) {
                                free(name);
                                name = strdup(l + 9);
                                installed = false;
                        } else if (startswith(l, "Status: "))
                                installed = streq(l + 8, "install ok installed");
                        else if (startswith(l, "Version: ") && name && installed)
                                (void) strv_push(&list, strdup_printf("%s %s", name, l + 9));
                }
        }
        if (list)
                qsort(list, strv_length(list), sizeof(char *), cmp_pkg);
        arr = json_object_new_array();
        for (size_t i = 0; list && list[i]; i++) {
                json_object *o = json_object_new_object();
                char *sp = strchr(list[i], ' ');
                *sp = '\0';
                json_object_object_add(o, "name", json_object_new_string(list[i]));
                json_object_object_add(o, "version", json_object_new_string(sp + 1));
                json_object_array_add(arr, o);
        }
        return arr;
}

/* --- the build ---------------------------------------------------------------------------- */

/* Work directories are per process: a crashed build's is removed by the next one. */
static char *work_dir(const char *cache) {
        _cleanup_free_ char *root = strdup_printf("%s/work", cache);
        DIR *d;
        struct dirent *de;

        if (!root || mkdir_parents(root, 0755) < 0)
                return NULL;
        d = opendir(root);
        while (d && (de = readdir(d))) {
                uint32_t pid;
                if (safe_atou32(de->d_name, &pid) >= 0 && pid > 0 && kill((pid_t) pid, 0) < 0 && errno == ESRCH) {
                        _cleanup_free_ char *p = strdup_printf("%s/%s", root, de->d_name);
                        if (p)
                                (void) rm_rf(p);
                }
        }
        if (d)
                closedir(d);
        {
                char *w = strdup_printf("%s/%d", root, (int) getpid());
                if (w) {
                        (void) rm_rf(w);
                        if (mkdir(w, 0700) < 0) {
                                free(w);
                                return NULL;
                        }
                }
                return w;
        }
}

/* sha256("sis-provision WHAT KEY"): what the build's identity gives for one use. */
static void derive_hex(const char *key, const char *what, char hex[SHA256_HEX]) {
        _cleanup_free_ char *s = strdup_printf("sis-provision %s %s", what, key);
        if (s)
                (void) sha256_buf(s, strlen(s), hex);
}

void derive_id(const char *key, const char *what, unsigned char out[16]) {
        char hex[SHA256_HEX] = "";
        derive_hex(key, what, hex);
        uuid_from_hex(hex, out);
}

/* 32 bytes from the build's identity: the verity salt, the same for the same inputs */
static void derive_salt(const char *key, unsigned char out[VERITY_SALT_BYTES]) {
        char hex[SHA256_HEX] = "";
        derive_hex(key, "verity_salt", hex);
        (void) hex_decode(hex, out, VERITY_SALT_BYTES); /* a bad hex: zeros */
}

/* The recipe, checked and hashed; mke2fs; the epoch; the cache and a work directory. */
static int rootfs_inputs(struct build *b, char **ret_mkver, char **err) {
        const struct rootfs_opts *o = b->o;
        time_t e;
        int k;

        k = distro_from_name(o->distro);
        if (k < 0)
                return set_error(err, -EINVAL, "--distro %s: not alpine or debian", o->distro);
        b->d = k;
        b->f = &b->r.flavour[b->d];
        k = recipe_load(o->recipes, o->recipe, &b->r, err);
        if (k < 0)
                return k;
        if (o->release && b->d == DISTRO_ALPINE && !o->base && !streq(o->release, strempty(b->f->release)))
                return set_error(err, -EINVAL,
                                 "--release %s: recipe %s pins a base only for Alpine %s (give --base and --sha256)",
                                 o->release, o->recipe, strna(b->f->release));
        k = recipe_validate(&b->r, b->d, err);
        if (k < 0)
                return k;
        k = recipe_hash(b);
        if (k < 0)
                return set_error(err, k, "cannot read the recipe's overlays: %s", strerror(-k));
        k = mke2fs_check(ret_mkver, err);
        if (k < 0)
                return k;
        k = source_date_epoch(&e);
        if (k >= 0)
                b->epoch = e;
        else if (k != -ENOENT)
                return set_error(err, -EINVAL, "SOURCE_DATE_EPOCH=%s: not seconds since 1970",
                                 getenv("SOURCE_DATE_EPOCH"));
        else if (b->r.epoch > 0)
                b->epoch = b->r.epoch;
        else
                return set_error(err, -EINVAL, "recipe %s has no epoch and SOURCE_DATE_EPOCH is not set", o->recipe);
        b->cache = provision_cache_root(o->cache);
        b->work = b->cache ? work_dir(b->cache) : NULL;
        if (!b->work)
                return set_error(err, -EIO, "cannot create a work directory in the cache %s", strna(b->cache));
        return 0;
}

/* The base unpacked into t, the packages added (alpine), the overlays and the SIS settings. */
static int rootfs_tree(struct build *b, struct tree *t, char **err) {
        const struct rootfs_opts *o = b->o;
        _cleanup_free_ char *treedir = NULL;
        int k;

        STEP(b, "recipe %s (%.12s), %s %s", o->recipe, b->recipe_sha256, distro_names[b->d],
             o->release ? o->release : b->f->release);
        k = b->d == DISTRO_ALPINE ? alpine_base(b, err) : debian_base(b, err);
        if (k < 0)
                return k;
        STEP(b, "base %s (sha256 %.12s%s)", b->base_path, b->base_sha256,
             b->signature_checked ? ", good signature" : "");

        treedir = strdup_printf("%s/tree", b->work);
        if (!treedir || (k = tree_init(t, treedir)) < 0)
                return set_error(err, -EIO, "cannot create %s", strna(treedir));
        k = tree_load_tar(t, b->base_path, err);
        if (k < 0)
                return k;
        STEP(b, "unpacked %zu entries", t->n);
        if (b->d == DISTRO_ALPINE) {
                STEP(b, "apk add %zu packages in a user namespace (%s)", strv_length(b->f->packages),
                     o->repo ? o->repo : "the recipe's repositories");
                k = run_apk(b, t, err);
                if (k < 0)
                        return k;
        }
        for (char **ov = b->r.overlays; ov && *ov; ov++) {
                _cleanup_free_ char *root = strdup_printf("%s/overlay/%s", o->recipes, *ov);
                k = root ? walk(root, WALK_SORTED, copy_one, t) : -ENOMEM;
                if (k < 0)
                        return set_error(err, k, "overlay %s: %s", strna(root), strerror(-k));
        }
        k = sis_settings(b, t, err);
        if (k < 0) {
                if (err && !*err)
                        (void) set_error(err, k, "the SIS settings: %s", strerror(-k));
                return k;
        }
        b->packages = package_list(t, b->d);
        return 0;
}

/* outdir/sbom.cdx.json, from the image's own package database (the one package_list() read). */
static int rootfs_sbom(struct build *b, struct tree *t, const char *outdir, char **err) {
        const struct rootfs_opts *o = b->o;
        const char *dbpath = b->d == DISTRO_ALPINE ? "lib/apk/db/installed" : "var/lib/dpkg/status";
        _cleanup_free_ char *db = NULL, *serr = NULL, *sp = strdup_printf("%s/sbom.cdx.json", outdir);
        const struct sbom_meta sm = { .name = o->recipe,
                                      .release = o->release ? o->release : b->f->release,
                                      .arch = b->d == DISTRO_ALPINE ? "x86_64" : "amd64",
                                      .tool_version = SIS_VERSION,
                                      .epoch = b->epoch };
        json_object *doc;
        int k;

        k = sp ? read_tree_text(t, dbpath, &db) : -ENOMEM;
        if (k >= 0 && !*db)
                k = -ENOENT; /* read_tree_text gives "" for a missing file: no database, no SBOM */
        if (k < 0)
                return set_error(err, k, "cannot read the image's /%s: %s", dbpath, strerror(-k));
        doc = sbom_rootfs(db, strlen(db), b->d, &sm, &serr);
        if (!doc)
                return set_error(err, -EBADMSG, "the SBOM from /%s: %s", dbpath, strna(serr));
        k = sbom_write(sp, doc);
        json_object_put(doc);
        if (k < 0)
                return set_error(err, k, "cannot write the SBOM: %s", strerror(-k));
        STEP(b, "sbom.cdx.json (CycloneDX) from /%s", dbpath);
        return 0;
}

/* outdir/manifest.json and SHA256SUMS: what went in, the packages, the tools, the verity tree. */
static int rootfs_manifest(struct build *b, const char *outdir, const char *mkver, const unsigned char fs_uuid[16],
                           const struct verity_info *vi, char **err) {
        const struct rootfs_opts *o = b->o;
        json_object *m = json_object_new_object(), *in = json_object_new_object(), *base = json_object_new_object(),
                    *rec = json_object_new_object(), *tools = json_object_new_object();
        char uuid[37];
        int k;

        uuid_format(fs_uuid, uuid);
        json_object_object_add(m, "manifest_version", json_object_new_int(MANIFEST_VERSION));
        json_object_object_add(m, "tool", json_object_new_string("sis-provision"));
        json_object_object_add(m, "version", json_object_new_string(SIS_VERSION));
        json_object_object_add(m, "kind", json_object_new_string("rootfs"));
        json_object_object_add(m, "distro", json_object_new_string(distro_names[b->d]));
        json_object_object_add(m, "release", json_object_new_string(o->release ? o->release : b->f->release));
        json_object_object_add(rec, "name", json_object_new_string(o->recipe));
        json_object_object_add(rec, "sha256", json_object_new_string(b->recipe_sha256));
        json_object_object_add(m, "recipe", rec);
        json_object_object_add(base, "source",
                               json_object_new_string(b->d == DISTRO_DEBIAN ? "mmdebstrap"
                                                              : o->base     ? o->base
                                                                            : b->f->base_url));
        json_object_object_add(base, "sha256", json_object_new_string(b->base_sha256));
        json_object_object_add(base, "signature_checked", json_object_new_boolean(b->signature_checked));
        if (b->archive_state)
                json_object_object_add(base, "archive_inrelease_sha256", json_object_new_string(b->archive_state));
        json_object_object_add(in, "base", base);
        json_object_object_add(m, "inputs", in);
        json_object_object_add(m, "packages", b->packages ? b->packages : json_object_new_array());
        b->packages = NULL;
        json_object_object_add(tools, "mke2fs", json_object_new_string(mkver));
        json_object_object_add(m, "tools", tools);
        json_object_object_add(m, "filesystem_uuid", json_object_new_string(uuid));
        json_object_object_add(m, "verity", verity_to_json(vi));
        json_object_object_add(m, "source_date_epoch", json_object_new_int64(b->epoch));
        k = manifest_write(outdir, m, rootfs_outputs);
        return k < 0 ? set_error(err, k, "cannot write the manifest: %s", strerror(-k)) : 0;
}

static int rootfs_run(struct build *b, char **err) {
        const struct rootfs_opts *o = b->o;
        _cleanup_free_ char *mkver = NULL, *outtmp = NULL, *img = NULL, *keytext = NULL, *p = NULL;
        _cleanup_(tree_done) struct tree t = { .work_fd = -1 };
        struct image_opts io = { .label = "rootfs", .root_perms = 0755, .size = o->size };
        struct verity_info vi;
        unsigned char salt[VERITY_SALT_BYTES], vuuid[16];
        char key[SHA256_HEX], hex[SHA256_HEX] = "";
        struct timespec t0, t1;
        int k;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        k = rootfs_inputs(b, &mkver, err);
        if (k >= 0)
                k = rootfs_tree(b, &t, err);
        if (k < 0)
                return k;

        /* identity: the recipe, the base, the archive state, the epoch and this tool */
        keytext = strdup_printf("%s\n%s\n%s\n%s\n%lld\n%s\n", distro_names[b->d], b->recipe_sha256, b->base_sha256,
                                strempty(b->archive_state), (long long) b->epoch, SIS_VERSION);
        if (!keytext || sha256_buf(keytext, strlen(keytext), key) < 0)
                return -ENOMEM;
        derive_id(key, "uuid", io.uuid);
        derive_id(key, "hash_seed", io.hash_seed);
        io.epoch = b->epoch;
        io.work = b->work;
        outtmp = strdup_printf("%s/out", b->work);
        img = strdup_printf("%s/rootfs.ext4", outtmp ? outtmp : "");
        if (!outtmp || !img || mkdir(outtmp, 0755) < 0)
                return -errno ? -errno : -ENOMEM;
        k = rootfs_sbom(b, &t, outtmp, err);
        if (k < 0)
                return k;
        io.path = img;
        STEP(b, "mke2fs -d - (%zu entries, %llu MiB)", t.n,
             (unsigned long long) ((o->size ? o->size : image_size_for(&t, false, NULL)) >> 20));
        k = image_build(&io, &t, err);
        if (k < 0)
                return k;
        derive_salt(key, salt);
        derive_id(key, "verity_uuid", vuuid);
        k = verity_append(img, salt, vuuid, &vi, err);
        if (k < 0)
                return k;
        STEP(b, "dm-verity tree appended (%llu data blocks, root hash %s)", (unsigned long long) vi.data_blocks,
             vi.root_hash);
        k = rootfs_manifest(b, outtmp, mkver, io.uuid, &vi, err);
        if (k < 0)
                return k;
        k = publish_dir(outtmp, o->out, rootfs_published);
        if (k < 0)
                return set_error(err, k, "--out %s: %s", o->out, strerror(-k));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        p = strdup_printf("%s/rootfs.ext4", o->out);
        if (p)
                (void) sha256_file(p, hex);
        STEP(b, "wrote %s/rootfs.ext4 (sha256 %s, verity root hash %s, %.1f s)", o->out, hex, vi.root_hash,
             (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
        return 0;
}

static void build_done(struct build *b) {
        if (b->work)
                (void) rm_rf(b->work);
        free(b->work);
        free(b->cache);
        free(b->base_path);
        free(b->archive_state);
        json_object_put(b->packages);
        recipe_done(&b->r);
}

int rootfs_build(const struct rootfs_opts *o) {
        _cleanup_(build_done) struct build b = { .o = o };
        _cleanup_free_ char *err = NULL;
        int k = rootfs_run(&b, &err);

        if (k < 0) {
                if (k == -EINVAL && !err)
                        return 2; /* already reported (fetch) */
                return cli_fail(2, "rootfs: %s", err ? err : strerror(-k));
        }
        return 0;
}
