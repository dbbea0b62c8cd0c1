/* SPDX-License-Identifier: MIT */
#include "fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gpgme.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "cli.h"
#include "fileio.h"
#include "gpg-cleanup.h"
#include "hash.h"
#include "common.h"
#include "kernel.h"
#include "util.h"

struct xfer {
        int fd;
        bool progress;
        curl_off_t base; /* bytes already there when resuming */
};

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
        struct xfer *x = ud;
        size_t len = size * n, done = 0;

        while (done < len) {
                ssize_t w = write(x->fd, p + done, len - done);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return 0; /* a full disk ends the transfer with an error */
                }
                done += (size_t) w;
        }
        return len;
}

static int on_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut _unused_, curl_off_t un _unused_) {
        struct xfer *x = ud;
        if (x->progress && total > 0)
                fprintf(stderr, "\r    %.1f / %.1f MiB (%3d%%)", (double) (x->base + now) / 1048576.0,
                        (double) (x->base + total) / 1048576.0, (int) ((x->base + now) * 100 / (x->base + total)));
        return 0;
}

/* Common, careful settings: https only, bounded waits, errors on HTTP failures. */
static CURL *easy(const char *url) {
        CURL *c = curl_easy_init();
        const char *ca = getenv("SIS_CA_FILE");

        if (!c)
                return NULL;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "sis-provision/" SIS_VERSION);
        if (ca && *ca)
                curl_easy_setopt(c, CURLOPT_CAINFO, ca); /* an extra trust anchor (a private mirror, tests) */
        return c;
}

static int download(const char *url, const char *part, bool progress) {
        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_close_ int fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                struct xfer x = { .fd = fd, .progress = progress };
                struct stat st;
                CURL *c;
                CURLcode r;

                if (fd < 0 || fstat(fd, &st) < 0)
                        return cli_fail(2, "%s: %s", part, strerror(errno));
                c = easy(url);
                if (!c)
                        return cli_fail(2, "cannot start a transfer");
                x.base = st.st_size;
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
                curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
                curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
                curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
                if (st.st_size > 0)
                        curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) st.st_size);
                r = curl_easy_perform(c);
                curl_easy_cleanup(c);
                if (progress)
                        fputc('\n', stderr);
                if (r == CURLE_OK)
                        return fsync(fd) < 0 ? cli_fail(2, "%s: %s", part, strerror(errno)) : 0;
                if (r == CURLE_RANGE_ERROR && attempt == 0 && ftruncate(fd, 0) == 0)
                        continue; /* the server cannot resume: start over */
                return cli_fail(2, "%s: %s", url, curl_easy_strerror(r));
        }
        return 2;
}

static size_t append(char *p, size_t size, size_t n, void *ud) {
        struct sbuf *b = ud;
        if (b->len + size * n > (2 << 20))
                return 0;
        sbuf_putn(b, p, size * n);
        return size * n;
}

char *fetch_text(const char *url) {
        struct sbuf b = {};
        CURL *c = easy(url);
        CURLcode r;

        if (!c)
                return NULL;
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        r = curl_easy_perform(c);
        curl_easy_cleanup(c);
        if (r != CURLE_OK || b.len > (1 << 20)) {
                sbuf_done(&b);
                return NULL;
        }
        return sbuf_steal(&b);
}

/* kernel.org signs each release directory's sha256sums.asc: check the signature with gpgme
 * (when the key is in the keyring) and that it lists our tarball with the expected hash. */
static int check_kernel_org(const char *url, const char *sha256) {
        _cleanup_free_ char *dir = strdup(url), *asc_url = NULL, *asc = NULL;
        _cleanup_gfree_ char *plain = NULL; /* gpgme's memory */
        const char *name = strrchr(url, '/');
        _cleanup_gpgme_ gpgme_ctx_t ctx = NULL;
        _cleanup_gdata_ gpgme_data_t sig = NULL, out = NULL;
        gpgme_verify_result_t res;
        bool signed_ok = false;
        char *slash;
        size_t len;
        int k = 0;

        const char *mirror = getenv("SIS_KERNEL_ORG"); /* a kernel.org mirror, or a test server */

        if (!dir || !name ||
            !(startswith(url, "https://cdn.kernel.org/pub/linux/kernel/") ||
              startswith(url, "https://www.kernel.org/pub/linux/kernel/") ||
              (mirror && *mirror && startswith(url, mirror))))
                return 0;
        slash = strrchr(dir, '/');
        *slash = '\0';
        asc_url = strdup_printf("%s/sha256sums.asc", dir);
        asc = asc_url ? fetch_text(asc_url) : NULL;
        if (!asc)
                return cli_fail(2, "%s: cannot fetch the signed checksums", asc_url ? asc_url : "sha256sums.asc");
        gpgme_check_version(NULL);
        if (gpgme_new(&ctx) || gpgme_data_new_from_mem(&sig, asc, strlen(asc), 0) || gpgme_data_new(&out))
                k = cli_fail(2, "gpgme is not usable");
        else if (gpgme_op_verify(ctx, sig, NULL, out) == 0 && (res = gpgme_op_verify_result(ctx)) && res->signatures) {
                gpgme_signature_t s = res->signatures;
                if (gpg_err_code(s->status) == GPG_ERR_NO_PUBKEY)
                        (void) cli_fail(
                                0,
                                "warning: %s: the signing key %s is not in the keyring; "
                                "signature not checked (gpg --locate-keys torvalds@kernel.org gregkh@kernel.org)",
                                asc_url, strna(s->fpr));
                else if (s->summary & GPGME_SIGSUM_VALID || gpg_err_code(s->status) == GPG_ERR_NO_ERROR)
                        signed_ok = true;
                else
                        k = cli_fail(2, "%s: BAD signature (%s)", asc_url, gpgme_strerror(s->status));
        }
        if (k == 0) {
                /* the signed text (or, unsigned-checked, the file) must list our hash for our name */
                plain = signed_ok ? gpgme_data_release_and_get_mem(out, &len) : NULL;
                if (signed_ok)
                        out = NULL;
                /* gpgme's buffer is not NUL-terminated */
                _cleanup_free_ char *signed_text = plain ? strndup(plain, len) : NULL;
                const char *text = signed_text ? signed_text : asc;
                _cleanup_free_ char *want = strdup_printf("%s  %s", sha256, name + 1);
                if (!want || !strstr(text, want))
                        k = cli_fail(2, "%s does not list %s with sha256 %s", asc_url, name + 1, sha256);
                else
                        cli_step("%s: listed in %s%s", name + 1, asc_url, signed_ok ? " (good signature)" : "");
        }
        return k;
}

int fetch_verified(const char *url, const char *sha256, const char *cache, bool progress, char **ret_path) {
        _cleanup_free_ char *dir = strdup_printf("%s/downloads", cache), *dest = NULL, *part = NULL;
        char hex[SHA256_HEX];
        int k;

        if (!startswith(url, "https://"))
                return cli_fail(2, "--source %s: only https:// URLs are fetched", url);
        if (!sha256)
                return cli_fail(2, "--source %s: a URL needs --sha256", url);
        if (!dir || mkdir_parents(dir, 0755) < 0)
                return cli_fail(2, "cannot create %s", dir ? dir : "the download cache");
        dest = strdup_printf("%s/%s", dir, sha256);
        part = strdup_printf("%s/%s.part", dir, sha256);
        if (!dest || !part)
                return 2;
        if (sha256_file(dest, hex) >= 0 && strcasecmp(hex, sha256) == 0) {
                *ret_path = TAKE_PTR(dest);
                return 0;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
        k = check_kernel_org(url, sha256);
        if (k == 0) {
                cli_step("downloading %s", url);
                k = download(url, part, progress);
        }
        if (k == 0) {
                if (sha256_file(part, hex) < 0 || strcasecmp(hex, sha256) != 0) {
                        unlink(part);
                        k = cli_fail(2, "--source %s: sha256 %s, expected %s", url, hex, sha256);
                } else if ((k = publish_part(part, dest)) < 0)
                        k = cli_fail(2, "%s: %s", dest, strerror(-k));
        }
        curl_global_cleanup();
        if (k == 0)
                *ret_path = TAKE_PTR(dest);
        return k;
}

int gpg_verify_detached(const char *file, const char *sig, size_t sig_len, const char *fingerprint, char **ret_error) {
        _cleanup_gpgme_ gpgme_ctx_t ctx = NULL;
        _cleanup_gdata_ gpgme_data_t sd = NULL, dd = NULL;
        gpgme_verify_result_t res;
        gpgme_signature_t s;
        size_t fl, wl = strlen(fingerprint);

        gpgme_check_version(NULL);
        if (gpgme_new(&ctx) || gpgme_data_new_from_mem(&sd, sig, sig_len, 0) || gpgme_data_new_from_file(&dd, file, 1))
                return set_error(ret_error, -EIO, "%s: gpgme cannot read it", file);
        if (gpgme_op_verify(ctx, sd, dd, NULL) != 0 || !(res = gpgme_op_verify_result(ctx)) || !res->signatures)
                return set_error(ret_error, -EBADMSG, "%s: the signature is not a signature", file);
        s = res->signatures;
        fl = s->fpr ? strlen(s->fpr) : 0;
        if (gpg_err_code(s->status) == GPG_ERR_NO_PUBKEY)
                return set_error(ret_error, -ENOKEY, "%s: the signing key %s is not in the keyring", file,
                                 strna(s->fpr));
        if (gpg_err_code(s->status) != GPG_ERR_NO_ERROR)
                return set_error(ret_error, -EBADMSG, "%s: BAD signature (%s)", file, gpgme_strerror(s->status));
        if (!(s->fpr && fl <= wl && fl >= 16 && strcasecmp(fingerprint + wl - fl, s->fpr) == 0))
                return set_error(ret_error, -EBADMSG, "%s: signed by %s, not by the pinned key %s", file, strna(s->fpr),
                                 fingerprint);
        return 0;
}
