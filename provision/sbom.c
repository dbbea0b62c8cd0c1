/* SPDX-License-Identifier: MIT */
/*
 * CycloneDX 1.5 JSON SBOMs (https://cyclonedx.org/docs/1.5/json/) of a rootfs and of a kernel.
 *
 * Reproducible like the images they describe: metadata.timestamp is SOURCE_DATE_EPOCH, components
 * are sorted, keys come in one fixed order (json-c keeps insertion order), and the serialNumber is
 * not random but a version-4-shaped UUID made of the sha256 of everything else in the document, so
 * two builds from the same inputs write the same bytes and any change of content changes it.
 *
 * Package URLs follow the purl spec (package-url/purl-spec, "Character encoding"): name, version
 * and qualifier values are UTF-8, each byte outside A-Z a-z 0-9 . - _ ~ becomes %XX, except ':'
 * which must stay as it is (a Debian epoch "1:2.3" stays "1:2.3", "+" becomes "%2B").
 *
 * One file: both SBOMs (about 650 lines), because they share the document's assembly (the serial
 * number, the key order), the purl encoding and the small JSON helpers.
 */
#include "sbom.h"

#include <ctype.h>
#include <errno.h>
#include <time.h>

#include "common.h"
#include "fileio.h"
#include "hash.h"
#include "json.h"
#include "util.h"

/* --- small pieces ------------------------------------------------------------------------- */

char *sbom_purl_encode(const char *s) {
        static const char hex[] = "0123456789ABCDEF";
        struct sbuf b = {};

        sbuf_puts(&b, ""); /* "" encodes to "", not NULL */
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (isascii(*p) && (isalnum(*p) || strchr(".-_~:", *p)))
                        sbuf_putc(&b, (char) *p);
                else {
                        sbuf_putc(&b, '%');
                        sbuf_putc(&b, hex[*p >> 4]);
                        sbuf_putc(&b, hex[*p & 0xf]);
                }
        }
        return sbuf_steal(&b);
}

/* Text fit for a JSON string here: valid UTF-8 without control characters. */
static bool text_ok(const char *s) {
        if (!s || !utf8_valid(s, strlen(s)))
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static int add_string(json_object *o, const char *key, const char *value) {
        json_object *s = json_object_new_string(value);
        if (!s || json_object_object_add(o, key, s) < 0) {
                json_object_put(s);
                return -ENOMEM;
        }
        return 0;
}

static int add_property(json_object *props, const char *name, const char *value) {
        json_object *p = json_object_new_object();
        if (!p || add_string(p, "name", name) < 0 || add_string(p, "value", value) < 0 ||
            json_object_array_add(props, p) < 0) {
                json_object_put(p);
                return -ENOMEM;
        }
        return 0;
}

static json_object *tool_component(const char *name, const char *version, const char *description);
static int add_tool(json_object *arr, const char *name, const char *version, const char *description) {
        json_object *t = tool_component(name, version, description);
        if (!t || json_object_array_add(arr, t) < 0) {
                json_object_put(t);
                return -ENOMEM;
        }
        return 0;
}

static int add_array_string(json_object *arr, const char *value) {
        json_object *s = json_object_new_string(value);
        if (!s || json_object_array_add(arr, s) < 0) {
                json_object_put(s);
                return -ENOMEM;
        }
        return 0;
}

static json_object *sha256_hashes(const char *hex) {
        json_object *a = json_object_new_array(), *h = json_object_new_object();
        if (!a || !h || add_string(h, "alg", "SHA-256") < 0 || add_string(h, "content", hex) < 0 ||
            json_object_array_add(a, h) < 0) {
                json_object_put(a);
                json_object_put(h);
                return NULL;
        }
        return a;
}

static bool sha256_hex_ok(const char *s) {
        if (!s || strlen(s) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!isxdigit((unsigned char) s[i]))
                        return false;
        return true;
}

static int iso8601(int64_t epoch, char buf[static 32]) {
        time_t t = (time_t) epoch;
        struct tm tm;

        /* the schema's date-time has four digits of year */
        if (epoch < 0 || epoch > 253402300799LL || !gmtime_r(&t, &tm))
                return -ERANGE;
        return strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0 ? 0 : -ERANGE;
}

static json_object *tool_component(const char *name, const char *version, const char *description) {
        json_object *c = json_object_new_object();
        if (!c || add_string(c, "type", "application") < 0 || add_string(c, "name", name) < 0 ||
            (version && add_string(c, "version", version) < 0) ||
            (description && add_string(c, "description", description) < 0)) {
                json_object_put(c);
                return NULL;
        }
        return c;
}

/* The document around metadata and components, in CycloneDX's order; its serialNumber is the sha256
 * of their serialisation as a UUID of version 4's shape (RFC 4122 version and variant bits). Consumes
 * metadata, components and dependencies (may be NULL). */
static json_object *bom_assemble(json_object *metadata, json_object *components, json_object *dependencies) {
        _cleanup_json_ json_object *md = metadata, *cs = components, *ds = dependencies,
                                   *doc = json_object_new_object();
        struct sbuf b = {};
        _cleanup_free_ char *text = NULL;
        char hex[SHA256_HEX], urn[64];
        static const char digits[] = "0123456789abcdef";

        if (!doc || !md || !cs)
                return NULL;
        sbuf_puts(&b, json_object_to_json_string_ext(md, JSON_C_TO_STRING_PLAIN));
        sbuf_putc(&b, '\n');
        sbuf_puts(&b, json_object_to_json_string_ext(cs, JSON_C_TO_STRING_PLAIN));
        sbuf_putc(&b, '\n');
        if (ds)
                sbuf_puts(&b, json_object_to_json_string_ext(ds, JSON_C_TO_STRING_PLAIN));
        text = sbuf_steal(&b);
        if (!text || sha256_buf(text, strlen(text), hex) < 0)
                return NULL;
        /* RFC 4122: version 4 in the 13th digit, the variant 10xx in the 17th */
        hex[12] = '4';
        hex[16] = "89ab"[(strchr(digits, hex[16]) - digits) & 3];
        if (snprintf_ok(urn, sizeof(urn), "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                        hex + 20) < 0)
                return NULL;
        if (add_string(doc, "bomFormat", "CycloneDX") < 0 || add_string(doc, "specVersion", SBOM_SPEC_VERSION) < 0 ||
            add_string(doc, "serialNumber", urn) < 0 ||
            json_object_object_add(doc, "version", json_object_new_int(1)) < 0 ||
            json_object_object_add(doc, "metadata", TAKE_PTR(md)) < 0 ||
            json_object_object_add(doc, "components", TAKE_PTR(cs)) < 0 ||
            (ds && json_object_object_add(doc, "dependencies", TAKE_PTR(ds)) < 0))
                return NULL;
        return TAKE_PTR(doc);
}

/* --- the package databases ---------------------------------------------------------------- */

struct pkg {
        char *name, *version, *arch, *license;
        char *purl;
};

static void pkg_done(struct pkg *p) {
        free(p->name);
        free(p->version);
        free(p->arch);
        free(p->license);
        free(p->purl);
}

static int cmp_str(const char *a, const char *b) {
        return strcmp(a ? a : "", b ? b : "");
}

static int cmp_pkg(const void *x, const void *y) {
        const struct pkg *a = x, *b = y;
        int c = cmp_str(a->name, b->name);
        if (c == 0)
                c = cmp_str(a->version, b->version);
        if (c == 0)
                c = cmp_str(a->arch, b->arch);
        return c;
}

struct pkgs {
        struct pkg *v;
        size_t n, cap;
};

static void pkgs_done(struct pkgs *l) {
        for (size_t i = 0; i < l->n; i++)
                pkg_done(&l->v[i]);
        free(l->v);
}

/* One stanza while it is read. */
struct stanza {
        unsigned first_line; /* 0: no field yet */
        char *name, *version, *arch, *license;
        bool installed;
};

static void stanza_reset(struct stanza *s) {
        free(s->name);
        free(s->version);
        free(s->arch);
        free(s->license);
        *s = (struct stanza) {};
}

/* Set one remembered field once; its value must be text. */
static int stanza_set(char **slot, const char *key, const char *value, size_t len, unsigned line, char **err) {
        _cleanup_free_ char *v = strndup(value, len);

        if (!v)
                return -ENOMEM;
        if (*slot)
                return set_error(err, -EBADMSG, "line %u: a second %s in one stanza", line, key);
        strstrip(v);
        if (!text_ok(v))
                return set_error(err, -EBADMSG, "line %u: %s is not UTF-8 text", line, key);
        if (!*v)
                return set_error(err, -EBADMSG, "line %u: %s is empty", line, key);
        *slot = TAKE_PTR(v);
        return 0;
}

static int stanza_end(struct stanza *s, enum distro d, struct pkgs *l, char **err) {
        const char *name_key = d == DISTRO_ALPINE ? "P:" : "Package:",
                   *version_key = d == DISTRO_ALPINE ? "V:" : "Version:";
        int k = 0;

        if (!s->first_line)
                return 0;
        if (!s->name)
                k = set_error(err, -EBADMSG, "line %u: a stanza without %s", s->first_line, name_key);
        else if (d == DISTRO_DEBIAN && !s->installed)
                k = 0; /* not (or no longer) installed: not in the image */
        else if (!s->version)
                k = set_error(err, -EBADMSG, "line %u: package %s has no %s", s->first_line, s->name, version_key);
        else {
                if (l->n == l->cap) {
                        size_t cap = l->cap ? l->cap * 2 : 64;
                        struct pkg *v = reallocarray(l->v, cap, sizeof(*v));
                        if (!v) {
                                stanza_reset(s);
                                return -ENOMEM;
                        }
                        l->v = v;
                        l->cap = cap;
                }
                l->v[l->n++] = (struct pkg) { .name = TAKE_PTR(s->name),
                                              .version = TAKE_PTR(s->version),
                                              .arch = TAKE_PTR(s->arch),
                                              .license = TAKE_PTR(s->license) };
        }
        stanza_reset(s);
        return k;
}

/* dpkg's status (deb822 stanzas: "Field: value", continuation lines start with a blank) or apk's
 * installed database ("X:value" lines, one letter each), stanzas separated by empty lines. */
static int parse_db(const char *text, size_t len, enum distro d, struct pkgs *l, char **err) {
        struct stanza s = {};
        unsigned line = 0;
        const char *nul = memchr(text, '\0', len);
        int k = 0;

        if (nul)
                return set_error(err, -EBADMSG, "a NUL byte at offset %zu: not a package database",
                                 (size_t) (nul - text));
        for (size_t i = 0; k >= 0 && i < len;) {
                const char *p = text + i, *nl = memchr(p, '\n', len - i);
                size_t n = nl ? (size_t) (nl - p) : len - i;
                const char *colon;

                i += n + (nl ? 1 : 0);
                line++;
                if (n > 0 && p[n - 1] == '\r')
                        n--;
                if (n == 0) {
                        k = stanza_end(&s, d, l, err);
                        continue;
                }
                if (d == DISTRO_DEBIAN && (p[0] == ' ' || p[0] == '\t')) {
                        if (!s.first_line)
                                k = set_error(err, -EBADMSG, "line %u: a continuation line outside a stanza", line);
                        continue; /* the rest of a multi-line field (Description, Conffiles) */
                }
                colon = memchr(p, ':', n);
                if (d == DISTRO_ALPINE ? n < 2 || p[1] != ':' || !isalpha((unsigned char) p[0])
                                       : !colon || colon == p) {
                        k = set_error(err, -EBADMSG, "line %u: not a field of %s", line,
                                      d == DISTRO_ALPINE ? "apk's installed database (X:value)"
                                                         : "dpkg's status (Field: value)");
                        continue;
                }
                if (d == DISTRO_DEBIAN)
                        for (const char *c = p; c < colon; c++)
                                if (!isascii((unsigned char) *c) ||
                                    !(isalnum((unsigned char) *c) || *c == '-' || *c == '_')) {
                                        k = set_error(err, -EBADMSG,
                                                      "line %u: not a field of dpkg's status (Field: value)", line);
                                        break;
                                }
                if (k < 0)
                        break;
                if (!s.first_line)
                        s.first_line = line;
                {
                        size_t klen = (size_t) (colon - p);
                        const char *v = colon + 1;
                        size_t vlen = n - klen - 1;
#define FIELD(lit) (klen == sizeof(lit) - 1 && strncasecmp(p, lit, klen) == 0)
                        if (d == DISTRO_ALPINE) {
                                if (p[0] == 'P')
                                        k = stanza_set(&s.name, "P:", v, vlen, line, err);
                                else if (p[0] == 'V')
                                        k = stanza_set(&s.version, "V:", v, vlen, line, err);
                                else if (p[0] == 'A')
                                        k = stanza_set(&s.arch, "A:", v, vlen, line, err);
                                else if (p[0] == 'L')
                                        k = stanza_set(&s.license, "L:", v, vlen, line, err);
                        } else if (FIELD("Package"))
                                k = stanza_set(&s.name, "Package:", v, vlen, line, err);
                        else if (FIELD("Version"))
                                k = stanza_set(&s.version, "Version:", v, vlen, line, err);
                        else if (FIELD("Architecture"))
                                k = stanza_set(&s.arch, "Architecture:", v, vlen, line, err);
                        else if (FIELD("Status")) {
                                _cleanup_free_ char *st = strndup(v, vlen);
                                if (!st)
                                        k = -ENOMEM;
                                else
                                        s.installed = streq(strstrip(st), "install ok installed");
                        }
#undef FIELD
                }
        }
        if (k >= 0)
                k = stanza_end(&s, d, l, err);
        stanza_reset(&s);
        return k;
}

static json_object *package_component(const struct pkg *p, const char *arch) {
        _cleanup_json_ json_object *c = json_object_new_object(), *props = json_object_new_array();

        if (!c || !props || add_string(c, "type", "library") < 0 || add_string(c, "bom-ref", p->purl) < 0 ||
            add_string(c, "name", p->name) < 0 || add_string(c, "version", p->version) < 0)
                return NULL;
        if (p->license) {
                /* apk's L: is usually an SPDX expression, but nothing checks it is one: as a name, verbatim */
                json_object *ls = json_object_new_array(), *e = json_object_new_object(),
                            *lic = json_object_new_object();
                if (!ls || !e || !lic || add_string(lic, "name", p->license) < 0 ||
                    json_object_object_add(e, "license", lic) < 0) {
                        json_object_put(ls);
                        json_object_put(e);
                        json_object_put(lic);
                        return NULL;
                }
                if (json_object_array_add(ls, e) < 0 || json_object_object_add(c, "licenses", ls) < 0) {
                        json_object_put(ls);
                        json_object_put(e);
                        return NULL;
                }
        }
        if (add_string(c, "purl", p->purl) < 0 || add_property(props, "sis:arch", arch) < 0 ||
            json_object_object_add(c, "properties", TAKE_PTR(props)) < 0)
                return NULL;
        return TAKE_PTR(c);
}

static bool meta_ok(const char *s) {
        return s && *s && text_ok(s);
}

/* One component per package, sorted, each with its purl; on, the purls (what the image depends on). */
static int package_components(struct pkgs *l, enum distro d, const struct sbom_meta *m, json_object *cs,
                              json_object *on, char **err) {
        const char *type = d == DISTRO_ALPINE ? "apk" : "deb", *ns = d == DISTRO_ALPINE ? "alpine" : "debian";
        _cleanup_free_ char *q = strdup_printf("%s-%s", ns, m->release), *distro_q = q ? sbom_purl_encode(q) : NULL;

        if (!distro_q)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                struct pkg *p = &l->v[i];
                const char *arch = p->arch ? p->arch : m->arch;
                _cleanup_free_ char *lower = strdup(p->name), *en = NULL, *ev = NULL, *ea = NULL;
                json_object *c;

                if (!lower)
                        return -ENOMEM;
                /* both types' names are lowercase in a purl (purl-spec PURL-TYPES: deb, apk) */
                for (char *c2 = lower; *c2; c2++)
                        *c2 = (char) tolower((unsigned char) *c2);
                en = sbom_purl_encode(lower);
                ev = sbom_purl_encode(p->version);
                ea = sbom_purl_encode(arch);
                p->purl = en && ev && ea
                        ? strdup_printf("pkg:%s/%s/%s@%s?arch=%s&distro=%s", type, ns, en, ev, ea, distro_q)
                        : NULL;
                if (!p->purl)
                        return -ENOMEM;
                if (i > 0 && streq(l->v[i - 1].purl, p->purl))
                        return set_error(err, -EBADMSG, "package %s %s (%s) is listed twice", p->name, p->version,
                                         arch);
                c = package_component(p, arch);
                if (!c || json_object_array_add(cs, c) < 0) {
                        json_object_put(c);
                        return -ENOMEM;
                }
                if (add_array_string(on, p->purl) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The image itself: a root filesystem of an operating system (CycloneDX's "operating-system"). */
static json_object *image_component(enum distro d, const struct sbom_meta *m, const char *image_ref) {
        _cleanup_json_ json_object *image = json_object_new_object(), *props = json_object_new_array();

        if (!image || !props || add_string(image, "type", "operating-system") < 0 ||
            add_string(image, "bom-ref", image_ref) < 0 || add_string(image, "name", m->name) < 0 ||
            add_string(image, "version", m->version ? m->version : m->release) < 0 ||
            add_string(image, "description",
                       d == DISTRO_ALPINE ? "a sis root filesystem image (Alpine Linux)"
                                          : "a sis root filesystem image (Debian)") < 0 ||
            add_property(props, "sis:distro", distro_names[d]) < 0 ||
            add_property(props, "sis:release", m->release) < 0 || add_property(props, "sis:arch", m->arch) < 0 ||
            add_property(props, "sis:package_database",
                         d == DISTRO_ALPINE ? "lib/apk/db/installed" : "var/lib/dpkg/status") < 0 ||
            json_object_object_add(image, "properties", TAKE_PTR(props)) < 0)
                return NULL;
        return TAKE_PTR(image);
}

json_object *sbom_rootfs(const char *pkgdb, size_t len, enum distro d, const struct sbom_meta *m, char **err) {
        _cleanup_json_ json_object *md = NULL, *cs = NULL, *deps = NULL, *image = NULL, *tools = NULL, *tcs = NULL,
                                   *dep = NULL, *on = NULL;
        _cleanup_free_ char *image_ref = NULL;
        _cleanup_(pkgs_done) struct pkgs l = {};
        char ts[32];
        int k;

        if ((d != DISTRO_ALPINE && d != DISTRO_DEBIAN) || !m || (!pkgdb && len > 0)) {
                (void) set_error(err, -EINVAL, "sbom: no distribution or no meta");
                return NULL;
        }
        if (!meta_ok(m->name) || !meta_ok(m->release) || !meta_ok(m->arch) || !meta_ok(m->tool_version) ||
            (m->version && !meta_ok(m->version))) {
                (void) set_error(err, -EINVAL,
                                 "sbom: the image's name, release, architecture and tool version must be UTF-8 text");
                return NULL;
        }
        if (iso8601(m->epoch, ts) < 0) {
                (void) set_error(err, -ERANGE, "sbom: SOURCE_DATE_EPOCH %lld is out of range", (long long) m->epoch);
                return NULL;
        }
        k = parse_db(pkgdb ? pkgdb : "", len, d, &l, err);
        if (k < 0) {
                if (err && !*err)
                        (void) set_error(err, k, "%s", strerror(-k));
                return NULL;
        }
        if (l.n)
                qsort(l.v, l.n, sizeof(l.v[0]), cmp_pkg);

        image_ref = strdup_printf("sis:rootfs/%s", m->name);
        cs = json_object_new_array();
        on = json_object_new_array();
        if (!image_ref || !cs || !on)
                goto oom;
        k = package_components(&l, d, m, cs, on, err);
        if (k == -EBADMSG)
                return NULL;
        if (k < 0)
                goto oom;

        md = json_object_new_object();
        tools = json_object_new_object();
        tcs = json_object_new_array();
        image = image_component(d, m, image_ref);
        deps = json_object_new_array();
        dep = json_object_new_object();
        if (!md || !tools || !tcs || !image || !deps || !dep || add_string(md, "timestamp", ts) < 0 ||
            add_tool(tcs, "sis-provision", m->tool_version, NULL) < 0 ||
            json_object_object_add(tools, "components", TAKE_PTR(tcs)) < 0 ||
            json_object_object_add(md, "tools", TAKE_PTR(tools)) < 0 ||
            json_object_object_add(md, "component", TAKE_PTR(image)) < 0)
                goto oom;
        if (add_string(dep, "ref", image_ref) < 0 || json_object_object_add(dep, "dependsOn", TAKE_PTR(on)) < 0 ||
            json_object_array_add(deps, TAKE_PTR(dep)) < 0)
                goto oom;
        {
                json_object *doc = bom_assemble(TAKE_PTR(md), TAKE_PTR(cs), TAKE_PTR(deps));
                if (!doc)
                        (void) set_error(err, -ENOMEM, "sbom: %s", strerror(ENOMEM));
                return doc;
        }
oom:
        (void) set_error(err, -ENOMEM, "sbom: %s", strerror(ENOMEM));
        return NULL;
}

/* --- the kernel --------------------------------------------------------------------------- */

/* "gcc (Debian 12.2.0-14) 12.2.0" -> "12.2.0": the last word of a --version line, when it starts
 * with a digit (GNU's convention for gcc, ld and make); else NULL. */
static char *version_of(const char *line) {
        const char *sp = strrchr(line, ' '), *v = sp ? sp + 1 : line;
        return isdigit((unsigned char) *v) ? strdup(v) : NULL;
}

/* A CPE 2.3 name's version may hold letters, digits, '.', '-' and '_' unquoted. */
static bool cpe_version_ok(const char *s) {
        for (; *s; s++)
                if (!isascii((unsigned char) *s) || !(isalnum((unsigned char) *s) || strchr(".-_", *s)))
                        return false;
        return true;
}

/* The meta is text, its hashes sha256 digests, its epoch a date. -errno with a message. */
static int kernel_meta_check(const struct sbom_kernel_meta *m, char *ts, char **err) {
        const char *chain[][2] = { { "gcc", m ? m->gcc : NULL },
                                   { "ld", m ? m->ld : NULL },
                                   { "make", m ? m->make : NULL } };

        if (!m || !meta_ok(m->profile) || !meta_ok(m->arch) || !meta_ok(m->release) || !meta_ok(m->source_name) ||
            !meta_ok(m->tool_version) || (m->source_url && !meta_ok(m->source_url)))
                return set_error(
                        err, -EINVAL,
                        "sbom: the kernel's profile, architecture, release, source name and tool version must be UTF-8 text");
        if (!sha256_hex_ok(m->source_sha256) || !sha256_hex_ok(m->config_sha256) ||
            (m->image_sha256 && !sha256_hex_ok(m->image_sha256)))
                return set_error(err, -EINVAL,
                                 "sbom: the kernel's source, config and image hashes must be sha256 hex digests");
        for (size_t i = 0; i < ELEMENTSOF(chain); i++)
                if (chain[i][1] && !meta_ok(chain[i][1]))
                        return set_error(err, -EINVAL, "sbom: the %s version line is not UTF-8 text", chain[i][0]);
        if (iso8601(m->epoch, ts) < 0)
                return set_error(err, -ERANGE, "sbom: SOURCE_DATE_EPOCH %lld is out of range", (long long) m->epoch);
        return 0;
}

/* The source tarball, with its sha256: an external reference of type "distribution". */
static json_object *source_references(const struct sbom_kernel_meta *m, const char *url) {
        _cleanup_json_ json_object *refs = json_object_new_array(), *r = json_object_new_object(),
                                   *h = sha256_hashes(m->source_sha256);

        if (!refs || !r || !h || add_string(r, "type", "distribution") < 0 || add_string(r, "url", url) < 0 ||
            add_string(r, "comment", "the kernel source tarball") < 0 ||
            json_object_object_add(r, "hashes", TAKE_PTR(h)) < 0 || json_object_array_add(refs, TAKE_PTR(r)) < 0)
                return NULL;
        return TAKE_PTR(refs);
}

/* CycloneDX has no "kernel" type. "operating-system" is the nearest: its definition is "a software
 * operating system without regard to deployment model" (1.5), and the kernel is the guest's;
 * "firmware" is for software embedded in a device, which this is not. */
static json_object *linux_component(const struct sbom_kernel_meta *m, const char *linux_ref) {
        _cleanup_json_ json_object *c = json_object_new_object(), *props = json_object_new_array();
        /* the tarball's URL when it was fetched, else its file name (a relative IRI reference) */
        _cleanup_free_ char *url = m->source_url ? strdup(m->source_url) : sbom_purl_encode(m->source_name),
                            *cpe = NULL;

        if (cpe_version_ok(m->release))
                cpe = strdup_printf("cpe:2.3:o:linux:linux_kernel:%s:*:*:*:*:*:*:*", m->release);
        if (!c || !props || !url || add_string(c, "type", "operating-system") < 0 ||
            add_string(c, "bom-ref", linux_ref) < 0 || add_string(c, "name", "linux") < 0 ||
            add_string(c, "version", m->release) < 0 ||
            add_string(c, "description", "the Linux kernel, configured from sis's fragments") < 0)
                return NULL;
        if (m->image_sha256) {
                /* the component's own hash: the bzImage it became */
                json_object *h = sha256_hashes(m->image_sha256);
                if (!h || json_object_object_add(c, "hashes", h) < 0) {
                        json_object_put(h);
                        return NULL;
                }
        }
        if (cpe && add_string(c, "cpe", cpe) < 0)
                return NULL;
        if (!m->source_is_dir) {
                json_object *refs = source_references(m, url);
                if (!refs || json_object_object_add(c, "externalReferences", refs) < 0) {
                        json_object_put(refs);
                        return NULL;
                }
        }
        if (add_property(props, "sis:profile", m->profile) < 0 || add_property(props, "sis:arch", m->arch) < 0 ||
            add_property(props, "sis:config_sha256", m->config_sha256) < 0 ||
            add_property(props, "sis:source_kind", m->source_is_dir ? "directory" : "tarball") < 0 ||
            add_property(props, "sis:source_name", m->source_name) < 0 ||
            add_property(props, m->source_is_dir ? "sis:source_tree_sha256" : "sis:source_sha256", m->source_sha256) <
                    0 ||
            (m->gcc && add_property(props, "sis:toolchain:gcc", m->gcc) < 0) ||
            json_object_object_add(c, "properties", TAKE_PTR(props)) < 0)
                return NULL;
        return TAKE_PTR(c);
}

json_object *sbom_kernel(const struct sbom_kernel_meta *m, char **err) {
        _cleanup_json_ json_object *md = NULL, *cs = NULL, *deps = NULL, *tools = NULL, *tcs = NULL, *top = NULL,
                                   *tprops = NULL, *linux_c = NULL, *dep = NULL, *on = NULL;
        _cleanup_free_ char *top_ref = NULL, *linux_ref = NULL;
        const char *chain[][2] = { { "gcc", m ? m->gcc : NULL },
                                   { "ld", m ? m->ld : NULL },
                                   { "make", m ? m->make : NULL } };
        char ts[32];

        if (kernel_meta_check(m, ts, err) < 0)
                return NULL;
        top_ref = strdup_printf("sis:kernel/%s", m->profile);
        linux_ref = strdup_printf("sis:kernel/%s/linux@%s", m->profile, m->release);
        md = json_object_new_object();
        tools = json_object_new_object();
        tcs = json_object_new_array();
        top = json_object_new_object();
        tprops = json_object_new_array();
        cs = json_object_new_array();
        linux_c = linux_ref ? linux_component(m, linux_ref) : NULL;
        deps = json_object_new_array();
        dep = json_object_new_object();
        on = json_object_new_array();
        if (!top_ref || !linux_ref || !md || !tools || !tcs || !top || !tprops || !cs || !linux_c || !deps || !dep ||
            !on)
                goto oom;

        /* metadata: when, with what (sis-provision and the toolchain), and what: the kernel output set */
        if (add_string(md, "timestamp", ts) < 0 || add_tool(tcs, "sis-provision", m->tool_version, NULL) < 0)
                goto oom;
        for (size_t i = 0; i < ELEMENTSOF(chain); i++) {
                _cleanup_free_ char *v = chain[i][1] ? version_of(chain[i][1]) : NULL;
                if (chain[i][1] && add_tool(tcs, chain[i][0], v, chain[i][1]) < 0)
                        goto oom;
        }
        if (json_object_object_add(tools, "components", TAKE_PTR(tcs)) < 0 ||
            json_object_object_add(md, "tools", TAKE_PTR(tools)) < 0)
                goto oom;
        if (add_string(top, "type", "operating-system") < 0 || add_string(top, "bom-ref", top_ref) < 0 ||
            add_string(top, "name", "sis-kernel") < 0 || add_string(top, "version", m->release) < 0 ||
            add_string(top, "description", "the guest kernel built by sis-provision (vmlinux, bzImage, config)") < 0 ||
            add_property(tprops, "sis:profile", m->profile) < 0 || add_property(tprops, "sis:arch", m->arch) < 0 ||
            json_object_object_add(top, "properties", TAKE_PTR(tprops)) < 0 ||
            json_object_object_add(md, "component", TAKE_PTR(top)) < 0)
                goto oom;
        if (json_object_array_add(cs, TAKE_PTR(linux_c)) < 0)
                goto oom;
        if (add_string(dep, "ref", top_ref) < 0 || add_array_string(on, linux_ref) < 0 ||
            json_object_object_add(dep, "dependsOn", TAKE_PTR(on)) < 0 ||
            json_object_array_add(deps, TAKE_PTR(dep)) < 0)
                goto oom;
        {
                json_object *doc = bom_assemble(TAKE_PTR(md), TAKE_PTR(cs), TAKE_PTR(deps));
                if (!doc)
                        (void) set_error(err, -ENOMEM, "sbom: %s", strerror(ENOMEM));
                return doc;
        }
oom:
        (void) set_error(err, -ENOMEM, "sbom: %s", strerror(ENOMEM));
        return NULL;
}

/* --- output ------------------------------------------------------------------------------- */

int sbom_write(const char *path, json_object *doc) {
        _cleanup_free_ char *text = NULL;

        if (!path || !doc)
                return -EINVAL;
        text = json_text(doc);
        if (!text)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644);
}
