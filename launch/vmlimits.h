/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A VM's fair share of the host: what one browsing session may take of the uplink, the disk and
 * the connection tracker. One option set for both backends:
 *
 *   --net-rate MBIT[/BURST]    each direction, in Mbit/s (10^6 bit); BURST in KiB, the bucket's
 *                              depth (default: 100 ms of the rate, at least 64 KiB: a GSO frame
 *                              must fit; at most 1 s of the rate and 32 MiB: tc takes the bucket
 *                              as a time in 32 bits, and a deep bucket is a long burst)
 *   --disk-rate MBYTES[/IOPS]  each drive, in MB/s (10^6 bytes), and operations per second
 *   --max-conns N              connections out of the VM at once
 *
 * 0 is "no limit". Defaults come from the host's /etc/sis/launch.conf (root's, not writable by
 * anyone else, refused otherwise), the command line overrides them:
 *
 *   # sis-launch defaults for every VM on this host
 *   net-rate = 100/512
 *   disk-rate = 50/2000
 *   max-conns = 256
 *
 * Where each is enforced (launch/net.c, launch/fc.c, launch/qemu.c):
 *   network     in the kernel, on the VM's side of its namespace: a token bucket (tc tbf) on
 *               tap0's egress (to the guest) and on uplink0's egress (from the guest). The VMM
 *               cannot lift it, compromised or not. Firecracker also gets the same rate as its
 *               rx/tx rate_limiter (the guest then sees back-pressure on its virtio queue first).
 *   disk        in the VMM: Firecracker's drive rate_limiter (bandwidth and ops buckets), QEMU's
 *               drive throttling (throttling.bps-total, throttling.iops-total).
 *   connections in the kernel: nftables `ct count` in the VM's namespace (new connections past N
 *               are dropped, reason "conncap"; N at most 65536: the kernel walks the VM's list of
 *               connections as new ones come).
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct vm_limits {
        unsigned net_mbit;      /* 0: none */
        unsigned net_burst_kib; /* 0: the default */
        unsigned disk_mbyte;    /* 0: no bandwidth limit */
        unsigned disk_iops;     /* 0: no ops limit */
        unsigned max_conns;     /* 0: none */
};

#define LIMITS_CONF "/etc/sis/launch.conf"
#define LIMITS_NET_MAX 10000u   /* Mbit/s: tc tbf takes 32-bit bytes per second */
#define LIMITS_DISK_MAX 100000u /* MB/s */
#define LIMITS_IOPS_MAX 10000000u
#define LIMITS_CONNS_MAX 65536u
#define LIMITS_BURST_MIN_KIB 64u
#define LIMITS_BURST_MAX_KIB 32768u

/* "MBIT[/BURST]", "MBYTES[/IOPS]", "N" into l: 0 or -EINVAL (l unchanged). */
int limits_parse_net(const char *s, struct vm_limits *l);
int limits_parse_disk(const char *s, struct vm_limits *l);
int limits_parse_conns(const char *s, struct vm_limits *l);
/* The host's defaults from path into l. A missing file is fine (0, l unchanged) unless required.
 * -EPERM for a file that is not root's regular file or is writable by others, -EINVAL for a line
 * that is not "key = value" of a known key with a valid value; *ret_error names the file (and
 * line). */
int limits_conf_load(const char *path, bool required, struct vm_limits *l, char **ret_error);

/* Bytes per second of the network rate, the bucket in bytes; 0 when unlimited. */
uint64_t limits_net_bytes(const struct vm_limits *l);
uint64_t limits_net_burst(const struct vm_limits *l);
/* The bytes tbf may queue beyond the bucket: 50 ms of the rate, at most 4 MiB. */
uint64_t limits_net_queue(const struct vm_limits *l);
/* "net 10 Mbit/s (burst 125 KiB), disk 5 MB/s 100 IOPS, 20 connections", "none" */
char *limits_describe(const struct vm_limits *l);
/* For list's LIMITS column: "net=10,disk=5/100,conns=20" (what is set), "-" when nothing is. */
char *limits_short(const struct vm_limits *l);
/* {"net_mbit": 10, "net_burst_kib": 125, "disk_mbyte": 5, "disk_iops": 100, "max_conns": 20} (0s
 * included: what the VM runs with, not what was asked) and back (missing keys: 0). */
json_object *limits_to_json(const struct vm_limits *l);
void limits_from_json(json_object *o, struct vm_limits *l);
/* Firecracker's RateLimiter object for the network (one direction: a bandwidth bucket as deep as
 * the burst, refilled at the rate) or a drive; NULL when that limit is 0. With off, a limiter whose
 * buckets are all off ({"size": 0, "refill_time": 0}, which Firecracker takes as no limit) instead
 * of NULL: what replaces a snapshot's own limiters. */
json_object *limits_fc_net(const struct vm_limits *l, bool off);
json_object *limits_fc_disk(const struct vm_limits *l, bool off);
