/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The QEMU backend: what `-M microvm` is asked for, as an argv, and which host files the VMM needs
 * in its jail (the binary, its shared libraries, its firmware), bound read-only at their own paths
 * by launch/confine. Paths in the argv are jail-relative, as for Firecracker.
 */
#include <stdbool.h>

#include "vmlimits.h"

#define QMP_SOCK "/run/qmp.sock" /* in the jail: run/ is the VMM's socket tmpfs */

struct qemu_vm {
        const char *binary; /* the VMM's path (the same inside the jail) */
        const char *id;
        unsigned vcpus;
        unsigned mem_mib;
        bool kvm;           /* -accel kvm, else tcg */
        const char *kernel; /* "/vmlinux" */
        const char *rootfs; /* "/rootfs.ext4", read-only */
        const char *home;   /* "/disk/home.ext4", or NULL */
        const char *boot_args;
        const char *tap; /* "tap0", or NULL: no network */
        const char *guest_mac;
        bool incoming;                  /* a restore: -incoming defer, the state comes over QMP */
        const struct vm_limits *limits; /* drive throttling; NULL: none */
};

/* The argv (NULL-terminated; strv_free). */
int qemu_argv(const struct qemu_vm *vm, char ***ret);

/* The host files binary needs to run: itself, its interpreter and libraries (as the system's
 * dynamic loader resolves them, from `ldd`), the firmware microvm loads and, for tcg, the TCG
 * module where QEMU is built with modules. Each entry is a path that must exist at the same place
 * inside the jail. -errno with *ret_error. */
int qemu_files(const char *binary, bool tcg, char ***ret, char **ret_error);

/* One line of `ldd` output: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and
 * "/lib64/ld-linux-x86-64.so.2 (0x...)" give their path (1, *ret_path to free), "linux-vdso.so.1
 * (0x...)" none (0), "libfoo.so => not found" -ENOENT. */
int ldd_line_path(const char *line, char **ret_path);
