/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A VM's denied-traffic log: the packets its firewall drops (launch/net.h: each drop_<reason>
 * chain logs at most NET_LOG_RATE of them to NFLOG, a connection attempt's first packet among
 * them), one line per logged packet, appended by the VM's monitor to <run_dir>/vms/<id>/denied.log (bounded: rotated to
 * denied.log.1 past DENYLOG_CAP). The kernel's rate limit bounds the work and the disk whatever the guest sends; the
 * counters (sis-launch metrics) count every packet.
 *
 *   2026-12-06T07:40:01Z vm=s1 reason=metadata proto=tcp dst=169.254.169.254 dport=80
 *
 * The monitor listens with libnetfilter_log on group NET_NFLOG_GROUP of the VM's namespace (a
 * socket made inside it) and on the host's group for the VM's slot (reason host).
 */
#include <stddef.h>
#include <time.h>

#define DENYLOG_CAP (256u << 10)

struct denylog;

/* Bind the VM's groups: its namespace ns_path, and the host's group (-1: none). NULL when neither
 * could be bound (no namespace: a VM without network). The caller is in the host's namespace and
 * stays there. */
struct denylog *denylog_open(const char *id, const char *ns_path, int host_group, const char *log_path);
/* The descriptors to poll (up to 2); the number. */
int denylog_fds(const struct denylog *d, int fds[2]);
/* Read what is pending on them, log it. Never blocks. */
void denylog_drain(struct denylog *d);
void denylog_close(struct denylog *d);

/* The line for one logged packet (prefix: the reason; payload: its IPv4 header on), with a
 * newline; NULL for a payload that is not IPv4. Every byte of it is printable ASCII: the reason
 * is one of the known ones (else "unknown"), the rest numbers. */
char *denylog_line(time_t when, const char *id, const char *prefix, const unsigned char *payload, size_t len);
