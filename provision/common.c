/* SPDX-License-Identifier: MIT */
#include "common.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "dump.h"
#include "fileio.h"
#include "hash.h"
#include "util.h"

int provision_error(int code, const char *fmt, ...) {
        va_list ap;

        fputs("sis-provision: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return code;
}

void provision_step(bool tty, const char *fmt, ...) {
        va_list ap;

        fputs(tty ? "\033[1m==>\033[0m " : "==> ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int copy_file(const char *from, const char *to) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
        char buf[1 << 16];

        if (in < 0)
                return -errno;
        if (link(from, to) == 0)
                return 0; /* same filesystem: a hard link is a free copy */
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0)
                return -errno;
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                if (write(out, buf, (size_t) n) != n)
                        return -EIO;
        }
        return fsync(out) < 0 ? -errno : 0;
}

/* Copy a finished output set into dest, atomically (a temp dir renamed over the old one). */
int publish_dir(const char *from, const char *dest, const char *const names[]) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.XXXXXX", dest), *old = strdup_printf("%s.old", dest);
        int k = 0;

        if (!tmp || !old)
                return -ENOMEM;
        (void) mkdir_parents(dest, 0755);
        (void) rmdir(dest); /* only an empty leftover; a full one is replaced below */
        if (!mkdtemp(tmp))
                return -errno;
        (void) chmod(tmp, 0755);
        for (size_t i = 0; k >= 0 && names[i]; i++) {
                _cleanup_free_ char *a = strdup_printf("%s/%s", from, names[i]), *b = strdup_printf("%s/%s", tmp, names[i]);
                k = a && b ? copy_file(a, b) : -ENOMEM;
        }
        if (k >= 0 && access(dest, F_OK) == 0) {
                (void) rm_rf(old);
                if (rename(dest, old) < 0)
                        k = -errno;
        }
        if (k >= 0 && rename(tmp, dest) < 0)
                k = -errno;
        if (k < 0)
                (void) rm_rf(tmp);
        else
                (void) rm_rf(old);
        return k;
}

json_object *manifest_file_entry(const char *dir, const char *name, char **ret_line) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
        char hex[SHA256_HEX];
        struct stat st;
        json_object *o;

        if (!p || sha256_file(p, hex) < 0 || stat(p, &st) < 0)
                return NULL;
        o = json_object_new_object();
        json_object_object_add(o, "sha256", json_object_new_string(hex));
        json_object_object_add(o, "size", json_object_new_int64((int64_t) st.st_size));
        *ret_line = strdup_printf("%s  %s\n", hex, name);
        return o;
}

char *provision_cache_root(const char *given) {
        const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
        if (given)
                return strdup(given);
        if (x && *x)
                return strdup_printf("%s/sis", x);
        return strdup_printf("%s/.cache/sis", h && *h ? h : "/var/cache");
}

int manifest_write(const char *dir, json_object *m, const char *const outputs[]) {
        json_object *outs = json_object_new_object();
        _cleanup_free_ char *mj = NULL, *sums = NULL, *mp = strdup_printf("%s/manifest.json", dir),
                            *sp = strdup_printf("%s/SHA256SUMS", dir);
        struct sbuf sb = {};
        int k = 0;

        for (size_t i = 0; outputs[i]; i++) {
                char *line = NULL;
                json_object *e = manifest_file_entry(dir, outputs[i], &line);
                if (!e) {
                        k = -ENOENT;
                        break;
                }
                json_object_object_add(outs, outputs[i], e);
                sbuf_puts(&sb, strempty(line));
                free(line);
        }
        json_object_object_add(m, "outputs", outs);
        mj = strdup_printf("%s\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(m);
        sums = sbuf_steal(&sb);
        if (k >= 0)
                k = mj && sums && mp && sp ? write_file_atomic(mp, mj, strlen(mj), 0644) : -ENOMEM;
        if (k >= 0) {
                /* SHA256SUMS covers the manifest too (its root hash, its packages): a signature of
                 * SHA256SUMS then vouches for everything published */
                char hex[SHA256_HEX];
                _cleanup_free_ char *all = NULL;
                k = sha256_buf(mj, strlen(mj), hex);
                all = k >= 0 ? strdup_printf("%s%s  manifest.json\n", sums, hex) : NULL;
                k = all ? write_file_atomic(sp, all, strlen(all), 0644) : k < 0 ? k : -ENOMEM;
        }
        return k;
}

int provision_verify(const char *dir) {
        _cleanup_free_ char *mp = strdup_printf("%s/manifest.json", dir), *text = NULL;
        json_object *m, *outs;
        int bad = 0;

        if (!mp || read_file_capped(mp, 1 << 20, &text, NULL) < 0)
                return 2;
        m = json_tokener_parse(text);
        if (!m || !json_object_object_get_ex(m, "outputs", &outs) || !json_object_is_type(outs, json_type_object)) {
                json_object_put(m);
                return 2;
        }
        json_object_object_foreach(outs, name, o) {
                json_object *h;
                char hex[SHA256_HEX];
                _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
                if (!strchr(name, '/') && p && json_object_object_get_ex(o, "sha256", &h) && sha256_file(p, hex) >= 0 &&
                    streq(hex, json_object_get_string(h)))
                        continue;
                bad = 1;
        }
        json_object_put(m);
        return bad;
}

