/* SPDX-License-Identifier: MIT */
#include "dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "log.h"
#include "macro.h"

#define SIS_DL_DEFINE(s) __typeof__(s) *sym_##s;
SIS_KMOD_SYMBOLS(SIS_DL_DEFINE)
SIS_ARCHIVE_SYMBOLS(SIS_DL_DEFINE)

struct dl_sym {
        void **ptr;
        const char *name;
};

#define SIS_DL_ENTRY(s) { (void **) &sym_##s, #s },
static const struct dl_sym kmod_syms[] = { SIS_KMOD_SYMBOLS(SIS_DL_ENTRY) };
static const struct dl_sym archive_syms[] = { SIS_ARCHIVE_SYMBOLS(SIS_DL_ENTRY) };

static int load(const char *soname, void **handle, int *state, const struct dl_sym *syms, size_t n) {
        void *h;

        if (*state)
                return *state > 0 ? 0 : -EOPNOTSUPP;
        h = dlopen(soname, RTLD_NOW | RTLD_NODELETE);
        if (!h) {
                log_debug("cannot load %s: %s", soname, dlerror());
                *state = -1;
                return -EOPNOTSUPP;
        }
        for (size_t i = 0; i < n; i++) {
                *syms[i].ptr = dlsym(h, syms[i].name);
                if (!*syms[i].ptr) {
                        log_debug("%s lacks %s", soname, syms[i].name);
                        dlclose(h);
                        *state = -1;
                        return -EOPNOTSUPP;
                }
        }
        *handle = h;
        *state = 1;
        return 0;
}

int dlopen_libkmod(void) {
        static void *h;
        static int state;
        return load("libkmod.so.2", &h, &state, kmod_syms, ELEMENTSOF(kmod_syms));
}

int dlopen_libarchive(void) {
        static void *h;
        static int state;
        return load("libarchive.so.13", &h, &state, archive_syms, ELEMENTSOF(archive_syms));
}
