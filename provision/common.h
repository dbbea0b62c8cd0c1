/* SPDX-License-Identifier: MIT */
#pragma once
/* What every sis-provision verb shares: errors, progress, the cache, and output directories that
 * appear whole or not at all (manifest.json + SHA256SUMS, published by one rename). */
#include <json-c/json.h>
#include <stdbool.h>

#include "macro.h"

/* "sis-provision: <message>" on stderr, once, where the failure is decided; returns code. */
int provision_error(int code, const char *fmt, ...) _printf_(2, 3);
/* "==> message" on stderr (bold on a terminal). */
void provision_step(bool tty, const char *fmt, ...) _printf_(2, 3);
/* --cache, else $XDG_CACHE_HOME/sis, else ~/.cache/sis. */
char *provision_cache_root(const char *given);
/* A hard link when possible, else a copy that is fsync()ed. -errno. */
int copy_file(const char *from, const char *to);
/* Copy the NULL-terminated names from `from` into dest, atomically: a temp dir renamed over the
 * old one. -errno. */
int publish_dir(const char *from, const char *dest, const char *const names[]);
/* {"sha256", "size"} of dir/name, and its "HASH  name\n" line for SHA256SUMS. */
json_object *manifest_file_entry(const char *dir, const char *name, char **ret_line);
/* Add "outputs" (the NULL-terminated names in dir) to m, then write dir/manifest.json and
 * dir/SHA256SUMS (the outputs and manifest.json) atomically. Consumes m. -errno. */
int manifest_write(const char *dir, json_object *m, const char *const outputs[]);
/* Re-hash DIR's outputs against its manifest.json: 0 good, 1 mismatch, 2 no readable manifest. */
int provision_verify(const char *dir);
