/* SPDX-License-Identifier: MIT */
/*
 * sis-provision kernel: fragments -> verified .config -> reproducible vmlinux and bzImage.
 *
 *   source (tarball sha256 | directory tree hash)
 *     -> unpack once into <cache>/src/<hash>           (atomic: a temp dir renamed into place)
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

#include <archive.h>
#include <ctype.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "dl.h"
#include "dump.h"
#include "exec.h"
#include "fetch.h"
#include "fileio.h"
#include "hash.h"
#include "kconfig.h"
#include "log.h"
#include "sbom.h"
#include "util.h"
#include "walk.h"

#define MANIFEST_VERSION 1
/* What the build makes, and what an entry holds: those plus the SBOM (CycloneDX, provision/sbom.c).
 * An entry's layout is part of both cache keys (ENTRY_LAYOUT): an entry made before the SBOM was
 * one of its outputs is never taken for a current one. */
#define ENTRY_LAYOUT "vmlinux bzImage config sbom.cdx.json"
static const char *const built[] = { "vmlinux", "bzImage", "config", NULL };
static const char *const outputs[] = { "vmlinux", "bzImage", "config", "sbom.cdx.json", NULL };
static const char *const published[] = { "vmlinux", "bzImage", "config", "sbom.cdx.json", "manifest.json", "SHA256SUMS", NULL };

static void step(const struct kernel_opts *o, const char *fmt, ...) _printf_(2, 3);
static void step(const struct kernel_opts *o, const char *fmt, ...) {
        va_list ap;

        fputs(o->progress ? "\033[1m==>\033[0m " : "==> ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* --- the source --------------------------------------------------------------------------- */

/* A directory's identity: the sorted list of (path, size, mtime) of its files. */
struct tree_lines {
        char **lines;
        size_t skip;    /* the directory's name: the lines start after it */
};

static int tree_line(const struct walk_entry *e, void *userdata) {
        struct tree_lines *tl = userdata;

        if (e->error)
                return 0; /* as nftw(): an unreadable entry is left out */
        if (!S_ISDIR(e->st->st_mode)) {
                char *l = strdup_printf("%s %lld %lld", e->path + tl->skip, (long long) e->st->st_size, (long long) e->st->st_mtime);
                if (!l || strv_push(&tl->lines, l) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int tree_hash(const char *dir, char hex[static SHA256_HEX]) {
        struct tree_lines tl = { .skip = strlen(dir) };
        _cleanup_strv_free_ char **lines = NULL;
        struct sha256_ctx *c;
        int k = walk(dir, WALK_NO_ROOT, tree_line, &tl);

        lines = tl.lines;
        if (k < 0)
                return k;
        strv_sort(lines);
        k = sha256_begin(&c);
        for (size_t i = 0; k >= 0 && lines && lines[i]; i++) {
                k = sha256_add(c, lines[i], strlen(lines[i]));
                if (k >= 0)
                        k = sha256_add(c, "\n", 1);
        }
        if (k < 0)
                return k;
        return sha256_end(c, hex);
}

/* Unpack a tarball into a new directory, atomically; the top-level directory of the archive
 * (linux-source-6.1/) is stripped. */
static int unpack(const char *tarball, const char *dest) {
        _cleanup_free_ char *tmp = strdup_printf("%s.unpack.XXXXXX", dest);
        struct archive *a = NULL, *w = NULL;
        struct archive_entry *ae;
        int r, k = 0;

        if (!tmp || !mkdtemp(tmp))
                return -errno;
        k = dlopen_libarchive();
        if (k < 0)
                goto out;
        a = sym_archive_read_new();
        w = sym_archive_write_disk_new();
        if (!a || !w) {
                k = -ENOMEM;
                goto out;
        }
        sym_archive_read_support_format_tar(a);
        sym_archive_read_support_filter_gzip(a);
        if (sym_archive_read_support_filter_xz)
                sym_archive_read_support_filter_xz(a);
        sym_archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                      ARCHIVE_EXTRACT_SECURE_SYMLINKS);
        if (sym_archive_read_open_filename(a, tarball, 1 << 16) != ARCHIVE_OK) {
                k = -EBADMSG;
                goto out;
        }
        while ((r = sym_archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                const char *name = sym_archive_entry_pathname(ae), *rest;
                _cleanup_free_ char *to = NULL;
                mode_t t = sym_archive_entry_filetype(ae);

                if (!name || name[0] == '/' || strstr(name, "../")) {
                        k = -EBADMSG;
                        goto out;
                }
                rest = strchr(name, '/');
                if (!rest || !rest[1])
                        continue; /* the top-level directory itself */
                if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
                        continue;
                if (sym_archive_entry_hardlink(ae)) {
                        const char *hl = strchr(sym_archive_entry_hardlink(ae), '/');
                        _cleanup_free_ char *hto = hl ? strdup_printf("%s%s", tmp, hl) : NULL;
                        if (hto)
                                sym_archive_entry_set_hardlink(ae, hto);
                }
                to = strdup_printf("%s%s", tmp, rest);
                if (!to) {
                        k = -ENOMEM;
                        goto out;
                }
                sym_archive_entry_set_pathname(ae, to);
                if (sym_archive_write_header(w, ae) != ARCHIVE_OK) {
                        k = -(sym_archive_errno(w) ?: EIO);
                        goto out;
                }
                if (t == AE_IFREG && !sym_archive_entry_hardlink(ae)) {
                        const void *buf;
                        size_t size;
                        la_int64_t off;
                        while ((r = sym_archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
                                if (sym_archive_write_data_block(w, buf, size, off) != ARCHIVE_OK) {
                                        k = -(sym_archive_errno(w) ?: EIO);
                                        goto out;
                                }
                        if (r != ARCHIVE_EOF) {
                                k = -EBADMSG;
                                goto out;
                        }
                }
                if (sym_archive_write_finish_entry(w) != ARCHIVE_OK) {
                        k = -(sym_archive_errno(w) ?: EIO);
                        goto out;
                }
        }
        if (r != ARCHIVE_EOF)
                k = -EBADMSG;
out:
        if (a)
                sym_archive_read_free(a);
        if (w)
                sym_archive_write_free(w);
        if (k >= 0 && rename(tmp, dest) < 0)
                k = -errno;
        if (k < 0)
                (void) rm_rf(tmp);
        return k;
}

/* --- toolchain ---------------------------------------------------------------------------- */

static char *first_line_of(const char *cmd) {
        char *argv[] = { (char *) cmd, (char *) "--version", NULL };
        char path[] = "/tmp/sis-ver.XXXXXX";
        _cleanup_close_ int fd = mkostemp(path, O_CLOEXEC);
        _cleanup_free_ char *text = NULL;
        char *nl;

        if (fd < 0)
                return NULL;
        unlink(path);
        if (exec_logged(NULL, argv, NULL, fd, NULL, NULL) != 0 || lseek(fd, 0, SEEK_SET) < 0)
                return NULL;
        {
                char buf[512];
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                if (n <= 0)
                        return NULL;
                buf[n] = '\0';
                nl = strchr(buf, '\n');
                if (nl)
                        *nl = '\0';
                return strdup(buf);
        }
}

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

/* sbom.cdx.json in the entry being assembled (dir), from the outputs already there. -errno, or 2
 * after saying why. */
static int write_sbom(const char *dir, const struct kernel_opts *o, const char *builddir, const char *srcdir, bool is_dir,
                      const char *src_hash, const char *cfg_hash, const char *gcc, const char *ld, const char *mk,
                      long long epoch) {
        _cleanup_free_ char *release = kernel_release(builddir, srcdir), *name = source_name(o->source),
                            *bz = strdup_printf("%s/bzImage", dir), *path = strdup_printf("%s/sbom.cdx.json", dir), *err = NULL;
        char bz_hash[SHA256_HEX];
        json_object *doc;
        int k;

        if (!name || !bz || !path)
                return -ENOMEM;
        if (!release)
                return provision_error(2, "the kernel's release is unknown (no include/config/kernel.release in %s)", builddir);
        k = sha256_file(bz, bz_hash);
        if (k < 0)
                return k;
        doc = sbom_kernel(&(struct sbom_kernel_meta) { .profile = o->profile, .arch = o->arch, .release = release,
                                                      .source_name = name, .source_url = strstr(o->source, "://") ? o->source : NULL,
                                                      .source_is_dir = is_dir, .source_sha256 = src_hash, .config_sha256 = cfg_hash,
                                                      .image_sha256 = bz_hash, .gcc = gcc, .ld = ld, .make = mk,
                                                      .tool_version = SIS_VERSION, .epoch = epoch },
                          &err);
        if (!doc)
                return provision_error(2, "the SBOM: %s", strna(err));
        k = sbom_write(path, doc);
        json_object_put(doc);
        return k;
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
                            *j = strdup_printf("-j%u", jobs), *ac = allconfig ? strdup_printf("KCONFIG_ALLCONFIG=%s", allconfig) : NULL;
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

int kernel_build(const struct kernel_opts *o) {
        _cleanup_free_ char *cache = provision_cache_root(o->cache), *srcdir = NULL, *builddir = NULL, *allconfig = NULL,
                            *inputs_file = NULL, *entry = NULL, *logpath = NULL, *cfgtext = NULL, *gcc = NULL, *ld = NULL,
                            *mk = NULL, *fetched = NULL;
        _cleanup_strv_free_ char **frags = NULL;
        const char *source = o->source;
        _cleanup_close_ int log = -1;
        struct kreqs reqs = {};
        struct kfinal final = {};
        char src_hash[SHA256_HEX], ikey[SHA256_HEX], key[SHA256_HEX], cfg_hash[SHA256_HEX];
        char *perr = NULL;
        struct stat st;
        bool is_dir;
        long long epoch;
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        struct timespec t0, t1;
        int k;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!cache)
                return -ENOMEM;
        /* make -C SRC O=BUILD resolves BUILD from SRC: every path handed to it must be absolute */
        if (mkdir_parents(cache, 0755) < 0)
                return provision_error(2, "--cache %s: %s", cache, strerror(errno));
        {
                char *abs = realpath(cache, NULL);
                if (!abs)
                        return provision_error(2, "--cache %s: %s", cache, strerror(errno));
                free(cache);
                cache = abs;
        }
        /* the requests: fragments of the profile */
        k = profile_load(o->configs, o->profile, &reqs, &frags, &perr);
        if (k < 0) {
                k = provision_error(2, "%s", perr ? perr : strerror(-k));
                free(perr);
                return k;
        }

        /* the source and its identity: a URL is fetched (https, sha256 required) first */
        if (strstr(o->source, "://")) {
                (void) mkdir_parents(cache, 0755);
                k = fetch_verified(o->source, o->sha256, cache, o->progress, &fetched);
                if (k != 0) {
                        kreqs_done(&reqs);
                        return 2;
                }
                source = fetched;
        }
        if (stat(source, &st) < 0) {
                kreqs_done(&reqs);
                return provision_error(2, "--source %s: %s", o->source, strerror(errno));
        }
        is_dir = S_ISDIR(st.st_mode);
        step(o, "hashing the source %s", o->source);
        k = is_dir ? tree_hash(source, src_hash) : sha256_file(source, src_hash);
        if (k < 0) {
                kreqs_done(&reqs);
                return provision_error(2, "--source %s: %s", o->source, strerror(-k));
        }
        if (o->sha256 && (is_dir || strcasecmp(o->sha256, src_hash) != 0)) {
                kreqs_done(&reqs);
                return provision_error(2, "--source %s: sha256 %s, expected %s", o->source, is_dir ? "(a directory)" : src_hash, o->sha256);
        }
        if (sde) {
                char *end;
                epoch = strtoll(sde, &end, 10);
                if (*end || epoch < 0) {
                        kreqs_done(&reqs);
                        return provision_error(2, "SOURCE_DATE_EPOCH=%s is not a number of seconds", sde);
                }
        } else
                epoch = (long long) st.st_mtime; /* deterministic for a given source file */

        gcc = first_line_of("gcc");
        ld = first_line_of("ld");
        mk = first_line_of("make");
        if (!gcc || !ld || !mk) {
                kreqs_done(&reqs);
                return provision_error(2, "the toolchain (gcc, ld, make) is not installed: run scripts/deps.sh kernel");
        }

        /* inputs key: everything that decides the outputs, known before unpacking */
        {
                struct sbuf b = {};
                _cleanup_free_ char *name = source_name(o->source);
                sbuf_printf(&b, "src %s\nprofile %s\narch %s\nepoch %lld\ngcc %s\nld %s\nmake %s\n", src_hash, o->profile,
                            o->arch, epoch, gcc, ld, mk);
                /* what the manifest and the SBOM record besides */
                sbuf_printf(&b, "entry %s\nsource %s\nurl %s\nversion %s\n", ENTRY_LAYOUT, strempty(name),
                            strstr(o->source, "://") ? o->source : "", SIS_VERSION);
                for (size_t i = 0; frags[i]; i++) {
                        char h[SHA256_HEX];
                        if (sha256_file(frags[i], h) >= 0)
                                sbuf_printf(&b, "fragment %s\n", h);
                }
                _cleanup_free_ char *s = sbuf_steal(&b);
                if (!s || sha256_buf(s, strlen(s), ikey) < 0) {
                        kreqs_done(&reqs);
                        return -ENOMEM;
                }
        }
        inputs_file = strdup_printf("%s/inputs/%s", cache, ikey);
        {
                _cleanup_free_ char *known = NULL;
                if (inputs_file && read_file_capped(inputs_file, 128, &known, NULL) >= 0) {
                        _cleanup_free_ char *e = strdup_printf("%s/kernel/%s", cache, strstrip(known));
                        _cleanup_free_ char *m = e ? strdup_printf("%s/manifest.json", e) : NULL;
                        if (m && access(m, F_OK) == 0 && provision_verify(e) == 0 && publish_dir(e, o->out, published) >= 0) {
                                clock_gettime(CLOCK_MONOTONIC, &t1);
                                step(o, "cache hit %.12s: %s (%.2f s)", strstrip(known), o->out,
                                     (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
                                kreqs_done(&reqs);
                                return 0;
                        }
                }
        }

        /* unpack once per source */
        if (is_dir)
                srcdir = realpath(source, NULL);
        else {
                srcdir = strdup_printf("%s/src/%s", cache, src_hash);
                if (srcdir && access(srcdir, F_OK) < 0) {
                        step(o, "unpacking %s", o->source);
                        (void) mkdir_parents(cache, 0755);
                        {
                                _cleanup_free_ char *parent = strdup_printf("%s/src", cache);
                                (void) mkdir_parents(parent, 0755);
                        }
                        k = unpack(source, srcdir);
                        if (k < 0) {
                                kreqs_done(&reqs);
                                return provision_error(2, "--source %s: cannot unpack: %s", o->source,
                                           k == -EBADMSG ? "not a valid tar archive" : strerror(-k));
                        }
                }
        }
        builddir = strdup_printf("%s/build/%.16s-%s-%s", cache, src_hash, o->arch, o->profile);
        if (!srcdir || !builddir || mkdir_parents(builddir, 0755) < 0) {
                kreqs_done(&reqs);
                return provision_error(2, "cannot create %s", builddir ? builddir : "the build directory");
        }
        logpath = strdup_printf("%s/build.log", builddir);
        log = logpath ? open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (log < 0) {
                kreqs_done(&reqs);
                return provision_error(2, "cannot write %s", logpath ? logpath : "the build log");
        }

        /* configure: allnoconfig + our requests, then olddefconfig */
        step(o, "configuring %s (%zu requests from %zu fragments)", o->profile, reqs.n, strv_length(frags));
        allconfig = strdup_printf("%s/sis.allconfig", builddir);
        {
                _cleanup_free_ char *text = kreqs_allconfig(&reqs);
                if (!allconfig || !text || write_file_atomic(allconfig, text, strlen(text), 0644) < 0) {
                        kreqs_done(&reqs);
                        return provision_error(2, "cannot write %s", allconfig ? allconfig : "the merged fragments");
                }
        }
        {
                _cleanup_free_ char *e1 = strdup_printf("SOURCE_DATE_EPOCH=%lld", epoch);
                char *env[] = { e1, NULL };
                struct progress pg = {};
                if (make(srcdir, builddir, o->arch, env, log, &pg, "allnoconfig", 1, allconfig) != 0 ||
                    make(srcdir, builddir, o->arch, env, log, &pg, "olddefconfig", 1, NULL) != 0) {
                        kreqs_done(&reqs);
                        return provision_error(2, "configuring the kernel failed; see %s", logpath);
                }
        }
        {
                _cleanup_free_ char *cp = strdup_printf("%s/.config", builddir);
                size_t len;
                struct kmiss *miss = NULL;
                int n;
                if (!cp || read_file_capped(cp, 16 << 20, &cfgtext, &len) < 0 || kfinal_parse(cfgtext, &final) < 0) {
                        kreqs_done(&reqs);
                        return provision_error(2, "cannot read the final .config");
                }
                n = kreqs_check(&reqs, &final, srcdir, o->arch, &miss);
                if (n > 0) {
                        provision_error(1, "%d requested symbol%s did not survive olddefconfig:", n, n == 1 ? "" : "s");
                        for (int i = 0; i < n; i++)
                                fprintf(stderr, "  %s:%u: CONFIG_%s=%s became %s: %s\n", miss[i].req->file, miss[i].req->line,
                                        miss[i].req->name, miss[i].req->value, miss[i].got, strna(miss[i].why));
                        kmiss_free(miss, (size_t) n);
                        kfinal_done(&final);
                        kreqs_done(&reqs);
                        return 1;
                }
                kmiss_free(miss, 0);
                if (sha256_buf(cfgtext, len, cfg_hash) < 0) {
                        kfinal_done(&final);
                        kreqs_done(&reqs);
                        return -ENOMEM;
                }
        }
        step(o, "all %zu requested symbols are in the final config", reqs.n);

        /* the output key: source + final config + toolchain */
        {
                _cleanup_free_ char *name = source_name(o->source);
                _cleanup_free_ char *s = strdup_printf("src %s\nconfig %s\narch %s\nepoch %lld\ngcc %s\nld %s\nmake %s\n"
                                                       "entry %s\nprofile %s\nsource %s\nurl %s\nversion %s\n",
                                                       src_hash, cfg_hash, o->arch, epoch, gcc, ld, mk, ENTRY_LAYOUT, o->profile,
                                                       strempty(name), strstr(o->source, "://") ? o->source : "", SIS_VERSION);
                if (!s || sha256_buf(s, strlen(s), key) < 0) {
                        kfinal_done(&final);
                        kreqs_done(&reqs);
                        return -ENOMEM;
                }
        }
        entry = strdup_printf("%s/kernel/%s", cache, key);
        if (entry && provision_verify(entry) != 0) {
                /* build: reproducible, logged, resumable (the build dir persists) */
                _cleanup_free_ char *ts = NULL, *e1 = strdup_printf("SOURCE_DATE_EPOCH=%lld", epoch);
                time_t t = (time_t) epoch;
                struct tm tm;
                char date[64];
                struct progress pg = { .on = o->progress };
                gmtime_r(&t, &tm);
                strftime(date, sizeof(date), "%a %b %e %H:%M:%S UTC %Y", &tm);
                ts = strdup_printf("KBUILD_BUILD_TIMESTAMP=%s", date);
                char *env[] = { ts, (char *) "KBUILD_BUILD_USER=sis", (char *) "KBUILD_BUILD_HOST=sis",
                                (char *) "KBUILD_BUILD_VERSION=1", e1, (char *) "LC_ALL=C", (char *) "TZ=UTC", NULL };
                step(o, "building vmlinux and bzImage with %u jobs (log: %s)", o->jobs, logpath);
                k = make(srcdir, builddir, o->arch, env, log, &pg, "kernel", o->jobs, NULL);
                if (pg.on && pg.n)
                        fputc('\n', stderr);
                if (k != 0) {
                        kfinal_done(&final);
                        kreqs_done(&reqs);
                        return provision_error(2, "the kernel build failed (exit %d); see %s (rerun to resume)", k, logpath);
                }
                /* assemble the entry in a temp dir, then rename: no half-written cache entries */
                {
                        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.XXXXXX", entry);
                        _cleanup_free_ char *kdir = strdup_printf("%s/kernel", cache);
                        json_object *m = json_object_new_object(),
                                    *fr = json_object_new_array(), *tc = json_object_new_object(), *srcj = json_object_new_object();
                        const char *from[] = { "vmlinux", "arch/x86/boot/bzImage", ".config" };

                        (void) mkdir_parents(kdir, 0755);
                        if (!tmp || !mkdtemp(tmp)) {
                                kfinal_done(&final);
                                kreqs_done(&reqs);
                                return provision_error(2, "cannot create the cache entry");
                        }
                        (void) chmod(tmp, 0755);
                        for (size_t i = 0; built[i]; i++) {
                                _cleanup_free_ char *a = strdup_printf("%s/%s", builddir, from[i]), *b = strdup_printf("%s/%s", tmp, built[i]);
                                unlink(b);
                                if (!a || !b || copy_file(a, b) < 0) {
                                        rm_rf(tmp);
                                        kfinal_done(&final);
                                        kreqs_done(&reqs);
                                        return provision_error(2, "the build did not produce %s", from[i]);
                                }
                        }
                        k = write_sbom(tmp, o, builddir, srcdir, is_dir, src_hash, cfg_hash, gcc, ld, mk, epoch);
                        if (k != 0) {
                                json_object_put(m);
                                json_object_put(fr);
                                json_object_put(tc);
                                json_object_put(srcj);
                                rm_rf(tmp);
                                kfinal_done(&final);
                                kreqs_done(&reqs);
                                return k < 0 ? provision_error(2, "cannot write the SBOM: %s", strerror(-k)) : k;
                        }
                        json_object_object_add(m, "manifest_version", json_object_new_int(MANIFEST_VERSION));
                        json_object_object_add(m, "tool", json_object_new_string("sis-provision"));
                        json_object_object_add(m, "version", json_object_new_string(SIS_VERSION));
                        json_object_object_add(m, "kind", json_object_new_string("kernel"));
                        json_object_object_add(m, "profile", json_object_new_string(o->profile));
                        json_object_object_add(m, "arch", json_object_new_string(o->arch));
                        json_object_object_add(srcj, "name", json_object_new_string(strrchr(o->source, '/') ? strrchr(o->source, '/') + 1 : o->source));
                        json_object_object_add(srcj, "kind", json_object_new_string(is_dir ? "directory" : "tarball"));
                        json_object_object_add(srcj, "sha256", json_object_new_string(src_hash));
                        json_object_object_add(m, "source", srcj);
                        for (size_t i = 0; frags[i]; i++) {
                                json_object *f = json_object_new_object();
                                char h[SHA256_HEX] = "";
                                (void) sha256_file(frags[i], h);
                                json_object_object_add(f, "name", json_object_new_string(strrchr(frags[i], '/') + 1));
                                json_object_object_add(f, "sha256", json_object_new_string(h));
                                json_object_array_add(fr, f);
                        }
                        json_object_object_add(m, "fragments", fr);
                        json_object_object_add(m, "requested_symbols", json_object_new_int((int) reqs.n));
                        json_object_object_add(m, "config_sha256", json_object_new_string(cfg_hash));
                        json_object_object_add(tc, "gcc", json_object_new_string(gcc));
                        json_object_object_add(tc, "ld", json_object_new_string(ld));
                        json_object_object_add(tc, "make", json_object_new_string(mk));
                        json_object_object_add(m, "toolchain", tc);
                        json_object_object_add(m, "source_date_epoch", json_object_new_int64(epoch));
                        k = manifest_write(tmp, m, outputs);
                        (void) rm_rf(entry); /* a broken old entry */
                        if (k >= 0 && rename(tmp, entry) < 0)
                                k = -errno;
                        if (k < 0) {
                                rm_rf(tmp);
                                kfinal_done(&final);
                                kreqs_done(&reqs);
                                return provision_error(2, "cannot write the cache entry: %s", strerror(-k));
                        }
                }
        } else
                step(o, "the cache holds this build already (%.12s)", key);
        kfinal_done(&final);
        kreqs_done(&reqs);

        /* remember inputs -> key, and publish */
        {
                _cleanup_free_ char *idir = strdup_printf("%s/inputs", cache), *line = strdup_printf("%s\n", key);
                (void) mkdir_parents(idir, 0755);
                if (inputs_file && line)
                        (void) write_file_atomic(inputs_file, line, strlen(line), 0644);
        }
        k = publish_dir(entry, o->out, published);
        if (k < 0)
                return provision_error(2, "--out %s: %s", o->out, strerror(-k));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        step(o, "wrote %s (%.0f s)", o->out, (double) (t1.tv_sec - t0.tv_sec));
        return 0;
}

/* --- verify and check-config ------------------------------------------------------------- */

int kernel_check_config(const char *config, const char *configs, const char *profile) {
        _cleanup_free_ char *text = NULL;
        struct kreqs reqs = {};
        struct kfinal final = {};
        struct kmiss *miss = NULL;
        char *perr = NULL;
        int k, n;

        k = profile_load(configs, profile, &reqs, NULL, &perr);
        if (k < 0) {
                k = provision_error(2, "%s", perr ? perr : strerror(-k));
                free(perr);
                return k;
        }
        k = read_file_capped(config, 16 << 20, &text, NULL);
        if (k < 0) {
                kreqs_done(&reqs);
                return provision_error(2, "--check-config %s: %s", config, strerror(-k));
        }
        if (kfinal_parse(text, &final) < 0 || final.n == 0) {
                kreqs_done(&reqs);
                kfinal_done(&final);
                return provision_error(2, "--check-config %s: not a kernel .config", config);
        }
        n = kreqs_check(&reqs, &final, NULL, NULL, &miss);
        if (n == 0)
                printf("%s has all %zu symbols of profile %s\n", config, reqs.n, profile);
        else {
                printf("%s lacks %d of the %zu symbols of profile %s:\n", config, n, reqs.n, profile);
                for (int i = 0; i < n; i++) {
                        /* the reason is the fragment line's comment: read it back */
                        printf("  CONFIG_%s=%s (has %s): %s  [%s:%u]\n", miss[i].req->name, miss[i].req->value, miss[i].got,
                               strna(miss[i].req->reason), miss[i].req->file, miss[i].req->line);
                }
        }
        kmiss_free(miss, n > 0 ? (size_t) n : 0);
        kfinal_done(&final);
        kreqs_done(&reqs);
        return n > 0 ? 1 : 0;
}
