/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Kconfig fragments, profiles and the check that every requested symbol survived.
 *
 * A fragment (kernel-configs/<name>.conf) holds lines "CONFIG_X=value  # why", where value is
 * y, m, n, a number or a "string"; "#" lines are comments. A profile (kernel-configs/profiles/
 * <name>) lists fragments, one per line. Merging keeps where each request came from (file:line)
 * and refuses two fragments that ask different values for one symbol.
 */

#include <stdbool.h>
#include <stddef.h>

struct kreq {
        char *name;  /* without CONFIG_ */
        char *value; /* "y", "m", "n", a number, or a quoted string as written */
        char *file;  /* fragment path, for messages */
        unsigned line;
        char *reason; /* the "# why" on the line, or NULL */
};

struct kreqs {
        struct kreq *v;
        size_t n;
};

void kreqs_done(struct kreqs *r);

/* Parse one fragment's text; name is used in messages. -EBADMSG with *ret_error on a bad line. */
int fragment_parse(const char *text, const char *name, struct kreqs *out, char **ret_error);
/* Load a profile's fragments from dir (kernel-configs/) and merge them in order.
 * A conflict is -EEXIST with both places in *ret_error. */
int profile_load(const char *dir, const char *profile, struct kreqs *ret, char ***ret_fragments, char **ret_error);
/* The merged requests as a KCONFIG_ALLCONFIG file ("# CONFIG_X is not set" for n). */
char *kreqs_allconfig(const struct kreqs *r);

/* A final .config, as name -> value ("y", "m", a number, a quoted string; absent = n). */
struct kfinal {
        char *buf;
        char **names, **values; /* sorted by name */
        size_t n;
};
int kfinal_parse(const char *text, struct kfinal *ret);
void kfinal_done(struct kfinal *k);
const char *kfinal_get(const struct kfinal *k, const char *name); /* NULL = not set */

/* One requested symbol that did not come out as asked. */
struct kmiss {
        const struct kreq *req;
        char *got; /* final value ("n" when not set) */
        char *why; /* "unknown symbol", or its unmet `depends on` when the Kconfig says */
};

/* Compare every request with the final config; Kconfig sources under srcdir explain failures
 * (NULL: no explanations). Returns the number of misses (ret owned by caller, free with
 * kmiss_free). Tristate-aware: m satisfied by y; n by absence. */
int kreqs_check(const struct kreqs *r, const struct kfinal *final, const char *srcdir, const char *arch,
                struct kmiss **ret);
void kmiss_free(struct kmiss *m, size_t n);
