/* SPDX-License-Identifier: MIT */
/*
 * A hostile stand-in for qemu-system-x86_64, for tests/hostile.sh only. sis-launch --backend qemu
 * --qemu THIS runs it under sis's own jail, as the VM's uid, in the VM's network namespace. It
 * speaks enough QMP for sis-launch (the greeting, qmp_capabilities, query-status, stop, cont,
 * getfd, migrate and migrate-incoming over the passed descriptor, query-migrate, system_powerdown,
 * quit) and logs every command on stdout (the jail's log FIFO: qemu.log).
 *
 * The test drives its attacks through a file: it writes commands, one a line, to hostile.ctl next
 * to the QMP socket; the stand-in runs them (within 0.1 s) and answers in hostile.out there, whose
 * last line is "done" once it is whole:
 *   syscalls           try what the jail's seccomp filter must refuse; "syscall NAME ok|ERRNO"
 *   env                what it sees: its status (caps, no_new_privs, seccomp), its file-size limit, /,
 *                      /dev (listed, and nodes looked for by name), /proc, /sys
 *   connect IP PORT    a TCP connection (2 s), and an HTTP GET over it: "connect IP PORT ok|ERRNO [HTTP status]"
 *   fill N             create N files next to the socket: "fill CREATED FIRST-ERRNO" (then removes them)
 * and appends every QMP command it gets to hostile.qmp there ("name=NAME pid=P qmp COMMAND", NAME
 * from -name: a root server planted by the test is started with -name rogue).
 * It is dynamically linked on purpose: sis-launch binds into the jail what ldd lists (a static
 * binary makes ldd fail, and a script's interpreter is not bound).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define MAXC 8

static char status_str[32] = "running", mig_str[32] = "none", ctl_dir[256] = "/", name[80] = "?";
static int passed_fd = -1;

struct client {
        int fd;
        char buf[65536];
        size_t len;
};
static struct client clients[MAXC];

static void out(FILE *f, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
}

static void say(int fd, const char *text) {
        size_t n = strlen(text), done = 0;
        while (done < n) {
                ssize_t k = send(fd, text + done, n - done, MSG_NOSIGNAL);
                if (k <= 0)
                        return;
                done += (size_t) k;
        }
}

static void migrate_out(void) {
        char host[128] = "?", line[256];
        if (passed_fd < 0)
                return;
        gethostname(host, sizeof(host));
        snprintf(line, sizeof(line), "SIS-STANDIN-STATE vm=%s pid=%d\n", host, (int) getpid());
        (void) !write(passed_fd, line, strlen(line));
        for (int i = 0; i < 16; i++) {
                char block[4096];
                memset(block, 'S', sizeof(block));
                (void) !write(passed_fd, block, sizeof(block));
        }
        close(passed_fd);
        passed_fd = -1;
        snprintf(mig_str, sizeof(mig_str), "completed");
        snprintf(status_str, sizeof(status_str), "postmigrate");
}

static void migrate_in(void) {
        char buf[4096], first[256] = "";
        ssize_t n;
        size_t total = 0;
        if (passed_fd < 0)
                return;
        while ((n = read(passed_fd, buf, sizeof(buf))) > 0) {
                if (!total) {
                        size_t l = strcspn(buf, "\n");
                        snprintf(first, sizeof(first), "%.*s", (int) (l < (size_t) n ? l : (size_t) n), buf);
                }
                total += (size_t) n;
        }
        close(passed_fd);
        passed_fd = -1;
        printf("standin: incoming %zu bytes: %s\n", total, first);
        snprintf(mig_str, sizeof(mig_str), "completed");
        snprintf(status_str, sizeof(status_str), "running");
}

/* One QMP command line. */
static void command(struct client *c, const char *line) {
        char cmd[64] = "";
        const char *e = strstr(line, "\"execute\"");
        if (e && (e = strchr(e + 9, '"')))
                sscanf(e + 1, "%63[^\"]", cmd);
        printf("standin: qmp %s\n", cmd);
        {
                /* the record the test reads: who was asked what (a root server planted in a jail
                 * writes here too, under its own uid) */
                char p[300];
                snprintf(p, sizeof(p), "%s/hostile.qmp", ctl_dir);
                FILE *r = fopen(p, "a");
                if (r) {
                        fprintf(r, "name=%s pid=%d qmp %s\n", name, (int) getpid(), cmd);
                        fclose(r);
                }
        }
        if (!strcmp(cmd, "qmp_capabilities") || !strcmp(cmd, "getfd"))
                say(c->fd, "{\"return\": {}}\n");
        else if (!strcmp(cmd, "query-status")) {
                char r[160];
                snprintf(r, sizeof(r), "{\"return\": {\"status\": \"%s\", \"singlestep\": false, \"running\": %s}}\n",
                         status_str, strcmp(status_str, "running") ? "false" : "true");
                say(c->fd, r);
        } else if (!strcmp(cmd, "stop")) {
                snprintf(status_str, sizeof(status_str), "paused");
                say(c->fd, "{\"return\": {}}\n");
        } else if (!strcmp(cmd, "cont")) {
                snprintf(status_str, sizeof(status_str), "running");
                say(c->fd, "{\"return\": {}}\n");
        } else if (!strcmp(cmd, "migrate")) {
                migrate_out();
                say(c->fd, "{\"return\": {}}\n");
        } else if (!strcmp(cmd, "migrate-incoming")) {
                migrate_in();
                say(c->fd, "{\"return\": {}}\n");
        } else if (!strcmp(cmd, "query-migrate")) {
                char r[96];
                snprintf(r, sizeof(r), "{\"return\": {\"status\": \"%s\"}}\n", mig_str);
                say(c->fd, r);
        } else if (!strcmp(cmd, "system_powerdown") || !strcmp(cmd, "quit")) {
                say(c->fd, "{\"return\": {}}\n");
                printf("standin: exiting on %s\n", cmd);
                exit(0);
        } else
                say(c->fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"not in the stand-in\"}}\n");
}

static void client_read(struct client *c) {
        char cbuf[CMSG_SPACE(sizeof(int) * 4)];
        struct iovec iov = { .iov_base = c->buf + c->len, .iov_len = sizeof(c->buf) - c->len - 1 };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        ssize_t n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC);
        if (n <= 0) {
                close(c->fd);
                c->fd = -1;
                c->len = 0;
                return;
        }
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
                if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
                        if (passed_fd >= 0)
                                close(passed_fd);
                        memcpy(&passed_fd, CMSG_DATA(h), sizeof(int));
                }
        c->len += (size_t) n;
        c->buf[c->len] = '\0';
        char *nl;
        while ((nl = memchr(c->buf, '\n', c->len))) {
                *nl = '\0';
                command(c, c->buf);
                if (c->fd < 0)
                        return;
                size_t used = (size_t) (nl - c->buf) + 1;
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
        }
        if (c->len >= sizeof(c->buf) - 1)
                c->len = 0;
}

/* Each probe runs and prints at once (errno is read right after its call). */
#define PROBE(f, name, call) \
        do { \
                errno = 0; \
                long _r = (long) (call); \
                out(f, "syscall %s %s\n", name, _r >= 0 ? "ok" : strerrorname_np(errno)); \
                if (_r >= 0 && strncmp(name, "socket", 6) == 0) \
                        close((int) _r); \
        } while (0)

static void syscalls(FILE *f) {
        long params[32] = {};
        char ldt[16];
        struct perf_event_attr pa = { .type = PERF_TYPE_SOFTWARE,
                                      .size = sizeof(pa),
                                      .config = PERF_COUNT_SW_CPU_CLOCK,
                                      .disabled = 1,
                                      .exclude_kernel = 1,
                                      .exclude_hv = 1 };
        PROBE(f, "io_uring_setup", syscall(__NR_io_uring_setup, 1, params));
        PROBE(f, "userfaultfd", syscall(__NR_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
        PROBE(f, "modify_ldt", syscall(__NR_modify_ldt, 0, ldt, sizeof(ldt)));
        PROBE(f, "kcmp", syscall(__NR_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0));
        PROBE(f, "socket-inet", socket(AF_INET, SOCK_STREAM, 0));
        PROBE(f, "socket-inet6", socket(AF_INET6, SOCK_STREAM, 0));
        PROBE(f, "socket-netlink", socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */));
        PROBE(f, "socket-vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
        /* calls the kernel itself would fail otherwise than with EPERM: an invalid descriptor
         * (EBADF), no such process (ESRCH), ... so EPERM says a filter refused them */
        PROBE(f, "setns", syscall(__NR_setns, -1, 0));
        PROBE(f, "ptrace", ptrace(PTRACE_PEEKDATA, 999999, NULL, NULL));
        PROBE(f, "bpf", syscall(__NR_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0));
        PROBE(f, "keyctl", syscall(__NR_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
        PROBE(f, "perf_event_open", syscall(__NR_perf_event_open, &pa, 0, -1, -1, 0));
}

static void list_dir(FILE *f, const char *label, const char *path, int numeric) {
        DIR *d = opendir(path);
        struct dirent *de;
        out(f, "%s:", label);
        if (!d) {
                out(f, " (%s)\n", strerrorname_np(errno));
                return;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                int num = strspn(de->d_name, "0123456789") == strlen(de->d_name);
                if (numeric || !num)
                        out(f, " %s", de->d_name);
        }
        closedir(d);
        out(f, "\n");
}

static const char *exists(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 ? "present" : strerrorname_np(errno);
}

/* What it sees. Directories are listed where getdents64 is allowed; the device nodes are also
 * looked for by name (a filter may refuse listing them). */
static void env(FILE *f) {
        static const char *const nodes[] = { "null",        "urandom", "net/tun",       "kvm",          "zero",
                                             "random",      "full",    "tty",           "console",      "ptmx",
                                             "pts",         "shm",     "mem",           "kmem",         "port",
                                             "kmsg",        "fuse",    "loop0",         "loop-control", "sda",
                                             "vda",         "nvme0",   "vhost-net",     "vhost-vsock",  "vsock",
                                             "userfaultfd", "autofs",  "btrfs-control", "mapper",       "snd",
                                             "dri",         "input",   "hpet",          "rtc0",         "watchdog",
                                             "cpu" };
        FILE *s = fopen("/proc/self/limits", "r");
        char line[512], p[64];
        /* the largest file it may write (RLIMIT_FSIZE): "fsize BYTES|unlimited" */
        while (s && fgets(line, sizeof(line), s))
                if (!strncmp(line, "Max file size", 13)) {
                        char cur[32] = "?";
                        sscanf(line + 13, "%31s", cur);
                        out(f, "fsize %s\n", cur);
                }
        if (s)
                fclose(s);
        s = fopen("/proc/self/status", "r");
        while (s && fgets(line, sizeof(line), s))
                if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp:", 8) ||
                    !strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4))
                        out(f, "status %s", line);
        if (s)
                fclose(s);
        list_dir(f, "root", "/", 1);
        list_dir(f, "dev", "/dev", 1);
        list_dir(f, "devnet", "/dev/net", 1);
        list_dir(f, "procfs", "/proc", 0);
        out(f, "devnodes:");
        for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
                snprintf(p, sizeof(p), "/dev/%s", nodes[i]);
                out(f, " %s=%s", nodes[i], exists(p));
        }
        out(f, "\n");
        out(f, "sys %s\n", exists("/sys/kernel"));
        out(f, "procsys %s\n", exists("/proc/sys/kernel"));
}

static void do_connect(FILE *f, const char *ip, int port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short) port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e = 0;
        socklen_t el = sizeof(e);
        if (fd < 0) {
                out(f, "connect %s %d socket:%s\n", ip, port, strerrorname_np(errno));
                return;
        }
        inet_pton(AF_INET, ip, &sa.sin_addr);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
                out(f, "connect %s %d %s\n", ip, port, strerrorname_np(errno));
                close(fd);
                return;
        }
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (poll(&p, 1, 2000) <= 0) {
                out(f, "connect %s %d ETIMEDOUT\n", ip, port);
                close(fd);
                return;
        }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e) {
                out(f, "connect %s %d %s\n", ip, port, strerrorname_np(e));
                close(fd);
                return;
        }
        const char *req = "GET /marker.txt HTTP/1.0\r\n\r\n";
        char buf[256] = "";
        (void) !write(fd, req, strlen(req));
        p.events = POLLIN;
        if (poll(&p, 1, 2000) > 0) {
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = '\0';
                buf[strcspn(buf, "\r\n")] = '\0';
        }
        out(f, "connect %s %d ok %s\n", ip, port, buf);
        close(fd);
}

static void fill(FILE *f, int n) {
        int made = 0, first = 0;
        char p[512];
        for (int i = 0; i < n; i++) {
                snprintf(p, sizeof(p), "%s/fill-%d", ctl_dir, i);
                int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0) {
                        if (!first)
                                first = errno;
                        continue;
                }
                close(fd);
                made++;
        }
        for (int i = 0; i < n; i++) {
                snprintf(p, sizeof(p), "%s/fill-%d", ctl_dir, i);
                unlink(p);
        }
        out(f, "fill %d %s\n", made, first ? strerrorname_np(first) : "none");
}

/* Only what QEMU itself does may work here (sis's allowlist): no rename, no connect, no getuid. */
static void control(void) {
        char ctl[300], res[300], line[256];
        snprintf(ctl, sizeof(ctl), "%s/hostile.ctl", ctl_dir);
        FILE *c = fopen(ctl, "r");
        if (!c)
                return;
        unlink(ctl);
        /* the answer's file first (the probes may fill the directory); written whole at the end,
         * its last line "done" */
        snprintf(res, sizeof(res), "%s/hostile.out", ctl_dir);
        int fd = open(res, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        char *text = NULL;
        size_t tlen = 0;
        FILE *f = open_memstream(&text, &tlen);
        while (fgets(line, sizeof(line), c)) {
                char a[64], b[64];
                int n;
                if (!strncmp(line, "syscalls", 8))
                        syscalls(f);
                else if (!strncmp(line, "env", 3))
                        env(f);
                else if (sscanf(line, "connect %63s %d", a, &n) == 2)
                        do_connect(f, a, n);
                else if (sscanf(line, "fill %d", &n) == 1)
                        fill(f, n);
                else if (sscanf(line, "%63s", b) == 1)
                        out(f, "unknown %s\n", b);
        }
        fclose(c);
        out(f, "done\n");
        fclose(f);
        if (fd >= 0) {
                (void) !write(fd, text, tlen);
                close(fd);
        } else
                printf("standin: cannot answer in %s: %s\n%s", res, strerrorname_np(errno), text);
        free(text);
}

int main(int argc, char **argv) {
        const char *qmp = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int lfd;

        if (argc > 1 && !strcmp(argv[1], "--version")) {
                puts("QEMU emulator version 7.2.99 (sis hostile stand-in)");
                return 0;
        }
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (int i = 1; i + 1 < argc; i++) {
                if (!strcmp(argv[i], "-qmp") && !strncmp(argv[i + 1], "unix:", 5))
                        qmp = argv[i + 1] + 5;
                if (!strcmp(argv[i], "-name"))
                        snprintf(name, sizeof(name), "%.*s", (int) strcspn(argv[i + 1], ","), argv[i + 1]);
                if (!strcmp(argv[i], "-incoming"))
                        snprintf(status_str, sizeof(status_str), "inmigrate");
        }
        if (!qmp) {
                fprintf(stderr, "standin: no -qmp unix:PATH\n");
                return 1;
        }
        size_t plen = strcspn(qmp, ",");
        if (plen >= sizeof(sa.sun_path))
                return 1;
        memcpy(sa.sun_path, qmp, plen);
        snprintf(ctl_dir, sizeof(ctl_dir), "%.*s", (int) (strrchr(sa.sun_path, '/') - sa.sun_path), sa.sun_path);
        if (!*ctl_dir)
                snprintf(ctl_dir, sizeof(ctl_dir), ".");
        printf("standin: %s, pid %d, QMP on %s\n", name, (int) getpid(), sa.sun_path);
        unlink(sa.sun_path);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0) {
                printf("standin: cannot listen on %s: %s\n", sa.sun_path, strerrorname_np(errno));
                return 1;
        }
        for (int i = 0; i < MAXC; i++)
                clients[i].fd = -1;
        for (;;) {
                struct pollfd p[MAXC + 1];
                int n = 0, map[MAXC + 1];
                p[n] = (struct pollfd) { .fd = lfd, .events = POLLIN };
                map[n++] = -1;
                for (int i = 0; i < MAXC; i++)
                        if (clients[i].fd >= 0) {
                                p[n] = (struct pollfd) { .fd = clients[i].fd, .events = POLLIN };
                                map[n++] = i;
                        }
                int k = poll(p, (nfds_t) n, 100);
                if (k > 0)
                        for (int j = 0; j < n; j++) {
                                if (!(p[j].revents & (POLLIN | POLLHUP | POLLERR)))
                                        continue;
                                if (map[j] < 0) {
                                        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                                        int slot = -1;
                                        for (int i = 0; c >= 0 && i < MAXC; i++)
                                                if (clients[i].fd < 0) {
                                                        slot = i;
                                                        break;
                                                }
                                        if (slot < 0) {
                                                if (c >= 0)
                                                        close(c);
                                                continue;
                                        }
                                        clients[slot].fd = c;
                                        clients[slot].len = 0;
                                        say(c,
                                            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 99, \"minor\": 2, \"major\": 7}, "
                                            "\"package\": \"sis hostile stand-in\"}, \"capabilities\": []}}\n");
                                } else
                                        client_read(&clients[map[j]]);
                        }
                control();
        }
}
