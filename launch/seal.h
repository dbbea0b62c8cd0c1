/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Sealed snapshots (libcrypto). A snapshot holds a whole browsing session: it is one object,
 * authenticated and encrypted under a host key.
 *
 *   the host key     32 random bytes (/var/lib/sis/snapshot.key, root's, 0600; --key FILE to share
 *                    one across a fleet). Two keys are derived from it: one MACs manifests
 *                    (HMAC-SHA256), one wraps data keys (AES-256-GCM). Its id (16 hex digits of a
 *                    hash) names it in a manifest without revealing it.
 *   a data key       32 random bytes per snapshot, stored only wrapped by the host key, the
 *                    snapshot's id bound in as associated data.
 *   a sealed file    "SISSEAL1", the chunk size and the file's number (big-endian u32 each), then
 *                    chunks of at most SEAL_CHUNK bytes, each AES-256-GCM with its 16-byte tag. The
 *                    nonce is (file number, chunk index); the associated data binds the snapshot
 *                    id, the file's name, the chunk index and whether it is the last chunk, so a
 *                    chunk cannot be moved, swapped with another file's, or dropped from the end:
 *                    every file ends with a chunk shorter than a full one (an empty one if need
 *                    be) marked last.
 * Streams are encrypted and decrypted with constant memory (one chunk); the input may be a pipe.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_BYTES 32
#define SEAL_CHUNK (1u << 20)
#define SEAL_ID_HEX 33 /* a snapshot id: 128 random bits as 32 hex digits, plus NUL */

struct seal_key {
        unsigned char mac[32]; /* HMAC-SHA256 key for manifests */
        unsigned char kek[32]; /* AES-256-GCM key that wraps data keys */
        char id[17];           /* the host key's public name */
};

/* Read the host key at path: exactly 32 bytes, root's, mode 0600 or stricter. With create, a
 * missing key is made (random, O_EXCL, fsync()ed with its directory). 0, or -errno with
 * *ret_error naming the file and what is wrong. */
int seal_key_load(const char *path, bool create, struct seal_key *ret, char **ret_error);
/* The same from 32 bytes in memory (tests, and the loader's second half). */
void seal_key_from(const unsigned char raw[SEAL_KEY_BYTES], struct seal_key *ret);

/* HMAC-SHA256 of data under the manifest key, as 64 hex digits; the comparison is constant-time. */
int seal_mac(const struct seal_key *k, const void *data, size_t len, char hex[static 65]);
bool seal_mac_ok(const struct seal_key *k, const void *data, size_t len, const char *hex);

/* 128 random bits as hex (a snapshot id); 32 random bytes (a data key). 0 or -EIO. */
int seal_new_id(char id[static SEAL_ID_HEX]);
int seal_new_data_key(unsigned char dk[static SEAL_KEY_BYTES]);
/* A data key wrapped for storage: hex of IV (12) | ciphertext (32) | tag (16), the snapshot id as
 * associated data. unwrap: -EBADMSG for a wrong key, id or any changed digit. */
int seal_wrap(const struct seal_key *k, const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id,
              char **ret_hex);
int seal_unwrap(const struct seal_key *k, const char *hex, const char *snap_id,
                unsigned char dk[static SEAL_KEY_BYTES]);

/* The plaintext's size and sha256, as it was sealed. */
struct seal_info {
        uint64_t size;
        char sha256[65];
};
/* in (read to EOF) sealed to out. file_no is distinct for each file of one snapshot. max: more
 * than this many bytes is -EFBIG (a stream a VMM writes: it must end); 0: no limit. 0 or -errno. */
int seal_encrypt(const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id, uint32_t file_no, const char *name,
                 int in, int out, uint64_t max, struct seal_info *ret);
/* in (a sealed file) opened to out, every tag verified before its chunk is written; a chunk of
 * zeros becomes a hole where out can seek; *ret_size: the plaintext's size. The tags are the whole
 * check (a chunk's tag binds it to this snapshot's data key, its file, its place and whether it is
 * the last): no hash of the plaintext is taken. A regular file into an empty regular file is
 * opened by a few threads, each every n-th chunk; anything else (a pipe) as a stream. -EBADMSG for
 * anything changed, moved, cut or appended (out then holds verified chunks only: callers write
 * into a place they remove on failure). */
int seal_decrypt(const unsigned char dk[static SEAL_KEY_BYTES], const char *snap_id, uint32_t file_no, const char *name,
                 int in, int out, uint64_t *ret_size);
