/* SPDX-License-Identifier: MIT */
/*
 * QEMU's seccomp allowlist under sis's jail: the data, included by launch/confine.c into
 * qemu_syscalls[]. Everything not listed is EPERM; confine_forbidden can never be listed
 * (tests/unit/test-confine.c). One syscall a line, with why.
 *
 * Source: strace -f on every jailed QEMU of a make e2e run (QEMU 7.2 from Debian 12, glibc 2.36,
 * TCG, -sandbox on): boot (two VMs with Podman inside), steady state, a snapshot (migrate to a
 * file handed over QMP), a restore (-incoming defer, migrate-incoming from a handed-over fd),
 * poweroff, and a SIGKILL mid-boot. "seen" marks what that run called, after QEMU's execve
 * (60 syscalls, io_uring_setup and clone3 left out: below); "added" what QEMU or glibc take on
 * other paths (KVM instead of TCG, signals, discards, another clock source), with why.
 *
 * Left out on purpose: io_uring_setup (seen: QEMU 7.2's event loop tries io_uring first and
 * falls back to ppoll/epoll when refused), the linux-aio io_* calls (only for aio=native, which
 * sis never asks for), fork/vfork/execveat, connect, timerfd_* and futex_waitv (no user in QEMU
 * 7.2 or glibc 2.36), mlock* (only with -overcommit mem-lock), membarrier and mbind (not built
 * or not asked for). clone3 is ENOSYS in every filter (the C library falls back to clone).
 *
 * Special rules in confine.c: clone only for threads (CLONE_THREAD, no namespace flag);
 * socket and socketpair only for AF_UNIX (and AF_VSOCK with spec.vsock).
 */

/* --- starting: the jail's init execs QEMU under this filter; ld.so, libc start-up --- */
"execve",               /* seen: the jail's exec of QEMU itself (QEMU's -sandbox spawn=deny refuses any later one) */
"arch_prctl",           /* seen: ld.so, TLS */
"set_tid_address",      /* seen: libc start-up */
"set_robust_list",      /* seen: libc start-up, every new thread */
"rseq",                 /* seen: glibc 2.35+ registers each thread */
"prlimit64",            /* seen: getrlimit(RLIMIT_NOFILE, RLIMIT_STACK) */
"brk",                  /* seen: malloc */
"access",               /* seen: module and firmware lookups (ENOENT mostly) */
"faccessat",            /* added: access() through the *at call (other libcs, glib) */
"readlink",             /* seen: /proc/self/exe, to find its data and module directories */
"readlinkat",           /* added: readlink's *at form */
"sysinfo",              /* seen: glib, the host's memory size */
"getrandom",            /* seen: glib's and QEMU's random seeds, the guest's virtio-rng falls back to it */
"uname",                /* added: glib and QEMU's host probes (g_get_os_info, qemu_get_host_name paths) */

/* --- memory --- */
"mmap",                 /* seen: guest RAM, libraries, thread stacks, TCG's code buffer */
"munmap",               /* seen */
"mprotect",             /* seen: stack guards, TCG's code buffer */
"mremap",               /* seen: glib's and libc's growing buffers */
"madvise",              /* seen: thread-stack release, MADV_DONTDUMP/DONTFORK/HUGEPAGE on guest RAM, balloon */
"memfd_create",         /* seen: TCG's split code buffer (MFD_ALLOW_SEALING) */
"get_mempolicy",        /* seen: host memory backend probe */
"set_mempolicy",        /* seen: the RAM allocation's NUMA preference */

/* --- threads and waiting --- */
"clone",                /* seen: pthread_create after clone3's ENOSYS; threads only (confine.c) */
"futex",                /* seen: locks, condition variables, QemuEvent */
"exit",                 /* seen: a thread's end (the I/O worker pool shrinks) */
"exit_group",           /* seen: poweroff (-no-reboot), quit */
"gettid",               /* seen: qemu_get_thread_id, trace and log prefixes */
"getpid",               /* added: glibc's pthread_kill and raise() (tgkill(getpid(), ...)) */
"sched_getaffinity",    /* seen: glib's and QEMU's CPU count */
"sched_yield",          /* added: glibc's and QEMU's spin-then-wait paths (qemu_co_mutex, RCU) */
"ppoll",                /* seen: the main loop and the AioContexts (qemu_poll_ns) */
"poll",                 /* seen: glib's main context */
"pselect6",             /* added: select() in libraries (same kernel path class as ppoll) */
"epoll_create1",        /* added: QEMU's AioContext upgrades to epoll when io_uring is refused and fds pile up */
"epoll_ctl",            /* added: with epoll_create1 */
"epoll_wait",           /* added: with epoll_create1 */
"epoll_pwait",          /* added: glibc's epoll_wait on other architectures, and with a signal mask */
"eventfd2",             /* seen: EventNotifier, glib's GWakeup; KVM's ioeventfd and irqfd */
"signalfd4",            /* seen: the main loop takes SIGBUS, SIGALRM, SIGIO through a signalfd */
"clock_nanosleep",      /* seen: g_usleep, RCU's grace periods */
"clock_gettime",        /* added: the vDSO's fallback when the host clock source is not vDSO-capable */
"clock_getres",         /* added: the same, and glib's timer resolution */
"gettimeofday",         /* added: the vDSO's fallback */
"restart_syscall",      /* added: the kernel's restart of an interrupted ppoll/nanosleep (after SIGSTOP/SIGCONT) */

/* --- signals --- */
"rt_sigaction",         /* seen: SIG_IPI, SIGBUS (memory errors), SIGPIPE ignored */
"rt_sigprocmask",       /* seen: thread creation, coroutines' swapcontext */
"rt_sigreturn",         /* added: returning from any handled signal (KVM's SIG_IPI, SIGBUS) */
"sigaltstack",          /* added: an alternate signal stack per thread (QEMU's coroutine-sigaltstack backend; sanitizer runtimes) */
"tgkill",               /* added: KVM kicks a vCPU thread with pthread_kill(SIG_IPI); abort() */

/* --- files: the kernel, the disks, the snapshot's state --- */
"openat",               /* seen: kernel, disks, /dev/net/tun, /dev/urandom, /dev/kvm, modules */
"close",                /* seen */
"read",                 /* seen: TAP, eventfds, the vmstate on restore */
"write",                /* seen: the serial console, TAP, eventfds */
"readv",                /* seen: TAP, QMP, the incoming migration */
"writev",               /* seen: TAP, the outgoing migration */
"pread64",              /* seen: block I/O (raw files) */
"pwrite64",             /* seen: block I/O */
"preadv",               /* seen: block I/O, vectored */
"pwritev",              /* seen: block I/O, vectored */
"preadv2",              /* added: the same with flags (RWF_NOWAIT, RWF_DSYNC) where QEMU's file driver uses them */
"pwritev2",             /* added: the same */
"lseek",                /* seen: image size, SEEK_DATA/SEEK_HOLE for block status */
"fcntl",                /* seen: O_NONBLOCK, F_SETLK image locks, F_ADD_SEALS, F_DUPFD_CLOEXEC */
"ioctl",                /* seen: TUNSETIFF and friends, TCGETS, FIONBIO; KVM (/dev/kvm, the VM and vCPU fds) */
"newfstatat",           /* seen: glibc 2.36's fstat and stat */
"fstat",                /* added: fstat from other libraries and libcs */
"stat",                 /* added: the same */
"lstat",                /* added: the same */
"statx",                /* added: glib's and newer glibc's stat */
"statfs",               /* seen: libselinux probes /sys/fs/selinux (ENOENT) */
"fstatfs",              /* added: the file driver asks an image's filesystem type (O_DIRECT, XFS, NFS handling) */
"fdatasync",            /* seen: guest flushes to the home disk */
"fsync",                /* added: the same where fdatasync is not used */
"fadvise64",            /* seen: restore (the incoming migration file) */
"fallocate",            /* added: discard=unmap (the home disk: PUNCH_HOLE) and write-zeroes (ZERO_RANGE) */
"ftruncate",            /* added: the file driver's truncate and resize paths (block_resize) */
"unlink",               /* seen: the QMP socket's path, before bind */
"unlinkat",             /* added: unlink's *at form */

/* --- QMP and the snapshot's fd: AF_UNIX only --- */
"socket",               /* seen: QMP's listening socket; AF_UNIX only (confine.c) */
"socketpair",           /* added: chardev and vhost-user paths that pair sockets; AF_UNIX only (confine.c) */
"bind",                 /* seen: /qmp.sock */
"listen",               /* seen: /qmp.sock */
"accept4",              /* seen: the launcher's QMP connections */
"getsockname",          /* seen: socket address checks */
"getpeername",          /* seen: the same (ENOTCONN) */
"getsockopt",           /* seen: snapshot and restore (SO_TYPE on the handed-over fd) */
"setsockopt",           /* added: socket options on QMP and chardev sockets (SO_REUSEADDR paths) */
"recvmsg",              /* seen: QMP, getfd's SCM_RIGHTS (the snapshot's and the restore's fd) */
"sendmsg",              /* seen: QMP replies */
"recvfrom",             /* added: recv() on QMP and chardev sockets */
"sendto",               /* added: send() on QMP and chardev sockets */
"shutdown",             /* added: QMP and migration channels closed (qio_channel_shutdown) */

/* --- QEMU's own -sandbox filter, installed early in its start-up --- */
"seccomp",              /* seen: libseccomp's probes and the load (a filter only ever adds restrictions) */
"prctl",                /* seen: PR_SET_NAME (thread names), PR_SET_NO_NEW_PRIVS, PR_MCE_KILL */
