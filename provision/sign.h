/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Signed outputs: a detached, ASCII-armoured OpenPGP signature of an output directory's
 * SHA256SUMS (which lists every output and manifest.json, so one signature covers everything
 * published), made and checked with gpgme.
 *
 * Library code: nothing here prints or exits. Functions return 0 or -errno and, on failure, set
 * *err (when err is not NULL; the caller frees) to one line saying what is wrong.
 */
#include <stddef.h>

#include "hash.h"

/* The one usable signing key that KEYID (a fingerprint, a long or short key id, or a user id)
 * names in the signer's own keyring (GNUPGHOME, else ~/.gnupg), with its secret key there.
 * Refused: no such key (-ENOKEY), only its public key (-ENOKEY), several keys (-EINVAL: give the
 * fingerprint), a revoked, expired, disabled or invalid key or one that cannot sign
 * (-EKEYREJECTED). *ret_fpr (may be NULL): its primary fingerprint. */
int sign_key_check(const char *keyid, char **ret_fpr, char **err);

/* Sign dir/SHA256SUMS with the key sign_key_check() accepts for KEYID, into
 * dir/SHA256SUMS.asc (a detached, armoured signature, written atomically, mode 0644). *err names
 * the file. */
int sign_sums(const char *dir, const char *keyid, char **err);

/* Verify sig (a detached OpenPGP signature, armoured or binary) over exactly the bytes
 * sums[0..sums_len), against the public keys in the file keyring_path (binary or armoured;
 * imported into a fresh temporary GNUPGHOME, mode 0700, removed before returning: the caller's
 * own keyring is never used, no gpg-agent is started).
 *
 * The signature must be good (GPGME_SIGSUM_VALID, or status GPG_ERR_NO_ERROR) and by a key that
 * is neither expired nor revoked, whose primary fingerprint (a signature by a subkey counts for
 * its primary key) is one of trusted_fprs (40 hex digits, any case; NULL: any key of the
 * keyring). Returns 0 and *ret_fpr (may be NULL; caller frees) the signer's primary fingerprint,
 * 40 upper-case hex digits.
 *
 * -EBADMSG for everything wrong with the signature: none (sig_len 0), not a signature, BAD
 * (other bytes were signed), a signer not in the keyring or not trusted, an expired or revoked
 * key, an expired signature. *err says which, in words meant to follow "FILE: " (e.g. "BAD
 * signature by ..."). Other -errno for the keyring file (unreadable: -errno; no public key in it:
 * -ENOKEY; the message names it) or gpgme itself. */
int sign_verify(const char *sums, size_t sums_len, const char *sig, size_t sig_len, const char *keyring_path,
                char *const trusted_fprs[], char **ret_fpr, char **err);

/* SHA256SUMS as manifest_write() writes it (and sha256sum(1) reads it): one "HEX  NAME" line per
 * file, HEX 64 hex digits, NAME a plain file name (no "/", not "." or ".."), each listed once; a
 * " *NAME" (binary mode) is accepted too. Returns the names and their hashes (lower-case) as two
 * NULL-terminated lists in file order (caller frees both with strv_free). -EBADMSG with
 * "line N: ..." in *err for anything else. */
int sign_sums_parse(const char *sums, size_t len, char ***ret_names, char ***ret_hashes, char **err);

/* The hash that SHA256SUMS lists for name, into ret_hex (lower-case). -ENOENT when it does not
 * list name ("does not list NAME"), -EBADMSG when it is malformed. */
int sign_sums_lookup(const char *sums, size_t len, const char *name, char ret_hex[static SHA256_HEX], char **err);

/* What sis-launch checks of a --kernel or --rootfs file under images.require_signed: in the
 * file's directory, SHA256SUMS.asc must verify over SHA256SUMS (sign_verify with keyring_path and
 * trusted_fprs), and SHA256SUMS must list the file's name with the sha256 of its content. The
 * content hashed is fd's (from offset 0; the file as the caller already opened or staged it, so
 * that what was checked is what boots) or, with fd < 0, path's. Returns 0, *ret_fpr (may be NULL)
 * the signer and ret_hex (may be NULL) the sha256. -EBADMSG for an unsigned or badly signed
 * image or one changed since it was signed, with *err one line naming the file: "DIR/SHA256SUMS:
 * missing: PATH is not signed", "DIR/SHA256SUMS.asc: BAD signature ...", "DIR/SHA256SUMS does not
 * list NAME", "PATH: sha256 X is not the signed Y"...; other -errno (an unreadable file or
 * keyring) with *err naming it. */
int sign_verify_image(const char *path, int fd, const char *keyring_path, char *const trusted_fprs[], char **ret_fpr,
                      char *ret_hex, char **err);
