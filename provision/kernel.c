/* SPDX-License-Identifier: MIT */
/*
 * sis-provision kernel: fragments -> verified .config -> reproducible vmlinux and bzImage.
 *
 *   source (tarball sha256 | directory tree hash)
 *     -> unpack once into <cache>/src/<hash>           (kernel-source.c; a temp dir renamed into place)
 *     -> allnoconfig with the merged fragments as KCONFIG_ALLCONFIG, then olddefconfig
 *     -> every requested symbol compared with the final .config (kconfig.c)
 *     -> make vmlinux bzImage with KBUILD_BUILD_* from SOURCE_DATE_EPOCH, logged to build.log
 *     -> <cache>/kernel/<key>/{vmlinux,bzImage,config,sbom.cdx.json,manifest.json,SHA256SUMS},
 *        key = sha256(source, final config, toolchain, and what else the manifest and the SBOM
 *        say: profile, source name, tool version); then copied to --out (atomic)
 * An inputs key (source, fragments, profile, arch, toolchain, epoch, source name, tool version)
 * remembers the key, so an unchanged rebuild neither unpacks nor configures: it is a cache hit in
 * well under a second.
 */
#include "kernel.h"

#include "common.h"

#include <ctype.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "dump.h"
#include "exec.h"
#include "fetch.h"
#include "fileio.h"
#include "hash.h"
#include "kconfig.h"
#include "kernel-source.h"
#include "log.h"
#include "number.h"
#include "sbom.h"
#include "util.h"

#define MANIFEST_VERSION 1
/* What the build makes, and what an entry holds: those plus the SBOM (CycloneDX, provision/sbom.c).
 * An entry's layout is part of both cache keys (ENTRY_LAYOUT): an entry made before the SBOM was
 * one of its outputs is never taken for a current one. */
#define ENTRY_LAYOUT "vmlinux bzImage config sbom.cdx.json"
static const char *const built[] = { "vmlinux", "bzImage", "config", NULL };
static const char *const outputs[] = { "vmlinux", "bzImage", "config", "sbom.cdx.json", NULL };
static const char *const published[] = { "vmlinux",       "bzImage",    "config", "sbom.cdx.json",
                                         "manifest.json", "SHA256SUMS", NULL };

#define step(o, ...) cli_step(__VA_ARGS__)

/* --- outputs ------------------------------------------------------------------------------ */

/* The kernel's release as kbuild wrote it (include/config/kernel.release in the build directory),
 * else VERSION.PATCHLEVEL.SUBLEVEL from the source's Makefile. NULL when neither says. */
static char *kernel_release(const char *builddir, const char *srcdir) {
        _cleanup_free_ char *p = strdup_printf("%s/include/config/kernel.release", builddir), *text = NULL;
        unsigned v[3];
        bool have[3] = {};
        static const char *const keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL" };

        if (p && read_file_capped(p, 256, &text, NULL) >= 0 && *strstrip(text))
                return strdup(text);
        free(p);
        free(text);
        text = NULL;
        p = strdup_printf("%s/Makefile", srcdir);
        if (!p || read_file_capped(p, 1 << 20, &text, NULL) < 0)
                return NULL;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                for (size_t i = 0; i < 3; i++) {
                        const char *r = startswith(l, keys[i]);
                        if (r && !have[i] && sscanf(r, " = %u", &v[i]) == 1)
                                have[i] = true;
                }
        return have[0] && have[1] && have[2] ? strdup_printf("%u.%u.%u", v[0], v[1], v[2]) : NULL;
}

/* The source's file or directory name: "linux-source-6.1.tar.xz", "linux" for "/usr/src/linux/". */
static char *source_name(const char *source) {
        _cleanup_free_ char *s = strdup(source);
        char *slash;
        size_t n;

        if (!s)
                return NULL;
        n = strlen(s);
        while (n > 1 && s[n - 1] == '/')
                s[--n] = '\0';
        slash = strrchr(s, '/');
        return strdup(slash && slash[1] ? slash + 1 : *s && !streq(s, "/") ? s : "source");
}

/* --- the build ---------------------------------------------------------------------------- */

struct progress {
        bool on;
        unsigned n;
};

static void on_line(void *ud, const char *line) {
        struct progress *p = ud;
        /* kbuild's quiet lines: "  CC      kernel/fork.o" */
        if (!p->on || line[0] != ' ' || line[1] != ' ' || !isupper((unsigned char) line[2]))
                return;
        p->n++;
        if (p->n % 25 == 0)
                fprintf(stderr, "\r    %u files built", p->n);
}

static int make(const char *src, const char *build, const char *arch, char *const env[], int log, struct progress *pg,
                const char *target, unsigned jobs, const char *allconfig) {
        _cleanup_free_ char *o = strdup_printf("O=%s", build), *a = strdup_printf("ARCH=%s", arch),
                            *j = strdup_printf("-j%u", jobs),
                            *ac = allconfig ? strdup_printf("KCONFIG_ALLCONFIG=%s", allconfig) : NULL;
        char *argv[10] = { (char *) "make", (char *) "-C", (char *) src, o, a, j };
        size_t n = 6;

        if (!o || !a || !j)
                return -ENOMEM;
        if (ac)
                argv[n++] = ac;
        if (streq(target, "kernel")) {
                argv[n++] = (char *) "vmlinux";
                argv[n++] = (char *) "bzImage";
        } else
                argv[n++] = (char *) target;
        argv[n] = NULL;
        return exec_logged(NULL, argv, env, log, on_line, pg);
}

/* One kernel build: what its stages share. */
struct kbuild {
        const struct kernel_opts *o;
        const char *source; /* o->source, or the file it was fetched into */
        char *cache, *fetched, *srcdir, *builddir, *logpath, *inputs_file, *entry, *cfgtext, *gcc, *ld, *mk;
        char **frags;
        struct kreqs reqs;
        struct kfinal final;
        char src_hash[SHA256_HEX], ikey[SHA256_HEX], key[SHA256_HEX], cfg_hash[SHA256_HEX];
        bool is_dir;
        long long epoch;
        int log;
        struct timespec t0;
};

static void kbuild_done(struct kbuild *b) {
        free(b->cache);
        free(b->fetched);
        free(b->srcdir);
        free(b->builddir);
        free(b->logpath);
        free(b->inputs_file);
        free(b->entry);
        free(b->cfgtext);
        free(b->gcc);
        free(b->ld);
        free(b->mk);
        strv_free(b->frags);
        kreqs_done(&b->reqs);
        kfinal_done(&b->final);
        if (b->log >= 0)
                close(b->log);
}

/* sbom.cdx.json in the entry being assembled (dir), from the outputs already there. -errno, with
 * a message when it says more than the errno. */
static int write_sbom(const char *dir, const struct kbuild *b, char **err) {
        const struct kernel_opts *o = b->o;
        _cleanup_free_ char *release = kernel_release(b->builddir, b->srcdir), *name = source_name(o->source),
                            *bz = strdup_printf("%s/bzImage", dir), *path = strdup_printf("%s/sbom.cdx.json", dir),
                            *serr = NULL;
        char bz_hash[SHA256_HEX];
        json_object *doc;
        int k;

        if (!name || !bz || !path)
                return -ENOMEM;
        if (!release)
                return set_error(err, -ENOENT,
                                 "the kernel's release is unknown (no include/config/kernel.release in %s)",
                                 b->builddir);
        k = sha256_file(bz, bz_hash);
        if (k < 0)
                return k;
        doc = sbom_kernel(&(struct sbom_kernel_meta) { .profile = o->profile,
                                                       .arch = o->arch,
                                                       .release = release,
                                                       .source_name = name,
                                                       .source_url = strstr(o->source, "://") ? o->source : NULL,
                                                       .source_is_dir = b->is_dir,
                                                       .source_sha256 = b->src_hash,
                                                       .config_sha256 = b->cfg_hash,
                                                       .image_sha256 = bz_hash,
                                                       .gcc = b->gcc,
                                                       .ld = b->ld,
                                                       .make = b->mk,
                                                       .tool_version = SIS_VERSION,
                                                       .epoch = b->epoch },
                          &serr);
        if (!doc)
                return set_error(err, -EBADMSG, "the SBOM: %s", strna(serr));
        k = sbom_write(path, doc);
        json_object_put(doc);
        return k;
}

/* The cache, as an absolute path: make -C SRC O=BUILD resolves BUILD from SRC. */
static int kb_cache(struct kbuild *b, char **err) {
        char *abs;

        b->cache = provision_cache_root(b->o->cache);
        if (!b->cache)
                return -ENOMEM;
        if (mkdir_parents(b->cache, 0755) < 0)
                return set_error(err, -errno, "--cache %s: %s", b->cache, strerror(errno));
        abs = realpath(b->cache, NULL);
        if (!abs)
                return set_error(err, -errno, "--cache %s: %s", b->cache, strerror(errno));
        free(b->cache);
        b->cache = abs;
        return 0;
}

/* The source and its identity (a URL is fetched first: https, sha256 required), the epoch and
 * the toolchain. */
static int kb_source(struct kbuild *b, char **err) {
        const struct kernel_opts *o = b->o;
        struct stat st;
        time_t sde;
        int k;

        b->source = o->source;
        if (strstr(o->source, "://")) {
                (void) mkdir_parents(b->cache, 0755);
                if (fetch_verified(o->source, o->sha256, b->cache, o->progress, &b->fetched) != 0)
                        return -EINVAL; /* fetch said why */
                b->source = b->fetched;
        }
        if (stat(b->source, &st) < 0)
                return set_error(err, -errno, "--source %s: %s", o->source, strerror(errno));
        b->is_dir = S_ISDIR(st.st_mode);
        step(o, "hashing the source %s", o->source);
        k = b->is_dir ? kernel_source_hash(b->source, b->src_hash) : sha256_file(b->source, b->src_hash);
        if (k < 0)
                return set_error(err, k, "--source %s: %s", o->source, strerror(-k));
        if (o->sha256 && (b->is_dir || strcasecmp(o->sha256, b->src_hash) != 0))
                return set_error(err, -EBADMSG, "--source %s: sha256 %s, expected %s", o->source,
                                 b->is_dir ? "(a directory)" : b->src_hash, o->sha256);
        k = source_date_epoch(&sde);
        if (k == -ENOENT)
                b->epoch = (long long) st.st_mtime; /* deterministic for a given source file */
        else if (k < 0)
                return set_error(err, -ERANGE, "SOURCE_DATE_EPOCH=%s is not a number of seconds",
                                 getenv("SOURCE_DATE_EPOCH"));
        else
                b->epoch = (long long) sde;

        b->gcc = exec_version_line("gcc", NULL, 10000);
        b->ld = exec_version_line("ld", NULL, 10000);
        b->mk = exec_version_line("make", NULL, 10000);
        if (!b->gcc || !b->ld || !b->mk)
                return set_error(err, -ENOENT,
                                 "the toolchain (gcc, ld, make) is not installed: run scripts/deps.sh kernel");
        return 0;
}

/* The inputs key: everything that decides the outputs, known before unpacking; then a cache hit
 * when an entry made from these inputs is whole and publishes. 1 a hit, 0 none, -ENOMEM. */
static int kb_cache_hit(struct kbuild *b) {
        const struct kernel_opts *o = b->o;
        _cleanup_free_ char *name = source_name(o->source), *s = NULL, *known = NULL;
        struct sbuf sb = {};

        sbuf_printf(&sb, "src %s\nprofile %s\narch %s\nepoch %lld\ngcc %s\nld %s\nmake %s\n", b->src_hash, o->profile,
                    o->arch, b->epoch, b->gcc, b->ld, b->mk);
        /* what the manifest and the SBOM record besides */
        sbuf_printf(&sb, "entry %s\nsource %s\nurl %s\nversion %s\n", ENTRY_LAYOUT, strempty(name),
                    strstr(o->source, "://") ? o->source : "", SIS_VERSION);
        for (size_t i = 0; b->frags[i]; i++) {
                char h[SHA256_HEX];
                if (sha256_file(b->frags[i], h) >= 0)
                        sbuf_printf(&sb, "fragment %s\n", h);
        }
        s = sbuf_steal(&sb);
        if (!s || sha256_buf(s, strlen(s), b->ikey) < 0)
                return -ENOMEM;
        b->inputs_file = strdup_printf("%s/inputs/%s", b->cache, b->ikey);
        if (b->inputs_file && read_file_capped(b->inputs_file, 128, &known, NULL) >= 0) {
                _cleanup_free_ char *e = strdup_printf("%s/kernel/%s", b->cache, strstrip(known));
                _cleanup_free_ char *m = e ? strdup_printf("%s/manifest.json", e) : NULL;
                if (m && access(m, F_OK) == 0 && provision_verify(e) == 0 && publish_dir(e, o->out, published) >= 0) {
                        struct timespec t1;
                        clock_gettime(CLOCK_MONOTONIC, &t1);
                        step(o, "cache hit %.12s: %s (%.2f s)", strstrip(known), o->out,
                             (double) (t1.tv_sec - b->t0.tv_sec) + (double) (t1.tv_nsec - b->t0.tv_nsec) / 1e9);
                        return 1;
                }
        }
        return 0;
}

/* The source tree (a tarball is unpacked once per source), the build directory and its log. */
static int kb_unpack(struct kbuild *b, char **err) {
        const struct kernel_opts *o = b->o;
        int k;

        if (b->is_dir)
                b->srcdir = realpath(b->source, NULL);
        else {
                b->srcdir = strdup_printf("%s/src/%s", b->cache, b->src_hash);
                if (b->srcdir && access(b->srcdir, F_OK) < 0) {
                        _cleanup_free_ char *parent = NULL;
                        step(o, "unpacking %s", o->source);
                        (void) mkdir_parents(b->cache, 0755);
                        parent = strdup_printf("%s/src", b->cache);
                        (void) mkdir_parents(parent, 0755);
                        k = kernel_source_unpack(b->source, b->srcdir);
                        if (k < 0)
                                return set_error(err, k, "--source %s: cannot unpack: %s", o->source,
                                                 k == -EBADMSG ? "not a valid tar archive" : strerror(-k));
                }
        }
        b->builddir = strdup_printf("%s/build/%.16s-%s-%s", b->cache, b->src_hash, o->arch, o->profile);
        if (!b->srcdir || !b->builddir || mkdir_parents(b->builddir, 0755) < 0)
                return set_error(err, -EIO, "cannot create %s", b->builddir ? b->builddir : "the build directory");
        b->logpath = strdup_printf("%s/build.log", b->builddir);
        b->log = b->logpath ? open(b->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (b->log < 0)
                return set_error(err, -EIO, "cannot write %s", b->logpath ? b->logpath : "the build log");
        return 0;
}

/* "N requested symbols did not survive olddefconfig:" and one line for each. */
static int kb_missing(struct kmiss *miss, int n, char **err) {
        struct sbuf sb = {};

        sbuf_printf(&sb, "%d requested symbol%s did not survive olddefconfig:", n, n == 1 ? "" : "s");
        for (int i = 0; i < n; i++)
                sbuf_printf(&sb, "\n  %s:%u: CONFIG_%s=%s became %s: %s", miss[i].req->file, miss[i].req->line,
                            miss[i].req->name, miss[i].req->value, miss[i].got, strna(miss[i].why));
        kmiss_free(miss, (size_t) n);
        if (err)
                *err = sbuf_steal(&sb);
        else
                sbuf_done(&sb);
        return -ESRCH;
}

/* allnoconfig with our requests, then olddefconfig; every request checked in the final .config. */
static int kb_configure(struct kbuild *b, char **err) {
        const struct kernel_opts *o = b->o;
        _cleanup_free_ char *allconfig = strdup_printf("%s/sis.allconfig", b->builddir),
                            *text = kreqs_allconfig(&b->reqs), *e1 = strdup_printf("SOURCE_DATE_EPOCH=%lld", b->epoch),
                            *cp = NULL;
        char *env[] = { e1, NULL };
        struct progress pg = {};
        struct kmiss *miss = NULL;
        size_t len;
        int n;

        step(o, "configuring %s (%zu requests from %zu fragments)", o->profile, b->reqs.n, strv_length(b->frags));
        if (!allconfig || !text || write_file_atomic(allconfig, text, strlen(text), 0644) < 0)
                return set_error(err, -EIO, "cannot write %s", allconfig ? allconfig : "the merged fragments");
        if (make(b->srcdir, b->builddir, o->arch, env, b->log, &pg, "allnoconfig", 1, allconfig) != 0 ||
            make(b->srcdir, b->builddir, o->arch, env, b->log, &pg, "olddefconfig", 1, NULL) != 0)
                return set_error(err, -EIO, "configuring the kernel failed; see %s", b->logpath);
        cp = strdup_printf("%s/.config", b->builddir);
        if (!cp || read_file_capped(cp, 16 << 20, &b->cfgtext, &len) < 0 || kfinal_parse(b->cfgtext, &b->final) < 0)
                return set_error(err, -EIO, "cannot read the final .config");
        n = kreqs_check(&b->reqs, &b->final, b->srcdir, o->arch, &miss);
        if (n > 0)
                return kb_missing(miss, n, err);
        kmiss_free(miss, 0);
        if (sha256_buf(b->cfgtext, len, b->cfg_hash) < 0)
                return -ENOMEM;
        step(o, "all %zu requested symbols are in the final config", b->reqs.n);
        return 0;
}

/* The output key: source + final config + toolchain, and what the manifest and SBOM record. */
static int kb_output_key(struct kbuild *b) {
        const struct kernel_opts *o = b->o;
        _cleanup_free_ char *name = source_name(o->source);
        _cleanup_free_ char *s = strdup_printf(
                "src %s\nconfig %s\narch %s\nepoch %lld\ngcc %s\nld %s\nmake %s\n"
                "entry %s\nprofile %s\nsource %s\nurl %s\nversion %s\n",
                b->src_hash, b->cfg_hash, o->arch, b->epoch, b->gcc, b->ld, b->mk, ENTRY_LAYOUT, o->profile,
                strempty(name), strstr(o->source, "://") ? o->source : "", SIS_VERSION);

        if (!s || sha256_buf(s, strlen(s), b->key) < 0)
                return -ENOMEM;
        b->entry = strdup_printf("%s/kernel/%s", b->cache, b->key);
        return b->entry ? 0 : -ENOMEM;
}

/* make vmlinux bzImage: reproducible, logged, resumable (the build dir persists). */
static int kb_compile(struct kbuild *b, char **err) {
        const struct kernel_opts *o = b->o;
        _cleanup_free_ char *ts = NULL, *e1 = strdup_printf("SOURCE_DATE_EPOCH=%lld", b->epoch);
        time_t t = (time_t) b->epoch;
        struct tm tm;
        char date[64];
        struct progress pg = { .on = o->progress };
        int k;

        gmtime_r(&t, &tm);
        strftime(date, sizeof(date), "%a %b %e %H:%M:%S UTC %Y", &tm);
        ts = strdup_printf("KBUILD_BUILD_TIMESTAMP=%s", date);
        char *env[] = { ts,
                        (char *) "KBUILD_BUILD_USER=sis",
                        (char *) "KBUILD_BUILD_HOST=sis",
                        (char *) "KBUILD_BUILD_VERSION=1",
                        e1,
                        (char *) "LC_ALL=C",
                        (char *) "TZ=UTC",
                        NULL };
        step(o, "building vmlinux and bzImage with %u jobs (log: %s)", o->jobs, b->logpath);
        k = make(b->srcdir, b->builddir, o->arch, env, b->log, &pg, "kernel", o->jobs, NULL);
        if (pg.on && pg.n)
                fputc('\n', stderr);
        if (k != 0)
                return set_error(err, -EIO, "the kernel build failed (exit %d); see %s (rerun to resume)", k,
                                 b->logpath);
        return 0;
}

/* What manifest.json says of a build, besides its outputs. */
static json_object *kb_manifest(const struct kbuild *b) {
        const struct kernel_opts *o = b->o;
        json_object *m = json_object_new_object(), *fr = json_object_new_array(), *tc = json_object_new_object(),
                    *srcj = json_object_new_object();

        json_object_object_add(m, "manifest_version", json_object_new_int(MANIFEST_VERSION));
        json_object_object_add(m, "tool", json_object_new_string("sis-provision"));
        json_object_object_add(m, "version", json_object_new_string(SIS_VERSION));
        json_object_object_add(m, "kind", json_object_new_string("kernel"));
        json_object_object_add(m, "profile", json_object_new_string(o->profile));
        json_object_object_add(m, "arch", json_object_new_string(o->arch));
        json_object_object_add(
                srcj, "name",
                json_object_new_string(strrchr(o->source, '/') ? strrchr(o->source, '/') + 1 : o->source));
        json_object_object_add(srcj, "kind", json_object_new_string(b->is_dir ? "directory" : "tarball"));
        json_object_object_add(srcj, "sha256", json_object_new_string(b->src_hash));
        json_object_object_add(m, "source", srcj);
        for (size_t i = 0; b->frags[i]; i++) {
                json_object *f = json_object_new_object();
                char h[SHA256_HEX] = "";
                (void) sha256_file(b->frags[i], h);
                json_object_object_add(f, "name", json_object_new_string(strrchr(b->frags[i], '/') + 1));
                json_object_object_add(f, "sha256", json_object_new_string(h));
                json_object_array_add(fr, f);
        }
        json_object_object_add(m, "fragments", fr);
        json_object_object_add(m, "requested_symbols", json_object_new_int((int) b->reqs.n));
        json_object_object_add(m, "config_sha256", json_object_new_string(b->cfg_hash));
        json_object_object_add(tc, "gcc", json_object_new_string(b->gcc));
        json_object_object_add(tc, "ld", json_object_new_string(b->ld));
        json_object_object_add(tc, "make", json_object_new_string(b->mk));
        json_object_object_add(m, "toolchain", tc);
        json_object_object_add(m, "source_date_epoch", json_object_new_int64(b->epoch));
        return m;
}

/* The cache entry's files, written into the temp directory tmp. */
static int kb_entry_fill(struct kbuild *b, const char *tmp, char **err) {
        const char *from[] = { "vmlinux", "arch/x86/boot/bzImage", ".config" };
        int k;

        for (size_t i = 0; built[i]; i++) {
                _cleanup_free_ char *a = strdup_printf("%s/%s", b->builddir, from[i]),
                                    *p = strdup_printf("%s/%s", tmp, built[i]);
                if (!a || !p || copy_file(a, p) < 0)
                        return set_error(err, -EIO, "the build did not produce %s", from[i]);
        }
        k = write_sbom(tmp, b, err);
        if (k < 0)
                return err && *err ? k : set_error(err, k, "cannot write the SBOM: %s", strerror(-k));
        k = manifest_write(tmp, kb_manifest(b), outputs);
        return k < 0 ? set_error(err, k, "cannot write the cache entry: %s", strerror(-k)) : 0;
}

/* The cache entry, assembled in a temp dir then exchanged with any old (broken) one: no
 * half-written cache entries. */
static int kb_entry(struct kbuild *b, char **err) {
        _cleanup_free_ char *tmp = NULL, *kdir = strdup_printf("%s/kernel", b->cache);
        int k;

        if (kdir)
                (void) mkdir_parents(kdir, 0755);
        if (atomic_tmpdir_open(b->entry, 0755, ATOMIC_REPLACE, &tmp) < 0)
                return set_error(err, -EIO, "cannot create the cache entry");
        k = kb_entry_fill(b, tmp, err);
        if (k < 0)
                return atomic_tmpdir_publish(tmp, b->entry, ATOMIC_REPLACE, k);
        k = atomic_tmpdir_publish(tmp, b->entry, ATOMIC_REPLACE, 0);
        return k < 0 ? set_error(err, k, "cannot write the cache entry: %s", strerror(-k)) : 0;
}

int kernel_build(const struct kernel_opts *o, char **ret_error) {
        _cleanup_(kbuild_done) struct kbuild b = { .o = o, .log = -1 };
        struct timespec t1;
        int k;

        clock_gettime(CLOCK_MONOTONIC, &b.t0);
        k = kb_cache(&b, ret_error);
        if (k < 0)
                return k;
        /* the requests: fragments of the profile */
        k = profile_load(o->configs, o->profile, &b.reqs, &b.frags, ret_error);
        if (k < 0)
                return ret_error && *ret_error ? k : set_error(ret_error, k, "%s", strerror(-k));
        k = kb_source(&b, ret_error);
        if (k < 0)
                return k;
        k = kb_cache_hit(&b);
        if (k != 0)
                return k < 0 ? k : 0;
        k = kb_unpack(&b, ret_error);
        if (k < 0)
                return k;
        k = kb_configure(&b, ret_error);
        if (k < 0)
                return k;
        k = kb_output_key(&b);
        if (k < 0)
                return k;
        if (provision_verify(b.entry) != 0) {
                k = kb_compile(&b, ret_error);
                if (k >= 0)
                        k = kb_entry(&b, ret_error);
                if (k < 0)
                        return k;
        } else
                step(o, "the cache holds this build already (%.12s)", b.key);

        /* remember inputs -> key, and publish */
        {
                _cleanup_free_ char *idir = strdup_printf("%s/inputs", b.cache), *line = strdup_printf("%s\n", b.key);
                (void) mkdir_parents(idir, 0755);
                if (b.inputs_file && line)
                        (void) write_file_atomic(b.inputs_file, line, strlen(line), 0644);
        }
        k = publish_dir(b.entry, o->out, published);
        if (k < 0)
                return set_error(ret_error, k, "--out %s: %s", o->out, strerror(-k));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        step(o, "wrote %s (%.0f s)", o->out, (double) (t1.tv_sec - b.t0.tv_sec));
        return 0;
}

/* --- verify and check-config ------------------------------------------------------------- */

int kernel_check_config(const char *config, const char *configs, const char *profile) {
        _cleanup_free_ char *text = NULL, *perr = NULL;
        _cleanup_(kreqs_done) struct kreqs reqs = {};
        _cleanup_(kfinal_done) struct kfinal final = {};
        struct kmiss *miss = NULL;
        int k, n;

        k = profile_load(configs, profile, &reqs, NULL, &perr);
        if (k < 0)
                return cli_fail(2, "%s", perr ? perr : strerror(-k));
        k = read_file_capped(config, 16 << 20, &text, NULL);
        if (k < 0)
                return cli_fail(2, "--check-config %s: %s", config, strerror(-k));
        if (kfinal_parse(text, &final) < 0 || final.n == 0)
                return cli_fail(2, "--check-config %s: not a kernel .config", config);
        n = kreqs_check(&reqs, &final, NULL, NULL, &miss);
        if (n == 0)
                printf("%s has all %zu symbols of profile %s\n", config, reqs.n, profile);
        else {
                printf("%s lacks %d of the %zu symbols of profile %s:\n", config, n, reqs.n, profile);
                for (int i = 0; i < n; i++) {
                        /* the reason is the fragment line's comment: read it back */
                        printf("  CONFIG_%s=%s (has %s): %s  [%s:%u]\n", miss[i].req->name, miss[i].req->value,
                               miss[i].got, strna(miss[i].req->reason), miss[i].req->file, miss[i].req->line);
                }
        }
        kmiss_free(miss, n > 0 ? (size_t) n : 0);
        return n > 0 ? 1 : 0;
}
