/* SPDX-License-Identifier: MIT */
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>

#include "audit.h"
#include "util.h"

/* PCI vendors that only exist as virtual hardware. (Amazon's 0x1d0f is absent on purpose: metal
 * instances have Nitro devices too.) */
static const struct {
        unsigned vendor;
        const char *name;
} virtual_vendors[] = {
        { 0x1af4, "virtio (Red Hat)" }, { 0x1b36, "QEMU" },           { 0x1234, "QEMU VGA" },
        { 0x15ad, "VMware" },           { 0x80ee, "VirtualBox" },     { 0x1414, "Microsoft Hyper-V" },
        { 0x5853, "Xen" },              { 0x1ab8, "Parallels" },
};

static const char *const virtual_dmi[] = {
        "QEMU", "KVM", "VMware", "VirtualBox", "innotek GmbH", "Xen", "Google Compute Engine", "Parallels",
        "Bochs", "Firecracker", "Cloud Hypervisor", "Virtual Machine",
};

/* What libpci's sysfs back end reads for an identity; the sysroot layer reads them first. */
static const char *const pci_files[] = { "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device" };

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

/* libpci's scan, isolated so that longjmp from its error callback clobbers nothing. */
static int pci_scan(struct sis_finding *f, const char *sysfs, unsigned *ret_count) {
        struct pci_access *volatile pacc = pci_alloc();
        volatile unsigned n = 0;
        char **volatile found = NULL;

        if (!pacc)
                return -ENOMEM;
        pacc->error = pci_error;
        pacc->warning = pci_quiet;
        pacc->debug = pci_quiet;
        pacc->method = PCI_ACCESS_SYS_BUS_PCI;
        pci_jmp_armed = true;
        if (setjmp(pci_jmp)) {
                /* libpci gave up part-way (garbage in a dump): leak its state rather than trust it */
                pci_jmp_armed = false;
                strv_free(found);
                return -EBADMSG;
        }
        pci_set_param(pacc, "sysfs.path", (char *) sysfs);
        pci_init(pacc);
        pci_scan_bus(pacc);
        for (struct pci_dev *d = pacc->devices; d; d = d->next) {
                pci_fill_info(d, PCI_FILL_IDENT);
                for (size_t i = 0; i < ELEMENTSOF(virtual_vendors); i++)
                        if (d->vendor_id == virtual_vendors[i].vendor) {
                                char **l = found;
                                (void) strv_push(&l, strdup_printf("%04x:%02x:%02x.%d %04x:%04x %s", d->domain, d->bus,
                                                                   d->dev, d->func, d->vendor_id, d->device_id,
                                                                   virtual_vendors[i].name));
                                found = l;
                                n = n + 1;
                        }
        }
        pci_jmp_armed = false;
        pci_cleanup(pacc);
        /* bus order, not directory order: the same on the host and in its dump */
        strv_sort(found);
        for (size_t i = 0; found && found[i] && i < 4; i++)
                sis_finding_evidence(f, "/sys/bus/pci/devices", "%s", found[i]);
        strv_free(found);
        *ret_count = n;
        return 0;
}

static int pci_from_layer(struct audit_ctx *c, struct sis_finding *f, char **devs, unsigned *ret_count) {
        unsigned n = 0;

        for (size_t i = 0; devs[i]; i++) {
                _cleanup_free_ char *p = strdup_printf("/sys/bus/pci/devices/%s/vendor", devs[i]), *v = NULL;
                _cleanup_free_ char *pd = strdup_printf("/sys/bus/pci/devices/%s/device", devs[i]), *d = NULL;
                uint32_t vendor;
                if (!p || !pd || sis_root_read_string(c->root, p, &v) < 0 || safe_atou32(v, &vendor) < 0)
                        continue;
                (void) sis_root_read_string(c->root, pd, &d);
                for (size_t j = 0; j < ELEMENTSOF(virtual_vendors); j++)
                        if (vendor == virtual_vendors[j].vendor) {
                                if (n++ < 4)
                                        sis_finding_evidence(f, "/sys/bus/pci/devices", "%s %04x:%s %s", devs[i], vendor,
                                                             d ? d + (startswith(d, "0x") ? 2 : 0) : "?", virtual_vendors[j].name);
                        }
        }
        *ret_count = n;
        return 0;
}

/* Virtual PCI vendors on the root's PCI bus, via libpci with a root-prefixed sysfs path. */
static int pci_virtual(struct audit_ctx *c, struct sis_finding *f, unsigned *ret_count) {
        _cleanup_strv_free_ char **devs = NULL;
        _cleanup_free_ char *sysfs = NULL;
        int k;

        /* Through the sysroot layer first: it bounds what libpci will see and records it for --collect. */
        k = sis_root_list(c->root, "/sys/bus/pci/devices", &devs);
        if (k < 0)
                return k;
        for (size_t i = 0; devs[i]; i++)
                for (size_t j = 0; j < ELEMENTSOF(pci_files); j++) {
                        _cleanup_free_ char *p = strdup_printf("/sys/bus/pci/devices/%s/%s", devs[i], pci_files[j]), *v = NULL;
                        if (p)
                                (void) sis_root_read_string(c->root, p, &v);
                }
        if (!devs[0]) {
                *ret_count = 0;
                return 0;
        }
        /* libpci opens the files itself: only on a tree without FIFOs or symlinks out of it;
         * elsewhere the vendor IDs read above through the sysroot layer decide. */
        if (sis_root_plain(c->root, "/sys/bus/pci/devices", 2) <= 0)
                return pci_from_layer(c, f, devs, ret_count);
        sysfs = strdup_printf("%s/sys/bus/pci", sis_root_path(c->root));
        if (!sysfs)
                return -ENOMEM;
        k = pci_scan(f, sysfs, ret_count);
        return k;
}


CHECK_FN(check_platform_nested) {
        const struct cpuinfo *ci = NULL;
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
        }
        if (audit_read_opt(c, f, "/sys/hypervisor/type", &hv) >= 0 && *hv)
                signals++;
        (void) audit_read_opt(c, f, "/sys/class/dmi/id/sys_vendor", &vendor);
        (void) audit_read_opt(c, f, "/sys/class/dmi/id/product_name", &product);
        for (size_t i = 0; i < ELEMENTSOF(virtual_dmi); i++)
                if ((vendor && strstr(vendor, virtual_dmi[i])) || (product && strstr(product, virtual_dmi[i])))
                        signals++;
        if (vendor && streq(vendor, "Amazon EC2") && product && !strstr(product, "metal"))
                signals++;
        k = pci_virtual(c, f, &pci);
        if (k >= 0 && pci > 0)
                signals++;

        if (signals > 0)
                sis_finding_note(f, bad, "running under a hypervisor (%u sign%s): microVMs would be nested", signals,
                                 signals == 1 ? "" : "s");
        else if (!ci)
                /* bare metal is a claim: it needs the CPU flags at least */
                sis_finding_note(f, SIS_UNKNOWN, "cannot read the CPU flags (/proc/cpuinfo) to decide");
        else
                sis_finding_note(f, SIS_PASS, "bare metal: no hypervisor flag, DMI or virtual PCI device");
}
