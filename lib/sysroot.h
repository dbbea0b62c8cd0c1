/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The sysroot layer: every read of the audited host goes through here.
 *
 * Paths are absolute as seen on the host ("/proc/cpuinfo") and are resolved inside the root
 * (openat2 RESOLVE_IN_ROOT), so absolute symlinks and ".." in a dump cannot escape it. Reads are
 * capped (SIS_READ_MAX). Every function returns 0 or -errno and sets ret_* only on success.
 *
 * A root is "live" when it is the running system's "/"; only then do live-only probes (ioctls,
 * CPUID, running binaries, libudev) execute. A root that is a dump made by --collect carries a
 * sis-dump.json whose recorded stats, errors and probe answers are replayed, so a dump audits with
 * the same verdicts. While a dump is being collected, every read, listing, stat and probe answer
 * is recorded.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

#define SIS_READ_MAX (1024 * 1024)
#define SIS_DUMP_META "sis-dump.json"

struct sis_root;
struct sis_dump;

struct sis_stat {
        mode_t mode; /* type and permission bits, as st_mode */
        uid_t uid;
        gid_t gid;
        unsigned rdev_major, rdev_minor;
        uint64_t size;
        char *acl; /* extended POSIX access ACL in numeric text form, or NULL */
};
void sis_stat_done(struct sis_stat *st);

/* dir may be a directory or a FILE.tar.gz dump (unpacked into a private temporary directory). */
int sis_root_new(const char *dir, struct sis_root **ret);
struct sis_root *sis_root_ref(struct sis_root *r);
struct sis_root *sis_root_unref(struct sis_root *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sis_root *, sis_root_unref);
#define _cleanup_root_ _cleanup_(sis_root_unrefp)

const char *sis_root_path(const struct sis_root *r);
bool sis_root_is_live(const struct sis_root *r);
/* Start recording everything read into dump (borrowed; must outlive the root's use). */
void sis_root_set_recorder(struct sis_root *r, struct sis_dump *dump);
bool sis_root_recording(const struct sis_root *r);

int sis_root_read(struct sis_root *r, const char *path, char **ret, size_t *ret_len);
/* The content with surrounding whitespace removed. */
int sis_root_read_string(struct sis_root *r, const char *path, char **ret);

/* printf-style readers (lib/sysroot-readf.c), so that a check names "/sys/module/%s/parameters/%s"
 * instead of building the path: the formatted path is read as sis_root_read_string() reads it; the
 * number readers parse the trimmed content strictly (number.h: -EINVAL garbage, -ERANGE). */
int sis_root_readf_string(struct sis_root *r, char **ret, const char *fmt, ...) _printf_(3, 4);
int sis_root_readf_int(struct sis_root *r, int *ret, const char *fmt, ...) _printf_(3, 4);
int sis_root_readf_u32(struct sis_root *r, uint32_t *ret, const char *fmt, ...) _printf_(3, 4);
int sis_root_readf_u64(struct sis_root *r, uint64_t *ret, const char *fmt, ...) _printf_(3, 4);
bool sis_root_existsf(struct sis_root *r, const char *fmt, ...) _printf_(2, 3);

#define SIS_STAT_NOFOLLOW 1
#define SIS_STAT_ACL 2
int sis_root_stat(struct sis_root *r, const char *path, unsigned flags, struct sis_stat *ret);
bool sis_root_exists(struct sis_root *r, const char *path);
int sis_root_readlink(struct sis_root *r, const char *path, char **ret);
/* Sorted entry names of a directory, without "." and "..". */
int sis_root_list(struct sis_root *r, const char *path, char ***ret);
/* Resolve a symlink chain inside the root to an absolute in-root path (for evidence). */
int sis_root_resolve(struct sis_root *r, const char *path, char **ret);

/* Libraries that read the root themselves (libpci, libkmod) are safe on it only where the path,
 * and everything below it to depth levels, is plain: directories, regular files, and symlinks that
 * stay inside (relative, no ".."). 1 plain, 0 not, -errno. Always 1 on the live root. */
int sis_root_plain(struct sis_root *r, const char *path, int depth);

/* Live-only probes. fn runs only on a live root; its answer is cached, recorded into a dump being
 * collected, and replayed from a dump. ret is borrowed from the root's cache.
 * Errors: -EOPNOTSUPP not live and no dump; -ENODATA the dump has no answer for key. */
typedef int (*sis_probe_fn)(const char *arg, json_object **ret);
int sis_root_probe(struct sis_root *r, const char *key, sis_probe_fn fn, const char *arg, json_object **ret);
/* Test hook: resolve paths without openat2, as on kernels before 5.6. */
void sis_root_no_openat2(struct sis_root *r);
