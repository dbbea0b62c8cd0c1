/* SPDX-License-Identifier: MIT */
#include "runopts.h"

#include <errno.h>

#include "util.h"

static const char *const backends[] = { [BACKEND_FIRECRACKER] = "firecracker", [BACKEND_QEMU] = "qemu" };
static const char *const accels[] = { [ACCEL_AUTO] = "auto", [ACCEL_KVM] = "kvm", [ACCEL_TCG] = "tcg" };
static const char *const netmodes[] = { [NETMODE_DEFAULT] = "default", [NETMODE_NONE] = "none" };

static int from_name(const char *const *names, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (streq(names[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *backend_name(enum vm_backend b) {
        return backends[b];
}

const char *accel_name(enum vm_accel a) {
        return accels[a];
}

const char *netmode_name(enum vm_netmode n) {
        return netmodes[n];
}

int backend_from_name(const char *s) {
        return from_name(backends, ELEMENTSOF(backends), s);
}

int accel_from_name(const char *s) {
        return from_name(accels, ELEMENTSOF(accels), s);
}

int netmode_from_name(const char *s) {
        return from_name(netmodes, ELEMENTSOF(netmodes), s);
}
