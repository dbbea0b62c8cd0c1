/* SPDX-License-Identifier: MIT */
/* launch/seal.c: sealed snapshot files and manifests, refused whenever anything was changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hash.h"
#include "helpers.h"
#include "seal.h"

static const char ID[] = "00112233445566778899aabbccddeeff";

/* A temp file holding len bytes of a pattern (zeros where zero_from <= i). */
static int make_plain(size_t len, size_t zero_from) {
        char path[] = "/tmp/sis-seal.XXXXXX";
        int fd = mkstemp(path);
        unsigned char buf[4096];
        assert_true(fd >= 0);
        unlink(path);
        for (size_t off = 0; off < len;) {
                size_t n = MIN(sizeof(buf), len - off);
                for (size_t i = 0; i < n; i++)
                        buf[i] = off + i >= zero_from ? 0 : (unsigned char) ((off + i) * 131 + 7);
                assert_int_equal(write(fd, buf, n), (ssize_t) n);
                off += n;
        }
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static int tmpfd(void) {
        char path[] = "/tmp/sis-seal.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        return fd;
}

static void rewind_fd(int fd) {
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

/* seal_decrypt reading a pipe (its stream path: a regular file is opened by chunk offsets), a
 * child writing the sealed file's bytes into it. */
static int open_piped(const unsigned char *dk, const char *id, uint32_t no, const char *name, int sealed, int out,
                      uint64_t *size) {
        int p[2], k, status;
        pid_t pid;

        assert_int_equal(pipe(p), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                unsigned char buf[65536];
                ssize_t n;
                off_t at = 0;
                close(p[0]);
                while ((n = pread(sealed, buf, sizeof(buf), at)) > 0 && write(p[1], buf, (size_t) n) == n)
                        at += n;
                _exit(0);
        }
        close(p[1]);
        k = seal_decrypt(dk, id, no, name, p[0], out, size);
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return k;
}

static void test_round_trip(void **state) {
        static const size_t sizes[] = { 0, 1, 4095, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1, 3 * SEAL_CHUNK };
        unsigned char dk[SEAL_KEY_BYTES];

        assert_int_equal(seal_new_data_key(dk), 0);
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                int in = make_plain(sizes[i], sizes[i] / 2), sealed = tmpfd(), out = tmpfd();
                struct seal_info a = {};
                uint64_t size = 1;
                char want[SHA256_HEX], got[SHA256_HEX];
                struct stat st;
                int piped = tmpfd();

                assert_int_equal(sha256_fd(in, want), 0);
                rewind_fd(in);
                assert_int_equal(seal_encrypt(dk, ID, 1, "mem", in, sealed, 0, &a), 0);
                assert_int_equal(a.size, sizes[i]);
                assert_string_equal(a.sha256, want);
                assert_int_equal(fstat(sealed, &st), 0);
                /* header, one tag a chunk and one for the last (short) chunk */
                assert_int_equal(st.st_size, 16 + sizes[i] + 16 * (sizes[i] / SEAL_CHUNK + 1));
                rewind_fd(sealed);
                assert_int_equal(seal_decrypt(dk, ID, 1, "mem", sealed, out, &size), 0);
                assert_int_equal(size, sizes[i]);
                rewind_fd(out);
                assert_int_equal(sha256_fd(out, got), 0);
                assert_string_equal(got, want);
                /* the same through a pipe */
                size = 1;
                assert_int_equal(open_piped(dk, ID, 1, "mem", sealed, piped, &size), 0);
                assert_int_equal(size, sizes[i]);
                rewind_fd(piped);
                assert_int_equal(sha256_fd(piped, got), 0);
                assert_string_equal(got, want);
                close(piped);
                close(in);
                close(sealed);
                close(out);
        }
}

/* Seal 2.5 chunks, change the sealed bytes with f, and open them: from the file, and through a
 * pipe, with the same answer. */
static int open_changed(void (*f)(int fd, off_t size), const char *id, uint32_t no, const char *name) {
        unsigned char dk[SEAL_KEY_BYTES] = { 1, 2, 3 };
        int in = make_plain(5 * SEAL_CHUNK / 2, SIZE_MAX), sealed = tmpfd(), out = tmpfd(), out2 = tmpfd(), k;
        struct stat st;

        assert_int_equal(seal_encrypt(dk, ID, 1, "mem", in, sealed, 0, NULL), 0);
        assert_int_equal(fstat(sealed, &st), 0);
        if (f)
                f(sealed, st.st_size);
        rewind_fd(sealed);
        k = seal_decrypt(dk, id, no, name, sealed, out, NULL);
        assert_int_equal(open_piped(dk, id, no, name, sealed, out2, NULL), k);
        close(in);
        close(sealed);
        close(out);
        close(out2);
        return k;
}

static void flip(int fd, off_t at) {
        unsigned char c;
        assert_int_equal(pread(fd, &c, 1, at), 1);
        c ^= 0x40;
        assert_int_equal(pwrite(fd, &c, 1, at), 1);
}
static void flip_data(int fd, off_t size) {
        flip(fd, 16 + SEAL_CHUNK + 5);
}
static void flip_tag(int fd, off_t size) {
        flip(fd, size - 1);
}
static void flip_header(int fd, off_t size) {
        flip(fd, 12 + 3);
}
static void cut_last(int fd, off_t size) {
        assert_int_equal(ftruncate(fd, 16 + 2 * (SEAL_CHUNK + 16)), 0);
}
static void cut_some(int fd, off_t size) {
        assert_int_equal(ftruncate(fd, size - 100), 0);
}
static void append(int fd, off_t size) {
        assert_int_equal(pwrite(fd, "x", 1, size), 1);
}
static void swap_chunks(int fd, off_t size) {
        unsigned char *a = malloc(SEAL_CHUNK + 16), *b = malloc(SEAL_CHUNK + 16);
        assert_int_equal(pread(fd, a, SEAL_CHUNK + 16, 16), SEAL_CHUNK + 16);
        assert_int_equal(pread(fd, b, SEAL_CHUNK + 16, 16 + SEAL_CHUNK + 16), SEAL_CHUNK + 16);
        assert_int_equal(pwrite(fd, b, SEAL_CHUNK + 16, 16), SEAL_CHUNK + 16);
        assert_int_equal(pwrite(fd, a, SEAL_CHUNK + 16, 16 + SEAL_CHUNK + 16), SEAL_CHUNK + 16);
        free(a);
        free(b);
}

static void test_tampering(void **state) {
        assert_int_equal(open_changed(NULL, ID, 1, "mem"), 0);
        assert_int_equal(open_changed(flip_data, ID, 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(flip_tag, ID, 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(flip_header, ID, 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(cut_last, ID, 1, "mem"), -EBADMSG); /* at a chunk boundary */
        assert_int_equal(open_changed(cut_some, ID, 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(append, ID, 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(swap_chunks, ID, 1, "mem"), -EBADMSG);
        /* another snapshot's, another file's, another name's */
        assert_int_equal(open_changed(NULL, "ffffffffffffffffffffffffffffffff", 1, "mem"), -EBADMSG);
        assert_int_equal(open_changed(NULL, ID, 2, "mem"), -EBADMSG);
        assert_int_equal(open_changed(NULL, ID, 1, "vmstate"), -EBADMSG);
}

/* A stream that does not end (a VMM writing forever) is cut at its limit. */
static void test_limit(void **state) {
        unsigned char dk[SEAL_KEY_BYTES] = { 4 };
        int in = make_plain(3 * SEAL_CHUNK, SIZE_MAX), sealed = tmpfd();

        assert_int_equal(seal_encrypt(dk, ID, 0, "vmstate", in, sealed, 2 * SEAL_CHUNK, NULL), -EFBIG);
        rewind_fd(in);
        assert_int_equal(seal_encrypt(dk, ID, 0, "vmstate", in, sealed, 3 * SEAL_CHUNK, NULL), 0);
        close(in);
        close(sealed);
}

/* Zeros come back as holes: a sparse home disk stays sparse in the jail's tmpfs. */
static void test_sparse(void **state) {
        unsigned char dk[SEAL_KEY_BYTES] = { 9 };
        int in = make_plain(8 * SEAL_CHUNK, SEAL_CHUNK), sealed = tmpfd(), out = tmpfd();
        struct stat st;

        assert_int_equal(seal_encrypt(dk, ID, 0, "home.ext4", in, sealed, 0, NULL), 0);
        rewind_fd(sealed);
        assert_int_equal(seal_decrypt(dk, ID, 0, "home.ext4", sealed, out, NULL), 0);
        assert_int_equal(fstat(out, &st), 0);
        assert_int_equal(st.st_size, 8 * SEAL_CHUNK);
        assert_true((uint64_t) st.st_blocks * 512 < 3 * SEAL_CHUNK);
        close(in);
        close(sealed);
        close(out);
}

static void test_keys(void **state) {
        unsigned char raw[SEAL_KEY_BYTES] = { 7 }, raw2[SEAL_KEY_BYTES] = { 8 }, dk[SEAL_KEY_BYTES],
                      back[SEAL_KEY_BYTES];
        struct seal_key k, k2, k3;
        _cleanup_free_ char *w = NULL, *dir = mkroot(NULL), *path = strdup_printf("%s/keys/snapshot.key", dir),
                            *err = NULL;
        char mac[65], id[SEAL_ID_HEX];
        struct stat st;

        seal_key_from(raw, &k);
        seal_key_from(raw2, &k2);
        assert_int_equal(strlen(k.id), 16);
        assert_string_not_equal(k.id, k2.id);
        assert_int_equal(seal_new_id(id), 0);
        assert_int_equal(strlen(id), 32);
        /* the manifest's MAC */
        assert_int_equal(seal_mac(&k, "manifest", 8, mac), 0);
        assert_true(seal_mac_ok(&k, "manifest", 8, mac));
        assert_false(seal_mac_ok(&k, "manifesT", 8, mac));
        assert_false(seal_mac_ok(&k2, "manifest", 8, mac));
        assert_false(seal_mac_ok(&k, "manifest", 8, "00"));
        /* the data key, wrapped for one snapshot under one host key */
        assert_int_equal(seal_new_data_key(dk), 0);
        assert_int_equal(seal_wrap(&k, dk, id, &w), 0);
        assert_int_equal(seal_unwrap(&k, w, id, back), 0);
        assert_memory_equal(dk, back, SEAL_KEY_BYTES);
        assert_int_equal(seal_unwrap(&k2, w, id, back), -EBADMSG);
        assert_int_equal(seal_unwrap(&k, w, ID, back), -EBADMSG);
        w[5] = w[5] == '0' ? '1' : '0';
        assert_int_equal(seal_unwrap(&k, w, id, back), -EBADMSG);
        assert_int_equal(seal_unwrap(&k, "zz", id, back), -EBADMSG);
        /* the host key file: made on first use, root's 0600, the same key after */
        if (geteuid() == 0) {
                assert_int_equal(seal_key_load(path, false, &k3, &err), -ENOENT);
                free(err);
                err = NULL;
                assert_int_equal(seal_key_load(path, true, &k, &err), 0);
                assert_int_equal(stat(path, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0600);
                assert_int_equal(st.st_size, SEAL_KEY_BYTES);
                assert_int_equal(seal_key_load(path, true, &k3, &err), 0);
                assert_string_equal(k.id, k3.id);
                assert_int_equal(chmod(path, 0640), 0);
                assert_int_equal(seal_key_load(path, false, &k3, &err), -EPERM);
                assert_non_null(strstr(err, "mode 0600"));
                free(err);
                err = NULL;
                assert_int_equal(chmod(path, 0600), 0);
                assert_int_equal(truncate(path, 31), 0);
                assert_int_equal(seal_key_load(path, false, &k3, &err), -EBADMSG);
                assert_non_null(strstr(err, "exactly 32 bytes"));
        }
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip), cmocka_unit_test(test_tampering), cmocka_unit_test(test_sparse),
                cmocka_unit_test(test_limit),      cmocka_unit_test(test_keys),
        };
        return cmocka_run_group_tests_name("seal", tests, NULL, NULL);
}
