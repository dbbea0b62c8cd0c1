/* SPDX-License-Identifier: MIT */
/*
 * Live-only probes. Each returns a JSON answer that sis_root_probe() caches, records into a dump
 * being collected and replays from a dump. They never change the host: the KVM probe creates a
 * scratch VM and vCPU that vanish with the file descriptors.
 */
#include <cpuid.h>
#include <sys/timex.h>
#include <elf.h>
#include <fcntl.h>
#include <libudev.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "check-ctx.h"
#include "exec.h"
#include "util.h"

static json_object *err_or_null(int err) {
        return err ? json_object_new_string(errno_name(err)) : NULL;
}

static const struct {
        const char *name;
        int cap;
} kvm_caps[] = {
        { "IRQCHIP", KVM_CAP_IRQCHIP },
        { "IOEVENTFD", KVM_CAP_IOEVENTFD },
        { "IRQFD", KVM_CAP_IRQFD },
        { "USER_MEMORY", KVM_CAP_USER_MEMORY },
        { "SET_TSS_ADDR", KVM_CAP_SET_TSS_ADDR },
        { "PIT2", KVM_CAP_PIT2 },
        { "PIT_STATE2", KVM_CAP_PIT_STATE2 },
        { "ADJUST_CLOCK", KVM_CAP_ADJUST_CLOCK },
        { "DEBUGREGS", KVM_CAP_DEBUGREGS },
        { "MP_STATE", KVM_CAP_MP_STATE },
        { "VCPU_EVENTS", KVM_CAP_VCPU_EVENTS },
        { "XCRS", KVM_CAP_XCRS },
        { "XSAVE", KVM_CAP_XSAVE },
        { "EXT_CPUID", KVM_CAP_EXT_CPUID },
};

const char *const *kvm_required_caps(size_t *ret_n);
const char *const *kvm_required_caps(size_t *ret_n) {
        static const char *names[ELEMENTSOF(kvm_caps)];
        for (size_t i = 0; i < ELEMENTSOF(kvm_caps); i++)
                names[i] = kvm_caps[i].name;
        *ret_n = ELEMENTSOF(kvm_caps);
        return names;
}

static int kvm_live(const char *arg _unused_, json_object **ret) {
        json_object *o = json_object_new_object(), *ext;
        _cleanup_close_ int kvm = -1, vm = -1, vcpu = -1;
        int api, r;

        if (!o)
                return -ENOMEM;
        /* Opening a misc node whose driver is absent makes the kernel request_module() it:
         * an auditor must not load modules, so open only when KVM is already there. */
        if (access("/sys/module/kvm", F_OK) < 0 && access("/sys/class/misc/kvm", F_OK) < 0) {
                json_object_object_add(o, "open_error", json_object_new_string("ENODEV"));
                *ret = o;
                return 0;
        }
        kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        json_object_object_add(o, "open_error", err_or_null(kvm < 0 ? errno : 0));
        if (kvm < 0) {
                *ret = o;
                return 0;
        }
        api = ioctl(kvm, KVM_GET_API_VERSION, 0);
        json_object_object_add(o, "api_version", api < 0 ? NULL : json_object_new_int(api));
        ext = json_object_new_object();
        for (size_t i = 0; i < ELEMENTSOF(kvm_caps); i++) {
                r = ioctl(kvm, KVM_CHECK_EXTENSION, kvm_caps[i].cap);
                json_object_object_add(ext, kvm_caps[i].name, json_object_new_int(r < 0 ? 0 : r));
        }
        json_object_object_add(o, "extensions", ext);
        vm = ioctl(kvm, KVM_CREATE_VM, 0);
        json_object_object_add(o, "create_vm_error", err_or_null(vm < 0 ? errno : 0));
        if (vm >= 0) {
                vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
                json_object_object_add(o, "create_vcpu_error", err_or_null(vcpu < 0 ? errno : 0));
                if (vcpu >= 0) {
                        r = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
                        json_object_object_add(o, "tsc_khz", r > 0 ? json_object_new_int(r) : NULL);
                        json_object_object_add(o, "tsc_khz_error", err_or_null(r < 0 ? errno : 0));
                }
        }
        *ret = o;
        return 0;
}

int probe_kvm(struct audit_ctx *c, json_object **ret) {
        return sis_root_probe(c->root, "kvm", kvm_live, NULL, ret);
}

static int cpuid_live(const char *arg _unused_, json_object **ret) {
        json_object *o = json_object_new_object();
        unsigned a = 0, b = 0, cx = 0, d = 0;
        char vendor[13] = {}, brand[49] = {};

        if (!o)
                return -ENOMEM;
#if defined(__x86_64__) || defined(__i386__)
        if (__get_cpuid(0, &a, &b, &cx, &d)) {
                memcpy(vendor, &b, 4);
                memcpy(vendor + 4, &d, 4);
                memcpy(vendor + 8, &cx, 4);
                json_object_object_add(o, "vendor", json_object_new_string(vendor));
        }
        if (__get_cpuid(1, &a, &b, &cx, &d)) {
                unsigned fam = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
                if (fam == 0xf)
                        fam += (a >> 20) & 0xff;
                if (fam >= 6)
                        model |= ((a >> 16) & 0xf) << 4;
                json_object_object_add(o, "family", json_object_new_int((int) fam));
                json_object_object_add(o, "model", json_object_new_int((int) model));
                json_object_object_add(o, "stepping", json_object_new_int((int) (a & 0xf)));
                json_object_object_add(o, "hypervisor", json_object_new_boolean(!!(cx & (1u << 31))));
                if (cx & (1u << 31)) {
                        /* under a hypervisor, leaf 0x40000000 names it (on bare metal the leaf is
                         * not there and answers with another's registers: only read it here) */
                        char sig[13] = {};
                        __cpuid(0x40000000, a, b, cx, d);
                        memcpy(sig, &b, 4);
                        memcpy(sig + 4, &cx, 4);
                        memcpy(sig + 8, &d, 4);
                        for (size_t i = 0; i < 12; i++)
                                if ((unsigned char) sig[i] < 0x20 || (unsigned char) sig[i] > 0x7e)
                                        sig[i] = i < strlen(sig) ? '?' : '\0';
                        json_object_object_add(o, "hypervisor_vendor", json_object_new_string(sig));
                }
        }
        if (__get_cpuid_max(0x80000000, NULL) >= 0x80000004) {
                for (unsigned i = 0; i < 3; i++) {
                        __get_cpuid(0x80000002 + i, &a, &b, &cx, &d);
                        memcpy(brand + 16 * i, &a, 4);
                        memcpy(brand + 16 * i + 4, &b, 4);
                        memcpy(brand + 16 * i + 8, &cx, 4);
                        memcpy(brand + 16 * i + 12, &d, 4);
                }
                json_object_object_add(o, "brand", json_object_new_string(strstrip(brand)));
        }
#endif
        *ret = o;
        return 0;
}

/* adjtimex(2) with modes 0 reads the kernel's clock discipline and changes nothing. */
static int adjtimex_live(const char *arg _unused_, json_object **ret) {
        struct timex tx = { .modes = 0 };
        json_object *o = json_object_new_object();
        int state;

        if (!o)
                return -ENOMEM;
        state = adjtimex(&tx);
        if (state < 0) {
                json_object_object_add(
                        o, "error", json_object_new_string(strerrorname_np(errno) ? strerrorname_np(errno) : "error"));
        } else {
                json_object_object_add(o, "state", json_object_new_int(state));
                json_object_object_add(o, "status", json_object_new_int(tx.status));
                json_object_object_add(o, "maxerror", json_object_new_int64(tx.maxerror));
                json_object_object_add(o, "esterror", json_object_new_int64(tx.esterror));
        }
        *ret = o;
        return 0;
}

int probe_adjtimex(struct audit_ctx *c, json_object **ret) {
        return sis_root_probe(c->root, "adjtimex", adjtimex_live, NULL, ret);
}

int probe_cpuid(struct audit_ctx *c, json_object **ret) {
        return sis_root_probe(c->root, "cpuid", cpuid_live, NULL, ret);
}

/* Run "BINARY --version" with a clean environment, no stdin, bounded output, in its own process
 * group, and a 2 s deadline for all of it: a binary that hangs, forks or closes its output is
 * killed with its group, never waited on forever. Reading stops at the child's exit (a daemon it
 * left behind may keep the pipe open: what the child wrote before exiting is all there is). */
static int exec_live(const char *binary, json_object **ret) {
        char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "LC_ALL=C", NULL };
        _cleanup_(exec_result_done) struct exec_result res = {};
        json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = exec_version(binary, envp, 2000, &res);
        if (r == -ENOMEM) {
                json_object_put(o);
                return r;
        }
        if (r < 0) {
                json_object_object_add(o, "exit", NULL);
                json_object_object_add(o, "error", json_object_new_string(errno_name(r)));
                json_object_object_add(o, "output", NULL);
                *ret = o;
                return 0;
        }
        json_object_object_add(o, "exit", !res.timed_out && res.signal == 0 ? json_object_new_int(r) : NULL);
        json_object_object_add(o, "error",
                               res.timed_out             ? json_object_new_string("ETIME")
                                       : res.signal == 0 ? NULL
                                                         : json_object_new_string("EINTR"));
        json_object_object_add(
                o, "output",
                json_object_new_string(str_is_printable(res.output, res.output_len) ? res.output : "(binary output)"));
        *ret = o;
        return 0;
}

int probe_exec_version(struct audit_ctx *c, const char *binary, json_object **ret) {
        _cleanup_free_ char *key = strdup_printf("exec:%s --version", binary);
        if (!key)
                return -ENOMEM;
        return sis_root_probe(c->root, key, exec_live, binary, ret);
}

/* The program interpreter an ELF binary asks for (PT_INTERP): {"error": null, "interp": PATH or
 * null for a static binary}; "ENOEXEC" when it is not a 64-bit ELF file. Reads headers only. */
static int elf_live(const char *path, json_object **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        json_object *o = json_object_new_object();
        char *interp = NULL;
        Elf64_Ehdr eh;
        int err = 0;

        if (!o)
                return -ENOMEM;
        if (fd < 0)
                err = errno;
        else if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t) sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
                 eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 4096)
                err = ENOEXEC;
        for (unsigned i = 0; !err && !interp && i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof(ph), (off_t) (eh.e_phoff + (uint64_t) i * sizeof(ph))) !=
                    (ssize_t) sizeof(ph)) {
                        err = ENOEXEC;
                        break;
                }
                if (ph.p_type != PT_INTERP)
                        continue;
                if (ph.p_filesz == 0 || ph.p_filesz > 4096 || !(interp = calloc(1, ph.p_filesz + 1)) ||
                    pread(fd, interp, ph.p_filesz, (off_t) ph.p_offset) != (ssize_t) ph.p_filesz)
                        err = interp ? ENOEXEC : ENOMEM;
        }
        json_object_object_add(o, "error", err_or_null(err));
        json_object_object_add(o, "interp", !err && interp ? json_object_new_string(interp) : NULL);
        free(interp);
        *ret = o;
        return 0;
}

int probe_elf_interp(struct audit_ctx *c, const char *binary, json_object **ret) {
        _cleanup_free_ char *key = strdup_printf("elf:%s", binary);
        if (!key)
                return -ENOMEM;
        return sis_root_probe(c->root, key, elf_live, binary, ret);
}

static int udev_live(const char *arg, json_object **ret) {
        _cleanup_free_ char *subsystem = strdup(arg);
        json_object *o = json_object_new_object(), *props;
        struct udev *u;
        struct udev_device *d;
        struct udev_list_entry *e;
        char *sysname;

        if (!o || !subsystem)
                return -ENOMEM;
        sysname = strchr(subsystem, '/');
        if (!sysname)
                return -EINVAL;
        *sysname++ = '\0';
        u = udev_new();
        if (!u)
                return -ENOMEM;
        d = udev_device_new_from_subsystem_sysname(u, subsystem, sysname);
        json_object_object_add(o, "error", d ? NULL : json_object_new_string(errno_name(errno ? errno : ENODEV)));
        if (d) {
                const char *node = udev_device_get_devnode(d);
                json_object_object_add(o, "devnode", node ? json_object_new_string(node) : NULL);
                props = json_object_new_object();
                udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d))
                        json_object_object_add(props, udev_list_entry_get_name(e),
                                               json_object_new_string(strempty(udev_list_entry_get_value(e))));
                json_object_object_add(o, "properties", props);
                udev_device_unref(d);
        }
        udev_unref(u);
        *ret = o;
        return 0;
}

int probe_udev(struct audit_ctx *c, const char *subsystem, const char *sysname, json_object **ret) {
        _cleanup_free_ char *key = strdup_printf("udev:%s/%s", subsystem, sysname);
        if (!key)
                return -ENOMEM;
        return sis_root_probe(c->root, key, udev_live, key + 5, ret);
}

const char *probe_str(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool probe_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}
