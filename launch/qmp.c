/* SPDX-License-Identifier: MIT */
#include "qmp.h"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

#define QMP_LINE_MAX (1 << 20)

struct qmp {
        int fd;
        long timeout_ms;
        struct sbuf in; /* what has been read and not yet parsed */
};

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next complete JSON line, parsed; -ETIMEDOUT, -ECONNRESET (EOF), -EPROTO (not JSON). */
static int read_message(struct qmp *q, long deadline, json_object **ret) {
        for (;;) {
                char *nl = q->in.buf ? memchr(q->in.buf, '\n', q->in.len) : NULL;
                if (nl) {
                        size_t len = (size_t) (nl - q->in.buf) + 1;
                        json_object *o;
                        *nl = '\0';
                        o = json_tokener_parse(q->in.buf);
                        memmove(q->in.buf, q->in.buf + len, q->in.len - len);
                        q->in.len -= len;
                        if (!o || !json_object_is_type(o, json_type_object)) {
                                json_object_put(o);
                                return -EPROTO;
                        }
                        *ret = o;
                        return 0;
                }
                if (q->in.len > QMP_LINE_MAX)
                        return -EPROTO;
                long left = deadline - now_ms();
                struct pollfd p = { .fd = q->fd, .events = POLLIN };
                if (left <= 0)
                        return -ETIMEDOUT;
                int k = poll(&p, 1, (int) left);
                if (k < 0 && errno != EINTR)
                        return -errno;
                if (k <= 0)
                        continue;
                char buf[8192];
                ssize_t n = recv(q->fd, buf, sizeof(buf), 0);
                if (n < 0 && errno != EINTR && errno != EAGAIN)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                if (n > 0)
                        sbuf_putn(&q->in, buf, (size_t) n);
        }
}

static int send_all(int fd, const char *text, int pass_fd) {
        size_t len = strlen(text), done = 0;

        while (done < len) {
                struct iovec iov = { .iov_base = (char *) text + done, .iov_len = len - done };
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } c = {};
                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
                if (pass_fd >= 0 && done == 0) {
                        m.msg_control = c.buf;
                        m.msg_controllen = sizeof(c.buf);
                        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
                        h->cmsg_level = SOL_SOCKET;
                        h->cmsg_type = SCM_RIGHTS;
                        h->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(h), &pass_fd, sizeof(int));
                }
                ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                done += (size_t) n;
        }
        return 0;
}

int qmp_call(struct qmp *q, const char *command, json_object *args, int pass_fd, json_object **ret_return,
             char **ret_error) {
        json_object *req = json_object_new_object(), *msg = NULL, *v;
        long deadline = now_ms() + q->timeout_ms;
        _cleanup_free_ char *line = NULL;
        int k;

        json_object_object_add(req, "execute", json_object_new_string(command));
        if (args)
                json_object_object_add(req, "arguments", json_object_get(args));
        line = strdup_printf("%s\n", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
        json_object_put(req);
        if (!line)
                return -ENOMEM;
        k = send_all(q->fd, line, pass_fd);
        if (k < 0)
                return set_error(ret_error, k, "QMP %s: cannot send: %s", command, strerror(-k));
        for (;;) {
                k = read_message(q, deadline, &msg);
                if (k < 0)
                        return set_error(ret_error, k, "QMP %s: %s", command,
                                         k == -ETIMEDOUT            ? "no answer in time"
                                                 : k == -ECONNRESET ? "QEMU closed the socket"
                                                                    : strerror(-k));
                if (json_object_object_get_ex(msg, "return", &v)) {
                        if (ret_return)
                                *ret_return = json_object_get(v);
                        json_object_put(msg);
                        return 0;
                }
                if (json_object_object_get_ex(msg, "error", &v)) {
                        k = set_error(ret_error, -EIO, "QMP %s: %s", command, json_str(v, "desc") ?: "error");
                        json_object_put(msg);
                        return k;
                }
                json_object_put(msg); /* an event */
        }
}

int qmp_attach(int fd, long timeout_ms, struct qmp **ret, char **ret_error) {
        _cleanup_free_ struct qmp *q = calloc(1, sizeof(*q));
        json_object *greeting = NULL, *v;
        int k;

        if (!q) {
                close(fd);
                return -ENOMEM;
        }
        q->fd = fd;
        q->timeout_ms = timeout_ms;
        k = read_message(q, now_ms() + timeout_ms, &greeting);
        if (k < 0 || !json_object_object_get_ex(greeting, "QMP", &v))
                k = set_error(ret_error, k < 0 ? k : -EPROTO, "no QMP greeting");
        json_object_put(greeting);
        if (k >= 0)
                k = qmp_call(q, "qmp_capabilities", NULL, -1, NULL, ret_error);
        if (k < 0) {
                close(q->fd);
                sbuf_done(&q->in);
                return k;
        }
        *ret = TAKE_PTR(q);
        return 0;
}

int qmp_open(const struct vm_peer *peer, long timeout_ms, struct qmp **ret, char **ret_error) {
        long deadline = now_ms() + timeout_ms, wait = 5;
        _cleanup_free_ char *err = NULL;
        int fd = -1, k;

        for (;;) {
                free(err);
                err = NULL;
                k = jail_connect(peer, &fd, &err);
                if (k >= 0)
                        break;
                /* not there or not listening yet: retried; a refusal (-EPERM) is final */
                if ((k != -ENOENT && k != -ECONNREFUSED) || now_ms() + wait > deadline)
                        return set_error(ret_error, k, "%s", strna(err));
                usleep((useconds_t) wait * 1000);
                wait = MIN(wait * 2, 100L);
        }
        free(err);
        err = NULL;
        k = qmp_attach(fd, timeout_ms, ret, &err);
        if (k < 0)
                return set_error(ret_error, k, "%s: %s: %s", vm_peer_name(peer), peer->sock, strna(err));
        return 0;
}

int qmp_migrate_fd(struct qmp *q, const char *command, int fd, char **ret_error) {
        json_object *a = json_object_new_object(), *b = json_object_new_object();
        int k;

        json_object_object_add(a, "fdname", json_object_new_string("sis-snapshot"));
        json_object_object_add(b, "uri", json_object_new_string("fd:sis-snapshot"));
        k = qmp_call(q, "getfd", a, fd, NULL, ret_error);
        if (k >= 0)
                k = qmp_call(q, command, b, -1, NULL, ret_error);
        json_object_put(a);
        json_object_put(b);
        return k;
}

int qmp_wait_migration(struct qmp *q, long timeout_ms, char **ret_error) {
        long deadline = now_ms() + timeout_ms;
        json_object *ret = NULL;
        int k;

        for (;;) {
                const char *status = "";
                json_object_put(ret);
                ret = NULL;
                k = qmp_call(q, "query-migrate", NULL, -1, &ret, ret_error);
                if (k >= 0 && json_str(ret, "status"))
                        status = json_str(ret, "status");
                if (k < 0 || streq(status, "completed"))
                        break;
                if (streq(status, "failed") || streq(status, "cancelled") || now_ms() > deadline) {
                        const char *desc = json_str(ret, "error-desc");
                        k = set_error(ret_error, -EIO, "migration %s%s%s", *status ? status : "did not finish",
                                      desc ? ": " : "", strempty(desc));
                        break;
                }
                usleep(20000);
        }
        json_object_put(ret);
        return k;
}

void qmp_close(struct qmp *q) {
        if (!q)
                return;
        close(q->fd);
        sbuf_done(&q->in);
        free(q);
}

char *qmp_status(const struct vm_peer *peer, long timeout_ms) {
        struct qmp *q = NULL;
        json_object *r = NULL;
        char *s = NULL;

        if (qmp_open(peer, timeout_ms, &q, NULL) < 0)
                return NULL;
        /* QEMU's answer, a hostile VMM's: a status that is no string ({"status": null}) is none */
        if (qmp_call(q, "query-status", NULL, -1, &r, NULL) >= 0 && json_str(r, "status"))
                s = strdup(json_str(r, "status"));
        json_object_put(r);
        qmp_close(q);
        return s;
}

int qmp_oneshot(const struct vm_peer *peer, const char *command, long timeout_ms, char **ret_error) {
        struct qmp *q = NULL;
        int k = qmp_open(peer, timeout_ms, &q, ret_error);

        if (k < 0)
                return k;
        k = qmp_call(q, command, NULL, -1, NULL, ret_error);
        qmp_close(q);
        return k;
}
