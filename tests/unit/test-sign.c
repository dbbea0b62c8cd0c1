/* SPDX-License-Identifier: MIT */
/* Signed outputs (provision/sign.c) and publish_dir() with --sign, with throwaway ed25519 keys
 * made by gpg in a temporary GNUPGHOME (its gpg-agent is stopped at the end). */
#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "common.h"
#include "helpers.h"
#include "sign.h"

static char *top;                   /* everything of this test, removed at the end */
static char *home;                  /* the signer's GNUPGHOME */
static char *tmpdir;                /* TMPDIR: sign_verify's temporary homes must not stay */
static char fa[41], fb[41], fr[41]; /* key A, key B, key R (revoked) */
static char *ring_a, *ring_b, *ring_ab, *ring_r, *ring_garbage;

static const char sums_text[] =
        "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c  vmlinux\n"
        "3bda5691643ce7ae29a8fac6cfa4d3b89e382e667456cc104be988f98e5d4322  manifest.json\n";

static int sh(const char *fmt, ...) _printf_(1, 2);
static int sh(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -1;
        r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void read_fpr(const char *uid, char out[41]) {
        _cleanup_free_ char *p = strdup_printf("%s/fpr", top), *text = NULL;
        assert_int_equal(
                sh("gpg --batch --with-colons --list-keys '%s' 2>/dev/null | awk -F: '$1 == \"fpr\" { print $10; exit }' > %s",
                   uid, p),
                0);
        assert_int_equal(read_file_capped(p, 4096, &text, NULL), 0);
        strstrip(text);
        assert_int_equal(strlen(text), 40);
        memcpy(out, text, 41);
}

static int setup(void **state) {
        top = strdup("/tmp/sis-test-sign.XXXXXX");
        if (!top || !mkdtemp(top))
                return -1;
        home = strdup_printf("%s/gnupg", top);
        tmpdir = strdup_printf("%s/tmp", top);
        if (mkdir(home, 0700) < 0 || mkdir(tmpdir, 0700) < 0)
                return -1;
        setenv("GNUPGHOME", home, 1);
        setenv("TMPDIR", tmpdir, 1);
        for (const char *const *u = (const char *const[]) { "Signer A (sis-test) <a@example.org>",
                                                            "Signer B (sis-test) <b@example.org>",
                                                            "Signer R (sis-revoked) <r@example.org>", NULL };
             *u; u++)
                if (sh("gpg --batch --quiet --passphrase '' --quick-gen-key '%s' ed25519 sign never 2>/dev/null", *u) !=
                    0)
                        return -1;
        read_fpr("<a@example.org>", fa);
        read_fpr("<b@example.org>", fb);
        read_fpr("<r@example.org>", fr);
        ring_a = strdup_printf("%s/a.gpg", top);
        ring_b = strdup_printf("%s/b.asc", top);
        ring_ab = strdup_printf("%s/ab.gpg", top);
        ring_r = strdup_printf("%s/r.gpg", top);
        ring_garbage = strdup_printf("%s/garbage.gpg", top);
        if (sh("gpg --batch --export %s > %s", fa, ring_a) != 0 ||
            sh("gpg --batch --armor --export %s > %s", fb, ring_b) != 0 ||
            sh("gpg --batch --export %s %s > %s", fa, fb, ring_ab) != 0 ||
            sh("echo 'not a key' > %s", ring_garbage) != 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        (void) sh("gpgconf --homedir %s --kill all 2>/dev/null", home);
        (void) rm_rf(top);
        free(top);
        free(home);
        free(tmpdir);
        free(ring_a);
        free(ring_b);
        free(ring_ab);
        free(ring_r);
        free(ring_garbage);
        return 0;
}

static bool tmpdir_empty(void) {
        DIR *d = opendir(tmpdir);
        struct dirent *e;
        bool empty = true;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
                        empty = false;
        closedir(d);
        return empty;
}

/* A directory holding SHA256SUMS, signed with keyid; the signature into *ret_sig. */
static char *signed_dir(const char *keyid, char **ret_sig, size_t *ret_len) {
        static const struct tfile files[] = { { "/SHA256SUMS", sums_text }, {} };
        char *dir = mkroot(files);
        _cleanup_free_ char *err = NULL, *asc = strdup_printf("%s/SHA256SUMS.asc", dir);
        int k = sign_sums(dir, keyid, &err);

        if (k < 0)
                print_error("%s\n", strna(err));
        assert_int_equal(k, 0);
        assert_int_equal(read_file_capped(asc, 1 << 20, ret_sig, ret_len), 0);
        return dir;
}

static void test_sign_and_verify(void **state) {
        _cleanup_free_ char *sig = NULL, *fpr = NULL, *err = NULL, *lower = strdup(fa);
        size_t len;
        _cleanup_free_ char *dir = signed_dir(fa, &sig, &len);
        struct stat st;

        assert_non_null(startswith(sig, "-----BEGIN PGP SIGNATURE-----"));
        {
                _cleanup_free_ char *asc = strdup_printf("%s/SHA256SUMS.asc", dir);
                assert_int_equal(stat(asc, &st), 0);
                assert_int_equal(st.st_mode & 0777, 0644);
        }
        /* any key of the keyring */
        assert_int_equal(sign_verify(sums_text, strlen(sums_text), sig, len, ring_a, NULL, &fpr, &err), 0);
        assert_string_equal(fpr, fa);
        free(fpr);
        fpr = NULL;
        /* a trusted list, in any case, and a keyring holding other keys too */
        for (char *p = lower; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        assert_int_equal(sign_verify(sums_text, strlen(sums_text), sig, len, ring_ab, (char *[]) { fb, lower, NULL },
                                     &fpr, &err),
                         0);
        assert_string_equal(fpr, fa);
        /* no temporary GNUPGHOME stays behind */
        assert_true(tmpdir_empty());
        rm_rf(dir);
}

static void test_refused(void **state) {
        _cleanup_free_ char *sig = NULL, *sig_b = NULL, *bad = strdup(sums_text);
        size_t len, len_b;
        _cleanup_free_ char *dir = signed_dir(fa, &sig, &len), *dir_b = signed_dir("<b@example.org>", &sig_b, &len_b);
        static const char garbage[] =
                "-----BEGIN PGP SIGNATURE-----\n\nnot base64 at all\n-----END PGP SIGNATURE-----\n";
        struct {
                const char *what, *sums, *sig, *ring;
                size_t sig_len;
                char **trusted;
                const char *says;
        } cases[] = {
                { "a changed byte", bad, sig, ring_a, len, NULL, "BAD signature" },
                { "another key, not in the keyring", sums_text, sig_b, ring_a, len_b, NULL, "not in the keyring" },
                { "another key, in the keyring but not trusted", sums_text, sig_b, ring_ab, len_b,
                  (char *[]) { fa, NULL }, "not a trusted key" },
                { "no signature", sums_text, "", ring_a, 0, NULL, "no signature" },
                { "garbage text", sums_text, "this is not a signature\n", ring_a, 24, NULL,
                  "not an OpenPGP signature" },
                { "an armour of garbage", sums_text, garbage, ring_a, sizeof(garbage) - 1, NULL,
                  "not an OpenPGP signature" },
        };

        bad[10] ^= 1;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *fpr = NULL, *err = NULL;
                int k = sign_verify(cases[i].sums, strlen(cases[i].sums), cases[i].sig, cases[i].sig_len, cases[i].ring,
                                    cases[i].trusted, &fpr, &err);
                if (k != -EBADMSG || !err || !strstr(err, cases[i].says))
                        print_error("%s: %d %s\n", cases[i].what, k, strna(err));
                assert_int_equal(k, -EBADMSG);
                assert_non_null(strstr(err, cases[i].says));
                assert_null(fpr);
        }
        /* the keyring itself: missing, or no key in it */
        {
                _cleanup_free_ char *err = NULL, *fpr = NULL;
                assert_int_equal(
                        sign_verify(sums_text, strlen(sums_text), sig, len, "/nonexistent.gpg", NULL, &fpr, &err),
                        -ENOENT);
                assert_non_null(strstr(err, "/nonexistent.gpg"));
                free(err);
                err = NULL;
                assert_int_equal(sign_verify(sums_text, strlen(sums_text), sig, len, ring_garbage, NULL, &fpr, &err),
                                 -ENOKEY);
                assert_non_null(strstr(err, ring_garbage));
        }
        assert_true(tmpdir_empty());
        rm_rf(dir);
        rm_rf(dir_b);
}

static void test_revoked(void **state) {
        _cleanup_free_ char *sig = NULL, *fpr = NULL, *err = NULL;
        size_t len;
        _cleanup_free_ char *dir = signed_dir(fr, &sig, &len);

        /* signed while good, and good then; then the key's own revocation certificate is imported */
        assert_int_equal(sh("gpg --batch --export %s > %s", fr, ring_r), 0);
        assert_int_equal(sign_verify(sums_text, strlen(sums_text), sig, len, ring_r, NULL, &fpr, &err), 0);
        assert_string_equal(fpr, fr);
        free(fpr);
        fpr = NULL;
        assert_int_equal(
                sh("sed 's/^://' %s/openpgp-revocs.d/%s.rev | gpg --batch --quiet --import 2>/dev/null", home, fr), 0);
        assert_int_equal(sh("gpg --batch --export %s > %s", fr, ring_r), 0);
        assert_int_equal(sign_verify(sums_text, strlen(sums_text), sig, len, ring_r, NULL, &fpr, &err), -EBADMSG);
        assert_non_null(strstr(err, "revoked"));
        free(err);
        err = NULL;
        /* and it signs nothing more */
        assert_int_equal(sign_key_check(fr, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err, "revoked"));
        rm_rf(dir);
}

static void test_signer_refused(void **state) {
        static const struct tfile files[] = { { "/SHA256SUMS", sums_text }, {} };
        _cleanup_free_ char *dir = mkroot(files), *asc = strdup_printf("%s/SHA256SUMS.asc", dir), *fpr = NULL;
        _cleanup_free_ char *other = strdup_printf("%s/other", top);
        char *err = NULL;

        assert_int_equal(sign_key_check("<a@example.org>", &fpr, &err), 0);
        assert_string_equal(fpr, fa);
        /* two keys match */
        assert_int_equal(sign_sums(dir, "sis-test", &err), -EINVAL);
        assert_non_null(strstr(err, "ambiguous"));
        free(err);
        /* none does */
        assert_int_equal(sign_sums(dir, "nobody@example.org", &err), -ENOKEY);
        free(err);
        /* only the public key is here: a key made elsewhere, imported */
        assert_int_equal(mkdir(other, 0700), 0);
        assert_int_equal(
                sh("GNUPGHOME=%s gpg --batch --quiet --passphrase '' --quick-gen-key 'Elsewhere <e@example.org>' ed25519 "
                   "sign never 2>/dev/null && GNUPGHOME=%s gpg --batch --export '<e@example.org>' | gpg --batch --quiet "
                   "--import 2>/dev/null; GNUPGHOME=%s gpgconf --kill all",
                   other, other, other),
                0);
        assert_int_equal(sign_sums(dir, "<e@example.org>", &err), -ENOKEY);
        assert_non_null(strstr(err, "only the public key"));
        free(err);
        /* nothing to sign */
        assert_int_equal(sign_sums(top, fa, &err), -ENOENT);
        assert_non_null(strstr(err, "SHA256SUMS"));
        free(err);
        assert_int_equal(access(asc, F_OK), -1);
        rm_rf(dir);
}

static void test_sums_parse(void **state) {
        _cleanup_strv_free_ char **names = NULL, **hashes = NULL;
        char hex[SHA256_HEX];
        char *err = NULL;
        static const char *const bad[] = {
                "",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c vmlinux\n",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639  vmlinux\n",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639g  vmlinux\n",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c  ../vmlinux\n",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c  vmlinux\n\n",
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c  vmlinux\n"
                "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c  vmlinux\n",
        };

        assert_int_equal(sign_sums_parse(sums_text, strlen(sums_text), &names, &hashes, &err), 0);
        assert_int_equal(strv_length(names), 2);
        assert_string_equal(names[1], "manifest.json");
        assert_string_equal(hashes[0], "6923dd1bc0460082c5d55a831908c24a282860b7f1cd6c2b79cf1bc8857c639c");
        assert_int_equal(sign_sums_lookup(sums_text, strlen(sums_text), "manifest.json", hex, &err), 0);
        assert_string_equal(hex, "3bda5691643ce7ae29a8fac6cfa4d3b89e382e667456cc104be988f98e5d4322");
        assert_int_equal(sign_sums_lookup(sums_text, strlen(sums_text), "bzImage", hex, &err), -ENOENT);
        assert_non_null(strstr(err, "does not list bzImage"));
        free(err);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char **n = NULL, **h = NULL;
                err = NULL;
                assert_int_equal(sign_sums_parse(bad[i], strlen(bad[i]), &n, &h, &err), -EBADMSG);
                assert_non_null(err);
                free(err);
        }
}

/* publish_dir() with a signer: the published set has SHA256SUMS.asc, the source does not; a key
 * that cannot sign publishes nothing. */
static void test_publish_signed(void **state) {
        static const struct tfile files[] = { { "/vmlinux", "kernel" }, { "/config", "CONFIG_X=y\n" }, {} };
        static const char *const outputs[] = { "vmlinux", "config", NULL };
        static const char *const published[] = { "vmlinux", "config", "manifest.json", "SHA256SUMS", NULL };
        _cleanup_free_ char *from = mkroot(files), *dest = strdup_printf("%s/out", top), *p = NULL, *fpr = NULL,
                            *err = NULL;
        json_object *m = json_object_new_object();

        json_object_object_add(m, "manifest_version", json_object_new_int(1));
        assert_int_equal(manifest_write(from, m, outputs), 0);
        assert_int_equal(provision_set_signer(fa), 0);
        assert_int_equal(publish_dir(from, dest, published), 0);
        p = strdup_printf("%s/SHA256SUMS.asc", dest);
        assert_int_equal(access(p, F_OK), 0);
        free(p);
        p = strdup_printf("%s/SHA256SUMS.asc", from);
        assert_int_equal(access(p, F_OK), -1); /* the source (a cache entry) is left alone */
        assert_int_equal(provision_verify_dir(dest, ring_a, (char *[]) { fa, NULL }, &fpr, &err), 0);
        assert_string_equal(fpr, fa);
        free(fpr);
        fpr = NULL;
        assert_int_equal(provision_verify_dir(dest, ring_ab, (char *[]) { fb, NULL }, &fpr, &err), 1);
        assert_non_null(strstr(err, "SHA256SUMS.asc"));
        free(err);
        err = NULL;

        /* a signer that cannot sign: the publish fails and the old outputs stay as they were */
        assert_int_equal(provision_set_signer("nobody@example.org"), 0);
        assert_true(publish_dir(from, dest, published) < 0);
        assert_int_equal(provision_verify_dir(dest, ring_a, NULL, &fpr, &err), 0);
        free(fpr);
        fpr = NULL;

        /* a set that does not hold together is not signed: SHA256SUMS without manifest.json */
        assert_int_equal(provision_set_signer(fa), 0);
        {
                _cleanup_free_ char *sp = strdup_printf("%s/SHA256SUMS", from), *text = NULL, *orig = NULL;
                char *nl;
                assert_int_equal(read_file_capped(sp, 4096, &text, NULL), 0);
                orig = strdup(text);
                nl = strstr(text, "  config\n");
                assert_non_null(nl);
                nl[strlen("  config\n")] = '\0';
                /* write_file_atomic: a new file, not through the hard link to dest's */
                assert_int_equal(write_file_atomic(sp, text, strlen(text), 0644), 0);
                assert_int_equal(publish_dir(from, dest, published), -EBADMSG);
                assert_int_equal(write_file_atomic(sp, orig, strlen(orig), 0644), 0);
        }

        /* unsigned again */
        assert_int_equal(provision_set_signer(NULL), 0);
        assert_int_equal(publish_dir(from, dest, published), 0);
        assert_int_equal(provision_verify_dir(dest, NULL, NULL, &fpr, &err), 0);
        assert_null(fpr);
        assert_int_equal(provision_verify_dir(dest, ring_a, NULL, &fpr, &err), 1);
        assert_non_null(strstr(err, "SHA256SUMS.asc: missing"));
        rm_rf(from);
}

/* sign_verify_image(): what sis-launch checks of a --kernel or --rootfs file. */
static void test_verify_image(void **state) {
        static const struct tfile files[] = { { "/rootfs.ext4", "an image" }, { "/stray", "x" }, {} };
        static const char *const outputs[] = { "rootfs.ext4", NULL };
        _cleanup_free_ char *dir = mkroot(files), *img = strdup_printf("%s/rootfs.ext4", dir),
                            *stray = strdup_printf("%s/stray", dir), *asc = strdup_printf("%s/SHA256SUMS.asc", dir),
                            *err = NULL, *fpr = NULL;
        char hex[SHA256_HEX], want[SHA256_HEX];
        int fd;

        assert_int_equal(manifest_write(dir, json_object_new_object(), outputs), 0);
        assert_int_equal(sha256_file(img, want), 0);
        /* unsigned */
        assert_int_equal(sign_verify_image(img, -1, ring_a, NULL, &fpr, hex, &err), -EBADMSG);
        assert_non_null(strstr(err, "SHA256SUMS.asc: missing"));
        assert_non_null(strstr(err, img));
        free(err);
        err = NULL;
        assert_int_equal(sign_sums(dir, fa, &err), 0);
        /* signed, by path and by descriptor */
        assert_int_equal(sign_verify_image(img, -1, ring_a, (char *[]) { fa, NULL }, &fpr, hex, &err), 0);
        assert_string_equal(fpr, fa);
        assert_string_equal(hex, want);
        free(fpr);
        fpr = NULL;
        fd = open(img, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(sign_verify_image(img, fd, ring_a, NULL, &fpr, hex, &err), 0);
        close(fd);
        /* an untrusted signer */
        assert_int_equal(sign_verify_image(img, -1, ring_ab, (char *[]) { fb, NULL }, NULL, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err, asc));
        free(err);
        err = NULL;
        /* a file SHA256SUMS does not list */
        assert_int_equal(sign_verify_image(stray, -1, ring_a, NULL, NULL, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err, "does not list stray"));
        free(err);
        err = NULL;
        /* the image changed after signing */
        assert_int_equal(write_file_atomic(img, "another image", 13, 0644), 0);
        assert_int_equal(sign_verify_image(img, -1, ring_a, NULL, NULL, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err, "is not the signed"));
        assert_non_null(strstr(err, img));
        free(err);
        err = NULL;
        /* an unreadable keyring is not the image's fault */
        assert_int_equal(sign_verify_image(img, -1, "/nonexistent.gpg", NULL, NULL, NULL, &err), -ENOENT);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sign_and_verify), cmocka_unit_test(test_refused),
                cmocka_unit_test(test_revoked),         cmocka_unit_test(test_signer_refused),
                cmocka_unit_test(test_sums_parse),      cmocka_unit_test(test_publish_signed),
                cmocka_unit_test(test_verify_image),
        };
        return cmocka_run_group_tests_name("sign", tests, setup, teardown);
}
