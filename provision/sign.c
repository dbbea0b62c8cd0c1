/* SPDX-License-Identifier: MIT */
#include "sign.h"

#include <ctype.h>
#include <fcntl.h>
#include <gpgme.h>
#include <sys/stat.h>

#include "dump.h"
#include "fileio.h"
#include "gpg-cleanup.h"
#include "util.h"

#define SUMS_MAX (1 << 20)
#define KEYRING_MAX (16 << 20)

static int gpg_errno(gpgme_error_t e) {
        int x = gpgme_err_code_to_errno(gpg_err_code(e));
        return x > 0 ? -x : -EIO;
}

static int new_ctx(gpgme_ctx_t *ret, const char *home, char **err) {
        _cleanup_gpgme_ gpgme_ctx_t c = NULL;
        gpgme_error_t e;

        gpgme_check_version(NULL);
        e = gpgme_new(&c);
        if (!e)
                e = gpgme_set_protocol(c, GPGME_PROTOCOL_OpenPGP);
        if (!e && home)
                e = gpgme_ctx_set_engine_info(c, GPGME_PROTOCOL_OpenPGP, NULL, home);
        if (e)
                return set_error(err, gpg_errno(e), "gpgme is not usable: %s", gpgme_strerror(e));
        *ret = TAKE_PTR(c);
        return 0;
}

/* Why a key cannot sign (or vouch for a signature), or NULL. */
static const char *key_problem(gpgme_key_t k) {
        if (k->revoked)
                return "revoked";
        if (k->expired)
                return "expired";
        if (k->disabled)
                return "disabled";
        if (k->invalid)
                return "invalid";
        return NULL;
}

static const char *primary_fpr(gpgme_key_t k) {
        return k->fpr ? k->fpr : k->subkeys ? k->subkeys->fpr : NULL;
}

static int find_signer(gpgme_ctx_t c, const char *keyid, gpgme_key_t *ret, char **err) {
        _cleanup_gkey_ gpgme_key_t first = NULL;
        struct sbuf names = {};
        gpgme_key_t k;
        gpgme_error_t e;
        unsigned n = 0;
        const char *why;

        if (!keyid || !*keyid)
                return set_error(err, -EINVAL, "--sign: an empty key id");
        e = gpgme_op_keylist_start(c, keyid, 1 /* secret keys only */);
        while (!e && !(e = gpgme_op_keylist_next(c, &k))) {
                n++;
                sbuf_printf(&names, "%s%s", n > 1 ? ", " : "", strna(primary_fpr(k)));
                if (!first)
                        first = k;
                else
                        gpgme_key_unref(k);
        }
        (void) gpgme_op_keylist_end(c);
        _cleanup_free_ char *list = sbuf_steal(&names);
        if (e && gpg_err_code(e) != GPG_ERR_EOF)
                return set_error(err, gpg_errno(e), "--sign %s: cannot list the keyring: %s", keyid, gpgme_strerror(e));
        if (n > 1)
                return set_error(err, -EINVAL, "--sign %s: ambiguous, it names %u keys (%s); give a fingerprint", keyid,
                                 n, strempty(list));
        if (n == 0) {
                gpgme_key_t pub = NULL;
                bool has_pub = gpgme_get_key(c, keyid, &pub, 0) == 0 && pub;
                if (pub)
                        gpgme_key_unref(pub);
                return set_error(err, -ENOKEY, "--sign %s: %s", keyid,
                                 has_pub ? "only the public key is in the keyring, not the secret key"
                                         : "no secret key in the keyring matches it (gpg --list-secret-keys)");
        }
        why = key_problem(first);
        if (why)
                return set_error(err, -EKEYREJECTED, "--sign %s: the key %s is %s", keyid, strna(primary_fpr(first)),
                                 why);
        if (!first->can_sign)
                return set_error(err, -EKEYREJECTED, "--sign %s: the key %s cannot sign", keyid,
                                 strna(primary_fpr(first)));
        *ret = TAKE_PTR(first);
        return 0;
}

int sign_key_check(const char *keyid, char **ret_fpr, char **err) {
        _cleanup_gpgme_ gpgme_ctx_t c = NULL;
        _cleanup_gkey_ gpgme_key_t key = NULL;
        int k;

        k = new_ctx(&c, NULL, err);
        if (k < 0)
                return k;
        k = find_signer(c, keyid, &key, err);
        if (k < 0)
                return k;
        if (ret_fpr) {
                *ret_fpr = strdup(strempty(primary_fpr(key)));
                if (!*ret_fpr)
                        return -ENOMEM;
        }
        return 0;
}

int sign_sums(const char *dir, const char *keyid, char **err) {
        _cleanup_free_ char *path = strdup_printf("%s/SHA256SUMS", dir), *asc = strdup_printf("%s/SHA256SUMS.asc", dir),
                            *text = NULL;
        _cleanup_gpgme_ gpgme_ctx_t c = NULL;
        _cleanup_gkey_ gpgme_key_t key = NULL;
        _cleanup_gdata_ gpgme_data_t in = NULL, out = NULL;
        gpgme_sign_result_t res;
        gpgme_error_t e;
        _cleanup_gfree_ char *mem = NULL;
        size_t len;
        int k;

        if (!path || !asc)
                return -ENOMEM;
        k = read_file_capped(path, SUMS_MAX, &text, &len);
        if (k < 0)
                return set_error(err, k, "%s: %s", path, k == -EFBIG ? "larger than 1 MiB" : strerror(-k));
        k = new_ctx(&c, NULL, err);
        if (k < 0)
                return k;
        k = find_signer(c, keyid, &key, err);
        if (k < 0)
                return k;
        gpgme_set_armor(c, 1);
        gpgme_set_textmode(c, 0); /* a binary signature: exactly these bytes, line ends and all */
        e = gpgme_signers_add(c, key);
        if (!e)
                e = gpgme_data_new_from_mem(&in, text, len, 0);
        if (!e)
                e = gpgme_data_new(&out);
        if (!e)
                e = gpgme_op_sign(c, in, out, GPGME_SIG_MODE_DETACH);
        if (e)
                return set_error(err, gpg_errno(e), "%s: cannot sign it with %s: %s", path, keyid, gpgme_strerror(e));
        res = gpgme_op_sign_result(c);
        if (!res || res->invalid_signers || !res->signatures)
                return set_error(err, -EKEYREJECTED, "%s: gpg made no signature with %s%s%s", path, keyid,
                                 res && res->invalid_signers ? ": " : "",
                                 res && res->invalid_signers ? gpgme_strerror(res->invalid_signers->reason) : "");
        mem = gpgme_data_release_and_get_mem(out, &len);
        out = NULL;
        if (!mem || len == 0)
                return set_error(err, -EIO, "%s: gpg returned an empty signature", path);
        k = write_file_atomic(asc, mem, len, 0644);
        if (k < 0)
                return set_error(err, k, "%s: %s", asc, strerror(-k));
        return 0;
}

/* A fresh GNUPGHOME that never starts a gpg-agent (nothing here needs one; a secret key in the
 * keyring file is then simply not imported). */
static int temp_home(char **ret, char **err) {
        const char *t = getenv("TMPDIR");
        _cleanup_free_ char *d = strdup_printf("%s/sis-gpg.XXXXXX", t && *t == '/' ? t : "/tmp"), *conf = NULL;
        static const char opts[] = "no-autostart\n";
        int k;

        if (!d)
                return -ENOMEM;
        if (!mkdtemp(d)) /* mode 0700 */
                return set_error(err, -errno, "cannot make a temporary GNUPGHOME in %s: %s",
                                 t && *t == '/' ? t : "/tmp", strerror(errno));
        conf = strdup_printf("%s/gpg.conf", d);
        k = conf ? write_file_atomic(conf, opts, strlen(opts), 0600) : -ENOMEM;
        if (k < 0) {
                (void) rm_rf(d);
                return set_error(err, k, "%s: %s", strna(conf), strerror(-k));
        }
        *ret = TAKE_PTR(d);
        return 0;
}

static bool fpr_trusted(const char *fpr, char *const trusted[]) {
        if (!trusted)
                return true;
        for (size_t i = 0; trusted[i]; i++)
                if (strcasecmp(trusted[i], fpr) == 0)
                        return true;
        return false;
}

/* One signature: 0 when it is good, by a usable key of the keyring that is trusted (its primary
 * fingerprint into *ret_fpr); -EBADMSG and why otherwise. */
static int check_signature(gpgme_ctx_t c, gpgme_signature_t s, const char *keyring, char *const trusted[],
                           char **ret_fpr, char **err) {
        _cleanup_gkey_ gpgme_key_t key = NULL;
        const char *who = strna(s->fpr), *primary, *why;

        switch (gpg_err_code(s->status)) {
        case GPG_ERR_NO_ERROR: break;
        case GPG_ERR_BAD_SIGNATURE:
                return set_error(err, -EBADMSG, "BAD signature by %s: SHA256SUMS is not what was signed", who);
        case GPG_ERR_NO_PUBKEY:
                return set_error(err, -EBADMSG, "signed by %s, a key that is not in the keyring %s (untrusted)", who,
                                 keyring);
        case GPG_ERR_SIG_EXPIRED: return set_error(err, -EBADMSG, "the signature by %s has expired", who);
        case GPG_ERR_KEY_EXPIRED: return set_error(err, -EBADMSG, "signed by %s, a key that has expired", who);
        case GPG_ERR_CERT_REVOKED: return set_error(err, -EBADMSG, "signed by %s, a key that is revoked", who);
        default:
                return set_error(err, -EBADMSG, "the signature by %s is not good (%s)", who, gpgme_strerror(s->status));
        }
        if (s->summary & GPGME_SIGSUM_KEY_REVOKED)
                return set_error(err, -EBADMSG, "signed by %s, a key that is revoked", who);
        if (s->summary & GPGME_SIGSUM_KEY_EXPIRED)
                return set_error(err, -EBADMSG, "signed by %s, a key that has expired", who);
        if (s->summary & GPGME_SIGSUM_SIG_EXPIRED)
                return set_error(err, -EBADMSG, "the signature by %s has expired", who);
        if (s->summary & (GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_MISSING))
                return set_error(err, -EBADMSG, "the signature by %s is not good (summary 0x%x)", who,
                                 (unsigned) s->summary);
        /* a subkey's signature counts for its primary key, and only a usable one */
        if (!s->fpr || gpgme_get_key(c, s->fpr, &key, 0) != 0 || !key || !(primary = primary_fpr(key)))
                return set_error(err, -EBADMSG, "signed by %s, a key that is not in the keyring %s (untrusted)", who,
                                 keyring);
        why = key_problem(key);
        if (why)
                return set_error(err, -EBADMSG, "signed by %s, a key that is %s", primary, why);
        for (gpgme_subkey_t sk = key->subkeys; sk; sk = sk->next)
                if (sk->fpr && strcasecmp(sk->fpr, s->fpr) == 0 && (sk->revoked || sk->expired))
                        return set_error(err, -EBADMSG, "signed by %s, a subkey of %s that is %s", s->fpr, primary,
                                         sk->revoked ? "revoked" : "expired");
        if (!fpr_trusted(primary, trusted))
                return set_error(err, -EBADMSG,
                                 "signed by %s, which is not a trusted key (--trusted, images.trusted_keys)", primary);
        *ret_fpr = strdup(primary);
        return *ret_fpr ? 0 : -ENOMEM;
}

int sign_verify(const char *sums, size_t sums_len, const char *sig, size_t sig_len, const char *keyring_path,
                char *const trusted_fprs[], char **ret_fpr, char **err) {
        _cleanup_free_ char *home = NULL, *ring = NULL, *fpr = NULL, *first_why = NULL;
        _cleanup_gpgme_ gpgme_ctx_t c = NULL;
        _cleanup_gdata_ gpgme_data_t kd = NULL, sd = NULL, dd = NULL;
        gpgme_import_result_t imp;
        gpgme_verify_result_t res;
        gpgme_error_t e;
        size_t ring_len;
        int k;

        if (!sig || sig_len == 0)
                return set_error(err, -EBADMSG, "no signature (empty)");
        k = read_file_capped(keyring_path, KEYRING_MAX, &ring, &ring_len);
        if (k < 0)
                return set_error(err, k, "keyring %s: %s", keyring_path,
                                 k == -EFBIG ? "larger than 16 MiB" : strerror(-k));
        k = temp_home(&home, err);
        if (k < 0)
                return k;
        k = new_ctx(&c, home, err);
        if (k < 0)
                goto out;
        e = gpgme_data_new_from_mem(&kd, ring, ring_len, 0);
        if (!e)
                e = gpgme_op_import(c, kd);
        imp = e ? NULL : gpgme_op_import_result(c);
        if (e || !imp || imp->imported + imp->unchanged == 0) {
                k = set_error(err, -ENOKEY, "keyring %s: no OpenPGP public key in it%s%s", keyring_path, e ? ": " : "",
                              e ? gpgme_strerror(e) : "");
                goto out;
        }
        e = gpgme_data_new_from_mem(&sd, sig, sig_len, 0);
        if (!e)
                e = gpgme_data_new_from_mem(&dd, sums, sums_len, 0);
        if (e) {
                k = set_error(err, gpg_errno(e), "gpgme: %s", gpgme_strerror(e));
                goto out;
        }
        e = gpgme_op_verify(c, sd, dd, NULL);
        res = gpgme_op_verify_result(c);
        if (e || !res || !res->signatures) {
                k = set_error(err, -EBADMSG, "not an OpenPGP signature%s%s", e ? ": " : "", e ? gpgme_strerror(e) : "");
                goto out;
        }
        /* every signature in the file must hold, and one of them be by a trusted key */
        for (gpgme_signature_t s = res->signatures; s; s = s->next) {
                _cleanup_free_ char *f = NULL, *why = NULL;
                int r = check_signature(c, s, keyring_path, trusted_fprs, &f, &why);
                if (r == -ENOMEM) {
                        k = r;
                        goto out;
                }
                if (r == 0) {
                        if (!fpr)
                                fpr = TAKE_PTR(f);
                } else if (gpg_err_code(s->status) != GPG_ERR_NO_ERROR) {
                        /* a signature that does not hold spoils the file, whoever made it */
                        k = set_error(err, -EBADMSG, "%s", strempty(why));
                        goto out;
                } else if (!first_why)
                        first_why = TAKE_PTR(why); /* good, but untrusted: another may be trusted */
        }
        if (!fpr) {
                k = set_error(err, -EBADMSG, "%s", first_why ? first_why : "no good signature");
                goto out;
        }
        k = 0;
        if (ret_fpr)
                *ret_fpr = TAKE_PTR(fpr);
out:
        /* gpgme's handles first, then the directory they used */
        gpgme_data_release(kd);
        kd = NULL;
        gpgme_release(c);
        c = NULL;
        (void) rm_rf(home);
        return k;
}

int sign_sums_parse(const char *sums, size_t len, char ***ret_names, char ***ret_hashes, char **err) {
        _cleanup_strv_free_ char **names = NULL, **hashes = NULL;
        size_t i = 0;
        unsigned line = 0;

        if (!sums || len == 0)
                return set_error(err, -EBADMSG, "empty: it lists no file");
        if (memchr(sums, '\0', len))
                return set_error(err, -EBADMSG, "not text (a NUL byte)");
        while (i < len) {
                const char *l = sums + i, *nl = memchr(l, '\n', len - i);
                size_t n = nl ? (size_t) (nl - l) : len - i;
                _cleanup_free_ char *name = NULL, *hex = NULL;

                line++;
                i += n + (nl ? 1 : 0);
                if (n < 67 || (l[64] != ' ' || (l[65] != ' ' && l[65] != '*')))
                        return set_error(err, -EBADMSG, "line %u: not \"SHA256  NAME\"", line);
                for (size_t j = 0; j < 64; j++)
                        if (!isxdigit((unsigned char) l[j]))
                                return set_error(err, -EBADMSG, "line %u: not \"SHA256  NAME\" (64 hex digits)", line);
                name = strndup(l + 66, n - 66);
                hex = strndup(l, 64);
                if (!name || !hex)
                        return -ENOMEM;
                for (char *p = hex; *p; p++)
                        *p = (char) tolower((unsigned char) *p);
                if (strchr(name, '/') || streq(name, ".") || streq(name, "..") || !str_is_printable(name, strlen(name)))
                        return set_error(err, -EBADMSG, "line %u: \"%s\" is not a plain file name", line,
                                         str_is_printable(name, strlen(name)) ? name : "?");
                if (strv_contains(names, name))
                        return set_error(err, -EBADMSG, "line %u: %s is listed twice", line, name);
                if (strv_push(&names, TAKE_PTR(name)) < 0 || strv_push(&hashes, TAKE_PTR(hex)) < 0)
                        return -ENOMEM;
        }
        *ret_names = TAKE_PTR(names);
        *ret_hashes = TAKE_PTR(hashes);
        return 0;
}

int sign_sums_lookup(const char *sums, size_t len, const char *name, char ret_hex[static SHA256_HEX], char **err) {
        _cleanup_strv_free_ char **names = NULL, **hashes = NULL;
        int k = sign_sums_parse(sums, len, &names, &hashes, err);

        if (k < 0)
                return k;
        for (size_t i = 0; names[i]; i++)
                if (streq(names[i], name)) {
                        memcpy(ret_hex, hashes[i], SHA256_HEX);
                        return 0;
                }
        return set_error(err, -ENOENT, "does not list %s", name);
}

int sign_verify_image(const char *path, int fd, const char *keyring_path, char *const trusted_fprs[], char **ret_fpr,
                      char *ret_hex, char **err) {
        _cleanup_free_ char *copy = strdup(path), *sp = NULL, *ap = NULL, *sums = NULL, *sig = NULL, *fpr = NULL,
                            *why = NULL;
        const char *slash, *name, *dir;
        char want[SHA256_HEX], got[SHA256_HEX];
        size_t slen, alen;
        int k;

        if (!copy)
                return -ENOMEM;
        slash = strrchr(copy, '/');
        name = slash ? slash + 1 : copy;
        if (slash == copy)
                dir = "/";
        else if (slash) {
                copy[slash - copy] = '\0';
                dir = copy;
        } else
                dir = ".";
        if (!*name)
                return set_error(err, -EISDIR, "%s: not a file", path);
        sp = strdup_printf("%s%sSHA256SUMS", dir, streq(dir, "/") ? "" : "/");
        ap = strdup_printf("%s%sSHA256SUMS.asc", dir, streq(dir, "/") ? "" : "/");
        if (!sp || !ap)
                return -ENOMEM;
        k = read_file_capped(sp, SUMS_MAX, &sums, &slen);
        if (k == -ENOENT)
                return set_error(err, -EBADMSG, "%s: missing: %s is not signed", sp, path);
        if (k < 0)
                return set_error(err, k, "%s: %s", sp, strerror(-k));
        k = read_file_capped(ap, SUMS_MAX, &sig, &alen);
        if (k == -ENOENT)
                return set_error(err, -EBADMSG, "%s: missing: %s is not signed", ap, path);
        if (k < 0)
                return set_error(err, k, "%s: %s", ap, strerror(-k));
        k = sign_verify(sums, slen, sig, alen, keyring_path, trusted_fprs, &fpr, &why);
        if (k == -EBADMSG)
                return set_error(err, k, "%s: %s", ap, strna(why));
        if (k < 0)
                return set_error(err, k, "%s", why ? why : strerror(-k));
        free(why);
        why = NULL;
        k = sign_sums_lookup(sums, slen, name, want, &why);
        if (k < 0)
                return set_error(err, -EBADMSG, "%s: %s", sp, strna(why));
        if (fd >= 0) {
                k = lseek(fd, 0, SEEK_SET) < 0 ? -errno : sha256_fd(fd, got);
        } else
                k = sha256_file(path, got);
        if (k < 0)
                return set_error(err, k, "%s: %s", path, strerror(-k));
        if (!streq(got, want))
                return set_error(err, -EBADMSG, "%s: sha256 %s is not the signed %s (changed since it was signed)",
                                 path, got, want);
        if (ret_hex)
                memcpy(ret_hex, got, SHA256_HEX);
        if (ret_fpr)
                *ret_fpr = TAKE_PTR(fpr);
        return 0;
}
