/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

#define MAX_REPLY (1 << 20)

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
        struct sbuf *b = ud;
        if (b->len + size * n > MAX_REPLY)
                return 0;
        sbuf_putn(b, p, size * n);
        return size * n;
}

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fc_reply_done(struct fc_reply *r) {
        free(r->body);
        free(r->fault);
        *r = (struct fc_reply) {};
}

/*
 * libcurl talks over a socket of ours, to the inode jail_socket_open() found beneath the jail,
 * and sends nothing before jail_peer_check() passed:
 *  - the address is "/proc/self/fd/N" of the O_PATH descriptor of that inode: no path in the jail
 *    is resolved by libcurl, and sun_path's length never matters;
 *  - CURLOPT_OPENSOCKETFUNCTION makes the socket (so we know which it is) and refuses any other
 *    address family; CURLOPT_PREREQFUNCTION (libcurl >= 7.80) checks its peer once connected,
 *    before the request is sent, and aborts the transfer otherwise.
 * Handing libcurl a socket jail_connect() connected (CURL_SOCKOPT_ALREADY_CONNECTED) is not used:
 * libcurl 7.88.x, Debian 12's, ignores it and calls connect() on it again, which fails
 * (curl/curl#10626, fixed in 8.0.0).
 */
struct api_conn {
        const struct vm_peer *peer;
        int fd;      /* the socket open_socket() made, while libcurl holds it */
        int k;       /* jail_socket_open()'s or jail_peer_check()'s refusal */
        char *error; /* and its message */
};

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *address) {
        struct api_conn *c = ud;

        if (purpose != CURLSOCKTYPE_IPCXN || address->family != AF_UNIX)
                return CURL_SOCKET_BAD;
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        return c->fd < 0 ? CURL_SOCKET_BAD : c->fd;
}

static int close_socket(void *ud, curl_socket_t fd) {
        struct api_conn *c = ud;

        if (fd == c->fd)
                c->fd = -1;
        return close(fd);
}

static int check_peer(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port) {
        struct api_conn *c = ud;

        free(c->error);
        c->error = NULL;
        c->k = c->fd < 0 ? set_error(&c->error, -EPERM, "%s: %s: not our socket", vm_peer_name(c->peer), c->peer->sock)
                         : jail_peer_check(c->peer, c->fd, &c->error);
        return c->k < 0 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

int fc_api_call(const struct vm_peer *peer, const char *method, const char *path, json_object *body, bool idempotent,
                long timeout_ms, struct fc_reply *reply, char **ret_error) {
        _cleanup_free_ char *url = strdup_printf("http://localhost%s", path);
        const char *payload = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
        long deadline = now_ms() + timeout_ms, wait = 5;
        struct api_conn conn = { .peer = peer, .fd = -1 };
        struct curl_slist *hdr = NULL;
        CURLcode rc;
        CURL *c;
        int k;

        *reply = (struct fc_reply) {};
        if (!url)
                return -ENOMEM;
        c = curl_easy_init();
        if (!c)
                return set_error(ret_error, -ENOMEM, "libcurl cannot start");
        hdr = curl_slist_append(hdr, "Accept: application/json");
        if (payload)
                hdr = curl_slist_append(hdr, "Content-Type: application/json");
        hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &conn);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, &conn);
        curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, check_peer);
        curl_easy_setopt(c, CURLOPT_PREREQDATA, &conn);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");        /* never a proxy from the environment */
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L); /* each attempt on a socket checked for it */
        if (payload) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) strlen(payload));
        }
        for (;;) {
                _cleanup_close_ int pfd = -1;
                struct sbuf b = {};
                long left = deadline - now_ms(), os_errno = 0;
                char addr[64];
                if (left <= 0) {
                        k = set_error(ret_error, -ETIMEDOUT, "%s %s: no answer from %s within %ld ms%s%s", method, path,
                                      peer->sock, timeout_ms, conn.error ? ": " : "", strempty(conn.error));
                        goto out;
                }
                free(conn.error);
                conn.error = NULL;
                conn.k = jail_socket_open(peer, &pfd, &conn.error);
                if (conn.k >= 0) {
                        (void) snprintf_ok(addr, sizeof(addr), "/proc/self/fd/%d", pfd);
                        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, addr);
                        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
                        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
                        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
                        rc = curl_easy_perform(c);
                        if (rc == CURLE_COULDNT_CONNECT) {
                                /* the socket is there, but nobody listens, or accepts */
                                curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
                                conn.k = -ECONNREFUSED;
                                (void) set_error(&conn.error, conn.k, "%s: %s: cannot connect: %s", vm_peer_name(peer),
                                                 peer->sock,
                                                 os_errno ? strerror((int) os_errno) : curl_easy_strerror(rc));
                        }
                } else
                        rc = CURLE_COULDNT_CONNECT;
                if (conn.k < 0) {
                        sbuf_done(&b);
                        if (idempotent && (conn.k == -ENOENT || conn.k == -ECONNREFUSED)) {
                                /* the VMM is still starting: the socket is not there or not listening yet */
                                struct timespec ts = { 0, MIN(wait, MAX(left, 1)) * 1000000 };
                                nanosleep(&ts, NULL);
                                wait = MIN(wait * 2, 100);
                                continue;
                        }
                        /* a refusal (a symlink, not a socket, not the VMM at the other end) is final */
                        k = set_error(ret_error, conn.k, "%s %s: %s", method, path, strna(conn.error));
                        goto out;
                }
                if (rc != CURLE_OK) {
                        sbuf_done(&b);
                        k = set_error(ret_error, rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO, "%s %s via %s: %s",
                                      method, path, peer->sock, curl_easy_strerror(rc));
                        goto out;
                }
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
                reply->body = sbuf_steal(&b);
                break;
        }
        k = 0;
out:
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        free(conn.error);
        if (k < 0)
                return k;
        if (reply->status >= 200 && reply->status < 300)
                return 0;
        /* errors carry {"fault_message": "..."} */
        if (reply->body && *reply->body) {
                json_object *j = json_tokener_parse(reply->body), *fm;
                if (j && json_object_object_get_ex(j, "fault_message", &fm) &&
                    json_object_is_type(fm, json_type_string))
                        reply->fault = strdup(json_object_get_string(fm));
                json_object_put(j);
        }
        {
                /* the VMM's words, on one line (Firecracker's own can hold a backslash-newline) */
                _cleanup_free_ char *line = reply->fault ? str_one_line(reply->fault) : NULL;
                return set_error(ret_error, -EIO, "%s %s: HTTP %ld: %s", method, path, reply->status,
                                 line ? line : "(no fault_message)");
        }
}
