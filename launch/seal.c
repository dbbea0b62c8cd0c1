/* SPDX-License-Identifier: MIT */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "hash.h"
#include "util.h"

#define MAGIC "SISSEAL1"
#define TAG 16
#define IV 12
#define HDR 16

/* HMAC-SHA256(key, label): the derived keys are independent of each other and of the raw key. */
static void derive(const unsigned char *key, size_t klen, const char *label, unsigned char out[32]) {
        unsigned len = 32;
        (void) HMAC(EVP_sha256(), key, (int) klen, (const unsigned char *) label, strlen(label), out, &len);
}

void seal_key_from(const unsigned char raw[SEAL_KEY_BYTES], struct seal_key *ret) {
        unsigned char idb[32];
        derive(raw, SEAL_KEY_BYTES, "sis snapshot manifest mac v1", ret->mac);
        derive(raw, SEAL_KEY_BYTES, "sis snapshot key wrap v1", ret->kek);
        derive(raw, SEAL_KEY_BYTES, "sis snapshot key id v1", idb);
        hex_encode_to(idb, 8, ret->id);
        OPENSSL_cleanse(idb, sizeof(idb));
}

int seal_key_load(const char *path, bool create, struct seal_key *ret, char **ret_error) {
        unsigned char raw[SEAL_KEY_BYTES + 1];
        struct stat st;
        ssize_t n;
        int fd, k;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
                _cleanup_free_ char *dir = strdup(path);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash && slash != dir) {
                        *slash = '\0';
                        if (mkdir_parents(dir, 0700) < 0)
                                return set_error(ret_error, -errno, "%s: cannot create its directory: %s", path,
                                                 strerror(errno));
                }
                if (RAND_bytes(raw, SEAL_KEY_BYTES) != 1)
                        return set_error(ret_error, -EIO, "%s: no random bytes for a new key", path);
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        k = write(fd, raw, SEAL_KEY_BYTES) == SEAL_KEY_BYTES && fsync(fd) == 0 ? 0 : -errno;
                        close(fd);
                        if (k == 0 && slash && slash != dir) {
                                _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                                k = dfd >= 0 && fsync(dfd) == 0 ? 0 : -errno;
                        }
                        if (k < 0) {
                                (void) unlink(path);
                                OPENSSL_cleanse(raw, sizeof(raw));
                                return set_error(ret_error, k, "%s: cannot write a new key: %s", path, strerror(-k));
                        }
                        seal_key_from(raw, ret);
                        OPENSSL_cleanse(raw, sizeof(raw));
                        return 0;
                }
                if (errno != EEXIST)
                        return set_error(ret_error, -errno, "%s: cannot create it: %s", path, strerror(errno));
                /* another process made it first: use that one */
                fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return set_error(ret_error, -errno, "%s: %s", path, strerror(errno));
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077)) {
                close(fd);
                return set_error(ret_error, -EPERM,
                                 "%s: a snapshot key must be a regular file of root's, mode 0600 or stricter", path);
        }
        n = read(fd, raw, sizeof(raw));
        close(fd);
        if (n != SEAL_KEY_BYTES) {
                OPENSSL_cleanse(raw, sizeof(raw));
                return set_error(ret_error, -EBADMSG, "%s: a snapshot key is exactly %d bytes", path, SEAL_KEY_BYTES);
        }
        seal_key_from(raw, ret);
        OPENSSL_cleanse(raw, sizeof(raw));
        return 0;
}

int seal_mac(const struct seal_key *k, const void *data, size_t len, char hex[static 65]) {
        unsigned char md[32];
        unsigned n = sizeof(md);
        if (!HMAC(EVP_sha256(), k->mac, sizeof(k->mac), data, len, md, &n) || n != 32)
                return -EIO;
        hex_encode_to(md, 32, hex);
        return 0;
}

bool seal_mac_ok(const struct seal_key *k, const void *data, size_t len, const char *hex) {
        char want[65];
        return hex && strlen(hex) == 64 && seal_mac(k, data, len, want) == 0 && CRYPTO_memcmp(want, hex, 64) == 0;
}

int seal_new_id(char id[static SEAL_ID_HEX]) {
        unsigned char b[16];
        if (RAND_bytes(b, sizeof(b)) != 1)
                return -EIO;
        hex_encode_to(b, sizeof(b), id);
        return 0;
}

int seal_new_data_key(unsigned char dk[static SEAL_KEY_BYTES]) {
        return RAND_bytes(dk, SEAL_KEY_BYTES) == 1 ? 0 : -EIO;
}

/* One AES-256-GCM operation over a whole buffer: enc 1 encrypts in -> out and writes tag; enc 0
 * decrypts and checks tag. 0, or -EBADMSG when the tag does not verify. */
static int gcm(EVP_CIPHER_CTX *c, int enc, const unsigned char key[32], const unsigned char iv[IV],
               const unsigned char *aad, size_t aadlen, const unsigned char *in, size_t len, unsigned char *out,
               unsigned char tag[TAG]) {
        int n = 0, f = 0;

        if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, IV, NULL) != 1 ||
            EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) != 1 ||
            EVP_CipherUpdate(c, NULL, &n, aad, (int) aadlen) != 1 ||
            (len && EVP_CipherUpdate(c, out, &n, in, (int) len) != 1))
                return -EIO;
        if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG, tag) != 1)
                return -EIO;
        if (EVP_CipherFinal_ex(c, out + (len ? n : 0), &f) != 1)
                return enc ? -EIO : -EBADMSG;
        if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG, tag) != 1)
                return -EIO;
        return 0;
}

int seal_wrap(const struct seal_key *k, const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id,
              char **ret_hex) {
        unsigned char buf[IV + SEAL_KEY_BYTES + TAG];
        char hex[2 * sizeof(buf) + 1];
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int r;

        if (!c)
                return -ENOMEM;
        r = RAND_bytes(buf, IV) == 1 ? gcm(c, 1, k->kek, buf, (const unsigned char *) snap_id, strlen(snap_id), dk,
                                           SEAL_KEY_BYTES, buf + IV, buf + IV + SEAL_KEY_BYTES)
                                     : -EIO;
        EVP_CIPHER_CTX_free(c);
        if (r < 0)
                return r;
        hex_encode_to(buf, sizeof(buf), hex);
        *ret_hex = strdup(hex);
        return *ret_hex ? 0 : -ENOMEM;
}

int seal_unwrap(const struct seal_key *k, const char *hex, const char *snap_id,
                unsigned char dk[static SEAL_KEY_BYTES]) {
        unsigned char buf[IV + SEAL_KEY_BYTES + TAG];
        EVP_CIPHER_CTX *c;
        int r;

        /* exactly the wrapped key's digits: GCM's tag then authenticates every byte */
        if (!hex || strlen(hex) != 2 * sizeof(buf) || hex_decode(hex, buf, sizeof(buf)) < 0)
                return -EBADMSG;
        c = EVP_CIPHER_CTX_new();
        if (!c)
                return -ENOMEM;
        r = gcm(c, 0, k->kek, buf, (const unsigned char *) snap_id, strlen(snap_id), buf + IV, SEAL_KEY_BYTES, dk,
                buf + IV + SEAL_KEY_BYTES);
        EVP_CIPHER_CTX_free(c);
        if (r < 0)
                OPENSSL_cleanse(dk, SEAL_KEY_BYTES);
        return r;
}

static void put32(unsigned char *p, uint32_t v) {
        p[0] = (unsigned char) (v >> 24), p[1] = (unsigned char) (v >> 16), p[2] = (unsigned char) (v >> 8),
        p[3] = (unsigned char) v;
}

static uint32_t get32(const unsigned char *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* The nonce and associated data of chunk i of a file. */
struct chunk_ctx {
        unsigned char iv[IV];
        unsigned char *aad;
        size_t aadlen, fixed; /* fixed: the id and name part */
};

static int chunk_ctx_init(struct chunk_ctx *x, const char *snap_id, const char *name) {
        size_t a = strlen(snap_id), b = strlen(name);
        x->fixed = a + 1 + b + 1;
        x->aadlen = x->fixed + 8 + 1;
        x->aad = malloc(x->aadlen);
        if (!x->aad)
                return -ENOMEM;
        memcpy(x->aad, snap_id, a + 1);
        memcpy(x->aad + a + 1, name, b + 1);
        return 0;
}

static void chunk_ctx_at(struct chunk_ctx *x, uint32_t file_no, uint64_t i, bool last) {
        put32(x->iv, file_no);
        put32(x->iv + 4, (uint32_t) (i >> 32));
        put32(x->iv + 8, (uint32_t) i);
        memcpy(x->aad + x->fixed, x->iv + 4, 8);
        x->aad[x->fixed + 8] = last;
}

/* Read up to n bytes (short only at EOF). */
static ssize_t read_upto(int fd, unsigned char *buf, size_t n) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = read(fd, buf + got, n - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        break;
                got += (size_t) r;
        }
        return (ssize_t) got;
}

static int write_all(int fd, const unsigned char *buf, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, buf, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                buf += w;
                n -= (size_t) w;
        }
        return 0;
}

/* What one sealing or opening holds: a chunk of each, the cipher, the chunk's nonce and associated
 * data, and (sealing) the plaintext's running hash. */
struct stream {
        unsigned char *pt, *ct;
        EVP_CIPHER_CTX *c;
        struct chunk_ctx x;
        struct sha256_ctx *h;
        uint64_t total;
        size_t used; /* how much of pt ever held plaintext: wiped at the end */
};

static int stream_begin(struct stream *st, const char *snap_id, const char *name, bool hash) {
        *st = (struct stream) { .pt = malloc(SEAL_CHUNK), .ct = malloc(SEAL_CHUNK + TAG), .c = EVP_CIPHER_CTX_new() };
        if (!st->pt || !st->ct || !st->c || chunk_ctx_init(&st->x, snap_id, name) < 0)
                return -ENOMEM;
        return hash ? sha256_begin(&st->h) : 0;
}

/* Ends the stream whatever k says; on success the plaintext's size and hash go to *ret. */
static int stream_end(struct stream *st, int k, struct seal_info *ret) {
        if (k >= 0 && ret && st->h) {
                ret->size = st->total;
                k = sha256_end(st->h, ret->sha256);
                st->h = NULL;
        }
        if (st->h)
                (void) sha256_end(st->h, (char[SHA256_HEX]) {});
        free(st->x.aad);
        EVP_CIPHER_CTX_free(st->c);
        if (st->pt)
                OPENSSL_cleanse(st->pt, st->used);
        free(st->pt);
        free(st->ct);
        return k;
}

int seal_encrypt(const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id, uint32_t file_no, const char *name,
                 int in, int out, uint64_t max, struct seal_info *ret) {
        unsigned char hdr[HDR];
        struct stream st;
        int k = stream_begin(&st, snap_id, name, true);

        if (k < 0)
                return stream_end(&st, k, NULL);
        memcpy(hdr, MAGIC, 8);
        put32(hdr + 8, SEAL_CHUNK);
        put32(hdr + 12, file_no);
        k = write_all(out, hdr, HDR);
        /* full chunks, then one short (maybe empty) chunk marked last */
        for (uint64_t i = 0; k >= 0; i++) {
                ssize_t n = read_upto(in, st.pt, SEAL_CHUNK);
                bool last;
                if (n < 0) {
                        k = (int) n;
                        break;
                }
                last = (size_t) n < SEAL_CHUNK;
                st.used = MAX(st.used, (size_t) n);
                chunk_ctx_at(&st.x, file_no, i, last);
                k = sha256_add(st.h, st.pt, (size_t) n);
                if (k >= 0)
                        k = gcm(st.c, 1, dk, st.x.iv, st.x.aad, st.x.aadlen, st.pt, (size_t) n, st.ct, st.ct + n);
                if (k >= 0)
                        k = write_all(out, st.ct, (size_t) n + TAG);
                st.total += (uint64_t) n;
                if (k >= 0 && max && st.total > max)
                        k = -EFBIG;
                if (last)
                        break;
        }
        return stream_end(&st, k, ret);
}

static bool all_zero(const unsigned char *b, size_t n) {
        return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

static bool header_ok(const unsigned char hdr[static HDR], uint32_t file_no) {
        return memcmp(hdr, MAGIC, 8) == 0 && get32(hdr + 8) == SEAL_CHUNK && get32(hdr + 12) == file_no;
}

/* A sealed file read as a stream (a pipe): chunk after chunk; full chunks are not the last, the
 * first short one is, and nothing may follow it. */
static int open_stream(const unsigned char *dk, const char *snap_id, uint32_t file_no, const char *name, int in,
                       int out, bool seekable, uint64_t *ret_size) {
        unsigned char hdr[HDR];
        struct stream st;
        ssize_t n;
        int k = stream_begin(&st, snap_id, name, false);

        if (k < 0)
                return stream_end(&st, k, NULL);
        n = read_upto(in, hdr, HDR);
        if (n != HDR || !header_ok(hdr, file_no))
                return stream_end(&st, n < 0 ? (int) n : -EBADMSG, NULL);
        for (uint64_t i = 0;; i++) {
                size_t len;
                bool last;
                n = read_upto(in, st.ct, SEAL_CHUNK + TAG);
                if (n < 0) {
                        k = (int) n;
                        break;
                }
                if ((size_t) n < TAG) {
                        k = -EBADMSG; /* cut before its last chunk */
                        break;
                }
                last = (size_t) n < SEAL_CHUNK + TAG;
                len = (size_t) n - TAG;
                chunk_ctx_at(&st.x, file_no, i, last);
                st.used = MAX(st.used, len);
                k = gcm(st.c, 0, dk, st.x.iv, st.x.aad, st.x.aadlen, st.ct, len, st.pt, st.ct + len);
                if (k >= 0) {
                        if (seekable && all_zero(st.pt, len))
                                k = lseek(out, (off_t) len, SEEK_CUR) < 0 ? -errno : 0;
                        else
                                k = write_all(out, st.pt, len);
                }
                st.total += len;
                if (k < 0 || last)
                        break;
        }
        if (k >= 0) {
                unsigned char extra;
                n = read_upto(in, &extra, 1);
                k = n < 0 ? (int) n : n > 0 ? -EBADMSG : 0;
        }
        /* a file that ends in a hole: its size */
        if (k >= 0 && seekable) {
                off_t end = lseek(out, 0, SEEK_CUR);
                k = end < 0 || ftruncate(out, end) < 0 ? -errno : 0;
        }
        if (k >= 0 && ret_size)
                *ret_size = st.total;
        return stream_end(&st, k, NULL);
}

/* A sealed regular file opened into a regular file: its chunks are independent (each its own
 * nonce, place and tag), so a few workers open every n-th chunk at its offset and a restore is
 * bound by writing the memory into the jail's tmpfs, not by AES-GCM. The chunk count comes from
 * the file's size: all full chunks but the last, which is short (an empty one is a tag alone);
 * a file cut at a chunk boundary ends in a full chunk not marked last, and its tag says so. */
struct opening {
        const unsigned char *dk;
        const char *snap_id, *name;
        uint32_t file_no;
        int in, out;
        uint64_t chunks;
        size_t last_len;
        unsigned workers;
        atomic_int err;
};

struct opener_part {
        struct opening *o;
        unsigned first;
        pthread_t t;
};

static int pread_exact(int fd, unsigned char *buf, size_t n, off_t at) {
        while (n > 0) {
                ssize_t r = pread(fd, buf, n, at);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0 ? -errno : -EBADMSG; /* shorter than it was a moment ago */
                buf += r, n -= (size_t) r, at += r;
        }
        return 0;
}

static int pwrite_all(int fd, const unsigned char *buf, size_t n, off_t at) {
        while (n > 0) {
                ssize_t w = pwrite(fd, buf, n, at);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                buf += w, n -= (size_t) w, at += w;
        }
        return 0;
}

static void *open_part(void *arg) {
        struct opener_part *w = arg;
        struct opening *o = w->o;
        struct stream st;
        int k = stream_begin(&st, o->snap_id, o->name, false), none = 0;

        for (uint64_t i = w->first; k >= 0 && i < o->chunks && atomic_load(&o->err) == 0; i += o->workers) {
                bool last = i == o->chunks - 1;
                size_t len = last ? o->last_len : SEAL_CHUNK;
                k = pread_exact(o->in, st.ct, len + TAG, (off_t) (HDR + i * (SEAL_CHUNK + TAG)));
                chunk_ctx_at(&st.x, o->file_no, i, last);
                st.used = MAX(st.used, len);
                if (k >= 0)
                        k = gcm(st.c, 0, o->dk, st.x.iv, st.x.aad, st.x.aadlen, st.ct, len, st.pt, st.ct + len);
                if (k >= 0 && !all_zero(st.pt, len)) /* zeros stay a hole */
                        k = pwrite_all(o->out, st.pt, len, (off_t) (i * SEAL_CHUNK));
        }
        if (k < 0)
                (void) atomic_compare_exchange_strong(&o->err, &none, k);
        (void) stream_end(&st, k, NULL);
        return NULL;
}

static int open_file(const unsigned char *dk, const char *snap_id, uint32_t file_no, const char *name, int in, int out,
                     off_t in_size, uint64_t *ret_size) {
        const uint64_t unit = SEAL_CHUNK + TAG;
        unsigned char hdr[HDR];
        struct opening o = { .dk = dk, .snap_id = snap_id, .name = name, .file_no = file_no, .in = in, .out = out };
        struct opener_part parts[4];
        uint64_t body, rem, total;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned started = 0;
        int k = pread_exact(in, hdr, HDR, 0);

        if (k < 0 || in_size < HDR + TAG || !header_ok(hdr, file_no))
                return k < 0 ? k : -EBADMSG;
        body = (uint64_t) in_size - HDR;
        rem = body % unit;
        if (rem < TAG)
                return -EBADMSG; /* no short last chunk: cut */
        o.chunks = body / unit + 1;
        o.last_len = (size_t) (rem - TAG);
        total = (o.chunks - 1) * SEAL_CHUNK + o.last_len;
        o.workers = (unsigned) MIN((uint64_t) MAX(cpus, 1L), MIN((uint64_t) ELEMENTSOF(parts), o.chunks));
        atomic_init(&o.err, 0);
        for (unsigned w = 0; w < o.workers; w++) {
                parts[w] = (struct opener_part) { .o = &o, .first = w };
                /* the first part is this thread's own, run below; a part that cannot start is done here too */
                if (w > 0 && pthread_create(&parts[w].t, NULL, open_part, &parts[w]) == 0)
                        started |= 1u << w;
        }
        for (unsigned w = 0; w < o.workers; w++)
                if (!(started & (1u << w)))
                        (void) open_part(&parts[w]);
        for (unsigned w = 1; w < o.workers; w++)
                if (started & (1u << w))
                        (void) pthread_join(parts[w].t, NULL);
        k = atomic_load(&o.err);
        /* a file that ends in a hole: its size */
        if (k >= 0 && ftruncate(out, (off_t) total) < 0)
                k = -errno;
        if (k >= 0 && lseek(out, (off_t) total, SEEK_SET) < 0)
                k = -errno;
        if (k >= 0 && ret_size)
                *ret_size = total;
        return k;
}

int seal_decrypt(const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id, uint32_t file_no, const char *name,
                 int in, int out, uint64_t *ret_size) {
        struct stat si, so;
        bool in_file = fstat(in, &si) == 0 && S_ISREG(si.st_mode),
             out_file = fstat(out, &so) == 0 && S_ISREG(so.st_mode);

        if (in_file && out_file && lseek(in, 0, SEEK_CUR) == 0 && lseek(out, 0, SEEK_CUR) == 0 && so.st_size == 0)
                return open_file(dk, snap_id, file_no, name, in, out, si.st_size, ret_size);
        return open_stream(dk, snap_id, file_no, name, in, out, out_file, ret_size);
}
