/* SPDX-License-Identifier: MIT */
#pragma once

/* Pure parsers of host file formats: strings in, structures out, -errno on garbage.
 * No I/O here, so each one is fuzzed on its own (tests/fuzz). */

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct cpuinfo {
        unsigned n_cpus;
        char *vendor;                /* vendor_id */
        char *model_name;            /* of the first CPU */
        int family, model, stepping; /* -1 when absent */
        int implementer, part;       /* arm64: "CPU implementer" and "CPU part" (MIDR), -1 when absent */
        char **flags;                /* of the first CPU */
        char **bugs;
        char **microcode;    /* per CPU, in order; NULL entries are "" */
        int siblings, cores; /* -1 when absent */
        bool flags_differ;   /* CPUs disagree about flags */
};
int cpuinfo_parse(const char *text, struct cpuinfo *ret);
void cpuinfo_done(struct cpuinfo *c);
bool cpuinfo_has_flag(const struct cpuinfo *c, const char *flag);

/* Kernel command line into words, honouring double quotes; stops at a bare "--" (what follows
 * belongs to init). */
int cmdline_parse(const char *text, char ***ret);
/* Value of the last key=value or bare key (""), or NULL when absent. */
const char *cmdline_get(char *const *words, const char *key);

struct swap_entry {
        char *path, *type;
};
int swaps_parse(const char *text, struct swap_entry **ret, size_t *ret_n);
void swaps_free(struct swap_entry *s, size_t n);

struct mount_entry {
        char *source, *target, *fstype, *options;
};
int mounts_parse(const char *text, struct mount_entry **ret, size_t *ret_n);
void mounts_free(struct mount_entry *m, size_t n);

/* Module parameter booleans as the kernel prints them (Y/N, 1/0, y/n); -EINVAL otherwise. */
int modparam_bool(const char *s, bool *ret);

/* A kernel .config: sorted "CONFIG_X=value" entries. */
struct kconfig {
        char *buf;      /* the text, tokenised in place */
        char **entries; /* pointers into buf */
        size_t n;
};
int kconfig_parse(const char *text, size_t len, struct kconfig *ret);
/* The same, parsing text in place: it becomes the config's (freed on failure too). */
int kconfig_parse_owned(char *text, size_t len, struct kconfig *ret);
void kconfig_done(struct kconfig *k);
/* "y", "m", a value, or NULL when not set. name with or without CONFIG_. */
const char *kconfig_get(const struct kconfig *k, const char *name);

/* Decompress gzip data, capped; -EFBIG past cap, -EBADMSG on corrupt input. */
int gunzip_capped(const void *in, size_t len, size_t cap, char **ret, size_t *ret_len);

/* The verdict on one /sys/devices/system/cpu/vulnerabilities/<file> status line. smt_on: 1 on,
 * 0 off, -1 unknown. ret_reason (optional) says why, for the summary. */
enum sis_status vuln_classify(const char *file, const char *text, int smt_on, bool production, char **ret_reason);
