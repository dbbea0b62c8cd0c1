/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A host dump: the files an audit read, laid out under their host paths, plus sis-dump.json with
 * what a plain tree cannot hold (ownership and mode of device nodes and binaries, read errors,
 * probe answers). Written as a directory or a .tar.gz (pax, sorted, fixed mtimes).
 */

#include <json-c/json.h>
#include <time.h>

#include "fileio.h" /* rm_rf() */
#include "sysroot.h"

struct sis_dump;

int sis_dump_new(struct sis_dump **ret);
void sis_dump_free(struct sis_dump *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sis_dump *, sis_dump_free);
#define _cleanup_dump_ _cleanup_(sis_dump_freep)

void sis_dump_file(struct sis_dump *d, const char *path, const char *data, size_t len);
/* A listed directory and the names it held (the dump replays the listing exactly). */
void sis_dump_dir(struct sis_dump *d, const char *path, char *const *names);
void sis_dump_link(struct sis_dump *d, const char *path, const char *target);
void sis_dump_stat(struct sis_dump *d, const char *path, const struct sis_stat *st);
void sis_dump_error(struct sis_dump *d, const char *path, int err);
void sis_dump_probe(struct sis_dump *d, const char *key, json_object *value);

/* dest ending in .tar.gz/.tgz: an archive; otherwise a new directory. Atomic: nothing appears
 * at dest unless everything was written. */
int sis_dump_write(struct sis_dump *d, const char *dest, const char *version, time_t when);

/* Unpack a dump archive into a new private temporary directory (no absolute paths, no "..",
 * no devices, no setuid bits). */
int sis_dump_extract(const char *tarball, char **ret_dir);

json_object *sis_stat_to_json(const struct sis_stat *st);
int sis_stat_from_json(json_object *o, struct sis_stat *ret);
