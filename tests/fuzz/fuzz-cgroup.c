/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/self/mounts as the QEMU backend reads it to plan the VM's cgroups (v1
 * and v2). The plan's joined directories are always among the directories it makes. */
#include "cgroup.h"
#include "fuzz.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct cgroup_limits l = { .vcpus = 2, .mem_bytes = 1ull << 30, .pids = 130 };

        (void) data;
        (void) size;
        for (int v = 1; v <= 2; v++) {
                struct cgroup_plan p = {};
                if (cgroup_plan_make(s, v, "qemu", "fuzz-vm", &l, &p) < 0)
                        continue;
                for (char **j = p.join; j && *j; j++)
                        if (!strv_contains(p.dirs, *j))
                                abort();
                if (strv_length(p.writes) % 2 != 0)
                        abort();
                cgroup_plan_done(&p);
        }
}
