/* SPDX-License-Identifier: MIT */
#include "denylog.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>

#include "lifecycle.h"
#include "metrics.h"
#include "net.h"
#include "util.h"

struct denylog {
        char id[65];
        char *path;
        struct nflog_handle *h[2]; /* the VM's namespace, the host's */
        struct nflog_g_handle *g[2];
};

char *denylog_line(time_t when, const char *id, const char *prefix, const unsigned char *p, size_t len) {
        const char *reason = "unknown", *proto;
        char dst[INET_ADDRSTRLEN], stamp[32], protobuf[16], port[16] = "";
        struct tm tm;
        size_t ihl;

        if (len < 20 || (p[0] >> 4) != 4 || (ihl = (size_t) (p[0] & 0x0f) * 4) < 20 || ihl > len || !vm_id_ok(id))
                return NULL;
        for (int i = 0; prefix && i < REASON_N; i++)
                if (streq(prefix, metrics_reasons[i]))
                        reason = metrics_reasons[i];
        if (!inet_ntop(AF_INET, p + 16, dst, sizeof(dst)))
                return NULL;
        switch (p[9]) {
        case IPPROTO_TCP: proto = "tcp"; break;
        case IPPROTO_UDP: proto = "udp"; break;
        case IPPROTO_ICMP: proto = "icmp"; break;
        default: snprintf(protobuf, sizeof(protobuf), "%u", p[9]); proto = protobuf;
        }
        /* the destination port of TCP and UDP, when the fragment carries it */
        if ((p[9] == IPPROTO_TCP || p[9] == IPPROTO_UDP) && len >= ihl + 4 && (((p[6] & 0x1f) << 8) | p[7]) == 0)
                snprintf(port, sizeof(port), " dport=%u", (unsigned) (p[ihl + 2] << 8 | p[ihl + 3]));
        if (!gmtime_r(&when, &tm) || strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return NULL;
        return strdup_printf("%s vm=%s reason=%s proto=%s dst=%s%s\n", stamp, id, reason, proto, dst, port);
}

static int on_packet(struct nflog_g_handle *gh, struct nfgenmsg *msg, struct nflog_data *nfa, void *data) {
        struct denylog *d = data;
        char *payload = NULL;
        int len = nflog_get_payload(nfa, &payload);
        struct timeval tv = {};
        _cleanup_free_ char *line = NULL;

        (void) gh;
        (void) msg;
        if (nflog_get_timestamp(nfa, &tv) < 0 || tv.tv_sec == 0)
                tv.tv_sec = time(NULL);
        if (len > 0)
                line = denylog_line(tv.tv_sec, d->id, nflog_get_prefix(nfa), (const unsigned char *) payload,
                                    (size_t) len);
        if (line)
                log_append(d->path, line, strlen(line), DENYLOG_CAP);
        return 0;
}

/* Bind group on a new handle in the current namespace: slot i of d. */
static int bind_group(struct denylog *d, int i, int group) {
        d->h[i] = nflog_open();
        if (!d->h[i])
                return -EIO;
        d->g[i] = nflog_bind_group(d->h[i], (uint16_t) group);
        /* the IPv4 header and the ports are all a line needs */
        if (!d->g[i] || nflog_set_mode(d->g[i], NFULNL_COPY_PACKET, 64) < 0) {
                if (d->g[i])
                        nflog_unbind_group(d->g[i]);
                nflog_close(d->h[i]);
                d->h[i] = NULL;
                d->g[i] = NULL;
                return -EIO;
        }
        nflog_callback_register(d->g[i], on_packet, d);
        (void) fcntl(nflog_fd(d->h[i]), F_SETFL, O_NONBLOCK);
        return 0;
}

struct denylog *denylog_open(const char *id, const char *ns_path, int host_group, const char *log_path) {
        struct denylog *d = calloc(1, sizeof(*d));
        _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ns = -1;

        if (!d || self < 0 || !vm_id_ok(id) || !(d->path = strdup(log_path))) {
                denylog_close(d);
                return NULL;
        }
        snprintf(d->id, sizeof(d->id), "%s", id);
        ns = ns_path ? open(ns_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (ns >= 0 && setns(ns, CLONE_NEWNET) >= 0) {
                (void) bind_group(d, 0, NET_NFLOG_GROUP);
                if (setns(self, CLONE_NEWNET) < 0)
                        abort(); /* never stay in the VM's namespace */
        }
        if (host_group >= 0)
                (void) bind_group(d, 1, host_group);
        if (!d->h[0] && !d->h[1]) {
                denylog_close(d);
                return NULL;
        }
        return d;
}

int denylog_fds(const struct denylog *d, int fds[2]) {
        int n = 0;
        for (int i = 0; d && i < 2; i++)
                if (d->h[i])
                        fds[n++] = nflog_fd(d->h[i]);
        return n;
}

void denylog_drain(struct denylog *d) {
        char buf[65536];
        for (int i = 0; d && i < 2; i++) {
                ssize_t n;
                if (!d->h[i])
                        continue;
                /* ENOBUFS (the socket overran) is fine: the counters have every packet */
                while ((n = recv(nflog_fd(d->h[i]), buf, sizeof(buf), MSG_DONTWAIT)) > 0 || (n < 0 && errno == ENOBUFS))
                        if (n > 0)
                                (void) nflog_handle_packet(d->h[i], buf, (int) n);
        }
}

void denylog_close(struct denylog *d) {
        if (!d)
                return;
        for (int i = 0; i < 2; i++) {
                if (d->g[i])
                        nflog_unbind_group(d->g[i]);
                if (d->h[i])
                        nflog_close(d->h[i]);
        }
        free(d->path);
        free(d);
}
