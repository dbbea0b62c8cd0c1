/* SPDX-License-Identifier: MIT */
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>

#include "check-ctx.h"
#include "util.h"

/* What names a hypervisor, sign by sign. Each table maps what the host shows to the family the
 * summary names. */
struct hv_name {
        const char *needle, *family;
};

/* PCI vendors that only exist as virtual hardware. (Amazon's 0x1d0f is absent on purpose: metal
 * instances have Nitro devices too.) */
static const struct {
        unsigned vendor;
        const char *name, *family;
} virtual_vendors[] = {
        { 0x1af4, "virtio (Red Hat)", NULL /* QEMU, bhyve, Cloud Hypervisor, Firecracker... */ },
        { 0x1b36, "QEMU", "QEMU/KVM" },
        { 0x1234, "QEMU VGA", "QEMU/KVM" },
        { 0x15ad, "VMware", "VMware" },
        { 0x80ee, "VirtualBox", "VirtualBox" },
        { 0x1414, "Microsoft Hyper-V", "Hyper-V" },
        { 0x5853, "Xen", "Xen" },
        { 0x1ab8, "Parallels", "Parallels" },
        { 0xfb5d, "bhyve", "bhyve" },
        { 0x1ae0, "Google gVNIC", "Google Compute Engine" },
};

/* DMI sys_vendor, product_name and bios_vendor (substrings, case as the firmware writes them) */
static const struct hv_name virtual_dmi[] = {
        { "QEMU", "QEMU/KVM" },
        { "KVM", "QEMU/KVM" },
        { "SeaBIOS", "QEMU/KVM" },
        { "Bochs", "Bochs" },
        { "VMware", "VMware" },
        { "VirtualBox", "VirtualBox" },
        { "innotek GmbH", "VirtualBox" },
        { "Xen", "Xen" },
        { "Google Compute Engine", "Google Compute Engine" },
        { "Parallels", "Parallels" },
        { "BHYVE", "bhyve" },
        { "Firecracker", "Firecracker" },
        { "Cloud Hypervisor", "Cloud Hypervisor" },
        { "Virtual Machine", "Hyper-V" }, /* Microsoft's product name for Hyper-V and Azure VMs */
        { "Hyper-V", "Hyper-V" },
        { "OpenStack", "OpenStack (KVM)" },
};

/* CPUID leaf 0x40000000's vendor signature (recorded in dumps) */
static const struct hv_name cpuid_vendors[] = {
        { "KVMKVMKVM", "KVM" },        { "TCGTCGTCGTCG", "QEMU (TCG)" }, { "VMwareVMware", "VMware" },
        { "Microsoft Hv", "Hyper-V" }, { "XenVMMXenVMM", "Xen" },        { "VBoxVBoxVBox", "VirtualBox" },
        { "bhyve bhyve", "bhyve" },    { " lrpepyh  vr", "Parallels" },  { "ACRNACRNACRN", "ACRN" },
        { "QNXQVMBSQG", "QNX" },
};

/* the device tree (arm64): its root's compatible, and a hypervisor node's */
static const struct hv_name dt_compatible[] = {
        { "linux,dummy-virt", "KVM (a QEMU or Firecracker virt machine)" },
        { "xen,xen", "Xen" },
};

static void add_family(char ***families, const char *family) {
        if (family && !strv_contains(*families, family))
                (void) strv_extend(families, family);
}

static const char *hv_lookup(const struct hv_name *t, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (strstr(s, t[i].needle))
                        return t[i].family;
        return NULL;
}

/* What libpci's sysfs back end reads for an identity; the sysroot layer reads them first. */
static const char *const pci_files[] = {
        "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device"
};

static jmp_buf pci_jmp;
static bool pci_jmp_armed;

static void pci_error(char *msg, ...) __attribute__((noreturn));
static void pci_error(char *msg _unused_, ...) {
        /* libpci's error callback must not return: unwind to the caller. */
        if (pci_jmp_armed)
                longjmp(pci_jmp, 1);
        abort();
}

static void pci_quiet(char *msg _unused_, ...) {
}

/* libpci's scan of a root-prefixed sysfs ("sysfs.path") or procfs ("proc.path") tree, isolated so
 * that longjmp from its error callback clobbers nothing. Each virtual device: evidence at where,
 * its family added to *families. */
static int pci_scan(struct sis_finding *f, enum pci_access_type method, const char *param, const char *path,
                    const char *where, char ***families, unsigned *ret_count) {
        struct pci_access *volatile pacc = pci_alloc();
        volatile unsigned n = 0;
        char **volatile found = NULL;

        if (!pacc)
                return -ENOMEM;
        pacc->error = pci_error;
        pacc->warning = pci_quiet;
        pacc->debug = pci_quiet;
        pacc->method = method;
        pci_jmp_armed = true;
        if (setjmp(pci_jmp)) {
                /* libpci gave up part-way (garbage in a dump): leak its state rather than trust it */
                pci_jmp_armed = false;
                strv_free(found);
                return -EBADMSG;
        }
        pci_set_param(pacc, (char *) param, (char *) path);
        pci_init(pacc);
        pci_scan_bus(pacc);
        for (struct pci_dev *d = pacc->devices; d; d = d->next) {
                pci_fill_info(d, PCI_FILL_IDENT);
                for (size_t i = 0; i < ELEMENTSOF(virtual_vendors); i++)
                        if (d->vendor_id == virtual_vendors[i].vendor) {
                                char **l = found;
                                (void) strv_push(&l,
                                                 strdup_printf("%04x:%02x:%02x.%d %04x:%04x %s", d->domain, d->bus,
                                                               d->dev, d->func, d->vendor_id, d->device_id,
                                                               virtual_vendors[i].name));
                                found = l;
                                n = n + 1;
                                add_family(families, virtual_vendors[i].family);
                        }
        }
        pci_jmp_armed = false;
        pci_cleanup(pacc);
        /* bus order, not directory order: the same on the host and in its dump */
        strv_sort(found);
        for (size_t i = 0; found && found[i] && i < 4; i++)
                sis_finding_evidence(f, where, "%s", found[i]);
        strv_free(found);
        *ret_count = n;
        return 0;
}

static int pci_from_layer(struct audit_ctx *c, struct sis_finding *f, char **devs, char ***families,
                          unsigned *ret_count) {
        unsigned n = 0;

        for (size_t i = 0; devs[i]; i++) {
                _cleanup_free_ char *d = NULL;
                uint32_t vendor;
                if (sis_root_readf_u32(c->root, &vendor, "/sys/bus/pci/devices/%s/vendor", devs[i]) < 0)
                        continue;
                (void) sis_root_readf_string(c->root, &d, "/sys/bus/pci/devices/%s/device", devs[i]);
                for (size_t j = 0; j < ELEMENTSOF(virtual_vendors); j++)
                        if (vendor == virtual_vendors[j].vendor) {
                                add_family(families, virtual_vendors[j].family);
                                if (n++ < 4)
                                        sis_finding_evidence(f, "/sys/bus/pci/devices", "%s %04x:%s %s", devs[i],
                                                             vendor, d ? d + (startswith(d, "0x") ? 2 : 0) : "?",
                                                             virtual_vendors[j].name);
                        }
        }
        *ret_count = n;
        return 0;
}

/* /proc/bus/pci/devices, the kernel's list of PCI devices where sysfs has none (an older or a
 * stripped-down guest): through the sysroot layer (bounded, recorded for --collect), then libpci's
 * procfs back end with a root-prefixed proc.path on a plain tree; elsewhere (a dump with links
 * out of it) the recorded text's first two fields, bus/devfn and vendor:device, decide. */
static int pci_proc_virtual(struct audit_ctx *c, struct sis_finding *f, char ***families, unsigned *ret_count) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        unsigned n = 0;
        int k = sis_root_read_string(c->root, "/proc/bus/pci/devices", &text);

        if (k < 0)
                return k;
        if (sis_root_plain(c->root, "/proc/bus/pci", 1) > 0) {
                path = strdup_printf("%s/proc/bus/pci", sis_root_path(c->root));
                if (!path)
                        return -ENOMEM;
                return pci_scan(f, PCI_ACCESS_PROC_BUS_PCI, "proc.path", path, "/proc/bus/pci/devices", families,
                                ret_count);
        }
        for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
                unsigned bdf, vd;
                if (sscanf(l, "%x %x", &bdf, &vd) != 2)
                        continue;
                for (size_t j = 0; j < ELEMENTSOF(virtual_vendors); j++)
                        if (vd >> 16 == virtual_vendors[j].vendor) {
                                add_family(families, virtual_vendors[j].family);
                                if (n++ < 4)
                                        sis_finding_evidence(f, "/proc/bus/pci/devices", "%02x:%02x.%u %04x:%04x %s",
                                                             bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, vd >> 16,
                                                             vd & 0xffff, virtual_vendors[j].name);
                        }
        }
        *ret_count = n;
        return 0;
}

/* Virtual PCI vendors on the root's PCI bus, via libpci with a root-prefixed sysfs path, or the
 * procfs list where sysfs has no PCI bus. */
static int pci_virtual(struct audit_ctx *c, struct sis_finding *f, char ***families, unsigned *ret_count) {
        _cleanup_strv_free_ char **devs = NULL;
        _cleanup_free_ char *sysfs = NULL;
        int k;

        /* Through the sysroot layer first: it bounds what libpci will see and records it for --collect. */
        k = sis_root_list(c->root, "/sys/bus/pci/devices", &devs);
        if (k == -ENOENT || (k >= 0 && !devs[0]))
                return pci_proc_virtual(c, f, families, ret_count);
        if (k < 0)
                return k;
        /* (the live host's own sysfs needs no bounds, and unrecorded, the reads would be libpci's twice) */
        for (size_t i = 0; (!sis_root_is_live(c->root) || sis_root_recording(c->root)) && devs[i]; i++)
                for (size_t j = 0; j < ELEMENTSOF(pci_files); j++) {
                        _cleanup_free_ char *v = NULL;
                        (void) sis_root_readf_string(c->root, &v, "/sys/bus/pci/devices/%s/%s", devs[i], pci_files[j]);
                }
        if (!devs[0]) {
                *ret_count = 0;
                return 0;
        }
        /* libpci opens the files itself: only on a tree without FIFOs or symlinks out of it;
         * elsewhere the vendor IDs read above through the sysroot layer decide. */
        if (sis_root_plain(c->root, "/sys/bus/pci/devices", 2) <= 0)
                return pci_from_layer(c, f, devs, families, ret_count);
        sysfs = strdup_printf("%s/sys/bus/pci", sis_root_path(c->root));
        if (!sysfs)
                return -ENOMEM;
        return pci_scan(f, PCI_ACCESS_SYS_BUS_PCI, "sysfs.path", sysfs, "/sys/bus/pci/devices", families, ret_count);
}

CHECK_FN(check_platform_nested) {
        static const char *const dmi[] = { "/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name",
                                           "/sys/class/dmi/id/bios_vendor" };
        static const char *const dt[] = { "/proc/device-tree/compatible", "/proc/device-tree/hypervisor/compatible" };
        const struct cpuinfo *ci = NULL;
        _cleanup_strv_free_ char **families = NULL;
        _cleanup_free_ char *hv = NULL, *vendor = NULL, *product = NULL;
        json_object *cpuid;
        unsigned signals = 0, pci = 0;
        enum sis_status bad = audit_production(c) ? SIS_FAIL : SIS_WARN;
        int k;

        if (audit_cpuinfo(c, &ci) < 0)
                ci = NULL;
        if (ci && cpuinfo_has_flag(ci, "hypervisor")) {
                sis_finding_evidence(f, "/proc/cpuinfo", "flags: hypervisor");
                signals++;
        }
        if (probe_cpuid(c, &cpuid) >= 0) {
                json_object *h;
                if (json_object_object_get_ex(cpuid, "hypervisor", &h) && json_object_get_boolean(h)) {
                        sis_finding_evidence(f, "CPUID.1:ECX[31]", "hypervisor bit set");
                        signals++;
                }
                if (json_object_object_get_ex(cpuid, "hypervisor_vendor", &h) &&
                    json_object_is_type(h, json_type_string)) {
                        const char *fam =
                                hv_lookup(cpuid_vendors, ELEMENTSOF(cpuid_vendors), json_object_get_string(h));
                        sis_finding_evidence(f, "CPUID.40000000H", "%s", json_object_get_string(h));
                        add_family(&families, fam);
                }
        }
        if (audit_read_opt(c, f, "/sys/hypervisor/type", &hv) >= 0 && *hv) {
                signals++;
                add_family(&families, streq(hv, "xen") ? "Xen" : NULL);
        }
        for (size_t i = 0; i < ELEMENTSOF(dmi); i++) {
                _cleanup_free_ char *v = NULL;
                const char *fam;
                if (audit_read_opt(c, f, dmi[i], &v) < 0)
                        continue;
                if ((fam = hv_lookup(virtual_dmi, ELEMENTSOF(virtual_dmi), v))) {
                        signals++;
                        add_family(&families, fam);
                }
                if (i == 0)
                        vendor = TAKE_PTR(v);
                else if (i == 1)
                        product = TAKE_PTR(v);
        }
        /* Amazon's metal instances are bare metal; every other EC2 instance is a Nitro VM */
        if (vendor && streq(vendor, "Amazon EC2") && product && !strstr(product, "metal")) {
                signals++;
                add_family(&families, "Amazon EC2 (Nitro)");
        }
        for (size_t i = 0; i < ELEMENTSOF(dt); i++) {
                _cleanup_free_ char *v = NULL;
                const char *fam;
                if (sis_root_read_string(c->root, dt[i], &v) < 0)
                        continue;
                fam = hv_lookup(dt_compatible, ELEMENTSOF(dt_compatible), v);
                /* a hypervisor node says so by being there */
                if (fam || i == 1) {
                        sis_finding_evidence(f, dt[i], "%s", v);
                        signals++;
                        add_family(&families, fam);
                }
        }
        k = pci_virtual(c, f, &families, &pci);
        if (k >= 0 && pci > 0)
                signals++;

        if (signals > 0) {
                _cleanup_free_ char *names = NULL;
                if (families) {
                        struct sbuf b = {};
                        for (size_t i = 0; families[i]; i++)
                                sbuf_printf(&b, "%s%s", i ? (families[i + 1] ? ", " : " or ") : "", families[i]);
                        names = sbuf_steal(&b);
                }
                sis_finding_note(f, bad, "running under %s (%u sign%s): microVMs would be nested",
                                 names ? names : "a hypervisor", signals, signals == 1 ? "" : "s");
        } else if (!ci)
                /* bare metal is a claim: it needs the CPU flags at least */
                sis_finding_note(f, SIS_UNKNOWN, "cannot read the CPU flags (/proc/cpuinfo) to decide");
        else
                sis_finding_note(f, SIS_PASS, "bare metal: no hypervisor flag, DMI, device-tree or virtual PCI device");
}

/* An IOMMU confines what devices may reach by DMA: without one, a compromised or malicious device
 * (a NIC's firmware, anything on Thunderbolt) reads and writes every guest's memory. */
CHECK_FN(check_platform_iommu) {
        _cleanup_strv_free_ char **units = NULL, **groups = NULL;
        char **words = NULL;
        int k = sis_root_list(c->root, "/sys/class/iommu", &units);

        if (k >= 0 && units[0]) {
                _cleanup_free_ char *joined = NULL;
                struct sbuf b = {};
                for (size_t i = 0; units[i] && i < 8; i++)
                        sbuf_printf(&b, "%s%s", i ? " " : "", units[i]);
                joined = sbuf_steal(&b);
                sis_finding_evidence(f, "/sys/class/iommu", "%s", strna(joined));
                sis_finding_note(f, SIS_PASS, "IOMMU active (%s)", strna(joined));
                return;
        }
        /* some kernels have groups (a VM's virtual IOMMU, or one without a class device) */
        if (sis_root_list(c->root, "/sys/kernel/iommu_groups", &groups) >= 0 && groups[0]) {
                sis_finding_evidence(f, "/sys/kernel/iommu_groups", "%zu groups", strv_length(groups));
                sis_finding_note(f, SIS_PASS, "IOMMU active (%zu groups)", strv_length(groups));
                return;
        }
        if (k < 0 && k != -ENOENT) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list /sys/class/iommu: %s", audit_strerror(k));
                return;
        }
        if (audit_cmdline(c, &words) >= 0) {
                const char *i = cmdline_get(words, "intel_iommu"), *a = cmdline_get(words, "amd_iommu");
                if ((i && strstr(i, "off")) || (a && strstr(a, "off")) ||
                    streq_ptr(cmdline_get(words, "iommu"), "off")) {
                        sis_finding_evidence(f, "/proc/cmdline", "%s", c->cmdline_raw);
                        sis_finding_note(f, SIS_WARN,
                                         "the IOMMU is switched off on the command line: devices can reach all "
                                         "memory by DMA");
                        return;
                }
        }
        sis_finding_note(f, SIS_WARN,
                         "no IOMMU active: devices can reach every guest's memory by DMA (enable VT-d/AMD-Vi "
                         "in firmware, boot with intel_iommu=on or amd_iommu=on)");
}
