/* SPDX-License-Identifier: MIT */
#include "kconfig.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "util.h"
#include "walk.h"

void kreqs_done(struct kreqs *r) {
        for (size_t i = 0; i < r->n; i++) {
                free(r->v[i].name);
                free(r->v[i].value);
                free(r->v[i].file);
                free(r->v[i].reason);
        }
        free(r->v);
        *r = (struct kreqs) {};
}

static bool valid_value(const char *v) {
        char *end;

        if (streq(v, "y") || streq(v, "m") || streq(v, "n"))
                return true;
        if (v[0] == '"') {
                size_t l = strlen(v);
                return l >= 2 && v[l - 1] == '"';
        }
        if (*v == '\0')
                return false;
        errno = 0;
        (void) strtoll(v, &end, 0);
        return errno == 0 && *end == '\0';
}

static int push(struct kreqs *r, const char *name, size_t nl, const char *value, size_t vl, const char *file,
                unsigned line, const char *reason, size_t rl) {
        struct kreq *n = realloc(r->v, (r->n + 1) * sizeof(*n));

        if (!n)
                return -ENOMEM;
        r->v = n;
        n[r->n] = (struct kreq) { strndup(name, nl), strndup(value, vl), strdup(file), line,
                                  reason ? strndup(reason, rl) : NULL };
        if (!n[r->n].name || !n[r->n].value || !n[r->n].file || (reason && !n[r->n].reason))
                return -ENOMEM;
        r->n++;
        return 0;
}

int fragment_parse(const char *text, const char *name, struct kreqs *out, char **ret_error) {
        unsigned line = 0;

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n'), *s = p, *n, *v, *ve, *rest, *reason = NULL;

                line++;
                while (s < eol && isblank((unsigned char) *s))
                        s++;
                if (s == eol || *s == '#')
                        goto next;
                if (!startswith(s, "CONFIG_"))
                        return set_error(ret_error, -EBADMSG, "%s:%u: expected CONFIG_NAME=value", name, line);
                n = s + 7;
                v = n;
                while (v < eol && (isupper((unsigned char) *v) || isdigit((unsigned char) *v) || *v == '_'))
                        v++;
                if (v == n || v >= eol || *v != '=')
                        return set_error(ret_error, -EBADMSG, "%s:%u: expected CONFIG_NAME=value", name, line);
                v++;
                ve = v;
                if (*v == '"') {
                        for (ve = v + 1; ve < eol && *ve != '"'; ve++)
                                if (*ve == '\\' && ve + 1 < eol)
                                        ve++;
                        if (ve >= eol)
                                return set_error(ret_error, -EBADMSG, "%s:%u: unterminated string", name, line);
                        ve++;
                } else
                        while (ve < eol && !isblank((unsigned char) *ve) && *ve != '#')
                                ve++;
                rest = ve;
                while (rest < eol && isblank((unsigned char) *rest))
                        rest++;
                if (rest < eol) {
                        if (*rest != '#')
                                return set_error(ret_error, -EBADMSG, "%s:%u: unexpected text after the value", name,
                                                 line);
                        for (rest++; rest < eol && isblank((unsigned char) *rest); rest++)
                                ;
                        reason = rest < eol ? rest : NULL;
                }
                {
                        _cleanup_free_ char *val = strndup(v, (size_t) (ve - v));
                        if (!val)
                                return -ENOMEM;
                        if (!valid_value(val))
                                return set_error(ret_error, -EBADMSG, "%s:%u: CONFIG_%.*s has an invalid value '%s'",
                                                 name, line, (int) (v - 1 - n), n, val);
                }
                if (push(out, n, (size_t) (v - 1 - n), v, (size_t) (ve - v), name, line, reason,
                         reason ? (size_t) (eol - reason) : 0) < 0)
                        return -ENOMEM;
next:
                p = *eol ? eol + 1 : eol;
        }
        return 0;
}

static bool valid_fragment_name(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!islower((unsigned char) *s) && !isdigit((unsigned char) *s) && *s != '-' && *s != '_')
                        return false;
        return true;
}

int profile_load(const char *dir, const char *profile, struct kreqs *ret, char ***ret_fragments, char **ret_error) {
        _cleanup_free_ char *ppath = NULL, *ptext = NULL;
        _cleanup_strv_free_ char **lines = NULL, **frags = NULL;
        _cleanup_(kreqs_done) struct kreqs all = {};
        int k;

        if (!valid_fragment_name(profile))
                return set_error(ret_error, -EINVAL, "profile '%s': not a profile name", profile);
        ppath = strdup_printf("%s/profiles/%s", dir, profile);
        if (!ppath)
                return -ENOMEM;
        k = read_file_capped(ppath, 1 << 20, &ptext, NULL);
        if (k < 0)
                return set_error(ret_error, k, "profile %s: %s", ppath, strerror(-k));
        if (strv_split(ptext, "\n", &lines) < 0)
                return -ENOMEM;
        frags = calloc(1, sizeof(char *));
        if (!frags)
                return -ENOMEM;
        for (size_t i = 0; lines[i]; i++) {
                _cleanup_free_ char *fpath = NULL, *ftext = NULL;
                _cleanup_(kreqs_done) struct kreqs one = {};
                char *l = strstrip(lines[i]);

                if (!*l || *l == '#')
                        continue;
                if (!valid_fragment_name(l))
                        return set_error(ret_error, -EBADMSG, "%s: '%s' is not a fragment name", ppath, l);
                fpath = strdup_printf("%s/%s.conf", dir, l);
                if (!fpath || strv_extend(&frags, fpath) < 0)
                        return -ENOMEM;
                k = read_file_capped(fpath, 1 << 20, &ftext, NULL);
                if (k < 0)
                        return set_error(ret_error, k, "%s: fragment %s: %s", ppath, fpath, strerror(-k));
                k = fragment_parse(ftext, fpath, &one, ret_error);
                for (size_t j = 0; k >= 0 && j < one.n; j++) {
                        struct kreq *q = &one.v[j];
                        bool dup = false;
                        for (size_t m = 0; m < all.n; m++)
                                if (streq(all.v[m].name, q->name)) {
                                        if (!streq(all.v[m].value, q->value))
                                                k = set_error(ret_error, -EEXIST,
                                                              "CONFIG_%s: %s:%u asks %s, but %s:%u asks %s", q->name,
                                                              all.v[m].file, all.v[m].line, all.v[m].value, q->file,
                                                              q->line, q->value);
                                        dup = true;
                                        break;
                                }
                        if (k >= 0 && !dup)
                                k = push(&all, q->name, strlen(q->name), q->value, strlen(q->value), q->file, q->line,
                                         q->reason, q->reason ? strlen(q->reason) : 0);
                }
                if (k < 0)
                        return k;
        }
        if (all.n == 0)
                return set_error(ret_error, -EBADMSG, "profile %s requests nothing", ppath);
        *ret = all;
        all = (struct kreqs) {};
        if (ret_fragments)
                *ret_fragments = TAKE_PTR(frags);
        return 0;
}

char *kreqs_allconfig(const struct kreqs *r) {
        struct sbuf b = {};

        for (size_t i = 0; i < r->n; i++) {
                if (streq(r->v[i].value, "n"))
                        sbuf_printf(&b, "# CONFIG_%s is not set\n", r->v[i].name);
                else
                        sbuf_printf(&b, "CONFIG_%s=%s\n", r->v[i].name, r->v[i].value);
        }
        return sbuf_steal(&b);
}

void kfinal_done(struct kfinal *k) {
        free(k->buf);
        free(k->names);
        free(k->values);
        *k = (struct kfinal) {};
}

static int cmp_idx(const void *a, const void *b, void *names) {
        const char **n = names;
        return strcmp(n[*(const size_t *) a], n[*(const size_t *) b]);
}

int kfinal_parse(const char *text, struct kfinal *ret) {
        _cleanup_(kfinal_done) struct kfinal k = {};
        _cleanup_free_ size_t *idx = NULL;
        _cleanup_free_ char **names = NULL, **values = NULL;
        size_t cap = 0;

        k.buf = strdup(text);
        if (!k.buf)
                return -ENOMEM;
        for (char *line = k.buf, *next; line && *line; line = next) {
                char *eq;
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (!startswith(line, "CONFIG_") || !(eq = strchr(line, '=')))
                        continue; /* comments, "# CONFIG_X is not set": absent is n */
                *eq = '\0';
                if (k.n == cap) {
                        char **n, **v;
                        cap = cap ? cap * 2 : 1024;
                        n = reallocarray(k.names, cap, sizeof(char *));
                        if (n)
                                k.names = n;
                        v = n ? reallocarray(k.values, cap, sizeof(char *)) : NULL;
                        if (!v)
                                return -ENOMEM;
                        k.values = v;
                }
                k.names[k.n] = line + 7;
                k.values[k.n] = eq + 1;
                k.n++;
        }
        /* sort names and values together */
        idx = calloc(k.n + 1, sizeof(size_t));
        names = calloc(k.n + 1, sizeof(char *));
        values = calloc(k.n + 1, sizeof(char *));
        if (!idx || !names || !values)
                return -ENOMEM;
        for (size_t i = 0; i < k.n; i++)
                idx[i] = i;
        qsort_r(idx, k.n, sizeof(size_t), cmp_idx, k.names);
        for (size_t i = 0; i < k.n; i++) {
                names[i] = k.names[idx[i]];
                values[i] = k.values[idx[i]];
        }
        free(k.names);
        free(k.values);
        k.names = TAKE_PTR(names);
        k.values = TAKE_PTR(values);
        *ret = k;
        k = (struct kfinal) {};
        return 0;
}

const char *kfinal_get(const struct kfinal *k, const char *name) {
        size_t lo = 0, hi = k->n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(k->names[mid], name);
                if (c == 0)
                        return k->values[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static bool satisfied(const char *want, const char *got) {
        if (streq(want, "y"))
                return got && streq(got, "y");
        if (streq(want, "m"))
                return got && (streq(got, "m") || streq(got, "y"));
        if (streq(want, "n"))
                return !got || streq(got, "n");
        return got && streq(want, got);
}

/* --- explaining a miss from the Kconfig sources ------------------------------------------ */

struct kdef {
        const char *name;
        char *file;    /* first definition, relative to srcdir */
        char *depends; /* "a && b" joined from every "depends on" of its blocks */
        bool found, other_arch_only, this_arch;
};

/* The symbols looked for in one walk over the Kconfig files. */
struct kscan {
        struct kdef *defs;
        size_t n;
        const char *arch;
};

static void scan_file(struct kscan *ks, const char *path, const char *rel) {
        _cleanup_free_ char *text = NULL;
        bool other_arch =
                startswith(rel, "arch/") && !(startswith(rel + 5, ks->arch) && rel[5 + strlen(ks->arch)] == '/');
        struct kdef *cur = NULL;

        if (read_file_capped(path, 4 << 20, &text, NULL) < 0)
                return;
        for (char *line = text, *next; line && *line; line = next) {
                char *s = line, *name;
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                while (isblank((unsigned char) *s))
                        s++;
                if (startswith(s, "config ") || startswith(s, "menuconfig ")) {
                        name = strstrip(strchr(s, ' ') + 1);
                        cur = NULL;
                        for (size_t i = 0; i < ks->n; i++)
                                if (streq(ks->defs[i].name, name)) {
                                        cur = &ks->defs[i];
                                        if (other_arch) {
                                                if (!cur->found)
                                                        cur->other_arch_only = true;
                                                cur = NULL; /* not this architecture's definition */
                                                break;
                                        }
                                        cur->found = true;
                                        cur->this_arch = true;
                                        cur->other_arch_only = false;
                                        if (!cur->file)
                                                cur->file = strdup(rel);
                                        break;
                                }
                        continue;
                }
                if (startswith(s, "choice") || startswith(s, "endchoice") || startswith(s, "menu") ||
                    startswith(s, "endmenu") || startswith(s, "if ") || startswith(s, "endif") ||
                    startswith(s, "comment ") || startswith(s, "source ")) {
                        cur = NULL;
                        continue;
                }
                if (cur && startswith(s, "depends on ")) {
                        char *expr = strstrip(s + 11);
                        char *joined = cur->depends ? strdup_printf("%s && (%s)", cur->depends, expr)
                                                    : strdup_printf("%s", expr);
                        if (joined) {
                                free(cur->depends);
                                cur->depends = joined;
                        }
                }
        }
}

static int scan_one(const struct walk_entry *e, void *userdata) {
        /* as nftw() did: unreadable entries and directories are passed over */
        if (!e->error && !S_ISDIR(e->st->st_mode) && !S_ISLNK(e->st->st_mode) && startswith(e->name, "Kconfig"))
                scan_file(userdata, e->path, e->rel);
        return 0;
}

/* "X86_64 || X86_PAE" -> "X86_64 || X86_PAE (X86_PAE=n)": the dependencies that are off now. */
static char *explain_depends(const char *expr, const struct kfinal *final) {
        struct sbuf b = {};
        _cleanup_strv_free_ char **seen = NULL;

        sbuf_printf(&b, "depends on %s", expr);
        for (const char *p = expr; *p;) {
                if (isupper((unsigned char) *p) ||
                    (isdigit((unsigned char) *p) && p > expr && !isalnum((unsigned char) p[-1]))) {
                        const char *e = p;
                        while (isupper((unsigned char) *e) || isdigit((unsigned char) *e) || *e == '_')
                                e++;
                        {
                                _cleanup_free_ char *sym = strndup(p, (size_t) (e - p));
                                const char *v = sym ? kfinal_get(final, sym) : NULL;
                                if (sym && !strv_contains(seen, sym) && (!v || !streq(v, "y"))) {
                                        sbuf_printf(&b, "%s%s=%s", seen ? ", " : "; now ", sym, v ? v : "n");
                                        (void) strv_extend(&seen, sym);
                                }
                        }
                        p = e;
                } else
                        p++;
        }
        return sbuf_steal(&b);
}

void kmiss_free(struct kmiss *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].got);
                free(m[i].why);
        }
        free(m);
}

/* Why each miss is one: one walk over the Kconfig files explains them all. Without memory, no
 * explanations. */
static void explain_misses(struct kmiss *miss, size_t n, const char *srcdir, const char *arch,
                           const struct kfinal *final) {
        struct kscan ks = { .defs = calloc(n, sizeof(struct kdef)), .n = n, .arch = arch };

        if (!ks.defs)
                return;
        for (size_t i = 0; i < n; i++)
                ks.defs[i].name = miss[i].req->name;
        (void) walk(srcdir, 0, scan_one, &ks);
        for (size_t i = 0; i < n; i++) {
                struct kdef *d = &ks.defs[i];
                if (d->other_arch_only && !d->this_arch)
                        miss[i].why = strdup_printf("not available on %s", arch);
                else if (!d->found)
                        miss[i].why = strdup("unknown symbol: no Kconfig defines it (a typo?)");
                else if (d->depends)
                        miss[i].why = explain_depends(d->depends, final);
                else
                        miss[i].why =
                                strdup_printf("no visible prompt here, or an enclosing menu/if is off (%s)", d->file);
                free(d->file);
                free(d->depends);
        }
        free(ks.defs);
}

int kreqs_check(const struct kreqs *r, const struct kfinal *final, const char *srcdir, const char *arch,
                struct kmiss **ret) {
        struct kmiss *miss = NULL;
        size_t n = 0;

        for (size_t i = 0; i < r->n; i++) {
                const char *got = kfinal_get(final, r->v[i].name);
                struct kmiss *m;
                if (satisfied(r->v[i].value, got))
                        continue;
                m = realloc(miss, (n + 1) * sizeof(*m));
                if (!m) {
                        kmiss_free(miss, n);
                        return -ENOMEM;
                }
                miss = m;
                miss[n++] = (struct kmiss) { .req = &r->v[i], .got = strdup(got ? got : "n") };
        }
        if (n > 0 && srcdir)
                explain_misses(miss, n, srcdir, arch, final);
        *ret = miss;
        return (int) n;
}
