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
        _cleanup_free_ char *throttle = NULL;
        int k = 0;

        if (!vm_id_ok(vm->id) || !vm->binary || !vm->kernel || !vm->rootfs || !vm->boot_args)
                return -EINVAL;
        /* --disk-rate: each drive's own throttling (bytes and operations a second, both directions) */
        {
                const struct vm_limits *l = vm->limits;
                struct sbuf t = {};
                if (l && l->disk_mbyte)
                        sbuf_printf(&t, ",throttling.bps-total=%llu", (unsigned long long) l->disk_mbyte * 1000000u);
                if (l && l->disk_iops)
                        sbuf_printf(&t, ",throttling.iops-total=%u", l->disk_iops);
                throttle = sbuf_steal(&t);
                if (!throttle)
                        return -ENOMEM;
        }
        strv_add(&a, &k, vm->binary);
        strv_add(&a, &k, "-name");
        strv_addf(&a, &k, "%s,debug-threads=on", vm->id);
        /* no ACPI, as Firecracker boots guests: devices come on the kernel command line */
        strv_add(&a, &k, "-M");
        strv_add(&a, &k, "microvm,acpi=off,x-option-roms=on,isa-serial=on,rtc=on");
        strv_add(&a, &k, "-accel");
        /* TCG's translation cache defaults to 1 GiB: 64 MiB keeps the VMM inside its cgroup */
        strv_add(&a, &k, vm->kvm ? "kvm" : "tcg,tb-size=64");
        strv_add(&a, &k, "-cpu");
        strv_add(&a, &k, vm->kvm ? "host" : "max");
        strv_add(&a, &k, "-smp");
        strv_addf(&a, &k, "%u", vm->vcpus);
        strv_add(&a, &k, "-m");
        strv_addf(&a, &k, "%u", vm->mem_mib);
        strv_add(&a, &k, "-nodefaults");
        strv_add(&a, &k, "-no-user-config");
        strv_add(&a, &k, "-display");
        strv_add(&a, &k, "none");
        /* the serial port to stdout, which the jail points at the log FIFO */
        strv_add(&a, &k, "-serial");
        strv_add(&a, &k, "stdio");
        /* a guest reboot ends the VM, as in Firecracker */
        strv_add(&a, &k, "-no-reboot");
        strv_add(&a, &k, "-kernel");
        strv_add(&a, &k, vm->kernel);
        strv_add(&a, &k, "-append");
        strv_add(&a, &k, vm->boot_args);
        strv_add(&a, &k, "-drive");
        strv_addf(&a, &k, "id=rootfs,file=%s,format=raw,if=none,read-only=on%s", vm->rootfs, throttle);
        strv_add(&a, &k, "-device");
        strv_add(&a, &k, "virtio-blk-device,drive=rootfs");
        if (vm->home) {
                strv_add(&a, &k, "-drive");
                strv_addf(&a, &k, "id=home,file=%s,format=raw,if=none,discard=unmap%s", vm->home, throttle);
                strv_add(&a, &k, "-device");
                strv_add(&a, &k, "virtio-blk-device,drive=home");
        }
        if (vm->tap) {
                strv_add(&a, &k, "-netdev");
                strv_addf(&a, &k, "tap,id=net0,ifname=%s,script=no,downscript=no,vhost=off", vm->tap);
                strv_add(&a, &k, "-device");
                strv_addf(&a, &k, "virtio-net-device,netdev=net0%s%s", vm->guest_mac ? ",mac=" : "",
                          vm->guest_mac ? vm->guest_mac : "");
        }
        strv_add(&a, &k, "-object");
        strv_add(&a, &k, "rng-random,id=rng0,filename=/dev/urandom");
        strv_add(&a, &k, "-device");
        strv_add(&a, &k, "virtio-rng-device,rng=rng0");
        strv_add(&a, &k, "-qmp");
        strv_add(&a, &k, "unix:" QMP_SOCK ",server=on,wait=off");
        /* QEMU's own seccomp filter, under the jail's */
        strv_add(&a, &k, "-sandbox");
        strv_add(&a, &k, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        if (vm->incoming) {
                strv_add(&a, &k, "-incoming");
                strv_add(&a, &k, "defer");
        }
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
