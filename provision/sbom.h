/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * CycloneDX 1.5 JSON SBOMs of sis-provision's outputs: a rootfs's installed packages, read from the
 * image's own package database, and a kernel with its source, config and toolchain. Library code:
 * nothing here prints or exits. The same inputs give the same bytes: the timestamp is
 * SOURCE_DATE_EPOCH, the serialNumber a UUID derived from the document's content, components sorted.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recipe.h"

#define SBOM_SPEC_VERSION "1.5"

struct sbom_meta {
        const char *name;         /* the recipe ("sis"): metadata.component.name */
        const char *version;      /* the image's version: metadata.component.version (NULL: release) */
        const char *release;      /* "bookworm", "3.22.2": the purls' distro=debian-RELEASE / alpine-RELEASE */
        const char *arch;         /* the image's architecture ("amd64", "x86_64"): a package without one gets it */
        const char *tool_version; /* sis-provision's version (SIS_VERSION) */
        int64_t epoch;            /* SOURCE_DATE_EPOCH: metadata.timestamp */
};

/* The SBOM of a root filesystem from the text of its package database: dpkg's var/lib/dpkg/status
 * (DISTRO_DEBIAN: only "Status: install ok installed" stanzas) or apk's lib/apk/db/installed
 * (DISTRO_ALPINE: every stanza; its L: line as the licence). One "library" component per package
 * with name, version, purl (also its bom-ref) and the sis:arch property, sorted by name, version,
 * architecture. An empty database gives an SBOM without packages. NULL on failure, with *err (may
 * be NULL) set to "line N: why" for a database that is not one (a line that is no field, a stanza
 * without a name or version, a name, version or licence that is not UTF-8, a NUL byte, a package
 * listed twice) or to why the meta is unusable. */
json_object *sbom_rootfs(const char *pkgdb, size_t len, enum distro d, const struct sbom_meta *m, char **err);

struct sbom_kernel_meta {
        const char *profile;         /* "guest" */
        const char *arch;            /* "x86_64" */
        const char *release;         /* the kernel's release ("6.1.158"): include/config/kernel.release */
        const char *source_name;     /* "linux-source-6.1.tar.xz", or a directory's name */
        const char *source_url;      /* the https URL it was fetched from, or NULL */
        bool source_is_dir;          /* a source directory (its tree hash is no file's sha256) */
        const char *source_sha256;   /* the tarball's sha256, or the directory's tree hash */
        const char *config_sha256;   /* the final .config's sha256 */
        const char *image_sha256;    /* bzImage's sha256 (the component's own hash), or NULL */
        const char *gcc, *ld, *make; /* the toolchain's --version first lines; NULL: left out */
        const char *tool_version;    /* sis-provision's version */
        int64_t epoch;               /* SOURCE_DATE_EPOCH */
};

/* The SBOM of a kernel build: the Linux kernel as its one component (type "operating-system"),
 * its source as an external reference with the tarball's sha256, the config's sha256 and the
 * profile as properties, the toolchain as metadata.tools. NULL on failure with *err set. */
json_object *sbom_kernel(const struct sbom_kernel_meta *m, char **err);

/* The document as pretty JSON with a trailing newline, written atomically (0644). 0 or -errno. */
int sbom_write(const char *path, json_object *doc);

/* Percent-encode s for a purl component (the purl spec's rule: everything but A-Z a-z 0-9 . - _ ~
 * and ':' as %XX of its UTF-8 bytes). NULL on ENOMEM. */
char *sbom_purl_encode(const char *s);
