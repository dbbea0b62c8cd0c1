/* SPDX-License-Identifier: MIT */
#include "common.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "cli.h"
#include "dump.h"
#include "fileio.h"
#include "hash.h"
#include "json.h"
#include "sign.h"
#include "util.h"

static char *signer; /* --sign KEYID: publish_dir() signs SHA256SUMS */

int provision_set_signer(const char *keyid) {
        char *s = keyid ? strdup(keyid) : NULL;

        if (keyid && !s)
                return -ENOMEM;
        free(signer);
        signer = s;
        return 0;
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

int publish_part(const char *part, const char *dest) {
        int fd = open(part, O_RDONLY | O_CLOEXEC);

        return fd < 0 ? -errno : atomic_tmpfile_publish(fd, part, dest, 0644, 0);
}

/* Copy a finished output set into dest, atomically (a temp dir exchanged with the old one). */
int publish_dir(const char *from, const char *dest, const char *const names[]) {
        _cleanup_free_ char *tmp = NULL;
        int k;

        (void) mkdir_parents(dest, 0755);
        k = atomic_tmpdir_open(dest, 0755, ATOMIC_REPLACE, &tmp);
        if (k < 0)
                return k;
        for (size_t i = 0; k >= 0 && names[i]; i++) {
                _cleanup_free_ char *a = strdup_printf("%s/%s", from, names[i]),
                                    *b = strdup_printf("%s/%s", tmp, names[i]);
                k = a && b ? copy_file(a, b) : -ENOMEM;
        }
        if (k >= 0 && signer) {
                /* signed in the new directory (never in `from`, which may be a cache entry), so
                 * that the published set appears whole, signature included, or not at all */
                _cleanup_free_ char *why = NULL;
                int v = provision_verify_dir(tmp, NULL, NULL, NULL, &why);
                /* sign only a set that holds together: the outputs, manifest.json, SHA256SUMS */
                if (v != 0) {
                        (void) cli_fail(2, "--sign: refusing to sign %s: %s", from, v < 0 ? strerror(-v) : strna(why));
                        k = v < 0 ? v : -EBADMSG;
                } else
                        k = sign_sums(tmp, signer, &why);
                if (k < 0 && v == 0)
                        (void) cli_fail(2, "%s", why ? why : strerror(-k));
        }
        return atomic_tmpdir_publish(tmp, dest, ATOMIC_REPLACE, k);
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
        mj = json_text(m);
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
        _cleanup_json_ json_object *m = NULL;
        json_object *outs;
        int bad = 0;

        if (!mp || read_file_capped(mp, 1 << 20, &text, NULL) < 0)
                return 2;
        m = json_tokener_parse(text);
        if (!m || !json_object_object_get_ex(m, "outputs", &outs) || !json_object_is_type(outs, json_type_object))
                return 2;
        json_object_object_foreach(outs, name, o) {
                json_object *h;
                char hex[SHA256_HEX];
                _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
                if (!strchr(name, '/') && p && json_object_object_get_ex(o, "sha256", &h) && sha256_file(p, hex) >= 0 &&
                    streq(hex, json_object_get_string(h)))
                        continue;
                bad = 1;
        }
        return bad;
}

/* One output, hashed once, against the manifest's hash and (when there is one) SHA256SUMS's. */
static int verify_output(const char *dir, const char *name, json_object *entry, char **names, char **hashes,
                         char **ret_error) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
        const char *want = NULL;
        json_object *h;
        char hex[SHA256_HEX];
        int k;

        if (!p)
                return -ENOMEM;
        if (strchr(name, '/') || streq(name, ".") || streq(name, "..") || streq(name, "manifest.json"))
                return set_error(ret_error, 1, "%s/manifest.json: \"%s\" is not an output's file name", dir, name);
        if (json_object_object_get_ex(entry, "sha256", &h) && json_object_is_type(h, json_type_string))
                want = json_object_get_string(h);
        if (!want)
                return set_error(ret_error, 1, "%s/manifest.json: the output %s has no sha256", dir, name);
        k = sha256_file(p, hex);
        if (k < 0)
                return set_error(ret_error, 1, "%s: %s", p, k == -ENOENT ? "missing" : strerror(-k));
        if (strcasecmp(hex, want) != 0)
                return set_error(ret_error, 1, "%s: sha256 %s does not match manifest.json (%s)", p, hex, want);
        if (!names)
                return 0;
        for (size_t i = 0; names[i]; i++)
                if (streq(names[i], name))
                        return streq(hashes[i], hex)
                                ? 0
                                : set_error(ret_error, 1, "%s: sha256 %s does not match SHA256SUMS (%s)", p, hex,
                                            hashes[i]);
        return set_error(ret_error, 1, "%s/SHA256SUMS does not list %s, an output of manifest.json", dir, name);
}

int provision_verify_dir(const char *dir, const char *keyring, char *const trusted[], char **ret_fpr,
                         char **ret_error) {
        _cleanup_free_ char *mp = strdup_printf("%s/manifest.json", dir), *sp = strdup_printf("%s/SHA256SUMS", dir),
                            *ap = strdup_printf("%s/SHA256SUMS.asc", dir), *mtext = NULL, *sums = NULL, *sig = NULL,
                            *fpr = NULL, *why = NULL;
        _cleanup_strv_free_ char **names = NULL, **hashes = NULL;
        size_t mlen = 0, slen = 0, alen = 0;
        _cleanup_json_ json_object *m = NULL;
        json_object *outs;
        char hex[SHA256_HEX];
        int k;

        if (!mp || !sp || !ap)
                return -ENOMEM;
        k = read_file_capped(mp, 1 << 20, &mtext, &mlen);
        if (k < 0)
                return set_error(ret_error, 2, "%s: no readable manifest (%s)", mp, strerror(-k));
        k = read_file_capped(sp, 1 << 20, &sums, &slen);
        if (k == -ENOENT && !keyring)
                sums = NULL; /* an unsigned directory from before SHA256SUMS: the manifest alone */
        else if (k == -ENOENT)
                return set_error(ret_error, 1, "%s: missing, so nothing is signed", sp);
        else if (k < 0)
                return set_error(ret_error, 2, "%s: %s", sp, strerror(-k));
        if (keyring) {
                k = read_file_capped(ap, 1 << 20, &sig, &alen);
                if (k == -ENOENT)
                        return set_error(ret_error, 1, "%s: missing: %s is not signed", ap, dir);
                if (k < 0)
                        return set_error(ret_error, 2, "%s: %s", ap, strerror(-k));
                k = sign_verify(sums, slen, sig, alen, keyring, trusted, &fpr, &why);
                if (k == -ENOMEM)
                        return k;
                if (k == -EBADMSG)
                        return set_error(ret_error, 1, "%s: %s", ap, strna(why));
                if (k < 0)
                        return set_error(ret_error, 2, "%s", why ? why : strerror(-k));
        }
        if (sums) {
                /* the SHA256SUMS just verified (the same bytes) vouches for the manifest */
                k = sign_sums_parse(sums, slen, &names, &hashes, &why);
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        return set_error(ret_error, 1, "%s: %s", sp, strna(why));
                free(why);
                why = NULL;
                k = sign_sums_lookup(sums, slen, "manifest.json", hex, NULL);
                if (k < 0)
                        return set_error(ret_error, 1, "%s does not list manifest.json", sp);
                {
                        char got[SHA256_HEX];
                        if (sha256_buf(mtext, mlen, got) < 0)
                                return -ENOMEM;
                        if (!streq(got, hex))
                                return set_error(ret_error, 1, "%s: sha256 %s does not match SHA256SUMS (%s)", mp, got,
                                                 hex);
                }
        }
        m = json_tokener_parse(mtext);
        if (!m || !json_object_object_get_ex(m, "outputs", &outs) || !json_object_is_type(outs, json_type_object))
                return set_error(ret_error, 2, "%s: no readable manifest (no \"outputs\" object)", mp);
        k = 0;
        json_object_object_foreach(outs, name, o) {
                k = verify_output(dir, name, o, names, hashes, ret_error);
                if (k != 0)
                        break;
        }
        for (size_t i = 0; k == 0 && names && names[i]; i++)
                if (!streq(names[i], "manifest.json") && !json_object_object_get_ex(outs, names[i], NULL))
                        k = set_error(ret_error, 1, "%s lists %s, which manifest.json does not", sp, names[i]);
        if (k == 0 && ret_fpr)
                *ret_fpr = TAKE_PTR(fpr);
        return k;
}
