/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Download url (https only; redirects too) into <cache>/downloads/<sha256>, resuming a partial
 * download, and keep it only when its sha256 is the expected one. kernel.org tarballs are also
 * checked against the release's signed sha256sums.asc with gpgme when the signing key is in the
 * keyring. *ret_path is the verified file. Errors are printed; returns 0, 2 on bad input or a
 * failed download or check. */
int fetch_verified(const char *url, const char *sha256, const char *cache, bool progress, char **ret_path);
/* GET a small text (at most 1 MiB) over https; NULL on any failure. */
char *fetch_text(const char *url);
/* Check a detached signature of file, made by the key with this (full) fingerprint. 0 good;
 * -ENOKEY the key is not in the keyring; -EBADMSG bad, or another signer; message in *ret_error. */
#include <stddef.h>
int gpg_verify_detached(const char *file, const char *sig, size_t sig_len, const char *fingerprint, char **ret_error);
