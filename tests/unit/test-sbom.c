/* SPDX-License-Identifier: MIT */
/* CycloneDX SBOMs (provision/sbom.c) from the fixture package databases in tests/fixtures/sbom/.
 * With "--write DIR" it writes the SBOMs the shell test validates with a real CycloneDX consumer
 * (tests/sbom.sh) instead of running the cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "json.h"
#include "sbom.h"
#include "util.h"

#define DPKG_STATUS "tests/fixtures/sbom/dpkg-status"
#define APK_INSTALLED "tests/fixtures/sbom/apk-installed"

static const struct sbom_meta debian_meta = {
        .name = "sis",
        .release = "bookworm",
        .arch = "amd64",
        .tool_version = "0.1.0",
        .epoch = 1700000000,
};
static const struct sbom_meta alpine_meta = {
        .name = "sis",
        .release = "3.22.2",
        .arch = "x86_64",
        .tool_version = "0.1.0",
        .epoch = 1700000000,
};

#define SRC_SHA "5f3c8bf1a2a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b"
#define CFG_SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define IMG_SHA "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
static const struct sbom_kernel_meta kernel_meta = {
        .profile = "sis-guest",
        .arch = "x86_64",
        .release = "6.1.158",
        .source_name = "linux-source-6.1.tar.xz",
        .source_sha256 = SRC_SHA,
        .config_sha256 = CFG_SHA,
        .image_sha256 = IMG_SHA,
        .gcc = "gcc (Debian 12.2.0-14+deb12u1) 12.2.0",
        .ld = "GNU ld (GNU Binutils for Debian) 2.40",
        .make = "GNU Make 4.3",
        .tool_version = "0.1.0",
        .epoch = 1700000000,
};

static char *fixture(const char *path, size_t *len) {
        char *text = NULL;
        assert_int_equal(read_file_capped(path, 1 << 20, &text, len), 0);
        return text;
}

static char *render(json_object *doc) {
        return strdup(json_object_to_json_string_ext(
                doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

static const char *str(json_object *o, const char *key) {
        json_object *v = get(o, key);
        return v ? json_object_get_string(v) : NULL;
}

static json_object *component(json_object *doc, const char *name) {
        json_object *cs = get(doc, "components");
        for (size_t i = 0; cs && i < json_object_array_length(cs); i++)
                if (streq_ptr(str(json_object_array_get_idx(cs, i), "name"), name))
                        return json_object_array_get_idx(cs, i);
        return NULL;
}

static const char *property(json_object *c, const char *name) {
        json_object *ps = get(c, "properties");
        for (size_t i = 0; ps && i < json_object_array_length(ps); i++)
                if (streq_ptr(str(json_object_array_get_idx(ps, i), "name"), name))
                        return str(json_object_array_get_idx(ps, i), "value");
        return NULL;
}

static json_object *rootfs_from(const char *path, enum distro d, const struct sbom_meta *m) {
        size_t len;
        _cleanup_free_ char *text = fixture(path, &len), *err = NULL;
        json_object *doc = sbom_rootfs(text, len, d, m, &err);
        if (!doc)
                fail_msg("%s: %s", path, strna(err));
        return doc;
}

/* The document as text must be valid UTF-8 and parse back as exactly one JSON value. */
static void assert_valid_json(json_object *doc) {
        _cleanup_free_ char *text = render(doc);
        json_object *back = NULL;
        const char *why = NULL;

        assert_non_null(text);
        assert_true(utf8_valid(text, strlen(text)));
        if (json_parse_strict(text, strlen(text), &back, &why) < 0)
                fail_msg("not JSON: %s", strna(why));
        json_object_put(back);
}

static void assert_serial(json_object *doc) {
        const char *s = str(doc, "serialNumber");
        assert_non_null(s);
        assert_int_equal(strlen(s), strlen("urn:uuid:") + 36);
        assert_non_null(startswith(s, "urn:uuid:"));
        assert_int_equal(s[9 + 14], '4'); /* version 4's shape */
        assert_non_null(strchr("89ab", s[9 + 19]));
}

static void test_purl_encode(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "1:2.38.1-5+deb12u3", "1:2.38.1-5%2Bdeb12u3" }, /* ':' is never encoded, '+' always */
                { "3.0.15-1~deb12u1", "3.0.15-1~deb12u1" },
                { "libstdc++6", "libstdc%2B%2B6" },
                { "a b/c@d?e#f%g&h=i", "a%20b%2Fc%40d%3Fe%23f%25g%26h%3Di" },
                { "caf\xc3\xa9", "caf%C3%A9" },
                { "", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *e = sbom_purl_encode(cases[i].in);
                assert_non_null(e);
                assert_string_equal(e, cases[i].out);
        }
}

static void test_dpkg(void **state) {
        json_object *doc = rootfs_from(DPKG_STATUS, DISTRO_DEBIAN, &debian_meta), *cs, *c;
        static const char *const names[] = { "base-files", "bsdutils",   "libc6",
                                             "libssl3",    "libstdc++6", "sensible-utils" };

        assert_string_equal(str(doc, "bomFormat"), "CycloneDX");
        assert_string_equal(str(doc, "specVersion"), "1.5");
        assert_int_equal(json_object_get_int(get(doc, "version")), 1);
        assert_serial(doc);
        assert_string_equal(str(get(doc, "metadata"), "timestamp"), "2023-11-14T22:13:20Z");
        c = get(get(doc, "metadata"), "component");
        assert_string_equal(str(c, "type"), "operating-system");
        assert_string_equal(str(c, "name"), "sis");
        assert_string_equal(str(c, "version"), "bookworm");
        c = json_object_array_get_idx(get(get(get(doc, "metadata"), "tools"), "components"), 0);
        assert_string_equal(str(c, "name"), "sis-provision");
        assert_string_equal(str(c, "version"), "0.1.0");

        /* the six installed packages, sorted; rsyslog (config-files) and tzdata (not-installed) are not */
        cs = get(doc, "components");
        assert_int_equal(json_object_array_length(cs), ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                c = json_object_array_get_idx(cs, i);
                assert_string_equal(str(c, "name"), names[i]);
                assert_string_equal(str(c, "type"), "library");
                assert_string_equal(str(c, "bom-ref"), str(c, "purl"));
                assert_null(get(c, "licenses")); /* dpkg's status has no licence field: none invented */
        }
        assert_null(component(doc, "rsyslog"));
        assert_null(component(doc, "tzdata"));

        c = component(doc, "bsdutils");
        assert_string_equal(str(c, "version"), "1:2.38.1-5+deb12u3");
        assert_string_equal(str(c, "purl"),
                            "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-bookworm");
        assert_string_equal(property(c, "sis:arch"), "amd64");
        assert_string_equal(str(component(doc, "libssl3"), "purl"),
                            "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-bookworm");
        assert_string_equal(str(component(doc, "libstdc++6"), "purl"),
                            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-bookworm");
        c = component(doc, "sensible-utils");
        assert_string_equal(str(c, "purl"),
                            "pkg:deb/debian/sensible-utils@0.0.17%2Bnmu1?arch=all&distro=debian-bookworm");
        assert_string_equal(property(c, "sis:arch"), "all");

        /* the image depends on every package */
        c = json_object_array_get_idx(get(doc, "dependencies"), 0);
        assert_string_equal(str(c, "ref"), "sis:rootfs/sis");
        assert_int_equal(json_object_array_length(get(c, "dependsOn")), ELEMENTSOF(names));
        assert_valid_json(doc);
        json_object_put(doc);
}

static void test_apk(void **state) {
        json_object *doc = rootfs_from(APK_INSTALLED, DISTRO_ALPINE, &alpine_meta), *c, *ls;
        static const struct {
                const char *name, *license;
        } want[] = {
                { "alpine-baselayout", "GPL-2.0-only" },
                { "busybox", "GPL-2.0-only" },
                { "ca-certificates-bundle", "MPL-2.0 AND MIT" },
                { "libstdc++", "GPL-2.0-or-later AND LGPL-2.1-or-later" },
                { "musl", "MIT" },
                { "tzdata", NULL },
        };

        assert_serial(doc);
        assert_int_equal(json_object_array_length(get(doc, "components")), ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                c = json_object_array_get_idx(get(doc, "components"), i);
                assert_string_equal(str(c, "name"), want[i].name);
                ls = get(c, "licenses");
                if (!want[i].license) {
                        assert_null(ls); /* tzdata's stanza has no L: */
                        continue;
                }
                assert_non_null(ls);
                assert_int_equal(json_object_array_length(ls), 1);
                assert_string_equal(str(get(json_object_array_get_idx(ls, 0), "license"), "name"), want[i].license);
        }
        assert_string_equal(str(component(doc, "libstdc++"), "purl"),
                            "pkg:apk/alpine/libstdc%2B%2B@14.2.0-r6?arch=x86_64&distro=alpine-3.22.2");
        assert_string_equal(str(component(doc, "musl"), "purl"),
                            "pkg:apk/alpine/musl@1.2.5-r10?arch=x86_64&distro=alpine-3.22.2");
        c = component(doc, "tzdata");
        assert_string_equal(str(c, "purl"), "pkg:apk/alpine/tzdata@2025b-r0?arch=noarch&distro=alpine-3.22.2");
        assert_string_equal(property(c, "sis:arch"), "noarch");
        assert_string_equal(str(get(get(doc, "metadata"), "component"), "version"), "3.22.2");
        assert_valid_json(doc);
        json_object_put(doc);
}

/* Same input, same bytes; stanza order does not matter; any change of content changes the serial. */
static void test_deterministic(void **state) {
        static const char a[] = "P:b\nV:2\nA:x86_64\nL:MIT\n\nP:a\nV:1\nA:x86_64\n";
        static const char b[] = "P:a\nV:1\nA:x86_64\n\nP:b\nV:2\nA:x86_64\nL:MIT\n";
        static const char c[] = "P:a\nV:1\nA:x86_64\n\nP:b\nV:3\nA:x86_64\nL:MIT\n";
        json_object *da = sbom_rootfs(a, strlen(a), DISTRO_ALPINE, &alpine_meta, NULL),
                    *db = sbom_rootfs(b, strlen(b), DISTRO_ALPINE, &alpine_meta, NULL),
                    *dc = sbom_rootfs(c, strlen(c), DISTRO_ALPINE, &alpine_meta, NULL);
        _cleanup_free_ char *ta = render(da), *tb = render(db), *tc = render(dc);
        struct sbom_meta later = alpine_meta;
        json_object *dl;
        _cleanup_free_ char *tl = NULL;

        assert_string_equal(ta, tb);
        assert_string_not_equal(str(da, "serialNumber"), str(dc, "serialNumber"));
        later.epoch++;
        dl = sbom_rootfs(a, strlen(a), DISTRO_ALPINE, &later, NULL);
        tl = render(dl);
        assert_string_not_equal(str(da, "serialNumber"), str(dl, "serialNumber"));

        /* the fixtures, twice, through sbom_write: byte-identical files ending in a newline */
        {
                char dir[] = "/tmp/sis-sbom.XXXXXX";
                _cleanup_free_ char *p1 = NULL, *p2 = NULL, *t1 = NULL, *t2 = NULL;
                size_t l1, l2;
                json_object *x = rootfs_from(DPKG_STATUS, DISTRO_DEBIAN, &debian_meta),
                            *y = rootfs_from(DPKG_STATUS, DISTRO_DEBIAN, &debian_meta);
                assert_non_null(mkdtemp(dir));
                p1 = strdup_printf("%s/1.cdx.json", dir);
                p2 = strdup_printf("%s/2.cdx.json", dir);
                assert_int_equal(sbom_write(p1, x), 0);
                assert_int_equal(sbom_write(p2, y), 0);
                assert_int_equal(read_file_capped(p1, 1 << 20, &t1, &l1), 0);
                assert_int_equal(read_file_capped(p2, 1 << 20, &t2, &l2), 0);
                assert_int_equal(l1, l2);
                assert_memory_equal(t1, t2, l1);
                assert_int_equal(t1[l1 - 1], '\n');
                assert_int_equal(sbom_write(NULL, x), -EINVAL);
                unlink(p1);
                unlink(p2);
                rmdir(dir);
                json_object_put(x);
                json_object_put(y);
        }
        json_object_put(da);
        json_object_put(db);
        json_object_put(dc);
        json_object_put(dl);
}

static void test_bad_input(void **state) {
        static const struct {
                enum distro d;
                const char *text;
                size_t len; /* 0: strlen */
                const char *msg;
        } bad[] = {
                { DISTRO_DEBIAN, "\xff\xfe\x00garbage", 10, "a NUL byte at offset 2" },
                { DISTRO_DEBIAN, "\x89PNG\r\n\x1a\n", 0, "line 1: not a field of dpkg's status" },
                { DISTRO_ALPINE, "just some text\n", 0, "line 1: not a field of apk's installed database" },
                { DISTRO_DEBIAN, "Package: fo\xffo\nStatus: install ok installed\nVersion: 1\n", 0,
                  "line 1: Package: is not UTF-8" },
                { DISTRO_ALPINE, "P:a\nV:1\nL:caf\xe9\n", 0, "line 3: L: is not UTF-8" },
                { DISTRO_DEBIAN, "Status: install ok installed\nVersion: 1\n", 0, "line 1: a stanza without Package:" },
                { DISTRO_DEBIAN, "Package: a\nStatus: install ok installed\n", 0, "line 1: package a has no Version:" },
                { DISTRO_DEBIAN, " continued\n", 0, "line 1: a continuation line outside a stanza" },
                { DISTRO_DEBIAN, "Package: a\nPackage: b\n", 0, "line 2: a second Package:" },
                { DISTRO_ALPINE, "P:a\nV:1\n\nP:a\nV:1\n", 0, "package a 1 (x86_64) is listed twice" },
                { DISTRO_ALPINE, "P:\nV:1\n", 0, "line 1: P: is empty" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *err = NULL;
                size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
                json_object *doc = sbom_rootfs(bad[i].text, len, bad[i].d,
                                               bad[i].d == DISTRO_ALPINE ? &alpine_meta : &debian_meta, &err);
                if (doc || !err || !strstr(err, bad[i].msg))
                        fail_msg("case %zu: %s, error '%s', want '%s'", i, doc ? "a document" : "no document",
                                 strna(err), bad[i].msg);
        }

        /* empty: a valid SBOM without packages */
        {
                json_object *doc = sbom_rootfs("", 0, DISTRO_DEBIAN, &debian_meta, NULL);
                assert_non_null(doc);
                assert_int_equal(json_object_array_length(get(doc, "components")), 0);
                assert_valid_json(doc);
                json_object_put(doc);
                doc = sbom_rootfs(NULL, 0, DISTRO_ALPINE, &alpine_meta, NULL);
                assert_non_null(doc);
                json_object_put(doc);
        }
        /* what is not used may be anything: a Latin-1 description, a CRLF line */
        {
                static const char t[] =
                        "Package: a\r\nStatus: install ok installed\nVersion: 1\nDescription: caf\xe9\n \xe9t\xe9\n";
                json_object *doc = sbom_rootfs(t, strlen(t), DISTRO_DEBIAN, &debian_meta, NULL);
                assert_non_null(doc);
                assert_int_equal(json_object_array_length(get(doc, "components")), 1);
                assert_string_equal(str(component(doc, "a"), "version"), "1");
                assert_valid_json(doc);
                json_object_put(doc);
        }
        /* the meta */
        {
                struct sbom_meta m = debian_meta;
                _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;
                m.epoch = -1;
                assert_null(sbom_rootfs("", 0, DISTRO_DEBIAN, &m, &e1));
                assert_non_null(strstr(e1, "out of range"));
                m = debian_meta;
                m.name = NULL;
                assert_null(sbom_rootfs("", 0, DISTRO_DEBIAN, &m, &e2));
                assert_non_null(e2);
                assert_null(sbom_rootfs("", 0, _DISTRO_MAX, &debian_meta, &e3));
                assert_non_null(e3);
        }
        /* random bytes and random mutations of the fixtures: an error or valid JSON, never a crash */
        {
                size_t dl, al;
                _cleanup_free_ char *dpkg = fixture(DPKG_STATUS, &dl), *apk = fixture(APK_INSTALLED, &al);
                unsigned seed = 19, docs = 0, errors = 0;
                for (int i = 0; i < 2000; i++) {
                        bool alpine = i & 1;
                        const char *base = alpine ? apk : dpkg;
                        size_t len = alpine ? al : dl;
                        _cleanup_free_ char *buf = malloc(len), *err = NULL;
                        json_object *doc;
                        assert_non_null(buf);
                        memcpy(buf, base, len);
                        if (i % 4 < 2)
                                for (int j = 0; j < 1 + i % 7; j++)
                                        buf[rand_r(&seed) % len] = (char) rand_r(&seed);
                        else {
                                len = (size_t) rand_r(&seed) % 200;
                                for (size_t j = 0; j < len; j++)
                                        buf[j] = (char) (i % 8 == 2 ? "PV:AL\n x\xff"[rand_r(&seed) % 10]
                                                                    : rand_r(&seed));
                        }
                        doc = sbom_rootfs(buf, len, alpine ? DISTRO_ALPINE : DISTRO_DEBIAN,
                                          alpine ? &alpine_meta : &debian_meta, &err);
                        if (doc) {
                                assert_null(err);
                                assert_valid_json(doc);
                                json_object_put(doc);
                                docs++;
                        } else {
                                assert_non_null(err);
                                errors++;
                        }
                }
                assert_true(docs > 100 && errors > 100); /* both ways were taken */
        }
}

static void test_kernel(void **state) {
        _cleanup_free_ char *err = NULL;
        json_object *doc = sbom_kernel(&kernel_meta, &err), *cs, *c, *r, *tools;

        if (!doc)
                fail_msg("%s", strna(err));
        assert_serial(doc);
        cs = get(doc, "components");
        assert_int_equal(json_object_array_length(cs), 1);
        c = json_object_array_get_idx(cs, 0);
        assert_string_equal(str(c, "type"), "operating-system");
        assert_string_equal(str(c, "name"), "linux");
        assert_string_equal(str(c, "version"), "6.1.158");
        assert_string_equal(str(c, "cpe"), "cpe:2.3:o:linux:linux_kernel:6.1.158:*:*:*:*:*:*:*");
        assert_string_equal(str(json_object_array_get_idx(get(c, "hashes"), 0), "content"), IMG_SHA);
        r = json_object_array_get_idx(get(c, "externalReferences"), 0);
        assert_string_equal(str(r, "type"), "distribution");
        assert_string_equal(str(r, "url"), "linux-source-6.1.tar.xz");
        assert_string_equal(str(json_object_array_get_idx(get(r, "hashes"), 0), "alg"), "SHA-256");
        assert_string_equal(str(json_object_array_get_idx(get(r, "hashes"), 0), "content"), SRC_SHA);
        assert_string_equal(property(c, "sis:config_sha256"), CFG_SHA);
        assert_string_equal(property(c, "sis:profile"), "sis-guest");
        assert_string_equal(property(c, "sis:source_sha256"), SRC_SHA);
        assert_string_equal(property(c, "sis:toolchain:gcc"), kernel_meta.gcc);
        tools = get(get(get(doc, "metadata"), "tools"), "components");
        assert_int_equal(json_object_array_length(tools), 4);
        assert_string_equal(str(json_object_array_get_idx(tools, 1), "name"), "gcc");
        assert_string_equal(str(json_object_array_get_idx(tools, 1), "version"), "12.2.0");
        assert_string_equal(str(json_object_array_get_idx(tools, 1), "description"), kernel_meta.gcc);
        assert_string_equal(str(json_object_array_get_idx(tools, 2), "version"), "2.40");
        assert_string_equal(str(json_object_array_get_idx(tools, 3), "version"), "4.3");
        assert_string_equal(str(get(get(doc, "metadata"), "component"), "version"), "6.1.158");
        assert_valid_json(doc);

        /* the same meta, the same bytes */
        {
                json_object *again = sbom_kernel(&kernel_meta, NULL);
                _cleanup_free_ char *t1 = render(doc), *t2 = render(again);
                assert_string_equal(t1, t2);
                json_object_put(again);
        }
        json_object_put(doc);

        /* a source directory: no tarball to point at, its tree hash a property; a fetched one: its URL */
        {
                struct sbom_kernel_meta m = kernel_meta;
                m.source_is_dir = true;
                m.source_name = "linux-6.1";
                m.image_sha256 = NULL;
                m.release = "6.1.0+";
                doc = sbom_kernel(&m, NULL);
                assert_non_null(doc);
                c = component(doc, "linux");
                assert_null(get(c, "externalReferences"));
                assert_null(get(c, "hashes"));
                assert_null(get(c, "cpe")); /* "+" would need CPE quoting: left out */
                assert_string_equal(property(c, "sis:source_tree_sha256"), SRC_SHA);
                assert_null(property(c, "sis:source_sha256"));
                assert_valid_json(doc);
                json_object_put(doc);
                m = kernel_meta;
                m.source_url = "https://cdn.example.org/pub/linux/kernel/v6.x/linux-6.1.158.tar.xz";
                doc = sbom_kernel(&m, NULL);
                assert_string_equal(
                        str(json_object_array_get_idx(get(component(doc, "linux"), "externalReferences"), 0), "url"),
                        m.source_url);
                json_object_put(doc);
        }
        /* refused */
        {
                struct sbom_kernel_meta m = kernel_meta;
                _cleanup_free_ char *e1 = NULL, *e2 = NULL;
                m.config_sha256 = "abc";
                assert_null(sbom_kernel(&m, &e1));
                assert_non_null(strstr(e1, "sha256"));
                m = kernel_meta;
                m.gcc = "gcc \xff";
                assert_null(sbom_kernel(&m, &e2));
                assert_non_null(strstr(e2, "gcc"));
                assert_null(sbom_kernel(NULL, NULL));
        }
}

/* --write DIR: the documents tests/sbom.sh validates. */
static int write_all(const char *dir) {
        static const char utf8[] = "P:caf\xc3\xa9\nV:1.0-r0\nA:x86_64\nL:LicenseRef-Caf\xc3\xa9 OR MIT\n\n";
        struct sbom_kernel_meta dirsrc = kernel_meta;
        struct {
                const char *name;
                json_object *doc;
        } out[] = {
                { "dpkg.cdx.json", rootfs_from(DPKG_STATUS, DISTRO_DEBIAN, &debian_meta) },
                { "apk.cdx.json", rootfs_from(APK_INSTALLED, DISTRO_ALPINE, &alpine_meta) },
                { "empty.cdx.json", sbom_rootfs("", 0, DISTRO_DEBIAN, &debian_meta, NULL) },
                { "utf8.cdx.json", sbom_rootfs(utf8, strlen(utf8), DISTRO_ALPINE, &alpine_meta, NULL) },
                { "kernel.cdx.json", sbom_kernel(&kernel_meta, NULL) },
                { "kernel-dir.cdx.json", NULL },
        };
        int rc = 0;

        dirsrc.source_is_dir = true;
        dirsrc.image_sha256 = NULL;
        dirsrc.gcc = dirsrc.ld = dirsrc.make = NULL;
        out[5].doc = sbom_kernel(&dirsrc, NULL);
        for (size_t i = 0; i < ELEMENTSOF(out); i++) {
                _cleanup_free_ char *p = strdup_printf("%s/%s", dir, out[i].name);
                int k = out[i].doc && p ? sbom_write(p, out[i].doc) : -ENOMEM;
                if (k < 0) {
                        fprintf(stderr, "test-sbom: %s: %s\n", out[i].name, strerror(-k));
                        rc = 1;
                }
                json_object_put(out[i].doc);
        }
        return rc;
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_purl_encode),   cmocka_unit_test(test_dpkg),      cmocka_unit_test(test_apk),
                cmocka_unit_test(test_deterministic), cmocka_unit_test(test_bad_input), cmocka_unit_test(test_kernel),
        };
        if (argc == 3 && streq(argv[1], "--write"))
                return write_all(argv[2]);
        return cmocka_run_group_tests_name("sbom", tests, NULL, NULL);
}
