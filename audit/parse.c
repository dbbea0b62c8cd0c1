/* SPDX-License-Identifier: MIT */
#include "parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <zlib.h>

#include "util.h"

void cpuinfo_done(struct cpuinfo *c) {
        free(c->vendor);
        free(c->model_name);
        strv_free(c->flags);
        strv_free(c->bugs);
        strv_free(c->microcode);
        *c = (struct cpuinfo) {};
}

bool cpuinfo_has_flag(const struct cpuinfo *c, const char *flag) {
        return strv_contains(c->flags, flag);
}

/* "0x41": arm64's MIDR fields */
static int parse_hex_field(const char *v, int *ret) {
        char *end;
        unsigned long x;
        if (!startswith(v, "0x") || !v[2])
                return -EINVAL;
        errno = 0;
        x = strtoul(v + 2, &end, 16);
        if (errno || *end || x > 0xffff)
                return -EINVAL;
        *ret = (int) x;
        return 0;
}

static int parse_small_int(const char *v, int *ret) {
        int x;
        if (safe_atoi(v, &x) < 0 || x < 0)
                return -EINVAL;
        *ret = x;
        return 0;
}

int cpuinfo_parse(const char *text, struct cpuinfo *ret) {
        struct cpuinfo c = {
                .family = -1, .model = -1, .stepping = -1, .siblings = -1, .cores = -1, .implementer = -1, .part = -1
        };
        const char *p = text;
        int k = 0;

        while (*p) {
                const char *eol = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (eol - p));
                char *colon, *key, *val;

                p = *eol ? eol + 1 : eol;
                if (!line) {
                        k = -ENOMEM;
                        break;
                }
                colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                key = strstrip(line);
                val = strstrip(colon + 1);
                if (streq(key, "processor")) {
                        c.n_cpus++;
                        if (strv_extend(&c.microcode, "") < 0) {
                                k = -ENOMEM;
                                break;
                        }
                        continue;
                }
                if (c.n_cpus == 0)
                        continue; /* s390/arm headers before the first processor: ignore */
                if (streq(key, "microcode")) {
                        size_t i = strv_length(c.microcode) - 1;
                        free(c.microcode[i]);
                        c.microcode[i] = strdup(val);
                        if (!c.microcode[i]) {
                                c.microcode[i] = strdup("");
                                k = -ENOMEM;
                                break;
                        }
                        continue;
                }
                if (streq(key, "flags") || streq(key, "Features")) {
                        _cleanup_strv_free_ char **f = NULL;
                        if (strv_split(val, " \t", &f) < 0) {
                                k = -ENOMEM;
                                break;
                        }
                        if (c.n_cpus == 1 && !c.flags) {
                                c.flags = TAKE_PTR(f);
                        } else if (c.flags) {
                                strv_sort(f);
                                /* compare as sets */
                                _cleanup_strv_free_ char **a = NULL;
                                for (char **i = c.flags; *i; i++)
                                        if (strv_extend(&a, *i) < 0)
                                                return -ENOMEM;
                                strv_sort(a);
                                if (strv_length(a) != strv_length(f))
                                        c.flags_differ = true;
                                else
                                        for (size_t i = 0; a && a[i]; i++)
                                                if (!streq(a[i], f[i]))
                                                        c.flags_differ = true;
                        }
                        continue;
                }
                if (c.n_cpus != 1)
                        continue;
                if (streq(key, "vendor_id") && !c.vendor)
                        c.vendor = strdup(val);
                else if (streq(key, "model name") && !c.model_name)
                        c.model_name = strdup(val);
                else if (streq(key, "bugs") && !c.bugs)
                        k = strv_split(val, " \t", &c.bugs);
                else if (streq(key, "cpu family"))
                        (void) parse_small_int(val, &c.family);
                else if (streq(key, "model"))
                        (void) parse_small_int(val, &c.model);
                else if (streq(key, "stepping"))
                        (void) parse_small_int(val, &c.stepping);
                else if (streq(key, "siblings"))
                        (void) parse_small_int(val, &c.siblings);
                else if (streq(key, "cpu cores"))
                        (void) parse_small_int(val, &c.cores);
                else if (streq(key, "CPU implementer"))
                        (void) parse_hex_field(val, &c.implementer);
                else if (streq(key, "CPU part"))
                        (void) parse_hex_field(val, &c.part);
                if (k < 0)
                        break;
        }
        if (k >= 0 && c.n_cpus == 0)
                k = -EBADMSG;
        if (k < 0) {
                cpuinfo_done(&c);
                return k;
        }
        *ret = c;
        return 0;
}

int cmdline_parse(const char *text, char ***ret) {
        _cleanup_strv_free_ char **words = calloc(1, sizeof(char *));
        const char *p = text;

        if (!words)
                return -ENOMEM;
        for (;;) {
                struct sbuf b = {};
                bool quoted = false;
                char *w;

                while (*p && isspace((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                while (*p && (quoted || !isspace((unsigned char) *p))) {
                        if (*p == '"')
                                quoted = !quoted;
                        else
                                sbuf_putc(&b, *p);
                        p++;
                }
                w = sbuf_steal(&b);
                if (!w)
                        return -ENOMEM;
                if (streq(w, "--")) {
                        free(w);
                        break;
                }
                if (strv_push(&words, w) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(words);
        return 0;
}

/* The kernel treats '-' and '_' alike in parameter names (parameq()). */
static bool param_name_eq(const char *a, const char *b, size_t l) {
        for (size_t i = 0; i < l; i++) {
                char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
                if (x != y || !x)
                        return false;
        }
        return true;
}

const char *cmdline_get(char *const *words, const char *key) {
        const char *found = NULL;
        size_t l = strlen(key);

        for (char *const *w = words; w && *w; w++) {
                if (!param_name_eq(*w, key, l))
                        continue;
                if ((*w)[l] == '=')
                        found = *w + l + 1;
                else if ((*w)[l] == '\0')
                        found = "";
        }
        return found;
}

/* Undo the octal escapes (\040) that /proc/mounts and /proc/swaps use for blanks. */
static char *unescape_octal(const char *s) {
        struct sbuf b = {};

        while (*s) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        char c = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        sbuf_putc(&b, c ? c : '?');
                        s += 4;
                } else
                        sbuf_putc(&b, *s++);
        }
        return sbuf_steal(&b);
}

void swaps_free(struct swap_entry *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(s[i].path);
                free(s[i].type);
        }
        free(s);
}

int swaps_parse(const char *text, struct swap_entry **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **lines = NULL;
        struct swap_entry *s = NULL;
        size_t n = 0;

        if (strv_split(text, "\n", &lines) < 0)
                return -ENOMEM;
        if (!lines[0] || !startswith(lines[0], "Filename"))
                return -EBADMSG;
        for (size_t i = 1; lines[i]; i++) {
                _cleanup_strv_free_ char **f = NULL;
                struct swap_entry *ns;

                if (strv_split(lines[i], " \t", &f) < 0) {
                        swaps_free(s, n);
                        return -ENOMEM;
                }
                if (strv_length(f) < 2 || f[0][0] != '/') {
                        swaps_free(s, n);
                        return -EBADMSG;
                }
                ns = realloc(s, (n + 1) * sizeof(*s));
                if (!ns) {
                        swaps_free(s, n);
                        return -ENOMEM;
                }
                s = ns;
                s[n].path = unescape_octal(f[0]);
                s[n].type = strdup(f[1]);
                n++;
                if (!s[n - 1].path || !s[n - 1].type) {
                        swaps_free(s, n);
                        return -ENOMEM;
                }
        }
        *ret = s;
        *ret_n = n;
        return 0;
}

void mounts_free(struct mount_entry *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].source);
                free(m[i].target);
                free(m[i].fstype);
                free(m[i].options);
        }
        free(m);
}

int mounts_parse(const char *text, struct mount_entry **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **lines = NULL;
        struct mount_entry *m = NULL;
        size_t n = 0;

        if (strv_split(text, "\n", &lines) < 0)
                return -ENOMEM;
        for (size_t i = 0; lines[i]; i++) {
                _cleanup_strv_free_ char **f = NULL;
                struct mount_entry *nm;

                if (strv_split(lines[i], " \t", &f) < 0) {
                        mounts_free(m, n);
                        return -ENOMEM;
                }
                if (strv_length(f) < 4) {
                        mounts_free(m, n);
                        return -EBADMSG;
                }
                nm = realloc(m, (n + 1) * sizeof(*m));
                if (!nm) {
                        mounts_free(m, n);
                        return -ENOMEM;
                }
                m = nm;
                m[n] = (struct mount_entry) {
                        .source = unescape_octal(f[0]),
                        .target = unescape_octal(f[1]),
                        .fstype = strdup(f[2]),
                        .options = strdup(f[3]),
                };
                n++;
                if (!m[n - 1].source || !m[n - 1].target || !m[n - 1].fstype || !m[n - 1].options) {
                        mounts_free(m, n);
                        return -ENOMEM;
                }
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

int modparam_bool(const char *s, bool *ret) {
        if (!s)
                return -EINVAL;
        if (streq(s, "Y") || streq(s, "y") || streq(s, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "N") || streq(s, "n") || streq(s, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

void kconfig_done(struct kconfig *k) {
        free(k->buf);
        free(k->entries);
        *k = (struct kconfig) {};
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int kconfig_parse(const char *text, size_t len, struct kconfig *ret) {
        char *buf = strlen(text) == len ? strdup(text) : NULL;

        if (strlen(text) != len)
                return -EBADMSG;
        return buf ? kconfig_parse_owned(buf, len, ret) : -ENOMEM;
}

int kconfig_parse_owned(char *text, size_t len, struct kconfig *ret) {
        _cleanup_free_ char *buf = text;
        _cleanup_free_ char **entries = NULL;
        size_t n = 0, cap = 0;
        char *line, *next;

        if (strlen(text) != len || !str_is_printable(text, len))
                return -EBADMSG;
        for (line = buf; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (line[0] == '#' || line[0] == '\0')
                        continue; /* comments, including "# CONFIG_X is not set": not set == absent */
                if (!startswith(line, "CONFIG_") || !strchr(line, '='))
                        return -EBADMSG;
                if (n == cap) {
                        char **e;
                        cap = cap ? cap * 2 : 1024;
                        e = realloc(entries, cap * sizeof(char *));
                        if (!e)
                                return -ENOMEM;
                        entries = e;
                }
                entries[n++] = line;
        }
        if (n == 0)
                return -EBADMSG;
        qsort(entries, n, sizeof(char *), cmp_entry);
        *ret = (struct kconfig) { .buf = TAKE_PTR(buf), .entries = TAKE_PTR(entries), .n = n };
        return 0;
}

const char *kconfig_get(const struct kconfig *k, const char *name) {
        char key[256];
        size_t lo = 0, hi = k->n, l;

        if (snprintf_ok(key, sizeof(key), "%s%s=", startswith(name, "CONFIG_") ? "" : "CONFIG_", name) < 0)
                return NULL;
        l = strlen(key);
        /* Entries are sorted; "NAME=" sorts before "NAME_OTHER=" because '=' < '_'. */
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strncmp(k->entries[mid], key, l);
                if (c == 0)
                        return k->entries[mid] + l;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

int gunzip_capped(const void *in, size_t len, size_t cap, char **ret, size_t *ret_len) {
        z_stream z = {};
        _cleanup_free_ char *out = NULL;
        size_t sz = 64 * 1024, have = 0;
        int zr;

        /* gzip's last four bytes are the size it holds (mod 4 GiB): a hint for one allocation, no more */
        if (len >= 18) {
                const unsigned char *t = (const unsigned char *) in + len - 4;
                size_t isize = (size_t) t[0] | (size_t) t[1] << 8 | (size_t) t[2] << 16 | (size_t) t[3] << 24;
                sz = MIN(MAX(isize, (size_t) 4096), cap);
        }
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
                return -ENOMEM;
        out = malloc(sz + 1);
        if (!out) {
                inflateEnd(&z);
                return -ENOMEM;
        }
        z.next_in = (Bytef *) in;
        z.avail_in = (uInt) len;
        for (;;) {
                if (have == sz) {
                        char *n;
                        if (sz >= cap) {
                                inflateEnd(&z);
                                return -EFBIG;
                        }
                        sz = MIN(sz * 2, cap);
                        n = realloc(out, sz + 1);
                        if (!n) {
                                inflateEnd(&z);
                                return -ENOMEM;
                        }
                        out = n;
                }
                z.next_out = (Bytef *) out + have;
                z.avail_out = (uInt) (sz - have);
                zr = inflate(&z, Z_NO_FLUSH);
                have = sz - z.avail_out;
                if (zr == Z_STREAM_END)
                        break;
                if (zr != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
                        inflateEnd(&z);
                        return -EBADMSG;
                }
        }
        inflateEnd(&z);
        out[have] = '\0';
        *ret = TAKE_PTR(out);
        *ret_len = have;
        return 0;
}
