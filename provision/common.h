/* SPDX-License-Identifier: MIT */
#pragma once
/* What every sis-provision verb shares: the cache, and output directories that
 * appear whole or not at all (manifest.json + SHA256SUMS, published by one rename). */
#include <json-c/json.h>
#include <stdbool.h>

#include "macro.h"

/* --cache, else $XDG_CACHE_HOME/sis, else ~/.cache/sis. */
char *provision_cache_root(const char *given);
/* A hard link when possible, else a copy that is fsync()ed. -errno. */
int copy_file(const char *from, const char *to);
/* A file written beside dest under a known name (a download's or mmdebstrap's .part, which a
 * later run may resume or redo) published as dest: mode 0644, fsynced, renamed, the directory
 * fsynced (lib's atomic_tmpfile_publish). -errno. */
int publish_part(const char *part, const char *dest);
/* --sign KEYID (NULL: none): from now on publish_dir() signs what it publishes. -ENOMEM. */
int provision_set_signer(const char *keyid);
/* Copy the NULL-terminated names from `from` into dest, atomically: a temp dir beside dest
 * exchanged with the old one, which is then removed (lib's atomic_tmpdir_*). With a signer set (provision_set_signer),
 * the new directory is first checked (provision_verify_dir without a keyring: -EBADMSG when it does not hold together),
 * then its SHA256SUMS is signed into SHA256SUMS.asc before it is put in place: a signing failure (said on stderr)
 * publishes nothing. -errno. */
int publish_dir(const char *from, const char *dest, const char *const names[]);
/* {"sha256", "size"} of dir/name, and its "HASH  name\n" line for SHA256SUMS. */
json_object *manifest_file_entry(const char *dir, const char *name, char **ret_line);
/* Add "outputs" (the NULL-terminated names in dir) to m, then write dir/manifest.json and
 * dir/SHA256SUMS (the outputs and manifest.json) atomically. Consumes m. -errno. */
int manifest_write(const char *dir, json_object *m, const char *const outputs[]);
/* Re-hash DIR's outputs against its manifest.json: 0 good, 1 mismatch, 2 no readable manifest.
 * (The cache's check of its entries; `sis-provision verify` is provision_verify_dir.) */
int provision_verify(const char *dir);
/* `sis-provision verify DIR`: with a keyring, DIR/SHA256SUMS.asc must be a good signature of
 * DIR/SHA256SUMS by a key of the keyring (one of trusted, when not NULL; see sign_verify); then
 * manifest.json must match its line of SHA256SUMS, every output of the manifest both its
 * manifest hash and its SHA256SUMS line, and SHA256SUMS list exactly the outputs and
 * manifest.json. Without a keyring, a directory with no SHA256SUMS is checked against its
 * manifest alone. Each file is read once. 0 good (*ret_fpr: the signer, or NULL without a
 * keyring); 1 a mismatch, or a bad, missing or untrusted signature; 2 no readable manifest, an
 * unreadable keyring or file; *ret_error then holds one line naming the file. -ENOMEM. */
int provision_verify_dir(const char *dir, const char *keyring, char *const trusted[], char **ret_fpr, char **ret_error);
