/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a dump's sis-dump.json, replayed through the sysroot layer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "fileio.h"
#include "sysroot.h"
#include "util.h"

static char *dir;

static int noop_probe(const char *arg, json_object **ret) {
        *ret = json_object_new_object();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *meta = NULL;
        struct sis_root *r = NULL;

        if (!dir) {
                dir = strdup("/tmp/sis-fuzz.XXXXXX");
                if (!dir || !mkdtemp(dir))
                        abort();
        }
        meta = strdup_printf("%s/" SIS_DUMP_META, dir);
        if (write_file_atomic(meta, data, size, 0644) < 0)
                return 0;
        if (sis_root_new(dir, &r) == 0) {
                struct sis_stat st;
                char **l = NULL;
                char *s = NULL;
                json_object *v;
                if (sis_root_stat(r, "/dev/kvm", SIS_STAT_ACL, &st) == 0)
                        sis_stat_done(&st);
                if (sis_root_list(r, "/sys/module", &l) == 0)
                        strv_free(l);
                if (sis_root_read_string(r, "/proc/cpuinfo", &s) == 0)
                        free(s);
                (void) sis_root_probe(r, "kvm", noop_probe, NULL, &v);
                sis_root_unref(r);
        }
        return 0;
}
