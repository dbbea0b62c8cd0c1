/* SPDX-License-Identifier: MIT */
#include "qemu.h"

#include <fcntl.h>

#include "exec.h"
#include "util.h"

/* What -M microvm loads from QEMU's data directory: its BIOS (qboot), and the option ROMs that
 * boot a PVH vmlinux or a bzImage with -kernel. */
static const char *const firmware[] = {
        "/usr/share/qemu/bios-microvm.bin",
        "/usr/share/qemu/qboot.rom",
        "/usr/share/qemu/pvh.bin",
        "/usr/share/qemu/linuxboot_dma.bin",
};

int qemu_argv(const struct qemu_vm *vm, char ***ret) {
        _cleanup_strv_free_ char **a = NULL;
        char buf[512];
        int k = 0;

#define ARG(s) \
        do { \
                if (k >= 0) \
                        k = strv_extend(&a, (s)); \
        } while (0)
#define ARGF(...) \
        do { \
                snprintf(buf, sizeof(buf), __VA_ARGS__); \
                ARG(buf); \
        } while (0)

        if (!vm_id_ok(vm->id) || !vm->binary || !vm->kernel || !vm->rootfs || !vm->boot_args)
                return -EINVAL;
        ARG(vm->binary);
        ARG("-name");
        ARGF("%s,debug-threads=on", vm->id);
        /* no ACPI, as Firecracker boots guests: devices come on the kernel command line */
        ARG("-M");
        ARG("microvm,acpi=off,x-option-roms=on,isa-serial=on,rtc=on");
        ARG("-accel");
        /* TCG's translation cache defaults to 1 GiB: 64 MiB keeps the VMM inside its cgroup */
        ARG(vm->kvm ? "kvm" : "tcg,tb-size=64");
        ARG("-cpu");
        ARG(vm->kvm ? "host" : "max");
        ARG("-smp");
        ARGF("%u", vm->vcpus);
        ARG("-m");
        ARGF("%u", vm->mem_mib);
        ARG("-nodefaults");
        ARG("-no-user-config");
        ARG("-display");
        ARG("none");
        /* the serial port to stdout, which the jail points at the log FIFO */
        ARG("-serial");
        ARG("stdio");
        /* a guest reboot ends the VM, as in Firecracker */
        ARG("-no-reboot");
        ARG("-kernel");
        ARG(vm->kernel);
        ARG("-append");
        ARG(vm->boot_args);
        ARG("-drive");
        ARGF("id=rootfs,file=%s,format=raw,if=none,read-only=on", vm->rootfs);
        ARG("-device");
        ARG("virtio-blk-device,drive=rootfs");
        if (vm->home) {
                ARG("-drive");
                ARGF("id=home,file=%s,format=raw,if=none,discard=unmap", vm->home);
                ARG("-device");
                ARG("virtio-blk-device,drive=home");
        }
        if (vm->tap) {
                ARG("-netdev");
                ARGF("tap,id=net0,ifname=%s,script=no,downscript=no,vhost=off", vm->tap);
                ARG("-device");
                ARGF("virtio-net-device,netdev=net0%s%s", vm->guest_mac ? ",mac=" : "", vm->guest_mac ? vm->guest_mac : "");
        }
        ARG("-object");
        ARG("rng-random,id=rng0,filename=/dev/urandom");
        ARG("-device");
        ARG("virtio-rng-device,rng=rng0");
        ARG("-qmp");
        ARG("unix:" QMP_SOCK ",server=on,wait=off");
        /* QEMU's own seccomp filter, under the jail's */
        ARG("-sandbox");
        ARG("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        if (vm->incoming) {
                ARG("-incoming");
                ARG("defer");
        }
#undef ARG
#undef ARGF
        if (k < 0)
                return k;
        *ret = TAKE_PTR(a);
        return 0;
}

struct ldd_lines {
        char **files;
        int error;
};

int ldd_line_path(const char *line, char **ret_path) {
        const char *arrow = strstr(line, "=> "), *p = arrow ? arrow + 3 : line + strspn(line, " \t");
        size_t len = strcspn(p, " \t(");

        *ret_path = NULL;
        if (arrow && startswith(p, "not found"))
                return -ENOENT;
        if (*p != '/' || len < 2)
                return 0;
        *ret_path = strndup(p, len);
        return *ret_path ? 1 : -ENOMEM;
}

static void on_ldd_line(void *userdata, const char *line) {
        struct ldd_lines *l = userdata;
        _cleanup_free_ char *path = NULL;
        int k = ldd_line_path(line, &path);

        if (k < 0 && l->error == 0)
                l->error = k;
        else if (k > 0 && l->error == 0 && !strv_contains(l->files, path) && strv_extend(&l->files, path) < 0)
                l->error = -ENOMEM;
}

/* Debian's QEMU builds TCG as a module (accel-tcg-<target>.so), found in the module directory
 * compiled into it: Debian's, then other distributions'. */
static const char *const module_dirs[] = {
        "/usr/lib/x86_64-linux-gnu/qemu",
        "/usr/lib64/qemu",
        "/usr/lib/qemu",
};

int qemu_files(const char *binary, bool tcg, char ***ret, char **ret_error) {
        struct ldd_lines l = {};
        char *argv[] = { (char *) "/usr/bin/ldd", (char *) binary, NULL };
        char *env[] = { (char *) "LC_ALL=C", NULL };
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC), k;

        if (devnull < 0)
                return -errno;
        if (binary[0] != '/' || access(binary, X_OK) < 0) {
                close(devnull);
                return set_error(ret_error, -ENOENT, "--qemu %s: not an executable file", binary);
        }
        k = strv_extend(&l.files, binary);
        if (k >= 0)
                k = exec_logged("/", argv, env, devnull, on_ldd_line, &l);
        close(devnull);
        if (k != 0 || l.error < 0) {
                strv_free(l.files);
                return set_error(ret_error, l.error < 0 ? l.error : -EIO, "ldd %s: %s", binary,
                                 l.error == -ENOENT ? "a library is not found" : "cannot list its libraries");
        }
        for (size_t i = 0; i < ELEMENTSOF(firmware); i++)
                if (access(firmware[i], R_OK) == 0 && strv_extend(&l.files, firmware[i]) < 0) {
                        strv_free(l.files);
                        return -ENOMEM;
                }
        /* qemu-system-x86_64 -> accel-tcg-x86_64.so (its only library is the C library) */
        const char *target = strrchr(binary, '-');
        for (size_t i = 0; tcg && target && i < ELEMENTSOF(module_dirs); i++) {
                _cleanup_free_ char *m = strdup_printf("%s/accel-tcg%s.so", module_dirs[i], target);
                if (m && access(m, R_OK) == 0) {
                        if (strv_extend(&l.files, m) < 0) {
                                strv_free(l.files);
                                return -ENOMEM;
                        }
                        break;
                }
        }
        *ret = l.files;
        return 0;
}
