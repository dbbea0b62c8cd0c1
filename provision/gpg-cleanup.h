/* SPDX-License-Identifier: MIT */
#pragma once
/* gpgme's handles released when they go out of scope (sign.c, fetch.c). */
#include <gpgme.h>

#include "macro.h"

static inline void gpgme_releasep(gpgme_ctx_t *c) {
        if (*c)
                gpgme_release(*c);
}
static inline void gpgme_data_releasep(gpgme_data_t *d) {
        if (*d)
                gpgme_data_release(*d);
}
static inline void gpgme_key_unrefp(gpgme_key_t *k) {
        if (*k)
                gpgme_key_unref(*k);
}
static inline void gpgme_freep(char **p) {
        if (*p)
                gpgme_free(*p);
}
#define _cleanup_gpgme_ _cleanup_(gpgme_releasep)
#define _cleanup_gdata_ _cleanup_(gpgme_data_releasep)
#define _cleanup_gkey_ _cleanup_(gpgme_key_unrefp)
#define _cleanup_gfree_ _cleanup_(gpgme_freep)
